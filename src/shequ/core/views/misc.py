from __future__ import annotations

from pathlib import Path
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import FileResponse, HttpRequest, HttpResponse, HttpResponseBase, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from shequ.accounts.scope import can
from shequ.core import exports, files, jobs
from shequ.core.actions import fetch
from shequ.core.exceptions import ActionError, NotFound
from shequ.core.filtersets import TOKEN_PARAM, AuditEntryFilterSet, JobFilterSet, search_q, search_token, token_q
from shequ.core.forms import ImportConfirmForm
from shequ.core.models import AuditEntry, Job
from shequ.core.pagination import configure_table
from shequ.core.registry import VIEWSETS
from shequ.core.tables import AuditEntryTable, JobTable
from shequ.core.tasks import enqueue_job

SEARCH_LIMIT = 10


def health(request: HttpRequest) -> JsonResponse:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})


def search_results(user: Any, query: str = "", limit: int = SEARCH_LIMIT, *, token: str = "") -> list[dict[str, Any]]:
    """Matches per model (each model's ``search_condition``, or name, pinyin, initials, code), each list
    inside the user's scope; with *token* (a full identity number's keyed hash) the models that know it."""
    results: list[dict[str, Any]] = []
    query = query.strip()
    if not query and not token:
        return results
    for vs in VIEWSETS.values():
        model = vs.model
        if not getattr(model, "search_fields", None) or not can(user, model, "view"):
            continue
        condition = token_q(model, token) if token else search_q(model, query)
        if condition is None:
            continue
        qs = model._default_manager.restrict(user, "view").filter(condition)
        if vs.select_related:
            qs = qs.select_related(*vs.select_related)
        items = list(qs[: limit + 1])
        if items:
            results.append({"label": model._meta.label_lower, "title": model._meta.verbose_name_plural, "items": items})
    return results


def _search_token(query: str) -> str | None:
    """The token of *query* if some searchable model says it must not appear in a URL (an identity number)."""
    for vs in VIEWSETS.values():
        token = search_token(vs.model, query)
        if token is not None:
            return token
    return None


@login_required
def search(request: HttpRequest) -> HttpResponseBase:
    """The search box.  It posts (CSRF-checked): a full identity number then leads to ``?idh=<keyed hash>``,
    anything else to ``?q=…``, so that no identity number lands in a URL, an access log or the browser's
    history.  ``GET ?q=`` still answers (API clients, old links); on the screens a full identity number in it
    is replaced by its token at once."""
    htmx = bool(request.htmx)  # type: ignore[attr-defined]
    if request.method == "POST":
        query = request.POST.get("q", "")[:100].strip()
        token = _search_token(query) if query else None
        if htmx:  # the live results under the box: answered in place, no URL at all
            results = search_results(request.user, "" if token else query, token=token or "")
            return render(
                request, "core/_search_results.html", {"query": query, "results": results, "limit": SEARCH_LIMIT}
            )
        target = reverse("core:search")
        if token:
            return redirect(f"{target}?{urlencode({TOKEN_PARAM: token})}")
        return redirect(f"{target}?{urlencode({'q': query})}" if query else target)
    query = request.GET.get("q", "")[:100]
    token = request.GET.get(TOKEN_PARAM, "")
    if query and not token and not htmx and (found := _search_token(query)) is not None:
        return redirect(f"{reverse('core:search')}?{urlencode({TOKEN_PARAM: found})}")
    results = search_results(request.user, query, token=token)
    template = "core/_search_results.html" if htmx else "core/search.html"
    return render(
        request,
        template,
        {"query": "" if token else query, "by_identity": bool(token), "results": results, "limit": SEARCH_LIMIT},
    )


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
    # Jobs that say they run but whose process is gone are interrupted, not running forever.
    jobs.refresh(_jobs(request).filter(status=Job.Status.RUNNING)[:100])
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
    jobs.refresh([job])
    template = "core/_job_progress.html" if request.htmx else "core/job_detail.html"  # type: ignore[attr-defined]
    return render(request, template, job_context(request, job))


def job_context(request: HttpRequest, job: Job, **extra: Any) -> dict[str, Any]:
    rerun = Job.objects.filter(pk=(job.params or {}).get("rerun_job") or 0).first() if job.interrupted else None
    return {
        "job": job,
        "confirm_form": ImportConfirmForm(),
        "is_owner": job.user_id == request.user.pk,
        "can_read_report": may_read_report(request.user, job),
        "may_rerun": jobs.may_rerun(request.user, job),
        "rerun": rerun,
        "rerun_command": jobs.rerun_command(job) if (job.params or {}).get("command") else "",
        "may_download": exports.may_download(request.user, job),
        **extra,
    }


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
        return render(request, "core/job_detail.html", job_context(request, job, confirm_form=form), status=400)
    params = dict(job.params, dry_run=False, mode=form.cleaned_data["mode"], preview_job=job.pk)
    applied = Job.objects.create(
        kind="import", title=job.title, user=request.user, node=job.node, path=job.path, params=params
    )
    enqueue_job(applied)
    return redirect(applied.get_absolute_url())


@login_required
@require_POST
def job_rerun(request: HttpRequest, pk: str) -> HttpResponse:
    """An interrupted import: the same stored file again, in the same mode (rows already written stay as they
    are: the importers upsert)."""
    job = _get_job(request, pk)
    try:
        again = jobs.do_rerun(job, acting_user=request.user)
    except ActionError as exc:
        return render(request, "core/job_detail.html", job_context(request, job, errors=exc.messages), status=400)
    return redirect(again.get_absolute_url())


def may_read_report(user: Any, job: Job) -> bool:
    """The rejected rows hold what the uploader typed, identity numbers in full: for the uploader, and for
    whoever may both import such records and see their numbers in full over the whole place of the job
    (seeing the job in one's scope is not enough: a grid worker, or a branch secretary of another branch)."""
    from shequ.accounts.scope import reaches

    if job.user_id == user.pk:
        return True
    model = (job.params or {}).get("model")
    if not model:
        return False
    for action in ("import", "view_pii"):
        found = reaches(user, model, action)
        if found is not None and not any(r.orgs is None and job.path.startswith(r.path) for r in found):
            return False
    return True


@login_required
def job_report(request: HttpRequest, pk: str) -> HttpResponseBase:
    """The rejected rows of an import, with the reasons: stored encrypted, streamed decrypted."""
    job = _get_job(request, pk)
    report = (job.result or {}).get("report")
    if not report or not Path(report).exists() or not may_read_report(request.user, job):
        raise NotFound()
    filename = f"rejected-{job.pk}.xlsx"
    if not files.is_stored(report):
        # ``shequ import`` writes its report where the shell user said, on their own file system.
        if not job.params.get("command"):
            raise NotFound()
        return FileResponse(open(report, "rb"), as_attachment=True, filename=filename)  # noqa: SIM115
    try:
        return files.download_response(report, filename)
    except files.StoredFileError as exc:
        messages.error(request, "；".join(exc.messages))
        return redirect(job.get_absolute_url())


@login_required
def job_download(request: HttpRequest, pk: str) -> HttpResponseBase:
    """The file of a finished export, for the user who asked for it (stored encrypted, streamed decrypted)."""
    job = _get_job(request, pk)
    try:
        return exports.download(request, job)
    except files.StoredFileError as exc:
        messages.error(request, "；".join(exc.messages))
        return redirect(job.get_absolute_url())


__all__ = [
    "health",
    "search",
    "audit_list",
    "job_list",
    "job_detail",
    "job_apply",
    "job_rerun",
    "job_report",
    "job_download",
    "fetch",
    "reverse",
]
