"""/api/v1/party/: the figures over a place or an organization — statistics, who is due for the next step, dues
arrears, the reporting rate, the outstanding on-the-job members — within scope."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from django.http import HttpRequest
from ninja import Field, Router, Schema

from shequ.accounts.scope import can
from shequ.core.api import ErrorOut, user_of
from shequ.core.exceptions import NotFound

from .models import (
    CommunityReport,
    DevelopmentRecord,
    DuesPayment,
    PartyMember,
)

summaries = Router()


# -- statistics ---------------------------------------------------------------------------------------------------


class CountOut(Schema):
    label: str
    count: int


class CommunityOut(Schema):
    node_id: int
    name: str
    developed: int
    ok: bool


class TreeOut(Schema):
    organization_id: int
    name: str
    kind: str
    parent_id: int | None
    depth: int
    members: int = Field(..., description="Active members in the organization itself.")
    members_below: int = Field(..., description="Active members in it and in the organizations below it.")


class StatsOut(Schema):
    node_id: int
    node: str
    year: int
    total: int
    by_status: list[CountOut]
    by_category: list[CountOut]
    by_age: list[CountOut]
    by_education: list[CountOut]
    by_year: list[CountOut]
    communities: list[CommunityOut]
    tree: list[TreeOut]


@summaries.get("/statistics", response={200: StatsOut, 404: ErrorOut}, operation_id="party_statistics", tags=["party"])
def statistics(request: HttpRequest, node: int | None = None) -> Any:
    """Members of the node's subtree by status, category, age band, education and year of joining; members
    developed this year per community against the target (≥ 1)."""
    from .pages import stats_anchor
    from .stats import compute

    user = user_of(request)
    if not can(user, PartyMember, "view"):
        raise NotFound()
    stats = compute(stats_anchor(user, node), user)

    def rows(items: list[tuple[Any, int]]) -> list[dict[str, Any]]:
        return [{"label": str(label), "count": n} for label, n in items]

    return {
        "node_id": stats.anchor.pk,
        "node": stats.anchor.name,
        "year": stats.year,
        "total": stats.total,
        "by_status": rows(stats.by_status),
        "by_category": rows(stats.by_category),
        "by_age": rows(stats.by_age),
        "by_education": rows(stats.by_education),
        "by_year": rows(stats.by_year),
        "communities": [
            {"node_id": c["node"].pk, "name": c["node"].name, "developed": c["developed"], "ok": c["ok"]}
            for c in stats.communities
        ],
        "tree": [
            {
                "organization_id": org.pk,
                "name": org.name,
                "kind": org.kind,
                "parent_id": org.parent_id,
                "depth": depth,
                "members": own,
                "members_below": below,
            }
            for depth, org, own, below in stats.tree
        ],
    }


# -- who is due for the next step, dues arrears ---------------------------------------------------------------


class DueItemOut(Schema):
    record: str = Field(..., description="development (a development record) or member (a probation).")
    id: int
    name: str
    step: str = Field(..., description="activist, target, admit or probation (convert, extend or cancel).")
    step_display: str
    due_on: date | None
    overdue: bool


class DueGroupOut(Schema):
    organization_id: int
    organization: str
    items: list[DueItemOut]


@summaries.get("/due", response={200: list[DueGroupOut], 404: ErrorOut}, operation_id="party_due", tags=["party"])
def due(request: HttpRequest, organization: int | None = None) -> Any:
    """Per party organization, who is due for the next step of the pipeline (within 60 days, or overdue)."""
    from .due import due_list

    user = user_of(request)
    if not (can(user, PartyMember, "view") or can(user, DevelopmentRecord, "view")):
        raise NotFound()
    return [
        {
            "organization_id": org.pk,
            "organization": org.name,
            "items": [
                {
                    "record": "member" if isinstance(i.obj, PartyMember) else "development",
                    "id": i.obj.pk,
                    "name": i.obj.name,
                    "step": i.code,
                    "step_display": i.step,
                    "due_on": i.due_on,
                    "overdue": i.overdue,
                }
                for i in items
            ],
        }
        for org, items in due_list(user, organization=organization).items()
    ]


class ArrearsMemberOut(Schema):
    member_id: int
    name: str
    months: list[date]
    amount: Decimal | None = Field(..., description="Null when the income needed to compute the dues is missing.")


class ArrearsGroupOut(Schema):
    organization_id: int
    organization: str
    members: list[ArrearsMemberOut]


class ArrearsOut(Schema):
    year: int
    page: int
    has_next: bool
    members_on_page: int
    count: int
    capped: bool
    organizations: list[ArrearsGroupOut]


@summaries.get("/arrears", response={200: ArrearsOut, 404: ErrorOut}, operation_id="party_arrears", tags=["party"])
def arrears(request: HttpRequest, year: int | None = None, organization: int | None = None, page: int = 1) -> Any:
    """Dues arrears per party organization: a page of the members in scope (200 at a time, in the order of
    the member list), those with months of *year* unpaid, the months and the amount."""
    from .arrears import arrears as compute_arrears

    user = user_of(request)
    if not can(user, DuesPayment, "view") or not can(user, PartyMember, "view"):
        raise NotFound()
    result = compute_arrears(user, year=year, organization=organization, page=page)
    return {
        "year": result.year,
        "page": result.page.number,
        "has_next": result.page.has_next(),
        "members_on_page": len(result.page.object_list),
        "count": result.paginator.count,
        "capped": result.paginator.capped,
        "organizations": [
            {
                "organization_id": org.pk,
                "organization": org.name,
                "members": [
                    {"member_id": r.member.pk, "name": r.member.name, "months": r.months, "amount": r.amount}
                    for r in rows
                ],
            }
            for org, rows in result.groups.items()
        ],
    }


# -- on-the-job members and their home communities -----------------------------------------------------------


class ReportingRowOut(Schema):
    node_id: int
    name: str
    street: str
    expected: int
    reported: int
    rate: float | None
    not_reported: int


class ReportingOut(Schema):
    node_id: int
    node: str
    expected: int
    reported: int
    rate: float | None
    communities: list[ReportingRowOut]


@summaries.get(
    "/reporting", response={200: ReportingOut, 404: ErrorOut}, operation_id="party_reporting", tags=["party"]
)
def reporting(request: HttpRequest, node: int | None = None) -> Any:
    """Per community, the on-the-job members expected to report to it (living there by the register, their
    organization elsewhere, or reporting anyway), those who have, and the rate (000 §10)."""
    from .pages import stats_anchor
    from .summaries import reporting as compute_reporting

    user = user_of(request)
    if not can(user, CommunityReport, "view"):
        raise NotFound()
    result = compute_reporting(stats_anchor(user, node, CommunityReport), user)
    return {
        "node_id": result.anchor.pk,
        "node": result.anchor.name,
        "expected": result.expected,
        "reported": result.reported,
        "rate": result.rate,
        "communities": [
            {
                "node_id": r.node.pk,
                "name": r.node.name,
                "street": r.street,
                "expected": r.expected,
                "reported": r.reported,
                "rate": r.rate,
                "not_reported": r.missing,
            }
            for r in result.rows
        ],
    }


class CandidateOut(Schema):
    report_id: int
    member_id: int
    name: str
    community: str
    hours: Decimal
    activities: int
    selected: bool


class OutstandingOut(Schema):
    node_id: int
    year: int
    start: date
    end: date
    candidates: list[CandidateOut]
    total_candidates: int


@summaries.get(
    "/outstanding", response={200: OutstandingOut, 404: ErrorOut}, operation_id="party_outstanding", tags=["party"]
)
def outstanding(request: HttpRequest, node: int | None = None, year: int | None = None) -> Any:
    """The yearly selection of outstanding on-the-job members: the candidates by hours of service in the
    twelve months before 1 July of *year* (this year by default), the selected ones marked."""
    from django.utils import timezone

    from .pages import stats_anchor
    from .summaries import outstanding as compute_outstanding

    user = user_of(request)
    if not can(user, CommunityReport, "view"):
        raise NotFound()
    today = timezone.localdate()
    result = compute_outstanding(
        stats_anchor(user, node, CommunityReport), user, min(max(year or today.year, 1990), today.year)
    )
    return {
        "node_id": result.anchor.pk,
        "year": result.year,
        "start": result.start,
        "end": result.end,
        "total_candidates": result.total_candidates,
        "candidates": [
            {
                "report_id": r.pk,
                "member_id": r.member_id,
                "name": r.member.name,
                "community": r.node.name,
                "hours": r.hours,  # type: ignore[attr-defined]
                "activities": r.activities_count,  # type: ignore[attr-defined]
                "selected": r.pk in result.selected_ids,
            }
            for r in result.candidates
        ],
    }
