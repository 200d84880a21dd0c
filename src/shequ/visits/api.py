"""/api/v1/visits/: household links, visits (logged from a phone or another system), must-arrive tasks (every
step of their workflow), visit intervals, the must-visit list — within scope, through the ``do_*`` actions."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django.http import HttpRequest
from ninja import Field, Router, Schema

from shequ.core.api import ObjectAction, crud_router, user_of
from shequ.core.exceptions import NotFound

from . import actions
from .filtersets import HouseholdLinkFilterSet, MustArriveTaskFilterSet, VisitFilterSet
from .forms import households_for, members_for
from .models import ArrivalReason, HouseholdLink, MustArriveTask, Visit, VisitKind

router = Router(tags=["visits"])


def _household(user: Any, pk: int, model: Any) -> Any:
    found = households_for(user, "view", model).filter(pk=pk).first()
    if found is None:
        raise NotFound()
    return found


def _member(user: Any, pk: int | None) -> Any:
    if pk is None:
        return None
    found = members_for(user).filter(pk=pk).first()
    if found is None:
        raise NotFound()
    return found


class LinkOut(Schema):
    id: int
    member_id: int
    member_name: str = Field(..., alias="member.name")
    household_id: int
    community_id: int
    started_on: date
    ended_on: date | None


class LinkIn(Schema):
    member_id: int
    household_id: int
    started_on: date | None = None


class EndIn(Schema):
    ended_on: date | None = None


def _link(user: Any, p: LinkIn) -> HouseholdLink:
    return actions.do_link(
        acting_user=user,
        member=_member(user, p.member_id),
        household=_household(user, p.household_id, HouseholdLink),
        started_on=p.started_on,
    )


def _unlink(user: Any, obj: HouseholdLink, p: EndIn) -> None:
    """The member no longer answers for the household (from `ended_on`, default today)."""
    actions.do_unlink(obj, acting_user=user, ended_on=p.ended_on)


links_router = crud_router(
    model=HouseholdLink,
    out_schema=LinkOut,
    filterset=HouseholdLinkFilterSet,
    create_schema=LinkIn,
    create=_link,
    select_related=("member",),
    tags=["visits"],
    actions=[ObjectAction("end", _unlink, EndIn, operation_id="end_householdlink")],
)


class VisitOut(Schema):
    id: int
    household_id: int
    member_id: int | None
    kind: str
    visited_at: datetime
    task_id: int | None
    findings: str
    needs: str
    follow_up: str
    request_id: int | None
    recorded_by_id: int | None


class VisitIn(Schema):
    household_id: int
    member_id: int | None = None
    visited_at: datetime | None = None
    findings: str = Field(..., min_length=1, max_length=1000)
    needs: str = Field("", max_length=1000)
    follow_up: str = Field("", max_length=1000)
    request_category_id: int | None = None


def _category(pk: int | None) -> Any:
    if pk is None:
        return None
    from shequ.services.models import ServiceCategory

    found = ServiceCategory.objects.filter(pk=pk, active=True).first()
    if found is None:
        raise NotFound()
    return found


def _visit(user: Any, p: VisitIn) -> Visit:
    return actions.do_log_visit(
        acting_user=user,
        household=_household(user, p.household_id, Visit),
        member=_member(user, p.member_id),
        visited_at=p.visited_at,
        findings=p.findings,
        needs=p.needs,
        follow_up=p.follow_up,
        kind=VisitKind.VISIT,
        request_category=_category(p.request_category_id),
    )


class FollowUpIn(Schema):
    category_id: int
    description: str = Field("", max_length=2000)


def _follow_up(user: Any, obj: Visit, p: FollowUpIn) -> None:
    """The visit's follow-up becomes a residents' request of the category (once)."""
    actions.do_file_follow_up(obj, acting_user=user, category=_category(p.category_id), description=p.description)


visits_router = crud_router(
    model=Visit,
    out_schema=VisitOut,
    filterset=VisitFilterSet,
    create_schema=VisitIn,
    create=_visit,
    tags=["visits"],
    actions=[ObjectAction("request", _follow_up, FollowUpIn, operation_id="follow_up_visit")],
)


class TaskOut(Schema):
    id: int
    reason: str
    status: str
    household_id: int | None
    member_id: int | None
    node_id: int
    description: str
    request_id: int | None
    hours: int
    deadline: datetime | None
    arrived_at: datetime | None
    created: datetime


class TaskIn(Schema):
    household_id: int
    reason: ArrivalReason
    description: str = Field(..., min_length=1, max_length=500)
    hours: int | None = Field(None, ge=1, le=168)


def _task(user: Any, p: TaskIn) -> MustArriveTask:
    return actions.do_open_task(
        acting_user=user,
        reason=str(getattr(p.reason, "value", p.reason)),
        description=p.description,
        household=_household(user, p.household_id, MustArriveTask),
        hours=p.hours,
    )


tasks_router = crud_router(
    model=MustArriveTask,
    out_schema=TaskOut,
    filterset=MustArriveTaskFilterSet,
    create_schema=TaskIn,
    create=_task,
    tags=["visits"],
    workflow=actions.WORKFLOW,
)


class DueOut(Schema):
    household_id: int
    kinds: list[str]
    interval: int
    last_visit: datetime | None
    due_on: date | None
    overdue: bool
    members: list[int]


@router.get("/due", response=list[DueOut], operation_id="visits_due")
def due(request: HttpRequest, node: int) -> Any:
    """The must-visit households of a community or grid of the caller's area (`node`), with their interval,
    last visit, due date and linked members, overdue first."""
    from shequ.accounts.scope import scope_paths
    from shequ.core.indicators import community_of
    from shequ.territory.models import Node

    user = user_of(request)
    anchor = Node.objects.restrict(user, "view", perm_model=Visit).filter(pk=node).first()
    community = community_of(anchor) if anchor is not None else None
    if community is None:
        raise NotFound()
    from .lists import must_visit

    items = must_visit([community], within=anchor.path)  # type: ignore[union-attr]
    paths = scope_paths(user, Visit, "view")
    if paths is not None:
        items = [i for i in items if any(i.path.startswith(p) for p in paths)]
    return [
        {
            "household_id": i.household_id,
            "kinds": i.kinds,
            "interval": i.interval,
            "last_visit": i.last_visit,
            "due_on": i.due_on,
            "overdue": i.overdue,
            "members": i.members,
        }
        for i in items
    ]


router.add_router("/links", links_router)
router.add_router("/visits", visits_router)
router.add_router("/tasks", tasks_router)
