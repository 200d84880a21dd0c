"""/api/v1/mediation/: mediators and mediation cases (registration, every step of the workflow) within scope,
through the ``do_*`` actions.  Parties' identity numbers are never returned."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from django.http import HttpRequest
from ninja import Field, Router, Schema

from shequ.core.actions import fetch
from shequ.core.api import crud_router, user_of

from . import actions
from .filtersets import MediationCaseFilterSet, MediatorFilterSet
from .models import Background, Category, MediationCase, Mediator, PartyRole, Risk

router = Router(tags=["mediation"])


def _value(choice: Any) -> str:
    return str(getattr(choice, "value", choice))


class MediatorOut(Schema):
    id: int
    committee_id: int
    resident_id: int | None
    name: str
    phone: str
    background: str
    specialities: str
    training_hours: Decimal
    available: bool


class MediatorIn(Schema):
    committee_id: int
    resident_id: int | None = None
    name: str = Field("", max_length=50)
    phone: str = Field("", max_length=20)
    background: Background
    specialities: str = Field("", max_length=200)
    training_hours: Decimal = Field(Decimal(0), ge=0, le=9999, max_digits=6, decimal_places=1)
    available: bool = True


class MediatorChange(Schema):
    phone: str | None = Field(None, max_length=20)
    specialities: str | None = Field(None, max_length=200)
    training_hours: Decimal | None = Field(None, ge=0, le=9999, max_digits=6, decimal_places=1)
    available: bool | None = None


def _add_mediator(user: Any, p: MediatorIn) -> Mediator:
    from shequ.people.models import Resident

    resident = None
    if p.resident_id is not None:
        resident = Resident.objects.restrict(user, "view").filter(pk=p.resident_id).first()
        if resident is None:
            from django.utils.translation import gettext as _

            from shequ.core.exceptions import FieldErrors

            raise FieldErrors([{"field": "resident_id", "message": _("No such resident in your area.")}])
    return actions.do_add_mediator(
        acting_user=user,
        committee=p.committee_id,
        resident=resident,
        name=p.name,
        phone=p.phone,
        background=_value(p.background),
        specialities=p.specialities,
        training_hours=p.training_hours,
        available=p.available,
    )


def _change_mediator(user: Any, obj: Mediator, p: MediatorChange) -> Mediator:
    return actions.do_update_mediator(obj, acting_user=user, **p.dict(exclude_unset=True, exclude_none=True))


mediators_router = crud_router(
    model=Mediator,
    out_schema=MediatorOut,
    filterset=MediatorFilterSet,
    create_schema=MediatorIn,
    create=_add_mediator,
    update_schema=MediatorChange,
    update=_change_mediator,
    tags=["mediation"],
)


class PartyOut(Schema):
    role: str
    resident_id: int | None
    name: str
    id_masked: str
    phone: str


class CaseOut(Schema):
    id: int
    code: str
    committee_id: int
    category: str
    summary: str
    amount: Decimal | None
    risk: str
    source: str
    status: str
    result: str
    request_id: int | None
    registered_at: datetime
    deadline: datetime | None
    concluded_at: datetime | None


class PartyIn(Schema):
    role: PartyRole
    resident_id: int | None = None
    name: str = Field("", max_length=50)
    id_number: str = Field("", max_length=18)
    phone: str = Field("", max_length=20)


class CaseIn(Schema):
    committee_id: int
    category: Category
    summary: str = Field(..., min_length=1, max_length=2000)
    amount: Decimal | None = Field(None, ge=0, le=Decimal("9999999999.99"), max_digits=12, decimal_places=2)
    risk: Risk = Risk.LOW
    parties: list[PartyIn] = Field(..., min_length=2, max_length=20)


def _register(user: Any, p: CaseIn) -> MediationCase:
    return actions.do_register_case(
        acting_user=user,
        committee=p.committee_id,
        category=_value(p.category),
        summary=p.summary,
        amount=p.amount,
        risk=_value(p.risk),
        parties=[
            actions.PartyIn(_value(x.role), resident=x.resident_id, name=x.name, id_number=x.id_number, phone=x.phone)
            for x in p.parties
        ],
    )


cases_router = crud_router(
    model=MediationCase,
    out_schema=CaseOut,
    filterset=MediationCaseFilterSet,
    create_schema=CaseIn,
    create=_register,
    tags=["mediation"],
    workflow=actions.WORKFLOW,
)


@cases_router.get("/{pk}/parties", response=list[PartyOut], operation_id="list_mediationcase_parties")
def parties(request: HttpRequest, pk: int) -> Any:
    """The parties of a case (identity numbers masked)."""
    case = fetch(MediationCase.objects.all(), user_of(request), "view", pk)
    return list(case.parties.all())


router.add_router("/mediators", mediators_router)
router.add_router("/cases", cases_router)
