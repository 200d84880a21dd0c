"""/api/v1/party/: member archives, development, relation transfers, reports, dues — within scope; the
statistics and other figures are in ``api_summaries``."""

from __future__ import annotations

import functools
from collections.abc import Callable
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.http import HttpRequest
from ninja import Field, Router, Schema, Status

from shequ.core.actions import fetch
from shequ.core.api import ErrorOut, ObjectAction, add_object_actions, crud_router, user_of

from . import actions
from .api_summaries import summaries
from .filtersets import (
    CommunityReportFilterSet,
    DevelopmentRecordFilterSet,
    DuesPaymentFilterSet,
    PartyMemberFilterSet,
    RelationTransferFilterSet,
)
from .models import (
    Category,
    CommunityReport,
    DevelopmentRecord,
    DuesPayment,
    MemberStatus,
    PartyMember,
    RelationTransfer,
    TransferKind,
)

# -- members ------------------------------------------------------------------------------------------------------


class MemberOut(Schema):
    id: int
    name: str
    id_masked: str
    gender: str
    birth_date: date | None
    phone: str
    education: str
    occupation: str
    work_unit: str
    status: str
    status_display: str = Field(..., alias="get_status_display")
    category: str
    organization_id: int
    organization_name: str = Field(..., alias="organization.name")
    joined_on: date
    probation_ends: date | None
    probation_extended: bool
    converted_on: date | None
    dues_base: Decimal | None
    basic_allowance: bool
    monthly_dues: Decimal | None = Field(None, description="By the standard brackets; null without the income.")
    resident_id: int | None
    path: str
    created: datetime
    updated: datetime

    @staticmethod
    def resolve_monthly_dues(obj: PartyMember) -> Decimal | None:
        from shequ.core.exceptions import ActionError

        from .dues import monthly_dues

        try:
            return monthly_dues(obj.category, obj.dues_base, obj.basic_allowance)
        except ActionError:
            return None


class MemberIn(Schema):
    organization_id: int
    name: str = Field(..., min_length=1, max_length=50)
    id_number: str = Field("", max_length=30)
    status: MemberStatus = MemberStatus.FULL
    joined_on: date
    converted_on: date | None = None
    category: Category = Category.OTHER
    phone: str = Field("", max_length=30)
    education: str = ""
    occupation: str = Field("", max_length=100)
    work_unit: str = Field("", max_length=100)
    dues_base: Decimal | None = None
    basic_allowance: bool = False
    resident_id: int | None = None
    notes: str = ""


class MemberPatch(Schema):
    name: str | None = Field(None, min_length=1, max_length=50)
    id_number: str | None = Field(None, max_length=30)
    category: Category | None = None
    phone: str | None = Field(None, max_length=30)
    education: str | None = None
    occupation: str | None = Field(None, max_length=100)
    work_unit: str | None = Field(None, max_length=100)
    dues_base: Decimal | None = None
    basic_allowance: bool | None = None
    notes: str | None = None


def _plain(data: dict[str, Any]) -> dict[str, Any]:
    for key, value in list(data.items()):
        if hasattr(value, "value"):
            data[key] = value.value
    return data


def _create_member(user: Any, payload: MemberIn) -> PartyMember:
    data = _plain(payload.dict())
    data["organization"] = data.pop("organization_id")
    data["resident"] = data.pop("resident_id")
    return actions.do_create_member(acting_user=user, **data)


def _update_member(user: Any, member: PartyMember, payload: MemberPatch) -> PartyMember:
    data = {k: v for k, v in _plain(payload.dict(exclude_unset=True)).items() if v is not None or k == "dues_base"}
    return actions.do_update_member(member, acting_user=user, **data)


members = crud_router(
    model=PartyMember,
    out_schema=MemberOut,
    filterset=PartyMemberFilterSet,
    create_schema=MemberIn,
    update_schema=MemberPatch,
    create=_create_member,
    update=_update_member,
    select_related=("organization",),
    tags=["party"],
)


class EventOut(Schema):
    id: int
    kind: str
    on: date
    title: str
    details: str
    hours: Decimal | None
    organization_id: int | None


class DecisionIn(Schema):
    decided_on: date | None = None


class ExtendIn(Schema):
    months: int = Field(..., ge=1, le=12)
    reason: str = Field(..., min_length=1, max_length=200)
    decided_on: date | None = None


class ReasonIn(Schema):
    reason: str = Field(..., min_length=1, max_length=200)
    on: date | None = None


class StatusIn(Schema):
    status: str
    on: date | None = None
    reason: str = ""


class EventIn(Schema):
    kind: str
    on: date
    title: str = Field(..., min_length=1, max_length=200)
    details: str = ""
    hours: Decimal | None = None


class DuesIn(Schema):
    month: date
    paid_on: date | None = None
    amount: Decimal | None = None


class TransferIn(Schema):
    kind: TransferKind = TransferKind.INTERNAL
    to_org_id: int | None = None
    outside_org: str = Field("", max_length=200)
    letter_number: str = Field("", max_length=50)
    valid_until: date | None = None
    reason: str = Field("", max_length=200)


def _member(request: HttpRequest, pk: str, action: str = "change") -> PartyMember:
    return fetch(PartyMember.objects.select_related("organization"), user_of(request), action, pk)


@members.get("/{pk}/timeline", response={200: list[EventOut], 404: ErrorOut}, operation_id="party_member_timeline")
def member_timeline(request: HttpRequest, pk: str) -> Any:
    """Every status change, transfer, post, training, report and honour, newest first."""
    return list(_member(request, pk, "view").events.order_by("-on", "-id"))


class ArchiveTransferOut(Schema):
    id: int
    kind: str
    status: str
    is_open: bool
    overdue: bool
    from_label: str
    to_label: str
    letter_number: str
    valid_until: date | None
    requested_on: date
    closed_on: date | None


class ArchivePaymentOut(Schema):
    month: date
    amount: Decimal
    paid_on: date


class ArchivePostOut(Schema):
    id: int
    organization_id: int
    organization_name: str = Field(..., alias="organization.name")
    title: str = Field(..., description="The post's code (secretary, member, …; other: see title_display).")
    title_display: str
    start_date: date
    end_date: date | None = Field(..., description="Empty while the post is held.")


class ArchiveDevelopmentOut(Schema):
    id: int
    applied_on: date
    activist_on: date | None
    target_on: date | None
    admitted_on: date | None
    converted_on: date | None
    contact_1_id: int | None
    contact_2_id: int | None
    introducer_1_id: int | None
    introducer_2_id: int | None


class ArchiveOut(Schema):
    member: MemberOut
    id_number: str = Field(..., description="Full where the reader may see it (view_pii), masked else.")
    monthly_dues: Decimal | None
    development: ArchiveDevelopmentOut | None
    events: list[EventOut]
    transfers: list[ArchiveTransferOut]
    posts: list[ArchivePostOut] = Field(..., description="Posts held, from the register of posts (a resident).")
    dues: list[ArchivePaymentOut] = Field(..., alias="payments")


@members.get("/{pk}/archive", response={200: ArchiveOut, 404: ErrorOut}, operation_id="party_member_archive")
def member_archive(request: HttpRequest, pk: str) -> Any:
    """The whole archive: the record, the development that led to it, the timeline, the posts held (from the
    organizations' register of posts, for a member who is a resident), the relation transfers the reader may
    see (both ends while open, the keeper after) and every month of dues paid."""
    from .archive import member_archive as archive_of

    return archive_of(user_of(request), _member(request, pk, "view"))


class DuesOut(Schema):
    id: int
    member_id: int
    month: date
    base: Decimal | None
    amount: Decimal
    paid_on: date
    path: str


# -- transfers ----------------------------------------------------------------------------------------------------


class TransferOut(Schema):
    id: int
    member_id: int | None
    person: str = Field(..., alias="person_label")
    kind: str
    status: str
    is_open: bool
    overdue: bool
    from_org_id: int | None
    to_org_id: int | None
    from_label: str
    to_label: str
    outside_org: str
    letter_number: str
    valid_until: date | None
    reason: str
    requested_on: date
    due_on: date | None
    approved_on: date | None
    closed_on: date | None
    response: str


class ApproveIn(Schema):
    on: date | None = None
    letter_number: str = Field("", max_length=50)
    valid_until: date | None = None


class OnIn(Schema):
    on: date | None = None


class IncomingIn(Schema):
    to_org_id: int
    outside_org: str = Field(..., min_length=1, max_length=200)
    person_name: str = Field(..., min_length=1, max_length=50)
    id_number: str = Field(..., max_length=30)
    member_status: MemberStatus
    joined_on: date
    letter_number: str = Field(..., min_length=1, max_length=50)
    valid_until: date | None = None
    category: Category = Category.OTHER
    reason: str = Field("", max_length=200)


transfers = crud_router(
    model=RelationTransfer,
    out_schema=TransferOut,
    filterset=RelationTransferFilterSet,
    select_related=("member", "from_org", "to_org"),
    tags=["party"],
)


def _transfer_out(request: HttpRequest, pk: Any) -> RelationTransfer:
    return fetch(
        RelationTransfer.objects.select_related("member", "from_org", "to_org"), user_of(request), "view", str(pk)
    )


@transfers.post(
    "/incoming", response={201: TransferOut, 400: ErrorOut, 404: ErrorOut, 422: ErrorOut}, operation_id="party_incoming"
)
def transfer_incoming(request: HttpRequest, payload: IncomingIn) -> Any:
    """The receiving organization registers a member arriving with an introduction letter from an organization
    outside the platform: the name, identity number, probationary or full, date of joining, sending
    organization and the letter's number are required, and the letter cannot expire before it arrives. Someone
    with an active archive on the platform is transferred within it instead (``already_member``); one open
    transfer per person. The transfer then waits to be accepted (the archive is created) or returned."""
    data = _plain(payload.dict())
    data["to_org"] = data.pop("to_org_id")
    transfer = actions.do_register_incoming(acting_user=user_of(request), **data)
    return Status(201, _transfer_out(request, transfer.pk))


def _then_view(work: Callable[..., Any]) -> Callable[..., None]:
    """Make *work* an ObjectAction's runner that answers with the object read again for viewing (through the
    router's scope), whatever *work* returns; its name and docstring (the endpoint's description) are kept."""

    @functools.wraps(work)
    def run(user: Any, obj: Any, payload: Any) -> None:
        work(user, obj, payload)

    return run


@_then_view
def _convert(user: Any, member: PartyMember, p: DecisionIn) -> None:
    """The branch meeting converts a probationary member into a full member (``decided_on``, by default today).
    The probation lasts one year from admission (or until its extension ends); conversion comes after it:
    a decision before ``probation_ends`` is refused (``probation_not_over``), as is one about a member who is
    not probationary. Party standing counts from the end of the probation."""
    actions.do_convert(member, acting_user=user, decided_on=p.decided_on)


@_then_view
def _extend(user: Any, member: PartyMember, p: ExtendIn) -> None:
    """Extend a probationary member's probation by ``months``, with a reason, when it ends (not earlier).
    A probation is extended once only (``already_extended``) and by at most one year, 12 months
    (``extension_too_long``)."""
    actions.do_extend_probation(member, acting_user=user, **p.dict())


@_then_view
def _cancel(user: Any, member: PartyMember, p: ReasonIn) -> None:
    """Cancel a probationary membership, with a reason (the member does not meet the conditions): the member
    leaves and their development record is stopped. Only a probationary member, and not while a relation
    transfer of theirs is open."""
    actions.do_cancel_probation(member, acting_user=user, reason=p.reason, decided_on=p.on)


@_then_view
def _change_status(user: Any, member: PartyMember, p: StatusIn) -> None:
    """Record a change of status made by hand: ``deceased``, ``left`` (with a reason), ``lost_contact``, or
    ``active`` to restore a member whose contact was lost (full or probationary, as before). Admission,
    conversion, cancellation of a probation and transfers change the status only through their own steps.
    The change is not dated in the future nor before the previous one; a member who stops being active must
    have no open transfer."""
    actions.do_change_status(member, acting_user=user, **p.dict())


def _add_event(user: Any, member: PartyMember, p: EventIn) -> Any:
    """Add an entry to the member's timeline: a post, training, report, honour or other (``kind``). Entries
    about admission, conversion, status and transfers are written by the platform itself and refused here
    (``invalid_kind``). The date is not in the future; ``hours``, when given, are more than 0. Answers the
    entry."""
    return actions.do_add_event(member, acting_user=user, **p.dict())


def _run_request_transfer(user: Any, member: PartyMember, payload: TransferIn) -> RelationTransfer:
    """Open a relation transfer of the member (the sending side): ``internal`` to another party organization on
    the platform (``to_org_id``) or ``outgoing`` to one outside it (``outside_org``). Only probationary and full
    members are transferred, with one open transfer at a time (``open_transfer``); the letter cannot expire
    before the request. The member stays in their organization until the transfer completes. Answers the
    transfer."""
    data = _plain(payload.dict())
    data["to_org"] = data.pop("to_org_id")
    transfer = actions.do_request_transfer(member, acting_user=user, **data)
    return fetch(RelationTransfer.objects.select_related("member", "from_org", "to_org"), user, "view", transfer.pk)


def _run_record_dues(user: Any, member: PartyMember, payload: DuesIn) -> Any:
    """Record one month of dues paid by a probationary or full member. The amount defaults to what is due by
    the standard brackets; less is refused (``dues_too_low``). Each month is recorded once
    (``already_paid``), from the month of joining to at most a year ahead. Answers the payment."""
    return actions.do_record_dues(member, acting_user=user, **payload.dict())


add_object_actions(
    members,
    ObjectAction("convert", _convert, DecisionIn, operation_id="party_convert"),
    ObjectAction("extend", _extend, ExtendIn, operation_id="party_extend"),
    ObjectAction("cancel", _cancel, ReasonIn, operation_id="party_cancel"),
    ObjectAction("status", _change_status, StatusIn, operation_id="party_status"),
    ObjectAction("events", _add_event, EventIn, operation_id="party_add_event", status=201, response=EventOut),
    ObjectAction("dues", _run_record_dues, DuesIn, operation_id="party_record_dues", status=201, response=DuesOut),
    ObjectAction(
        "transfer",
        _run_request_transfer,
        TransferIn,
        operation_id="party_request_transfer",
        status=201,
        response=TransferOut,
    ),
)


@_then_view
def _approve(user: Any, transfer: RelationTransfer, p: ApproveIn) -> None:
    """The sending organization approves a requested transfer (``on``, not before the request). For a transfer
    out of the platform this issues the introduction letter, whose number is required (``letter_required``).
    A letter whose ``valid_until`` has passed is refused (``letter_expired``). An incoming transfer is
    accepted, not approved."""
    actions.do_approve_transfer(transfer, acting_user=user, **p.dict())


@_then_view
def _reject(user: Any, transfer: RelationTransfer, p: ReasonIn) -> None:
    """The sending organization refuses a requested transfer, with a reason; the member stays. An incoming
    transfer is returned, not rejected."""
    actions.do_reject_transfer(transfer, acting_user=user, **p.dict())


@_then_view
def _return(user: Any, transfer: RelationTransfer, p: ReasonIn) -> None:
    """The receiving organization sends a transfer back, with a reason: an approved transfer within the
    platform or a requested incoming one. The member stays where they were. A transfer out of the platform has
    no receiver here to return it."""
    actions.do_return_transfer(transfer, acting_user=user, **p.dict())


@_then_view
def _accept(user: Any, transfer: RelationTransfer, p: OnIn) -> None:
    """The receiving organization accepts: an approved transfer within the platform moves the member there
    (not before the approval); an incoming one creates the member's archive (or reopens a former member's).
    The member reports within the introduction letter's validity: after ``valid_until`` the letter has expired
    and is refused (``letter_expired``); return the transfer and the sender issues a new letter."""
    actions.do_accept_transfer(transfer, acting_user=user, on=p.on)


@_then_view
def _confirm(user: Any, transfer: RelationTransfer, p: OnIn) -> None:
    """For an approved transfer out of the platform: the sending organization confirms that the member has
    arrived (the receipt came back). The archive stays here with the status ``transferred_out``."""
    actions.do_confirm_arrival(transfer, acting_user=user, on=p.on)


add_object_actions(
    transfers,
    ObjectAction("approve", _approve, ApproveIn, operation_id="party_approve"),
    ObjectAction("reject", _reject, ReasonIn, operation_id="party_reject"),
    ObjectAction("return", _return, ReasonIn, operation_id="party_return"),
    ObjectAction("accept", _accept, OnIn, operation_id="party_accept"),
    ObjectAction("confirm", _confirm, OnIn, operation_id="party_confirm"),
)


# -- development, reports, dues -----------------------------------------------------------------------------------


class DevelopmentOut(Schema):
    id: int
    name: str
    id_masked: str
    organization_id: int
    stage: str
    applied_on: date
    activist_on: date | None
    target_on: date | None
    admitted_on: date | None
    converted_on: date | None
    contact_1_id: int | None
    contact_2_id: int | None
    introducer_1_id: int | None
    introducer_2_id: int | None
    member_id: int | None
    path: str


class ApplicantIn(Schema):
    organization_id: int
    name: str = Field(..., min_length=1, max_length=50)
    id_number: str = Field(..., max_length=30)
    applied_on: date
    phone: str = ""
    education: str = ""
    occupation: str = ""
    notes: str = ""


class ActivistIn(Schema):
    on: date
    contact_ids: list[int]


class TargetIn(Schema):
    on: date


class AdmitIn(Schema):
    on: date
    introducer_ids: list[int]
    category: Category = Category.OTHER


def _create_applicant(user: Any, payload: ApplicantIn) -> DevelopmentRecord:
    data = payload.dict()
    data["organization"] = data.pop("organization_id")
    return actions.do_register_applicant(acting_user=user, **data)


development = crud_router(
    model=DevelopmentRecord,
    out_schema=DevelopmentOut,
    filterset=DevelopmentRecordFilterSet,
    create_schema=ApplicantIn,
    create=_create_applicant,
    tags=["party"],
)


@_then_view
def _make_activist(user: Any, record: DevelopmentRecord, p: ActivistIn) -> None:
    """The branch designates an applicant an activist (``on``, not before the application) and names one or two
    different full members as contact persons (``contact_ids``). Only at the stage of applicant
    (``wrong_stage``)."""
    actions.do_make_activist(record, acting_user=user, on=p.on, contacts=p.contact_ids)


@_then_view
def _make_target(user: Any, record: DevelopmentRecord, p: TargetIn) -> None:
    """An activist becomes a development target after at least one year of training and examination: a date
    earlier than a year after ``activist_on`` is refused (``activist_year``)."""
    actions.do_make_target(record, acting_user=user, on=p.on)


def _run_admit(user: Any, record: DevelopmentRecord, payload: AdmitIn) -> PartyMember:
    """The branch meeting admits the development target as a probationary member (``on``, not before becoming a
    target), on the word of exactly two full members (``introducer_ids``); the new member is at least 18. The
    archive is created in the developing branch and the probation of one year starts. Answers the member."""
    member = actions.do_admit(
        record, acting_user=user, on=payload.on, introducers=payload.introducer_ids, category=payload.category.value
    )
    return fetch(PartyMember.objects.select_related("organization"), user, "view", member.pk)


add_object_actions(
    development,
    ObjectAction("activist", _make_activist, ActivistIn, operation_id="party_activist"),
    ObjectAction("target", _make_target, TargetIn, operation_id="party_target"),
    ObjectAction("admit", _run_admit, AdmitIn, operation_id="party_admit", status=201, response=MemberOut),
)


class ReportOut(Schema):
    id: int
    member_id: int
    member_name: str = Field(..., alias="member.name")
    node_id: int
    branch_id: int | None
    registered_on: date
    ended_on: date | None
    path: str


class ReportIn(Schema):
    member_id: int | None = None
    member_id_number: str = ""
    community_id: int
    branch_id: int | None = None
    registered_on: date | None = None
    notes: str = Field("", max_length=200)


class ActivityIn(Schema):
    on: date
    title: str = Field(..., min_length=1, max_length=200)
    hours: Decimal


class ActivityOut(Schema):
    id: int
    on: date
    title: str
    hours: Decimal


def _create_report(user: Any, payload: ReportIn) -> CommunityReport:
    member = actions.find_reporting_member(user, member=payload.member_id, id_number=payload.member_id_number)
    return actions.do_register_report(
        acting_user=user,
        member=member,
        community=payload.community_id,
        branch=payload.branch_id,
        registered_on=payload.registered_on,
        notes=payload.notes,
    )


reports = crud_router(
    model=CommunityReport,
    out_schema=ReportOut,
    filterset=CommunityReportFilterSet,
    create_schema=ReportIn,
    create=_create_report,
    select_related=("member",),
    tags=["party"],
)


def _record_activity(user: Any, report: CommunityReport, p: ActivityIn) -> Any:
    """Record an activity of an on-the-job member in their home community: a title and the hours (more than 0,
    at most 24), on a day within the period of the report and not in the future. Answers the activity."""
    return actions.do_record_activity(report, acting_user=user, **p.dict())


add_object_actions(
    reports,
    ObjectAction(
        "activities", _record_activity, ActivityIn, operation_id="party_activity", status=201, response=ActivityOut
    ),
)


dues = crud_router(model=DuesPayment, out_schema=DuesOut, filterset=DuesPaymentFilterSet, tags=["party"])


router = Router()
router.add_router("/members", members)
router.add_router("/development", development)
router.add_router("/transfers", transfers)
router.add_router("/reports", reports)
router.add_router("/dues", dues)
router.add_router("", summaries)
