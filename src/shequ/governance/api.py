"""/api/v1/governance/: decisions (every meeting and step of their workflow), disclosures (publishing one),
disclosure duties, handed matters (the access-list check, the funds) — within scope, through the ``do_*``."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from ninja import Field, Router, Schema

from shequ.core.api import ObjectAction, crud_router
from shequ.core.exceptions import NotFound
from shequ.territory.models import Node

from . import actions
from .filtersets import DecisionFilterSet, DisclosureFilterSet, HandoverFilterSet, RequirementFilterSet
from .models import (
    MAX_AMOUNT,
    Decision,
    DecisionKind,
    Disclosure,
    DisclosureKind,
    DisclosureRequirement,
    Handover,
)

router = Router(tags=["governance"])


def _node(user: Any, pk: int, model: Any) -> Node:
    found = Node.objects.restrict(user, "add", perm_model=model).filter(pk=pk).first()
    if found is None:
        raise NotFound()
    return found


class DecisionOut(Schema):
    id: int
    node_id: int
    title: str
    kind: str
    amount: Decimal | None
    description: str
    status: str
    organization_id: int | None
    proposed_on: date | None
    decided_on: date | None
    resolution: str
    public_until: date | None
    result: str
    result_published_on: date | None


class DecisionIn(Schema):
    node_id: int
    title: str = Field(..., min_length=1, max_length=200)
    kind: DecisionKind
    amount: Decimal | None = Field(None, ge=0, lt=MAX_AMOUNT, max_digits=12, decimal_places=2)
    description: str = Field(..., min_length=1, max_length=5000)
    organization_id: int | None = None


def _decision(user: Any, p: DecisionIn) -> Decision:
    organization = None
    if p.organization_id is not None:
        from shequ.orgs.models import Organization

        organization = Organization.objects.restrict(user, "view").filter(pk=p.organization_id).first()
        if organization is None:
            raise NotFound()
    return actions.do_create_decision(
        acting_user=user,
        node=_node(user, p.node_id, Decision),
        title=p.title,
        kind=str(getattr(p.kind, "value", p.kind)),
        description=p.description,
        amount=p.amount,
        organization=organization,
    )


decisions_router = crud_router(
    model=Decision,
    out_schema=DecisionOut,
    filterset=DecisionFilterSet,
    create_schema=DecisionIn,
    create=_decision,
    tags=["governance"],
    workflow=actions.WORKFLOW,
)


class DisclosureOut(Schema):
    id: int
    node_id: int
    kind: str
    title: str
    body: str
    published_on: date
    expires_on: date
    decision_id: int | None
    due_on: date | None
    on_time: bool | None


class DisclosureIn(Schema):
    node_id: int
    kind: DisclosureKind
    title: str = Field(..., min_length=1, max_length=200)
    body: str = Field(..., min_length=1, max_length=20000)
    published_on: date | None = None
    expires_on: date | None = None


def _disclosure(user: Any, p: DisclosureIn) -> Disclosure:
    return actions.do_publish_disclosure(
        acting_user=user,
        node=_node(user, p.node_id, Disclosure),
        kind=str(getattr(p.kind, "value", p.kind)),
        title=p.title,
        body=p.body,
        published_on=p.published_on,
        expires_on=p.expires_on,
    )


disclosures_router = crud_router(
    model=Disclosure,
    out_schema=DisclosureOut,
    filterset=DisclosureFilterSet,
    create_schema=DisclosureIn,
    create=_disclosure,
    tags=["governance"],
)


class DutyOut(Schema):
    id: int
    node_id: int
    kind: str
    frequency: str
    grace_days: int
    next_due: date
    last_published_on: date | None


duties_router = crud_router(
    model=DisclosureRequirement, out_schema=DutyOut, filterset=RequirementFilterSet, tags=["governance"]
)


class HandoverOut(Schema):
    id: int
    node_id: int
    item_id: int
    matter: str = Field(..., alias="item.matter")
    department: str = Field(..., alias="item.department")
    year: int
    accepted_on: date
    funds_amount: Decimal | None
    funds_transferred_on: date | None


class HandoverIn(Schema):
    node_id: int
    department: str = Field(..., min_length=1, max_length=100)
    matter: str = Field(..., min_length=1, max_length=200)
    year: int | None = Field(None, ge=2000, le=2100)
    accepted_on: date | None = None


class FundsIn(Schema):
    amount: Decimal = Field(..., gt=0, lt=MAX_AMOUNT, max_digits=12, decimal_places=2)
    transferred_on: date


def _hand_over(user: Any, p: HandoverIn) -> Handover:
    return actions.do_hand_over(
        acting_user=user,
        node=_node(user, p.node_id, Handover),
        department=p.department,
        matter=p.matter,
        year=p.year,
        accepted_on=p.accepted_on,
    )


def _funds(user: Any, obj: Handover, p: FundsIn) -> None:
    """Record the funds transferred with the matter ("fee follows the matter")."""
    actions.do_record_funds(obj, acting_user=user, amount=p.amount, transferred_on=p.transferred_on)


handovers_router = crud_router(
    model=Handover,
    out_schema=HandoverOut,
    filterset=HandoverFilterSet,
    create_schema=HandoverIn,
    create=_hand_over,
    select_related=("item",),
    tags=["governance"],
    actions=[ObjectAction("funds", _funds, FundsIn, operation_id="funds_handover")],
)

router.add_router("/decisions", decisions_router)
router.add_router("/disclosures", disclosures_router)
router.add_router("/duties", duties_router)
router.add_router("/handovers", handovers_router)
