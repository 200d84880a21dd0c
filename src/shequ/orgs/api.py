"""/api/v1/orgs/: organizations, posts and the cross-posting / coverage metrics, all within the caller's area."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django.http import HttpRequest
from ninja import Field, Router, Schema, Status

from shequ.accounts.scope import can
from shequ.core.actions import fetch
from shequ.core.api import ErrorOut, ObjectAction, crud_router, user_of
from shequ.core.exceptions import NotFound

from . import actions
from .filtersets import OrganizationFilterSet, PostFilterSet
from .models import Organization, OrgKind, Post, Registration, Title

# -- organizations ------------------------------------------------------------------------------------------------


class OrganizationOut(Schema):
    id: int
    name: str
    kind: OrgKind
    kind_display: str = Field(..., alias="get_kind_display")
    node_id: int
    node_name: str = Field(..., alias="node.name")
    parent_id: int | None
    path: str
    code: str | None
    established_on: date | None
    phone: str
    address: str
    registration: str
    filed_on: date | None
    registered_on: date | None
    contract_start: date | None
    contract_end: date | None
    has_party_org: bool
    party_work_carried_out: bool
    active: bool
    dissolved_on: date | None
    dissolved_reason: str
    notes: str
    created: datetime
    updated: datetime


class OrganizationIn(Schema):
    node_id: int
    kind: OrgKind
    name: str = Field(..., min_length=1, max_length=100)
    parent_id: int | None = None
    code: str | None = Field(None, max_length=18)
    established_on: date | None = None
    phone: str = Field("", max_length=30)
    address: str = Field("", max_length=200)
    registration: Registration | None = None
    filed_on: date | None = None
    registered_on: date | None = None
    contract_start: date | None = None
    contract_end: date | None = None
    has_party_org: bool = False
    party_work_carried_out: bool = False
    notes: str = ""
    estate_ids: list[int] = []
    member_ids: list[int] = []


class OrganizationPatch(Schema):
    node_id: int | None = None
    kind: OrgKind | None = None
    name: str | None = Field(None, min_length=1, max_length=100)
    parent_id: int | None = None
    code: str | None = Field(None, max_length=18)
    established_on: date | None = None
    phone: str | None = Field(None, max_length=30)
    address: str | None = Field(None, max_length=200)
    registration: Registration | None = None
    filed_on: date | None = None
    registered_on: date | None = None
    contract_start: date | None = None
    contract_end: date | None = None
    has_party_org: bool | None = None
    party_work_carried_out: bool | None = None
    notes: str | None = None


class EstateOut(Schema):
    id: int
    name: str
    code: str | None
    parent_id: int | None


class EstatesIn(Schema):
    estate_ids: list[int]


class MemberIn(Schema):
    member_id: int


class DissolveIn(Schema):
    on: date | None = None
    reason: str = Field("", max_length=200)


def _org_fields(data: dict[str, Any]) -> dict[str, Any]:
    if "node_id" in data:
        data["node"] = data.pop("node_id")
    if "parent_id" in data:
        data["parent"] = data.pop("parent_id")
    if "registration" in data:
        data["registration"] = data["registration"] or ""
    for key in ("kind", "registration"):
        if hasattr(data.get(key), "value"):
            data[key] = data[key].value
    return data


def _create_org(user: Any, payload: OrganizationIn) -> Organization:
    data = _org_fields(payload.dict(exclude={"estate_ids", "member_ids"}))
    return actions.do_create_organization(
        acting_user=user, estates=payload.estate_ids, members=payload.member_ids, **data
    )


def _update_org(user: Any, org: Organization, payload: OrganizationPatch) -> Organization:
    data = _org_fields(payload.dict(exclude_unset=True))
    for key in ("phone", "address", "notes", "node", "kind", "name", "has_party_org", "party_work_carried_out"):
        if key in data and data[key] is None:
            data.pop(key)
    return actions.do_update_organization(org, acting_user=user, **data)


def _delete_org(user: Any, org: Organization) -> None:
    actions.do_delete_organization(org, acting_user=user)


def _set_estates(user: Any, org: Organization, payload: EstatesIn) -> Any:
    """Replace the residential areas a property company serves."""
    org = actions.do_set_estates(org, payload.estate_ids, acting_user=user)
    return org.estates.restrict(user, "view")  # type: ignore[attr-defined]


def _add_member(user: Any, org: Organization, payload: MemberIn) -> Any:
    """Add a member unit to a party-building alliance (only alliances have them): an active organization the
    caller may see, neither the alliance itself nor another alliance. Answers the member units."""
    org = actions.do_add_alliance_member(org, payload.member_id, acting_user=user)
    return org.members.restrict(user, "view").select_related("node")  # type: ignore[attr-defined]


def _dissolve(user: Any, org: Organization, payload: DissolveIn) -> None:
    """Dissolve an organization: it is kept with its history and its current posts end that day."""
    actions.do_dissolve_organization(org, acting_user=user, on=payload.on, reason=payload.reason)


organizations = crud_router(
    model=Organization,
    out_schema=OrganizationOut,
    filterset=OrganizationFilterSet,
    create_schema=OrganizationIn,
    update_schema=OrganizationPatch,
    create=_create_org,
    update=_update_org,
    delete=_delete_org,
    actions=[
        ObjectAction(
            "estates",
            _set_estates,
            EstatesIn,
            "set_organization_estates",
            method="PUT",
            response=list[EstateOut],
        ),
        ObjectAction(
            "members", _add_member, MemberIn, "add_organization_member", status=201, response=list[OrganizationOut]
        ),
        ObjectAction("dissolve", _dissolve, DissolveIn, "dissolve_organization"),
    ],
    select_related=("node",),
    tags=["orgs"],
)


def _org(request: HttpRequest, pk: str, action: str = "view") -> Organization:
    return fetch(Organization.objects.select_related("node"), user_of(request), action, pk)


@organizations.get(
    "/{pk}/children", response={200: list[OrganizationOut], 404: ErrorOut}, operation_id="organization_children"
)
def organization_children(request: HttpRequest, pk: str) -> Any:
    """The organizations standing directly under this one (party organizations only have any)."""
    org = _org(request, pk)
    return Organization.objects.restrict(user_of(request), "view").filter(parent=org).select_related("node")


@organizations.get("/{pk}/estates", response={200: list[EstateOut], 404: ErrorOut}, operation_id="organization_estates")
def organization_estates(request: HttpRequest, pk: str) -> Any:
    """The residential areas a property company serves."""
    return _org(request, pk).estates.restrict(user_of(request), "view")  # type: ignore[attr-defined]


@organizations.get(
    "/{pk}/members", response={200: list[OrganizationOut], 404: ErrorOut}, operation_id="organization_members"
)
def organization_members(request: HttpRequest, pk: str) -> Any:
    """The member units of a party-building alliance."""
    return _org(request, pk).members.restrict(user_of(request), "view").select_related("node")  # type: ignore[attr-defined]


@organizations.delete(
    "/{pk}/members/{member_id}",
    response={204: None, 400: ErrorOut, 404: ErrorOut},
    operation_id="remove_organization_member",
)
def remove_organization_member(request: HttpRequest, pk: str, member_id: int) -> Any:
    """Take a member unit out of a party-building alliance; the unit itself is kept."""
    actions.do_remove_alliance_member(_org(request, pk, "change"), member_id, acting_user=user_of(request))
    return Status(204, None)


# -- posts ----------------------------------------------------------------------------------------------------


class PostOut(Schema):
    id: int
    organization_id: int
    organization_name: str = Field(..., alias="organization.name")
    person_id: int | None
    person_name: str
    holder: str
    title: Title
    title_display: str
    title_other: str
    start_date: date
    end_date: date | None
    is_current: bool
    notes: str
    path: str
    created: datetime
    updated: datetime


class PostIn(Schema):
    organization_id: int
    person_id: int | None = None
    person_name: str = Field("", max_length=50)
    title: Title
    title_other: str = Field("", max_length=50)
    start_date: date
    end_date: date | None = None
    notes: str = Field("", max_length=200)


class PostPatch(Schema):
    organization_id: int | None = None
    person_id: int | None = None
    person_name: str | None = Field(None, max_length=50)
    title: Title | None = None
    title_other: str | None = Field(None, max_length=50)
    start_date: date | None = None
    end_date: date | None = None
    notes: str | None = Field(None, max_length=200)


class EndIn(Schema):
    end_date: date | None = None


def _post_fields(data: dict[str, Any]) -> dict[str, Any]:
    if "organization_id" in data:
        data["organization"] = data.pop("organization_id")
    if "person_id" in data:
        data["person"] = data.pop("person_id")
    if hasattr(data.get("title"), "value"):
        data["title"] = data["title"].value
    return data


def _create_post(user: Any, payload: PostIn) -> Post:
    return actions.do_appoint(acting_user=user, **_post_fields(payload.dict()))


def _update_post(user: Any, post: Post, payload: PostPatch) -> Post:
    data = _post_fields(payload.dict(exclude_unset=True))
    for key in ("organization", "person_name", "title", "title_other", "start_date", "notes"):
        if key in data and data[key] is None:
            data.pop(key)
    return actions.do_update_post(post, acting_user=user, **data)


def _delete_post(user: Any, post: Post) -> None:
    actions.do_delete_post(post, acting_user=user)


def _end_post(user: Any, post: Post, payload: EndIn) -> None:
    """The person leaves the post (today unless a date is given)."""
    actions.do_end_post(post, acting_user=user, end_date=payload.end_date)


posts = crud_router(
    model=Post,
    out_schema=PostOut,
    filterset=PostFilterSet,
    create_schema=PostIn,
    update_schema=PostPatch,
    create=_create_post,
    update=_update_post,
    delete=_delete_post,
    actions=[ObjectAction("end", _end_post, EndIn, "end_post")],
    select_related=("organization", "person"),
    tags=["orgs"],
)


# -- metrics ----------------------------------------------------------------------------------------------------


class CommunityMetricsOut(Schema):
    node_id: int
    name: str
    street: str
    rank: int | None
    party_org: str
    residents_committee: str
    service_station: str
    committee_members: int
    cross_posted: int
    cross_posting_rate: float | None
    cross_posting_ok: bool | None
    secretary: str
    one_shoulder: bool | None
    two_new: int
    two_new_with_party_org: int
    two_new_with_party_work: int
    party_org_coverage: float | None
    party_work_coverage: float | None
    party_org_coverage_ok: bool | None
    party_work_coverage_ok: bool | None
    double_coverage_ok: bool | None


class AreaMetricsOut(Schema):
    node_id: int
    name: str
    rank: int | None
    communities: int
    committee_members: int
    cross_posted: int
    cross_posting_rate: float | None
    cross_posting_ok: bool | None
    communities_passing: int
    passing_share: float | None
    one_shoulder: int
    one_shoulder_share: float | None
    two_new: int
    two_new_with_party_org: int
    two_new_with_party_work: int
    party_org_coverage: float | None
    party_work_coverage: float | None
    party_org_coverage_ok: bool | None
    party_work_coverage_ok: bool | None
    double_coverage_ok: bool | None


class MetricsOut(Schema):
    node_id: int
    node: str
    on: date
    targets: dict[str, float]
    total: AreaMetricsOut
    areas: list[AreaMetricsOut]
    communities: list[CommunityMetricsOut]


router = Router()
router.add_router("/organizations", organizations)
router.add_router("/posts", posts)


@router.get("/metrics", response={200: MetricsOut, 404: ErrorOut}, operation_id="org_metrics", tags=["orgs"])
def org_metrics(request: HttpRequest, node: int | None = None, on: date | None = None) -> Any:
    """Cross-posting rate (target > 50 %), "one shoulder" and double coverage of "two new" organizations,
    per community of the node's subtree (default: the caller's topmost place), ranked, with the areas pooled."""
    from .metrics import compute
    from .views import metrics_anchor

    user = user_of(request)
    if not can(user, Organization, "view"):
        raise NotFound()
    anchor = metrics_anchor(user, node)
    return compute(anchor, user, on=on).as_dict()
