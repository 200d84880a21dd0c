"""/api/v1/positions/: facilities, six-haves inspections, fund accounts (number masked), ledger entries (each
step of their workflow) and quarterly statements — within scope, through the ``do_*`` actions."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any, Literal

from ninja import Field, Router, Schema

from shequ.core.api import crud_router
from shequ.core.exceptions import NotFound
from shequ.territory.models import Node

from . import actions
from .filtersets import EntryFilterSet, FacilityFilterSet, StandardCheckFilterSet, StatementFilterSet
from .models import (
    MAX_AMOUNT,
    Book,
    Category,
    Facility,
    FacilityKind,
    FundAccount,
    LedgerEntry,
    Room,
    StandardCheck,
    Statement,
)

router = Router(tags=["positions"])
FacilityKindName = Literal["service_centre", "leisure_square", "fitness_path", "other"]
RoomName = Literal["office", "police", "party", "youth", "elderly", "labour", "health", "service", "culture"]
assert set(FacilityKindName.__args__) == set(FacilityKind.values)  # type: ignore[attr-defined]
assert set(RoomName.__args__) == set(Room.values)  # type: ignore[attr-defined]


def _node(user: Any, pk: int, model: Any, action: str = "add") -> Node:
    found = Node.objects.restrict(user, action, perm_model=model).filter(pk=pk).first()
    if found is None:
        raise NotFound()
    return found


class FacilityOut(Schema):
    id: int
    node_id: int
    kind: str
    name: str
    area: Decimal
    housing_area: Decimal
    rooms: list[str]
    opening_hours: str
    latitude: float | None
    longitude: float | None
    line: dict | None
    active: bool


class FacilityIn(Schema):
    node_id: int
    kind: FacilityKindName
    name: str = Field(..., min_length=1, max_length=100)
    area: Decimal = Field(Decimal(0), ge=0, le=100000, max_digits=9, decimal_places=1)
    housing_area: Decimal = Field(Decimal(0), ge=0, le=100000, max_digits=9, decimal_places=1)
    rooms: list[RoomName] = []
    opening_hours: str = Field("", max_length=100)
    latitude: float | None = Field(None, ge=-90, le=90)
    longitude: float | None = Field(None, ge=-180, le=180)
    line: dict | None = None
    active: bool = True


class FacilityPatch(Schema):
    name: str | None = Field(None, min_length=1, max_length=100)
    area: Decimal | None = Field(None, ge=0, le=100000, max_digits=9, decimal_places=1)
    housing_area: Decimal | None = Field(None, ge=0, le=100000, max_digits=9, decimal_places=1)
    rooms: list[RoomName] | None = None
    opening_hours: str | None = Field(None, max_length=100)
    latitude: float | None = Field(None, ge=-90, le=90)
    longitude: float | None = Field(None, ge=-180, le=180)
    active: bool | None = None


def _create_facility(user: Any, p: FacilityIn) -> Facility:
    data = p.dict()
    data["node"] = _node(user, data.pop("node_id"), Facility)
    return actions.do_save_facility(Facility(**data), acting_user=user)


def _update_facility(user: Any, obj: Facility, p: FacilityPatch) -> Facility:
    for name, value in p.dict(exclude_unset=True).items():
        setattr(obj, name, value)
    return actions.do_save_facility(obj, acting_user=user)


def _delete_facility(user: Any, obj: Facility) -> None:
    actions.do_delete_facility(obj, acting_user=user)


facilities_router = crud_router(
    model=Facility,
    out_schema=FacilityOut,
    filterset=FacilityFilterSet,
    create_schema=FacilityIn,
    create=_create_facility,
    update_schema=FacilityPatch,
    update=_update_facility,
    delete=_delete_facility,
    tags=["positions"],
)


class CheckOut(Schema):
    id: int
    node_id: int
    organization_id: int | None
    year: int
    checked_on: date
    activity_place: bool
    service_window: bool
    office_facilities: bool
    distance_education: bool
    rules: bool
    archives: bool
    evidence: str
    compliant: bool


class CheckIn(Schema):
    node_id: int
    year: int = Field(..., ge=2000, le=2100)
    checked_on: date
    activity_place: bool = False
    service_window: bool = False
    office_facilities: bool = False
    distance_education: bool = False
    rules: bool = False
    archives: bool = False
    evidence: str = Field("", max_length=2000)
    inspector: str = Field("", max_length=50)


def _create_check(user: Any, p: CheckIn) -> StandardCheck:
    data = p.dict()
    data["node"] = _node(user, data.pop("node_id"), StandardCheck)
    return actions.do_save_check(StandardCheck(**data), acting_user=user)


checks_router = crud_router(
    model=StandardCheck,
    out_schema=CheckOut,
    filterset=StandardCheckFilterSet,
    create_schema=CheckIn,
    create=_create_check,
    tags=["positions"],
)


class EntryOut(Schema):
    id: int
    account_id: int
    node_id: int
    book: str
    kind: str
    category: str
    amount: Decimal
    occurred_on: date
    voucher: str
    description: str
    status: str
    reverses_id: int | None
    approved_at: datetime | None


class EntryIn(Schema):
    account_id: int
    book: Literal[tuple(Book.values)]  # type: ignore[valid-type]
    kind: Literal["allocation", "spending"]
    category: Literal[tuple(Category.values)]  # type: ignore[valid-type]
    amount: Decimal = Field(..., gt=0, le=MAX_AMOUNT, max_digits=14, decimal_places=2)
    occurred_on: date
    voucher: str = Field("", max_length=40)
    description: str = Field("", max_length=200)


def _record(user: Any, p: EntryIn) -> LedgerEntry:
    data = p.dict()
    account = FundAccount.objects.restrict(user, "view").filter(pk=data.pop("account_id")).first()
    if account is None:
        raise NotFound()
    return actions.do_record_entry(acting_user=user, account=account, **data)


entries_router = crud_router(
    model=LedgerEntry,
    out_schema=EntryOut,
    filterset=EntryFilterSet,
    create_schema=EntryIn,
    create=_record,
    workflow=actions.WORKFLOW,
    tags=["positions"],
)


class StatementOut(Schema):
    id: int
    node_id: int
    year: int
    quarter: int
    bank: str
    masked_number: str
    totals: dict
    published_at: datetime


class StatementIn(Schema):
    node_id: int
    year: int = Field(..., ge=2000, le=2100)
    quarter: int = Field(..., ge=1, le=4)


def _publish(user: Any, p: StatementIn) -> Statement:
    node = _node(user, p.node_id, Statement)
    return actions.do_publish_statement(acting_user=user, node=node, year=p.year, quarter=p.quarter)


statements_router = crud_router(
    model=Statement,
    out_schema=StatementOut,
    filterset=StatementFilterSet,
    create_schema=StatementIn,
    create=_publish,
    tags=["positions"],
)

router.add_router("/facilities", facilities_router)
router.add_router("/inspections", checks_router)
router.add_router("/entries", entries_router)
router.add_router("/statements", statements_router)
