"""/api/v1/oversight/: entry applications, evaluation campaigns (answers entered by staff), termination cases,
agreements and commitments, hearings, consent requests — within scope, through the ``do_*`` actions; the cases'
steps from the same declarations as the pages."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from ninja import Field, Router, Schema

from shequ.core.actions import fetch
from shequ.core.api import ObjectAction, crud_router

from . import actions
from .filtersets import (
    AgreementFilterSet,
    CampaignFilterSet,
    CommitmentFilterSet,
    ConsentRequestFilterSet,
    EntryApplicationFilterSet,
    HearingFilterSet,
    TerminationCaseFilterSet,
)
from .models import (
    Agreement,
    Answer,
    Campaign,
    Commitment,
    CommitmentKind,
    ConsentKind,
    ConsentRequest,
    EntryApplication,
    Evaluators,
    Hearing,
    SubjectKind,
    TerminationCase,
)

router = Router(tags=["oversight"])


class CaseOut(Schema):
    id: int
    node_id: int
    status: str
    is_open: bool
    created: datetime


class EntryOut(CaseOut):
    company_id: int
    contract_start: date
    contract_end: date
    scope: str
    decided_on: date | None
    reason: str


class EntryIn(Schema):
    company_id: int
    estate_id: int
    contract_start: date
    contract_end: date
    scope: str = Field(..., min_length=1, max_length=500)


entries = crud_router(
    model=EntryApplication,
    out_schema=EntryOut,
    filterset=EntryApplicationFilterSet,
    create_schema=EntryIn,
    create=lambda u, p: actions.do_apply_entry(
        acting_user=u,
        company=p.company_id,
        estate=p.estate_id,
        contract_start=p.contract_start,
        contract_end=p.contract_end,
        scope=p.scope,
    ),
    workflow=actions.ENTRY,
    tags=["oversight"],
)


class CampaignOut(CaseOut):
    year: int
    subject_kind: str
    subject_id: int
    evaluators: str
    items: list[str] = Field(..., alias="item_list")
    expected: int
    answers_count: int
    satisfaction: float | None
    response_rate: float | None
    closed_on: date | None


class CampaignIn(Schema):
    node_id: int
    year: int = Field(..., ge=2000, le=2100)
    subject_kind: SubjectKind
    subject_id: int
    evaluators: Evaluators
    items: list[str] = Field(..., min_length=1, max_length=actions.MAX_ITEMS)
    expected: int | None = Field(None, ge=1, le=10_000_000)


class AnswerIn(Schema):
    household_id: int | None = None
    ratings: list[int] = Field(..., min_length=1, max_length=actions.MAX_ITEMS)
    comments: str = Field("", max_length=1000)


class AnswerOut(Schema):
    id: int
    campaign_id: int
    channel: str
    at: datetime


def _answer(user: Any, campaign: Campaign, p: AnswerIn) -> Answer:
    """Enter an answer given on paper (households: one answer each; none after the campaign closed)."""
    return actions.do_answer(
        campaign, acting_user=user, ratings=p.ratings, comments=p.comments, household=p.household_id
    )


campaigns = crud_router(
    model=Campaign,
    out_schema=CampaignOut,
    filterset=CampaignFilterSet,
    create_schema=CampaignIn,
    create=lambda u, p: actions.do_open_campaign(
        acting_user=u,
        node=p.node_id,
        year=p.year,
        subject_kind=p.subject_kind.value,
        subject=p.subject_id,
        evaluators=p.evaluators.value,
        items="\n".join(p.items),
        expected=p.expected,
    ),
    workflow=actions.CAMPAIGN,
    actions=[
        ObjectAction("answers", _answer, AnswerIn, operation_id="answer_campaign", status=201, response=AnswerOut)
    ],
    tags=["oversight"],
)


class TerminationOut(CaseOut):
    company_id: int
    campaign_id: int
    satisfaction: Decimal
    notice: str
    response: str
    decision: str
    legal_basis: str
    new_entry_id: int | None


terminations = crud_router(
    model=TerminationCase,
    out_schema=TerminationOut,
    filterset=TerminationCaseFilterSet,
    workflow=actions.TERMINATION,
    tags=["oversight"],
)


class AgreementOut(Schema):
    id: int
    node_id: int
    unit_id: int
    year: int
    signed_on: date
    contribution: str
    grade: str


class AgreementIn(Schema):
    community_id: int
    unit_id: int
    year: int = Field(..., ge=2000, le=2100)
    signed_on: date
    contribution: str = Field("", max_length=500)
    grade: str = Field("", max_length=12)


def _agreement(user: Any, p: AgreementIn) -> Agreement:
    from shequ.orgs.models import Organization

    node = actions._place(user, p.community_id, Agreement, ("community",))
    unit = fetch(Organization.objects.select_related("node"), user, "view", p.unit_id)
    obj = Agreement(
        node=node, unit=unit, year=p.year, signed_on=p.signed_on, contribution=p.contribution, grade=p.grade
    )
    return actions.do_save_agreement(obj, acting_user=user)


agreements = crud_router(
    model=Agreement,
    out_schema=AgreementOut,
    filterset=AgreementFilterSet,
    create_schema=AgreementIn,
    create=_agreement,
    tags=["oversight"],
)


class CommitmentOut(Schema):
    id: int
    agreement_id: int
    kind: str
    description: str
    target: Decimal
    unit_label: str
    achieved: Decimal
    fulfilled: bool


class CommitmentIn(Schema):
    agreement_id: int
    kind: CommitmentKind
    description: str = Field(..., min_length=1, max_length=300)
    target: Decimal = Field(..., gt=0, max_digits=12, decimal_places=2)
    unit_label: str = Field(..., min_length=1, max_length=20)
    achieved: Decimal = Field(Decimal(0), ge=0, max_digits=12, decimal_places=2)


class CommitmentPatch(Schema):
    achieved: Decimal = Field(..., ge=0, max_digits=12, decimal_places=2)


def _commitment(user: Any, p: CommitmentIn) -> Commitment:
    agreement = fetch(Agreement.objects.all(), user, "change", p.agreement_id)
    obj = Commitment(
        agreement=agreement,
        node=agreement.node,
        kind=p.kind.value,
        description=p.description,
        target=p.target,
        unit_label=p.unit_label,
        achieved=p.achieved,
    )
    return actions.do_save_commitment(obj, acting_user=user)


def _fulfil(user: Any, obj: Commitment, p: CommitmentPatch) -> Commitment:
    obj.achieved = p.achieved
    return actions.do_save_commitment(obj, acting_user=user, action="change")


commitments = crud_router(
    model=Commitment,
    out_schema=CommitmentOut,
    filterset=CommitmentFilterSet,
    create_schema=CommitmentIn,
    create=_commitment,
    update_schema=CommitmentPatch,
    update=_fulfil,
    tags=["oversight"],
)


class HearingOut(Schema):
    id: int
    node_id: int
    topic: str
    held_on: date
    participants: str
    opinions: str
    outcome: str


class HearingIn(Schema):
    node_id: int
    topic: str = Field(..., min_length=1, max_length=200)
    held_on: date
    participants: str = Field(..., min_length=1, max_length=2000)
    opinions: str = Field(..., min_length=1, max_length=5000)
    outcome: str = Field("", max_length=2000)


def _hearing(user: Any, p: HearingIn) -> Hearing:
    from shequ.core.actions import do_create_object

    node = actions._place(user, p.node_id, Hearing, ("street", "community"))
    obj = Hearing(node=node, **p.dict(exclude={"node_id"}))
    actions.checked(obj)
    return do_create_object(obj, acting_user=user)


class HearingPatch(Schema):
    outcome: str = Field(..., max_length=2000)


def _hearing_outcome(user: Any, obj: Hearing, p: HearingPatch) -> Hearing:
    from shequ.core.actions import do_update_object

    obj.outcome = p.outcome
    actions.checked(obj)
    return do_update_object(obj, acting_user=user)


def _delete(user: Any, obj: Any) -> None:
    from shequ.core.actions import do_delete_object

    do_delete_object(obj, acting_user=user)


hearings = crud_router(
    update_schema=HearingPatch,
    update=_hearing_outcome,
    delete=_delete,
    model=Hearing,
    out_schema=HearingOut,
    filterset=HearingFilterSet,
    create_schema=HearingIn,
    create=_hearing,
    tags=["oversight"],
)


class ConsentOut(CaseOut):
    kind: str
    title: str
    applicant: str
    description: str
    documents: str
    opinion: str
    reasons: str


class ConsentIn(Schema):
    node_id: int
    kind: ConsentKind
    title: str = Field(..., min_length=1, max_length=200)
    applicant: str = Field(..., min_length=1, max_length=200)
    description: str = Field(..., min_length=1, max_length=5000)
    documents: str = Field("", max_length=2000)


consents = crud_router(
    model=ConsentRequest,
    out_schema=ConsentOut,
    filterset=ConsentRequestFilterSet,
    create_schema=ConsentIn,
    create=lambda u, p: actions.do_request_consent(
        acting_user=u,
        node=p.node_id,
        kind=p.kind.value,
        title=p.title,
        applicant=p.applicant,
        description=p.description,
        documents=p.documents,
    ),
    workflow=actions.CONSENT,
    tags=["oversight"],
)

router.add_router("/entries", entries)
router.add_router("/campaigns", campaigns)
router.add_router("/terminations", terminations)
router.add_router("/agreements", agreements)
router.add_router("/commitments", commitments)
router.add_router("/hearings", hearings)
router.add_router("/consents", consents)

from .api_meetings import add_routes  # noqa: E402  (supervision notes, meetings, action items, joint activities)

add_routes(router)
