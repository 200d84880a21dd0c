"""Pages beyond the registries: who is due for the next step, dues arrears, statistics, pickers."""

from __future__ import annotations

import os
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from shequ.accounts.scope import can, scope_paths
from shequ.core.exceptions import NotFound
from shequ.core.filtersets import search_q
from shequ.core.permissions import may, requires
from shequ.orgs.models import Organization
from shequ.territory.models import Kind as NodeKind
from shequ.territory.models import Node

from .actions.common import MEMBER_ORG_KINDS
from .forms import StatsForm
from .models import CommunityReport, PartyMember
from .models.members import ACTIVE_STATUSES


def _int(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


@requires("party.developmentrecord")
def due_page(request: HttpRequest) -> HttpResponse:
    from .due import LOOKAHEAD_DAYS, due_list

    groups = due_list(request.user, organization=_int(request.GET.get("organization")))
    return render(request, "party/due.html", {"groups": groups, "lookahead": LOOKAHEAD_DAYS})


@requires("party.duespayment", check=lambda user: may(user, "party.partymember", "view"))
def arrears_page(request: HttpRequest) -> HttpResponse:
    """Per branch, the members with months of the year unpaid, and how much that makes (``party.arrears``)."""
    from .arrears import arrears

    result = arrears(
        request.user,
        year=_int(request.GET.get("year")),
        organization=_int(request.GET.get("organization")),
        page=request.GET.get("page"),
    )
    return render(
        request,
        "party/arrears.html",
        {
            "groups": result.groups,
            "year": result.year,
            "page": result.page,
            "paginator": result.paginator,
            "organization": result.organization,
            "in_arrears": result.in_arrears,
        },
    )


def stats_anchor(user: Any, node_id: Any, perm_model: Any = PartyMember) -> Node:
    """The place asked for, within the user's scope, or the widest place of their scope (404 else)."""
    nodes = Node.objects.restrict(user, "view", perm_model=perm_model).filter(retired=False)
    if node_id not in (None, ""):
        anchor = nodes.filter(pk=_int(node_id) or 0).first()
    else:
        # The roots of the scope themselves (by their paths), not a walk through everything under them.
        paths = scope_paths(user, perm_model, "view")
        roots = Node.objects.filter(retired=False)
        roots = roots.filter(parent__isnull=True) if paths is None else roots.filter(path__in=paths)
        anchor = roots.order_by("depth", "path").first()
    if anchor is None:
        raise NotFound()
    return anchor


@requires("party.partymember")
def stats_page(request: HttpRequest) -> HttpResponse:
    from .stats import DEVELOPED_TARGET, compute

    anchor = stats_anchor(request.user, request.GET.get("node"))
    stats = compute(anchor, request.user)
    return render(
        request,
        "party/stats.html",
        {
            "anchor": anchor,
            "stats": stats,
            "target": DEVELOPED_TARGET,
            "form": StatsForm(initial={"node": anchor.pk}),
            "can_export": can(request.user, PartyMember, "export", anchor.path),
        },
    )


@login_required
def stats_export(request: HttpRequest) -> Any:
    from .stats import compute, write_xlsx

    anchor = stats_anchor(request.user, request.GET.get("node"))
    if not can(request.user, PartyMember, "export", anchor.path):
        raise NotFound()
    target = write_xlsx(compute(anchor, request.user))
    handle = open(target, "rb")  # noqa: SIM115 - closed by FileResponse
    os.unlink(target)
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    return FileResponse(handle, as_attachment=True, filename=f"party-stats-{anchor.pk}-{stamp}.xlsx")


def _query(request: HttpRequest) -> str:
    """The typed text: posted by the member picker (it may be an identity number), in the query string else."""
    field = request.GET.get("field", "")
    data = request.POST if request.method == "POST" else request.GET
    return data.get(f"{field}__q", data.get("q", ""))[:50].strip()


@login_required
def member_pick(request: HttpRequest) -> HttpResponse:
    query = _query(request)
    results: list[Any] = []
    if query:
        qs = PartyMember.objects.restrict(request.user, "view").filter(status__in=ACTIVE_STATUSES)
        results = list(qs.filter(search_q(PartyMember, query)).select_related("organization").defer("id_number")[:15])
    return render(request, "party/_member_pick_results.html", {"results": results})


@login_required
def org_pick(request: HttpRequest) -> HttpResponse:
    """Party organizations keeping members: within scope, or anywhere for a transfer's destination
    (an organization's name is no personal information)."""
    qs = Organization.objects.filter(kind__in=MEMBER_ORG_KINDS, active=True)
    if request.GET.get("kinds") != "everywhere":
        qs = qs.restrict(request.user, "view", perm_model=PartyMember)  # type: ignore[attr-defined]
    elif not can(request.user, PartyMember, "change"):
        raise NotFound()
    query = _query(request)
    results = list(qs.filter(search_q(Organization, query)).select_related("node")[:15]) if query else []
    return render(request, "orgs/_pick_results.html", {"results": results})


# -- on-the-job members and their home communities ------------------------------------------------------------


@login_required
def member_archive_export(request: HttpRequest, pk: str) -> Any:
    """One member's archive as a workbook: the record, development, timeline, transfers and dues."""
    from shequ.core.actions import fetch

    from .archive import member_archive, write_archive_xlsx
    from .privacy import may

    member = fetch(PartyMember.objects.select_related("organization"), request.user, "view", pk)
    if not may(request.user, member, "export"):
        raise NotFound()
    return _xlsx(write_archive_xlsx(member_archive(request.user, member)), f"party-archive-{member.pk}")


def _xlsx(target: str, name: str) -> FileResponse:
    handle = open(target, "rb")  # noqa: SIM115 - closed by FileResponse
    os.unlink(target)
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    return FileResponse(handle, as_attachment=True, filename=f"{name}-{stamp}.xlsx")


def _community(value: Any) -> Node | None:
    pk = _int(value)
    if pk is None:
        return None
    return Node.objects.filter(pk=pk, kind=NodeKind.COMMUNITY, retired=False).first()


@requires("party.communityreport")
def reporting_page(request: HttpRequest) -> HttpResponse:
    """Per community, the rate of on-the-job members who have reported, and who has not (000 §10)."""
    from .summaries import reporting

    anchor = stats_anchor(request.user, request.GET.get("node"), CommunityReport)
    result = reporting(anchor, request.user, _community(request.GET.get("community")))
    return render(
        request,
        "party/reporting.html",
        {
            "anchor": anchor,
            "result": result,
            "form": StatsForm(initial={"node": anchor.pk}),
            "can_export": can(request.user, CommunityReport, "export", anchor.path),
        },
    )


@login_required
def reporting_export(request: HttpRequest) -> Any:
    from .summaries import reporting, write_reporting_xlsx

    anchor = stats_anchor(request.user, request.GET.get("node"), CommunityReport)
    if not can(request.user, CommunityReport, "export", anchor.path):
        raise NotFound()
    return _xlsx(write_reporting_xlsx(reporting(anchor, request.user)), f"party-reporting-{anchor.pk}")


def _year(request: HttpRequest) -> int:
    today = timezone.localdate()
    year = _int(request.GET.get("year")) or today.year
    return min(max(year, 1990), today.year)


@requires("party.communityreport")
def outstanding_page(request: HttpRequest) -> HttpResponse:
    """The yearly selection of outstanding on-the-job members: candidates by hours, and the selected."""
    from .summaries import outstanding

    anchor = stats_anchor(request.user, request.GET.get("node"), CommunityReport)
    year = _year(request)
    return render(
        request,
        "party/outstanding.html",
        {
            "anchor": anchor,
            "result": outstanding(anchor, request.user, year),
            "years": list(range(timezone.localdate().year, timezone.localdate().year - 5, -1)),
            "form": StatsForm(initial={"node": anchor.pk}),
            "can_export": can(request.user, CommunityReport, "export", anchor.path),
            "can_select": can(request.user, CommunityReport, "change", anchor.path),
        },
    )


@login_required
def outstanding_export(request: HttpRequest) -> Any:
    from .summaries import outstanding, write_outstanding_xlsx

    anchor = stats_anchor(request.user, request.GET.get("node"), CommunityReport)
    if not can(request.user, CommunityReport, "export", anchor.path):
        raise NotFound()
    year = _year(request)
    target = write_outstanding_xlsx(outstanding(anchor, request.user, year), request.user)
    return _xlsx(target, f"party-outstanding-{year}-{anchor.pk}")
