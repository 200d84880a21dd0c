"""Writes of the oversight app, each a ``do_*`` with keyword-only ``acting_user``: entry applications, evaluation
campaigns and their answers, contract-termination cases, co-construction agreements, hearings and consent
requests.  The case-like ones take their steps through the shared workflow of core (``WORKFLOWS`` at the end)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from shequ.core.actions import acting_as, ensure_in_scope
from shequ.core.exceptions import ActionError, FieldErrors, NotFound
from shequ.core.indicators import mark_dirty
from shequ.core.models import TimelineKind
from shequ.core.workflow import Step, Workflow
from shequ.territory.models import Kind, Node

from .models import (
    SATISFACTION_TARGET,
    SUBJECT_ORG_KINDS,
    Answer,
    AnswerChannel,
    Campaign,
    CampaignEvent,
    CampaignStatus,
    ConsentEvent,
    ConsentRequest,
    ConsentStatus,
    EntryApplication,
    EntryEvent,
    EntryStatus,
    Evaluators,
    Rating,
    SubjectKind,
    TerminationCase,
    TerminationEvent,
    TerminationStatus,
)

MAX_ITEMS = 20
SATISFACTION = "oversight.property_satisfaction"


def checked(obj: Any, exclude: tuple[str, ...] = ()) -> Any:
    """Run the model's bounds and rules; a refusal names its fields (the API answers 422)."""
    try:
        obj.full_clean(exclude=list(exclude) or None)
    except ValidationError as exc:
        details = [
            {"field": field, "message": str(message)}
            for field, messages in exc.message_dict.items()
            for message in messages
        ]
        raise FieldErrors(details, "；".join(d["message"] for d in details)) from None
    return obj


def _place(user: Any, node: Any, model: Any, kinds: tuple[str, ...]) -> Node:
    """The node (one of *kinds*) if *user* may add *model* records there; 404 otherwise."""
    pk = getattr(node, "pk", node)
    found = Node.objects.restrict(user, "add", perm_model=model).filter(pk=pk, retired=False).first()
    if found is None:
        raise NotFound()
    if found.kind not in kinds:
        raise FieldErrors(
            [
                {
                    "field": "node",
                    "message": _("Choose a %(kinds)s, not the %(kind)s “%(name)s”.")
                    % {
                        "kinds": "、".join(str(Kind(k).label) for k in kinds),
                        "kind": found.get_kind_display(),
                        "name": found.name,
                    },
                }
            ]
        )
    return found


def _org(user: Any, org: Any, kinds: tuple[str, ...], field: str) -> Any:
    """An active organization of one of *kinds* that *user* may see (404 when not visible)."""
    from shequ.orgs.models import Organization, kind_label

    pk = getattr(org, "pk", org)
    found = Organization.objects.restrict(user, "view").select_related("node").filter(pk=pk).first()
    if found is None:
        raise NotFound()
    if found.kind not in kinds:
        raise FieldErrors(
            [
                {
                    "field": field,
                    "message": _("“%(name)s” is a %(kind)s; choose a %(kinds)s.")
                    % {
                        "name": found.name,
                        "kind": kind_label(found.kind),
                        "kinds": "、".join(kind_label(k) for k in kinds),
                    },
                }
            ]
        )
    if not found.active:
        raise FieldErrors([{"field": field, "message": _("“%(name)s” is dissolved.") % {"name": found.name}}])
    return found


def _officers(model: Any, path: str) -> list[Any]:
    from shequ.core.recipients import officer_levels

    levels = officer_levels(model._meta.label_lower, path)
    return levels[0] if levels else []


# -- entry of property companies ---------------------------------------------------------------------------------


def do_apply_entry(
    *,
    acting_user: Any,
    company: Any,
    estate: Any,
    contract_start: date,
    contract_end: date,
    scope: str,
) -> EntryApplication:
    """A property company applies to serve a residential area (reviewed by the community party organization)."""
    with acting_as(acting_user), transaction.atomic():
        place = _place(acting_user, estate, EntryApplication, (Kind.ESTATE,))
        found = _org(acting_user, company, ("property_company",), "company")
        case = EntryApplication(
            node=place,
            company=found,
            contract_start=contract_start,
            contract_end=contract_end,
            scope=(scope or "").strip(),
            status=EntryStatus.APPLIED,
        )
        checked(case, ("status",))
        if case.contract_end < case.contract_start:
            raise FieldErrors([{"field": "contract_end", "message": _("The contract cannot end before it starts.")}])
        if EntryApplication.objects.filter(node=place, company=found, is_open=True).exists():
            raise ActionError(
                _("%(company)s already awaits review for %(estate)s.") % {"company": found, "estate": place.name},
                code="duplicate",
            )
        case.save()
        ENTRY.log(
            case,
            TimelineKind.STATUS,
            user=acting_user,
            text=_("Application to serve %(estate)s from %(start)s to %(end)s.")
            % {"estate": place.name, "start": case.contract_start, "end": case.contract_end},
            to_status=EntryStatus.APPLIED,
        )
        from shequ.core.notifications import notify

        notify(
            _officers(EntryApplication, place.path),
            _("An entry application to review: %(case)s") % {"case": case},
            obj=case,
        )
    return case


def do_approve_entry(case: Any, *, acting_user: Any, note: str = "") -> EntryApplication:
    """The community party organization approves: the company serves the residential area under the contract;
    an open termination case of the area ends with this new company."""
    with ENTRY.transition(case, "approve", acting_user=acting_user) as move:
        current = move.case
        company = current.company
        company.estates.add(current.node)
        company.contract_start, company.contract_end = current.contract_start, current.contract_end
        company.save(update_fields=["contract_start", "contract_end", "updated"])
        current.decided_on = timezone.localdate()
        move.to(EntryStatus.APPROVED, _("Approved. %(note)s") % {"note": note.strip()} if note else _("Approved."))
        for termination in TerminationCase.objects.select_for_update().filter(
            node=current.node, status=TerminationStatus.TERMINATED
        ):
            termination.status = TerminationStatus.REPLACED
            termination.is_open = False
            termination.new_entry = current
            termination.save()
            TERMINATION.log(
                termination,
                TimelineKind.STATUS,
                user=acting_user,
                text=_("%(company)s approved to serve the residential area.") % {"company": company},
                from_status=TerminationStatus.TERMINATED,
                to_status=TerminationStatus.REPLACED,
            )
    return move.case


def do_refuse_entry(case: Any, *, acting_user: Any, reason: str) -> EntryApplication:
    """The community party organization refuses (with the reason)."""
    if not (reason or "").strip():
        raise FieldErrors([{"field": "reason", "message": _("Give the reason.")}])
    with ENTRY.transition(case, "refuse", acting_user=acting_user) as move:
        move.case.reason = reason.strip()
        move.case.decided_on = timezone.localdate()
        move.to(EntryStatus.REFUSED, _("Refused: %(reason)s") % {"reason": reason.strip()})
    return move.case


# -- evaluation campaigns ----------------------------------------------------------------------------------------


def households_of(node: Any) -> Any:
    from shequ.people.models import Household

    return Household.objects.filter(path__startswith=node.path, dissolved=False)


def do_open_campaign(
    *,
    acting_user: Any,
    node: Any,
    year: int,
    subject_kind: str,
    subject: Any,
    evaluators: str,
    items: str,
    expected: int | None = None,
) -> Campaign:
    """Open a year-end evaluation of *subject* by the evaluators of *node*: households (by survey, the expected
    number counted now), the owners' committee or the residents' representatives (*expected* of them)."""
    with acting_as(acting_user), transaction.atomic():
        kinds = (Kind.ESTATE,) if subject_kind == SubjectKind.PROPERTY_COMPANY else (Kind.COMMUNITY, Kind.ESTATE)
        place = _place(acting_user, node, Campaign, kinds)
        found = _org(acting_user, subject, SUBJECT_ORG_KINDS.get(subject_kind, ()), "subject")
        campaign = Campaign(
            node=place,
            year=year,
            subject_kind=subject_kind,
            subject=found,
            evaluators=evaluators,
            items="\n".join(line.strip() for line in (items or "").splitlines() if line.strip()),
            expected=expected or 0,
        )
        if evaluators == Evaluators.HOUSEHOLDS:
            campaign.expected = households_of(place).count()
        checked(campaign, ("status",))
        count = len(campaign.item_list)
        if not count or count > MAX_ITEMS:
            raise FieldErrors(
                [{"field": "items", "message": _("Write 1 to %(max)d questions, one per line.") % {"max": MAX_ITEMS}}]
            )
        if not campaign.expected:
            raise FieldErrors(
                [
                    {
                        "field": "expected",
                        "message": _("Say how many evaluators are to answer (no households live here)."),
                    }
                ]
            )
        campaign.save()
        CAMPAIGN.log(
            campaign,
            TimelineKind.STATUS,
            user=acting_user,
            text=_("Opened for %(n)d evaluators.") % {"n": campaign.expected},
            to_status=CampaignStatus.OPEN,
        )
    return campaign


def parse_ratings(values: Any, count: int) -> str:
    """*values* (one per item: 1 satisfied, 2 basically satisfied, 3 dissatisfied) as the stored digits."""
    values = list(values or [])
    if len(values) != count:
        raise FieldErrors([{"field": "ratings", "message": _("Rate each of the %(n)d items.") % {"n": count}}])
    digits = []
    for value in values:
        try:
            number = int(value)
        except (TypeError, ValueError):
            number = 0
        if number not in Rating.values:
            raise FieldErrors(
                [{"field": "ratings", "message": _("Rate each item satisfied, basically satisfied or dissatisfied.")}]
            )
        digits.append(str(number))
    return "".join(digits)


def find_household(campaign: Campaign, number: str, last4: str) -> Any:
    """The household of the campaign's place with this number and a member's phone ending in *last4* (None alike
    for an unknown number and a wrong pair).  One indexed query written out: the portal's hot path."""
    from django.db import connection

    from shequ.people.models import Household, Resident

    number, last4 = (number or "").strip(), (last4 or "").strip()
    if not number or len(last4) != 4 or not last4.isdigit():
        return None
    sql = (
        f"SELECT r.household_id FROM {Resident._meta.db_table} r JOIN {Household._meta.db_table} h"
        " ON h.id = r.household_id WHERE h.number = %s AND h.path LIKE %s AND NOT h.dissolved"
        " AND NOT r.archived AND r.phone LIKE %s LIMIT 1"
    )
    with connection.cursor() as cursor:
        # Paths are digits and dots, the digits checked above: no LIKE wildcard can slip in.
        cursor.execute(sql, [number, f"{campaign.path}%", f"%{last4}"])
        row = cursor.fetchone()
    return row[0] if row else None


ALREADY = gettext_lazy("This household has already answered this evaluation.")
CLOSED = gettext_lazy("The evaluation is closed: answers are no longer taken.")


def do_answer(
    campaign: Any,
    *,
    acting_user: Any,
    ratings: Any,
    comments: str = "",
    household: Any = None,
    channel: str = AnswerChannel.PAPER,
    trusted: bool = False,
) -> Answer:
    """Record one answer: from the portal (*trusted*, the household verified by its number and phone digits) or
    entered by staff from paper.  One answer per household; none after the campaign closed: the campaign's row
    is read with a shared lock, so answers do not wait for each other while closing waits for them."""
    found: Any
    if trusted and isinstance(campaign, Campaign):
        found = campaign
    else:
        qs = Campaign.objects.all() if trusted else Campaign.objects.restrict(acting_user, "change")
        found = (
            qs.filter(pk=getattr(campaign, "pk", campaign)).only("id", "path", "items", "status", "evaluators").first()
        )
        if found is None:
            raise NotFound()
    if found.status != CampaignStatus.OPEN:
        raise ActionError(CLOSED, code="campaign_closed")
    household_id = getattr(household, "pk", household)
    if found.evaluators == Evaluators.HOUSEHOLDS and household_id is None:
        raise FieldErrors([{"field": "household", "message": _("Choose the household that answered.")}])
    if household_id is not None and not trusted:
        if not households_of(found).restrict(acting_user, "view").filter(pk=household_id).exists():
            raise NotFound()
    digits = parse_ratings(ratings, len(found.item_list))
    comments = (comments or "").strip()
    if len(comments) > 1000:
        raise FieldErrors([{"field": "comments", "message": _("At most 1000 characters.")}])
    try:
        with acting_as(acting_user if not trusted else None), transaction.atomic():
            if _status_shared(found.pk) != CampaignStatus.OPEN:
                raise ActionError(CLOSED, code="campaign_closed")
            answer = Answer.objects.create(
                campaign_id=found.pk,
                household_id=household_id,
                ratings=digits,
                satisfied=digits.count("1"),
                basic=digits.count("2"),
                dissatisfied=digits.count("3"),
                comments=comments,
                channel=channel,
                entered_by=acting_user if getattr(acting_user, "is_authenticated", False) else None,
            )
    except IntegrityError:
        raise ActionError(ALREADY, code="already_answered") from None
    return answer


def _status_shared(pk: int) -> str | None:
    """The campaign's status, its row locked FOR SHARE (PostgreSQL; SQLite serialises writers anyway)."""
    from django.db import connection

    table = Campaign._meta.db_table
    lock = " FOR SHARE" if connection.vendor == "postgresql" else ""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT status FROM {table} WHERE id = %s{lock}", [pk])  # noqa: S608 - our table name
        row = cursor.fetchone()
    return row[0] if row else None


def do_close_campaign(campaign: Any, *, acting_user: Any) -> Campaign:
    """Close the campaign: its results are final.  A property company under 50 % satisfaction opens a
    contract-termination case for the residential area (never a silent termination)."""
    with CAMPAIGN.transition(campaign, "close", acting_user=acting_user) as move:
        current = move.case
        from .results import count_answers

        for name, value in count_answers(current.pk).items():
            setattr(current, name, value)
        current.closed_on = timezone.localdate()
        rate = current.response_rate
        satisfaction = current.satisfaction
        move.to(
            CampaignStatus.CLOSED,
            _("Closed: %(n)d answers (response rate %(rate)s), satisfaction %(sat)s.")
            % {
                "n": current.answers_count,
                "rate": "—" if rate is None else f"{rate}%",
                "sat": "—" if satisfaction is None else f"{satisfaction}%",
            },
        )
        if (
            current.subject_kind == SubjectKind.PROPERTY_COMPANY
            and satisfaction is not None
            and satisfaction < SATISFACTION_TARGET
        ):
            _open_termination(current, satisfaction, acting_user, move)
        mark_dirty(SATISFACTION, current.node)
    return move.case


def _open_termination(campaign: Campaign, satisfaction: float, user: Any, move: Any) -> TerminationCase:
    if TerminationCase.objects.filter(node_id=campaign.node_id, company_id=campaign.subject_id, is_open=True).exists():
        return TerminationCase.objects.filter(node_id=campaign.node_id, company_id=campaign.subject_id, is_open=True)[0]
    case = TerminationCase.objects.create(
        node=campaign.node,
        company=campaign.subject,
        campaign=campaign,
        satisfaction=Decimal(str(satisfaction)),
        status=TerminationStatus.OPENED,
    )
    text = _(
        "Satisfaction with %(company)s at %(estate)s is %(sat)s%%, under %(target)d%%: the owners' committee is to be "
        "notified, the company heard, and a decision taken."
    ) % {"company": campaign.subject, "estate": campaign.node.name, "sat": satisfaction, "target": SATISFACTION_TARGET}
    TERMINATION.log(case, TimelineKind.STATUS, user=user, text=text, to_status=TerminationStatus.OPENED)
    move.log(TimelineKind.COMMENT, _("Contract-termination case opened: %(case)s") % {"case": case})
    move.notify(
        _officers(TerminationCase, case.path),
        _("A contract-termination case to handle: %(case)s") % {"case": case},
        url=case.get_absolute_url(),
    )
    return case


# -- contract termination ----------------------------------------------------------------------------------------


def do_notify_owners(case: Any, *, acting_user: Any, notice: str) -> TerminationCase:
    """The owners' committee is notified of the result and of the termination procedure."""
    with TERMINATION.transition(case, "notify", acting_user=acting_user) as move:
        move.case.notice = notice.strip()
        move.to(TerminationStatus.NOTIFIED, _("Owners' committee notified: %(text)s") % {"text": notice.strip()})
    return move.case


def do_record_response(case: Any, *, acting_user: Any, response: str) -> TerminationCase:
    """The company's response to the result."""
    with TERMINATION.transition(case, "respond", acting_user=acting_user) as move:
        move.case.response = response.strip()
        move.to(TerminationStatus.RESPONDED, _("The company's response: %(text)s") % {"text": response.strip()})
    return move.case


def do_decide_termination(
    case: Any, *, acting_user: Any, terminate: bool, decision: str, legal_basis: str
) -> TerminationCase:
    """The decision, with its legal basis: the contract ends (the company leaves the residential area and a new
    company's entry is to be approved) or continues."""
    with TERMINATION.transition(case, "decide", acting_user=acting_user) as move:
        current = move.case
        current.decision, current.legal_basis = decision.strip(), legal_basis.strip()
        if terminate:
            current.company.estates.remove(current.node)
            move.to(
                TerminationStatus.TERMINATED,
                _("Contract terminated (%(basis)s): %(text)s")
                % {"basis": current.legal_basis, "text": current.decision},
            )
        else:
            move.to(
                TerminationStatus.CONTINUED,
                _("Contract continued (%(basis)s): %(text)s")
                % {"basis": current.legal_basis, "text": current.decision},
            )
        mark_dirty(SATISFACTION, current.node)
    return move.case


# -- consent -----------------------------------------------------------------------------------------------------


def do_request_consent(
    *, acting_user: Any, node: Any, kind: str, title: str, applicant: str, description: str, documents: str = ""
) -> ConsentRequest:
    """A demolition or road reconstruction asks the community party organization's consent."""
    with acting_as(acting_user), transaction.atomic():
        place = _place(acting_user, node, ConsentRequest, (Kind.COMMUNITY, Kind.GRID, Kind.ESTATE))
        case = ConsentRequest(
            node=place,
            kind=kind,
            title=(title or "").strip(),
            applicant=(applicant or "").strip(),
            description=(description or "").strip(),
            documents=(documents or "").strip(),
            status=ConsentStatus.REQUESTED,
        )
        checked(case, ("status",))
        case.save()
        CONSENT.log(
            case,
            TimelineKind.STATUS,
            user=acting_user,
            text=_("Requested by %(who)s.") % {"who": case.applicant},
            to_status=ConsentStatus.REQUESTED,
        )
    return case


def do_add_documents(case: Any, *, acting_user: Any, documents: str) -> ConsentRequest:
    """Record documents submitted with the request (title and number, one per line)."""
    lines = [line.strip() for line in (documents or "").splitlines() if line.strip()]
    if not lines:
        raise FieldErrors([{"field": "documents", "message": _("List the documents, one per line.")}])
    with CONSENT.transition(case, "documents", acting_user=acting_user) as move:
        current = move.case
        current.documents = "\n".join([*(current.documents.splitlines() if current.documents else []), *lines])
        checked(current)
        move.log(TimelineKind.ATTACHMENT, _("Documents: %(list)s") % {"list": "；".join(lines)})
    return move.case


def do_give_opinion(case: Any, *, acting_user: Any, opinion: str) -> ConsentRequest:
    """The community party organization's opinion on the project."""
    with CONSENT.transition(case, "opinion", acting_user=acting_user) as move:
        move.case.opinion = opinion.strip()
        move.to(ConsentStatus.OPINION, _("Opinion: %(text)s") % {"text": opinion.strip()})
    return move.case


def _needs_documents(case: ConsentRequest) -> str:
    from .documents import missing_documents

    return missing_documents(case)


def _attach_document(user: Any, case: Any, data: dict[str, Any]) -> Any:
    from .documents import do_attach_document

    return do_attach_document(case, acting_user=user, upload=data["file"])


def do_consent(case: Any, *, acting_user: Any, reasons: str) -> ConsentRequest:
    """Consent, with the reasons; only once the documents are recorded."""
    with CONSENT.transition(case, "consent", acting_user=acting_user) as move:
        move.case.reasons = reasons.strip()
        move.to(ConsentStatus.CONSENTED, _("Consented: %(text)s") % {"text": reasons.strip()})
    return move.case


def do_refuse_consent(case: Any, *, acting_user: Any, reasons: str) -> ConsentRequest:
    """Refuse, with the reasons."""
    with CONSENT.transition(case, "refuse", acting_user=acting_user) as move:
        move.case.reasons = reasons.strip()
        move.to(ConsentStatus.REFUSED, _("Refused: %(text)s") % {"text": reasons.strip()})
    return move.case


# -- co-construction ---------------------------------------------------------------------------------------------


def do_save_agreement(agreement: Any, *, acting_user: Any, action: str = "add") -> Any:
    """Save a co-construction agreement (the unit must work in the community; one agreement a year)."""
    with acting_as(acting_user), transaction.atomic():
        checked(agreement)
        agreement.save()
        ensure_in_scope(agreement, acting_user, action)
        mark_dirty(AGREEMENTS, agreement.node)
    return agreement


def do_save_commitment(commitment: Any, *, acting_user: Any, action: str = "add") -> Any:
    with acting_as(acting_user), transaction.atomic():
        commitment.node = commitment.agreement.node
        checked(commitment)
        commitment.save()
        ensure_in_scope(commitment, acting_user, action)
        mark_dirty(COMMITMENTS, commitment.node)
    return commitment


AGREEMENTS = "oversight.agreements_signed"
COMMITMENTS = "oversight.commitments_fulfilled"

_FORMS = "shequ.oversight.forms."

ENTRY = Workflow(
    EntryApplication,
    states=EntryStatus,
    open_states=(EntryStatus.APPLIED,),
    timeline=EntryEvent,
    lock_related=("company", "node"),
    steps=[
        Step(
            "approve",
            gettext_lazy("Approve the entry"),
            lambda u, c, d: do_approve_entry(c, acting_user=u, note=d.get("note") or ""),
            states=(EntryStatus.APPLIED,),
            target=EntryStatus.APPROVED,
            form=_FORMS + "OptionalNoteForm",
            style="primary",
        ),
        Step(
            "refuse",
            gettext_lazy("Refuse the entry"),
            lambda u, c, d: do_refuse_entry(c, acting_user=u, reason=d["reason"]),
            states=(EntryStatus.APPLIED,),
            target=EntryStatus.REFUSED,
            form="shequ.core.forms.ReasonForm",
            style="danger",
        ),
    ],
)

CAMPAIGN = Workflow(
    Campaign,
    states=CampaignStatus,
    open_states=(CampaignStatus.OPEN,),
    timeline=CampaignEvent,
    lock_related=("subject", "node"),
    steps=[
        Step(
            "close",
            gettext_lazy("Close the evaluation"),
            lambda u, c, d: do_close_campaign(c, acting_user=u),
            states=(CampaignStatus.OPEN,),
            target=CampaignStatus.CLOSED,
            style="primary",
            warning=lambda c: str(
                _(
                    "Closing makes the results final; a property company under 50 %% satisfaction gets a "
                    "contract-termination case."
                )
            ),
        ),
    ],
)

TERMINATION = Workflow(
    TerminationCase,
    states=TerminationStatus,
    open_states=(
        TerminationStatus.OPENED,
        TerminationStatus.NOTIFIED,
        TerminationStatus.RESPONDED,
        TerminationStatus.TERMINATED,
    ),
    timeline=TerminationEvent,
    lock_related=("company", "node"),
    steps=[
        Step(
            "notify",
            gettext_lazy("Notify the owners' committee"),
            lambda u, c, d: do_notify_owners(c, acting_user=u, notice=d["notice"]),
            states=(TerminationStatus.OPENED,),
            target=TerminationStatus.NOTIFIED,
            form=_FORMS + "NoticeForm",
            style="primary",
        ),
        Step(
            "respond",
            gettext_lazy("Record the company's response"),
            lambda u, c, d: do_record_response(c, acting_user=u, response=d["response"]),
            states=(TerminationStatus.NOTIFIED,),
            target=TerminationStatus.RESPONDED,
            form=_FORMS + "ResponseForm",
            style="primary",
        ),
        Step(
            "decide",
            gettext_lazy("Record the decision"),
            lambda u, c, d: do_decide_termination(
                c,
                acting_user=u,
                terminate=d["terminate"] == "terminate",
                decision=d["decision"],
                legal_basis=d["legal_basis"],
            ),
            states=(TerminationStatus.RESPONDED,),
            form=_FORMS + "DecisionForm",
            style="primary",
        ),
    ],
)

CONSENT = Workflow(
    ConsentRequest,
    states=ConsentStatus,
    open_states=(ConsentStatus.REQUESTED, ConsentStatus.OPINION),
    timeline=ConsentEvent,
    lock_related=("node",),
    steps=[
        Step(
            "documents",
            gettext_lazy("Record documents"),
            lambda u, c, d: do_add_documents(c, acting_user=u, documents=d["documents"]),
            form=_FORMS + "DocumentsForm",
        ),
        Step(
            "attach",
            gettext_lazy("Upload a document"),
            _attach_document,
            states=(ConsentStatus.REQUESTED, ConsentStatus.OPINION),
            form=_FORMS + "ConsentFileForm",
            files=True,
            api=False,
        ),
        Step(
            "opinion",
            gettext_lazy("Give the opinion"),
            lambda u, c, d: do_give_opinion(c, acting_user=u, opinion=d["opinion"]),
            states=(ConsentStatus.REQUESTED,),
            target=ConsentStatus.OPINION,
            form=_FORMS + "OpinionForm",
            style="primary",
        ),
        Step(
            "consent",
            gettext_lazy("Consent"),
            lambda u, c, d: do_consent(c, acting_user=u, reasons=d["reasons"]),
            states=(ConsentStatus.OPINION,),
            target=ConsentStatus.CONSENTED,
            form=_FORMS + "ReasonsForm",
            guard=_needs_documents,
            guard_code="documents_missing",
            style="primary",
        ),
        Step(
            "refuse",
            gettext_lazy("Refuse"),
            lambda u, c, d: do_refuse_consent(c, acting_user=u, reasons=d["reasons"]),
            states=(ConsentStatus.REQUESTED, ConsentStatus.OPINION),
            target=ConsentStatus.REFUSED,
            form=_FORMS + "ReasonsForm",
            style="danger",
        ),
    ],
)
