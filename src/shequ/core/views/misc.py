from __future__ import annotations

from pathlib import Path
from typing import Any

from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import FileResponse, HttpRequest, HttpResponse, HttpResponseBase, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from shequ.accounts.scope import can
from shequ.core.actions import fetch
from shequ.core.exceptions import NotFound
from shequ.core.filtersets import AuditEntryFilterSet, JobFilterSet, search_q
from shequ.core.forms import ImportConfirmForm
from shequ.core.models import AuditEntry, Job
from shequ.core.pagination import configure_table
from shequ.core.registry import VIEWSETS
from shequ.core.tables import AuditEntryTable, JobTable
from shequ.core.tasks import enqueue_job

SEARCH_LIMIT = 10


@login_required
def home(request: HttpRequest) -> HttpResponse:
    from shequ.territory.models import Node

    roots = Node.objects.restrict(request.user, "view").order_by("depth", "path")
    top = roots.first()
    if top is not None:
        return redirect("territory:node_detail", pk=top.pk)
    return render(request, "core/home.html", {})


def health(request: HttpRequest) -> JsonResponse:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})


def search_results(user: Any, query: str, limit: int = SEARCH_LIMIT) -> list[dict[str, Any]]:
    """Matches per model (name, pinyin, initials, code), each list inside the user's scope."""
    results: list[dict[str, Any]] = []
    query = query.strip()
    if not query:
        return results
    for vs in VIEWSETS.values():
        model = vs.model
        if not getattr(model, "search_fields", None) or not can(user, model, "view"):
            continue
        qs = model._default_manager.restrict(user, "view").filter(search_q(model, query))
        if vs.select_related:
            qs = qs.select_related(*vs.select_related)
        items = list(qs[: limit + 1])
        if items:
            results.append({"label": model._meta.label_lower, "title": model._meta.verbose_name_plural, "items": items})
    return results


@login_required
def search(request: HttpRequest) -> HttpResponse:
    query = request.GET.get("q", "")[:100]
    results = search_results(request.user, query)
    template = "core/_search_results.html" if request.htmx else "core/search.html"  # type: ignore[attr-defined]
    return render(request, template, {"query": query, "results": results, "limit": SEARCH_LIMIT})


@login_required
def audit_list(request: HttpRequest) -> HttpResponse:
    if not can(request.user, AuditEntry, "view"):
        raise NotFound()
    qs = AuditEntry.objects.restrict(request.user, "view").select_related("actor", "content_type")
    filterset = AuditEntryFilterSet(request.GET or None, queryset=qs)
    table = configure_table(AuditEntryTable(filterset.qs if filterset.is_bound else qs, order_by="-timestamp"), request)
    ctx = {"filterset": filterset, "table": table, "title": _("Audit log")}
    if request.htmx:  # type: ignore[attr-defined]
        return render(request, "core/_results.html", ctx)
    return render(request, "core/simple_list.html", ctx)


def _jobs(request: HttpRequest) -> Any:
    """A user's own jobs, and those of others inside their scope."""
    from django.db.models import Q

    scoped = Job.objects.restrict(request.user, "view").values("pk")
    return Job.objects.filter(Q(user=request.user) | Q(pk__in=scoped)).select_related("user")


@login_required
def job_list(request: HttpRequest) -> HttpResponse:
    filterset = JobFilterSet(request.GET or None, queryset=_jobs(request))
    table = configure_table(JobTable(filterset.qs), request)
    return render(
        request,
        "core/simple_list.html",
        {"filterset": filterset, "table": table, "title": _("Background jobs")},
    )


@login_required
def job_detail(request: HttpRequest, pk: str) -> HttpResponse:
    job = _get_job(request, pk)
    template = "core/_job_progress.html" if request.htmx else "core/job_detail.html"  # type: ignore[attr-defined]
    return render(request, template, {"job": job, "confirm_form": ImportConfirmForm()})


def _get_job(request: HttpRequest, pk: str) -> Job:
    try:
        return _jobs(request).get(pk=int(pk))
    except (ValueError, Job.DoesNotExist):
        raise NotFound() from None


@login_required
@require_POST
def job_apply(request: HttpRequest, pk: str) -> HttpResponse:
    """Second step of an import: apply the previewed file in the chosen mode."""
    job = _get_job(request, pk)
    if job.user_id != request.user.pk or job.kind != "import" or not job.params.get("dry_run"):
        raise NotFound()
    if not can(request.user, job.params["model"], "import"):
        raise NotFound()
    form = ImportConfirmForm(request.POST)
    if not form.is_valid():
        return render(request, "core/job_detail.html", {"job": job, "confirm_form": form}, status=400)
    params = dict(job.params, dry_run=False, mode=form.cleaned_data["mode"], preview_job=job.pk)
    applied = Job.objects.create(
        kind="import", title=job.title, user=request.user, node=job.node, path=job.path, params=params
    )
    enqueue_job(applied)
    return redirect(applied.get_absolute_url())


@login_required
def job_report(request: HttpRequest, pk: str) -> HttpResponseBase:
    """The rejected rows of an import, with the reasons."""
    job = _get_job(request, pk)
    report = (job.result or {}).get("report")
    if not report or not Path(report).exists():
        raise NotFound()
    return FileResponse(open(report, "rb"), as_attachment=True, filename=f"rejected-{job.pk}.xlsx")  # noqa: SIM115


__all__ = [
    "home",
    "health",
    "search",
    "audit_list",
    "job_list",
    "job_detail",
    "job_apply",
    "job_report",
    "fetch",
    "reverse",
]
