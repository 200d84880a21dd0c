"""/api/v1/people/: residents, households and special-care tags, through the same actions as the UI.

The identity number comes back masked unless the caller holds ``view_pii`` at the resident's
place; ``?q=`` and ``?id_number=`` find a resident by the full number (blind index).  Residents
are archived (``POST …/archive``), never deleted.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django.http import HttpRequest
from ninja import Field, Router, Schema

from shequ.core.actions import fetch
from shequ.core.api import ErrorOut, ObjectAction, crud_router, user_of
from shequ.core.exceptions import NotFound
from shequ.territory.models import Node

from . import actions
from .filtersets import CareTagFilterSet, HouseholdFilterSet, ResidentFilterSet
from .models import (
    ArchiveReason,
    CareTag,
    Education,
    Employment,
    Gender,
    Household,
    PoliticalStatus,
    Relation,
    ResidenceType,
    Resident,
    ResidentMove,
)
from .privacy import shown_id_number

router = Router(tags=["people"])


class TagOut(Schema):
    id: int
    code: str
    name: str
    description: str
    active: bool


class ResidentOut(Schema):
    id: int
    name: str
    pinyin: str
    id_number: str = Field("", description="In full only with the right to see personal data here; else masked.")
    id_masked: str
    gender: str
    birth_date: date | None
    phone: str
    ethnicity: str
    education: str
    political_status: str
    employment: str
    residence_type: str
    node_id: int
    node_name: str
    path: str
    household_id: int | None
    relation: str
    tags: list[str]
    archived: bool
    archived_reason: str
    archived_on: date | None
    notes: str
    created: datetime
    updated: datetime

    @staticmethod
    def resolve_id_number(obj: Resident, context: Any) -> str:
        return shown_id_number(user_of(context["request"]), obj)

    @staticmethod
    def resolve_node_name(obj: Resident) -> str:
        return obj.node.name

    @staticmethod
    def resolve_tags(obj: Resident) -> list[str]:
        return [t.code for t in obj.tags.all()]


class ResidentIn(Schema):
    node_id: int
    name: str = Field(..., min_length=1, max_length=50)
    id_number: str = Field("", max_length=40)
    gender: Gender | None = None
    birth_date: date | None = None
    phone: str = Field("", max_length=40)
    ethnicity: str = Field("", max_length=20)
    education: Education | None = None
    political_status: PoliticalStatus | None = None
    employment: Employment | None = None
    residence_type: ResidenceType = ResidenceType.REGISTERED
    tags: list[str] = Field(default_factory=list, description="Codes of special-care tags.")
    notes: str = ""


class ResidentPatch(Schema):
    name: str | None = Field(None, min_length=1, max_length=50)
    id_number: str | None = Field(None, max_length=40, description="Empty or absent: the number is kept.")
    gender: Gender | None = None
    birth_date: date | None = None
    phone: str | None = Field(None, max_length=40)
    ethnicity: str | None = Field(None, max_length=20)
    education: Education | None = None
    political_status: PoliticalStatus | None = None
    employment: Employment | None = None
    residence_type: ResidenceType | None = None
    tags: list[str] | None = None
    notes: str | None = None


class ArchiveIn(Schema):
    reason: ArchiveReason
    archived_on: date | None = None
    note: str = Field("", max_length=500)


class MoveIn(Schema):
    node_id: int | None = None
    household_id: int | None = None
    relation: Relation | None = None
    moved_on: date | None = None
    reason: str = Field("", max_length=200)


class MoveOut(Schema):
    id: int
    from_node_id: int | None
    to_node_id: int | None
    moved_on: date
    reason: str
    recorded_by_id: int | None
    created: datetime


def _tags(codes: list[str]) -> list[CareTag]:
    found = list(CareTag.objects.filter(code__in=codes, active=True))
    if len(found) != len(set(codes)):
        from shequ.core.exceptions import ActionError

        raise ActionError("tags: " + ", ".join(sorted(set(codes) - {t.code for t in found})), code="invalid_tag")
    return found


def _choice(value: Any) -> str:
    return "" if value is None else str(getattr(value, "value", value))


def _node(user: Any, pk: int, action: str = "view") -> Node:
    node = Node.objects.restrict(user, "view").filter(pk=pk).first()
    if node is None:
        raise NotFound()
    return node


def _create_resident(user: Any, payload: ResidentIn) -> Resident:
    data = payload.dict()
    return actions.do_create_resident(
        acting_user=user,
        node=_node(user, data.pop("node_id")),
        name=data.pop("name"),
        id_number=data.pop("id_number"),
        gender=_choice(data.pop("gender")),
        birth_date=data.pop("birth_date"),
        phone=data.pop("phone"),
        tags=_tags(data.pop("tags")),
        ethnicity=data["ethnicity"],
        education=_choice(data["education"]),
        political_status=_choice(data["political_status"]),
        employment=_choice(data["employment"]),
        residence_type=_choice(data["residence_type"]),
        notes=data["notes"],
    )


def _update_resident(user: Any, resident: Resident, payload: ResidentPatch) -> Resident:
    data = payload.dict(exclude_unset=True)
    fields: dict[str, Any] = {}
    for key, value in data.items():
        if key == "tags":
            fields["tags"] = _tags(value or [])
        elif key in ("gender", "education", "political_status", "employment", "residence_type"):
            fields[key] = _choice(value)
        elif key == "birth_date":
            fields[key] = value
        else:
            fields[key] = value if value is not None else ""
    return actions.do_update_resident(resident, acting_user=user, **fields)


def _archive(user: Any, resident: Resident, payload: ArchiveIn) -> None:
    """Archive a resident who moved away, left or died: kept with the reason and the date, never deleted."""
    actions.do_archive_resident(
        resident, acting_user=user, reason=payload.reason.value, archived_on=payload.archived_on, note=payload.note
    )


def _restore(user: Any, resident: Resident) -> None:
    """Undo an archiving made by mistake: the resident is current again. Refused for one not archived."""
    actions.do_restore_resident(resident, acting_user=user)


def _move(user: Any, resident: Resident, payload: MoveIn) -> None:
    """Move to another place (``node_id``) and/or into a household (``household_id``); kept in the history."""
    node = _node(user, payload.node_id) if payload.node_id is not None else None
    household = fetch(Household.objects.all(), user, "change", payload.household_id) if payload.household_id else None
    actions.do_move_resident(
        resident,
        node,
        acting_user=user,
        moved_on=payload.moved_on,
        reason=payload.reason,
        household=household,
        relation=_choice(payload.relation),
    )


residents = crud_router(
    model=Resident,
    out_schema=ResidentOut,
    filterset=ResidentFilterSet,
    create_schema=ResidentIn,
    update_schema=ResidentPatch,
    create=_create_resident,
    update=_update_resident,
    actions=[
        ObjectAction("archive", _archive, ArchiveIn, "archive_resident"),
        ObjectAction("restore", _restore, operation_id="restore_resident"),
        ObjectAction("move", _move, MoveIn, "move_resident"),
    ],
    select_related=("node",),
    tags=["residents"],
)


@residents.get("/{pk}/moves", response={200: list[MoveOut], 404: ErrorOut}, operation_id="resident_moves")
def resident_moves(request: HttpRequest, pk: str) -> Any:
    """Where the resident lived before, newest first."""
    user = user_of(request)
    resident = fetch(Resident.objects.all(), user, "view", pk)
    return list(ResidentMove.objects.restrict(user, "view").filter(resident=resident))


# -- households -------------------------------------------------------------------------------------------------


class HouseholdOut(Schema):
    id: int
    number: str
    address: str
    node_id: int
    node_name: str
    path: str
    head_id: int | None
    dissolved: bool
    created: datetime
    updated: datetime

    @staticmethod
    def resolve_node_name(obj: Household) -> str:
        return obj.node.name


class MemberOut(Schema):
    id: int
    name: str
    relation: str
    id_masked: str


class HouseholdIn(Schema):
    node_id: int
    number: str = Field("", max_length=40)
    address: str = Field("", max_length=100)
    head_id: int | None = None


class HouseholdPatch(Schema):
    number: str | None = Field(None, max_length=40)
    address: str | None = Field(None, max_length=100)


class MemberIn(Schema):
    resident_id: int
    relation: Relation = Relation.OTHER


class HeadIn(Schema):
    resident_id: int


class HouseholdMoveIn(Schema):
    node_id: int
    moved_on: date | None = None
    reason: str = Field("", max_length=200)
    address: str | None = Field(None, max_length=100)


class SplitIn(Schema):
    member_ids: list[int] = Field(..., min_length=1)
    head_id: int
    number: str = Field("", max_length=40)
    address: str = Field("", max_length=100)
    node_id: int | None = None


class MergeIn(Schema):
    household_ids: list[int] = Field(..., min_length=1)


def _create_household(user: Any, payload: HouseholdIn) -> Household:
    head = fetch(Resident.objects.all(), user, "change", payload.head_id) if payload.head_id else None
    return actions.do_create_household(
        acting_user=user, node=_node(user, payload.node_id), number=payload.number, address=payload.address, head=head
    )


def _update_household(user: Any, household: Household, payload: HouseholdPatch) -> Household:
    data = payload.dict(exclude_unset=True)
    return actions.do_update_household(
        household,
        acting_user=user,
        number=data.get("number", household.number) or "",
        address=data.get("address", household.address) or "",
    )


def _delete_household(user: Any, household: Household) -> None:
    actions.do_delete_household(household, acting_user=user)


def _hh(user: Any, pk: Any, action: str = "change") -> Household:
    return fetch(Household.objects.select_related("node"), user, action, pk)


def _add_member(user: Any, household: Household, payload: MemberIn) -> Any:
    """A resident joins the household with their relation to the head, leaving any other household; one living
    elsewhere moves to the household's place (kept in their history). A dissolved household takes no one.
    Answers the members."""
    resident = fetch(Resident.objects.all(), user, "change", payload.resident_id)
    actions.do_add_member(household, resident, acting_user=user, relation=payload.relation.value)
    return household.member_list()


def _set_head(user: Any, household: Household, payload: HeadIn) -> None:
    """Make a member of the household its head; the previous head's relation must then be set again."""
    actions.do_set_head(household, fetch(Resident.objects.all(), user, "change", payload.resident_id), acting_user=user)


def _move_household(user: Any, household: Household, payload: HouseholdMoveIn) -> None:
    """Move the whole household; every member's move is kept in their history."""
    actions.do_move_household(
        household,
        _node(user, payload.node_id),
        acting_user=user,
        moved_on=payload.moved_on,
        reason=payload.reason,
        address=payload.address,
    )


def _split(user: Any, household: Household, payload: SplitIn) -> Household:
    """Some members form a new household; answers the new one."""
    members = [fetch(Resident.objects.all(), user, "change", m) for m in payload.member_ids]
    head = fetch(Resident.objects.all(), user, "change", payload.head_id)
    new = actions.do_split_household(
        household,
        members,
        acting_user=user,
        head=head,
        number=payload.number,
        address=payload.address,
        node=_node(user, payload.node_id) if payload.node_id else None,
    )
    return _hh(user, new.pk, "view")


def _merge(user: Any, household: Household, payload: MergeIn) -> None:
    """The households listed join this one (their members move here); they are dissolved, not deleted."""
    sources = [_hh(user, h) for h in payload.household_ids]
    actions.do_merge_households(household, sources, acting_user=user)


households = crud_router(
    model=Household,
    out_schema=HouseholdOut,
    filterset=HouseholdFilterSet,
    create_schema=HouseholdIn,
    update_schema=HouseholdPatch,
    create=_create_household,
    update=_update_household,
    delete=_delete_household,
    actions=[
        ObjectAction("members", _add_member, MemberIn, "add_member", response=list[MemberOut]),
        ObjectAction("head", _set_head, HeadIn, "set_head"),
        ObjectAction("move", _move_household, HouseholdMoveIn, "move_household"),
        ObjectAction("split", _split, SplitIn, "split_household", status=201),
        ObjectAction("merge", _merge, MergeIn, "merge_households"),
    ],
    select_related=("node",),
    tags=["households"],
)


@households.get("/{pk}/members", response={200: list[MemberOut], 404: ErrorOut}, operation_id="household_members")
def household_members(request: HttpRequest, pk: str) -> Any:
    """The residents of the household with their relation to the head."""
    household = _hh(user_of(request), pk, "view")
    return household.member_list()


@households.delete(
    "/{pk}/members/{resident_id}",
    response={200: list[MemberOut], 400: ErrorOut, 404: ErrorOut},
    operation_id="remove_member",
)
def remove_member(request: HttpRequest, pk: str, resident_id: str) -> Any:
    """Take a resident out of the household (the resident is kept; as head, the head's place falls vacant).
    Answers the remaining members."""
    user = user_of(request)
    household = _hh(user, pk)
    actions.do_remove_member(household, fetch(Resident.objects.all(), user, "change", resident_id), acting_user=user)
    return household.member_list()


tags = crud_router(model=CareTag, out_schema=TagOut, filterset=CareTagFilterSet, tags=["special-care tags"])

router.add_router("/residents", residents)
router.add_router("/households", households)
router.add_router("/tags", tags)
