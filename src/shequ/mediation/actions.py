"""Writes on mediators and mediation cases.  A case is a workflow of core (``WORKFLOW`` at the end): registered →
accepted (or declined, referred elsewhere) → sessions → agreement reached / failed / withdrawn → follow-up of the
agreement at 30 days → closed; one month to conclude, extendable once with a reason; overdue cases escalate
like requests (``shequ tick``).  A high risk alerts the street at once."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from shequ.accounts.scope import can
from shequ.core.actions import acting_as
from shequ.core.exceptions import ActionError, FieldErrors, NotFound
from shequ.core.indicators import mark_dirty
from shequ.core.models import TimelineKind
from shequ.core.workdays import DeadlineUnit, Duration
from shequ.core.workflow import Step, Workflow

from .indicators import ON_TIME, SUCCESS
from .models import (
    COMMITTEE_KINDS,
    FOLLOW_UP_DAYS,
    MAX_EXTENSION_DAYS,
    OPEN_STATES,
    TERM_DAYS,
    Agreement,
    AgreementForm,
    Background,
    CaseEvent,
    CaseStatus,
    Category,
    EventKind,
    Honoured,
    MediationCase,
    Mediator,
    Party,
    PartyRole,
    Result,
    Risk,
    Session,
    Source,
)

FUTURE_TOLERANCE = timedelta(minutes=5)


def _staff(user: Any) -> Any:
    return user if getattr(user, "is_authenticated", False) else None


def _text(value: Any, field: str, message: str, limit: int) -> str:
    text = (value or "").strip()
    if not text:
        raise FieldErrors([{"field": field, "message": message}])
    return text[:limit]


# -- mediators -----------------------------------------------------------------------------------------------------


def committees_for(user: Any, action: str = "add", model: Any = None) -> Any:
    """The mediation committees and workstations where *user* may *action* (cases by default)."""
    from shequ.orgs.models import Organization

    qs = Organization.objects.filter(kind__in=COMMITTEE_KINDS, active=True).select_related("node")
    paths_ok = [o for o in qs.restrict(user, "view", perm_model=model or MediationCase)]
    return [o for o in paths_ok if can(user, model or MediationCase, action, o.path, org=o)]


def _committee(user: Any, committee: Any, model: Any = MediationCase, action: str = "add") -> Any:
    from shequ.orgs.models import Organization

    found = (
        Organization.objects.filter(kind__in=COMMITTEE_KINDS, pk=getattr(committee, "pk", committee))
        .select_related("node")
        .first()
    )
    if found is None or not can(user, model, action, found.path, org=found):
        raise NotFound()
    if not found.active:
        raise ActionError(_("%(name)s is dissolved.") % {"name": found.name}, code="committee_dissolved")
    return found


def do_add_mediator(
    *,
    acting_user: Any,
    committee: Any,
    background: str,
    name: str = "",
    resident: Any = None,
    phone: str = "",
    specialities: str = "",
    training_hours: Decimal | int = 0,
    available: bool = True,
) -> Mediator:
    """A mediator joins the roster of a committee (and holds the post of mediator there)."""
    from shequ.orgs.models import Post, Title

    if background not in Background.values:
        raise FieldErrors([{"field": "background", "message": _("Choose the background.")}])
    with acting_as(acting_user), transaction.atomic():
        found = _committee(acting_user, committee, Mediator)
        if resident is not None:
            name = resident.name
        name = _text(name, "name", _("Give the mediator's name."), 50)
        mediator = Mediator(
            committee=found,
            resident=resident,
            name=name,
            phone=(phone or "").strip()[:20],
            background=background,
            specialities=(specialities or "").strip()[:200],
            training_hours=Decimal(str(training_hours or 0)),
            available=available,
        )
        mediator.full_clean(exclude=["node", "path", "committee", "resident", "post"])
        mediator.post = Post.objects.create(
            organization=found,
            person=resident,
            person_name="" if resident is not None else name,
            title=Title.MEDIATOR,
            start_date=timezone.localdate(),
        )
        mediator.save()
    return mediator


def do_update_mediator(mediator: Mediator, *, acting_user: Any, **values: Any) -> Mediator:
    """Change a mediator's phone, specialities, training hours or availability."""
    with acting_as(acting_user), transaction.atomic():
        current = (
            Mediator.objects.restrict(acting_user, "change")
            .select_for_update(of=("self",))
            .select_related("committee")
            .filter(pk=mediator.pk)
            .first()
        )
        if current is None:
            raise NotFound()
        for key in ("phone", "specialities", "training_hours", "available", "background"):
            if key in values:
                setattr(current, key, values[key])
        current.full_clean(exclude=["node", "path", "committee", "resident", "post"])
        current.save()
    return current


# -- parties --------------------------------------------------------------------------------------------------------


@dataclass
class PartyIn:
    """A party as typed: a resident of the platform (*resident*: one or its id), or an outside person."""

    role: str
    resident: Any = None
    name: str = ""
    id_number: str = ""
    phone: str = ""
    address: str = ""


def _parties(user: Any, items: Sequence[PartyIn]) -> list[Party]:
    from shequ.people.identity import IdentityError, identity_or_none, mask_id
    from shequ.people.models import Resident

    result = []
    for index, item in enumerate(items):
        field = f"parties[{index}]"
        if item.role not in PartyRole.values:
            raise FieldErrors([{"field": f"{field}.role", "message": _("Choose the party's role.")}])
        party = Party(role=item.role, phone=(item.phone or "").strip()[:20], address=(item.address or "").strip()[:200])
        if item.resident not in (None, ""):
            pk = getattr(item.resident, "pk", item.resident)
            found = Resident.objects.restrict(user, "view").filter(pk=pk).first() if str(pk).isdigit() else None
            if found is None:
                raise FieldErrors(
                    [{"field": f"{field}.resident", "message": _("Unknown party: no such resident in your area.")}]
                )
            party.resident, party.name = found, found.name
        else:
            name = (item.name or "").strip()
            if not name:
                raise FieldErrors(
                    [{"field": f"{field}.name", "message": _("Unknown party: choose a resident or give the name.")}]
                )
            party.name = name[:50]
            try:
                identity = identity_or_none(item.id_number)
            except IdentityError as exc:
                raise FieldErrors([{"field": f"{field}.id_number", "message": str(exc)}]) from None
            if identity is not None:
                party.id_number = identity.number
                party.id_masked = mask_id(identity.number)
        result.append(party)
    roles = {p.role for p in result}
    if roles != {PartyRole.APPLICANT, PartyRole.RESPONDENT}:
        raise FieldErrors([{"field": "parties", "message": _("A case needs an applicant and a respondent.")}])
    return result


def party_key(party: Party) -> str:
    if party.resident_id:
        return f"r{party.resident_id}"
    from shequ.people.fields import id_hash_of

    if party.id_number:
        return f"i{id_hash_of(party.id_number)[:16]}"
    return f"n{party.name}"


def parties_key(parties: Iterable[Party]) -> str:
    """The same key for the same parties in any order (duplicates, repeat disputes)."""
    return "|".join(sorted({party_key(p) for p in parties}))[:255]


class DuplicateCase(FieldErrors):
    """A second open case for the same parties and matter: refused (422), naming the open case to merge into."""

    def __init__(self, case: MediationCase) -> None:
        self.case = case
        message = _(
            "Case %(code)s between the same parties about the same matter is still open: "
            "merge this registration into it instead of opening a second case."
        ) % {"code": case.code}
        # The API's 422 body names the open case (its id and number) beside the field.
        details: list[Any] = [{"field": "parties", "message": message, "case": case.pk, "code": case.code}]
        super().__init__(details, message)


# -- registration ---------------------------------------------------------------------------------------------------


def _street_officers(path: str) -> list[Any]:
    from shequ.core.recipients import ancestor_paths, officers_at
    from shequ.territory.models import Kind, Node

    street = Node.objects.filter(path__in=ancestor_paths(path), kind=Kind.STREET).first()
    return officers_at(MediationCase._meta.label_lower, street.path) if street is not None else []


def mediator_users(committee_id: int) -> list[Any]:
    """The accounts of the committee's mediators (the ``mediator`` role granted with the committee)."""
    from shequ.accounts.models import User

    return list(
        User.objects.filter(grants__role="mediator", grants__organization_id=committee_id, is_active=True)
        .distinct()
        .order_by("pk")
    )


def alert_high_risk(case: MediationCase) -> None:
    from shequ.core.notifications import notify

    notify(
        _street_officers(case.path),
        _("High risk: dispute %(case)s at %(place)s may turn violent or into a mass incident.")
        % {"case": case.code, "place": case.node.name},
        obj=case,
        kind="mediation_risk",
    )


def do_register_case(
    *,
    acting_user: Any,
    committee: Any,
    category: str,
    summary: str,
    parties: Sequence[PartyIn],
    risk: str = Risk.LOW,
    amount: Decimal | None = None,
    request: Any = None,
    visit: Any = None,
) -> MediationCase:
    """Register a dispute with a mediation committee (from a residents' request, a visit, or directly).  A
    second open case between the same parties about the same kind of dispute (among the cases the user sees) is
    refused with ``DuplicateCase`` naming it, to merge into (``merging.do_merge_into``)."""
    from shequ.core.notifications import notify

    errors = []
    if category not in Category.values:
        errors.append({"field": "category", "message": _("Choose the kind of dispute.")})
    if risk not in Risk.values:
        errors.append({"field": "risk", "message": _("Choose the risk level.")})
    if amount is not None and not Decimal(0) <= Decimal(amount) < Decimal("1e10"):
        errors.append({"field": "amount", "message": _("The amount is between 0 and 9,999,999,999.99 yuan.")})
    if not (summary or "").strip():
        errors.append({"field": "summary", "message": _("Say what the dispute is about.")})
    if errors:
        raise FieldErrors(errors)
    staff = _staff(acting_user)
    with acting_as(staff), transaction.atomic():
        found = _committee(staff, committee)
        people = _parties(staff, parties)
        key = parties_key(people)
        # Among the cases the user sees (a confidential case of another area is never named).
        same = (
            MediationCase.objects.restrict(staff, "view")
            .filter(parties_key=key, category=category, status__in=OPEN_STATES)
            .only("pk", "code")
            .first()
        )
        if same is not None:
            raise DuplicateCase(same)
        repeat = MediationCase.objects.filter(parties_key=key).exists()
        source = Source.REQUEST if request is not None else Source.VISIT if visit is not None else Source.DIRECT
        case = MediationCase(
            committee=found,
            node=found.node,
            category=category,
            summary=summary.strip()[:2000],
            amount=amount,
            risk=risk,
            source=source,
            request=request,
            visit=visit,
            parties_key=key,
            repeat=repeat,
            created_by=staff,
        )
        case.save()
        case.code = f"TJ{timezone.localdate():%Y}{case.pk:06d}"
        case.save(update_fields=["code"])
        for party in people:
            party.case = case
        Party.objects.bulk_create(people)
        WORKFLOW.log(
            case,
            TimelineKind.STATUS,
            user=staff,
            text=_("Registered: %(summary)s") % {"summary": case.summary[:200]},
            to_status=CaseStatus.REGISTERED,
        )
        notify(mediator_users(found.pk), _("A dispute to mediate: %(case)s") % {"case": case}, obj=case)
        if risk == Risk.HIGH:
            alert_high_risk(case)
        WORKFLOW.fire("created", case)
    return case


def do_raise_risk(case: MediationCase, *, acting_user: Any, risk: str, note: str) -> MediationCase:
    """The risk level changes (a high risk alerts the street at once)."""
    if risk not in Risk.values:
        raise FieldErrors([{"field": "risk", "message": _("Choose the risk level.")}])
    note = _text(note, "note", _("Say what changed."), 500)
    with WORKFLOW.transition(case, "risk", acting_user=acting_user) as move:
        move.case.risk = risk
        move.log(
            TimelineKind.COMMENT,
            _("Risk level: %(risk)s. %(note)s") % {"risk": move.case.get_risk_display(), "note": note},
        )
        if risk == Risk.HIGH:
            alert_high_risk(move.case)
    return move.case


# -- the steps -----------------------------------------------------------------------------------------------------


def _mediators(case: MediationCase, mediators: Iterable[Any]) -> list[Mediator]:
    chosen = list(mediators or [])
    if not chosen:
        raise FieldErrors([{"field": "mediators", "message": _("Choose at least one mediator.")}])
    ids = {getattr(m, "pk", m) for m in chosen}
    found = list(Mediator.objects.filter(pk__in=ids, committee_id=case.committee_id))
    if len(found) != len(ids):
        raise FieldErrors([{"field": "mediators", "message": _("Choose mediators of the case's committee.")}])
    # A mediator marked unavailable takes no new case (those already on it may still sit its sessions).
    present = set(case.mediators.values_list("pk", flat=True)) if case.pk else set()
    away = [m.name for m in found if not m.available and m.pk not in present]
    if away:
        raise FieldErrors(
            [{"field": "mediators", "message": _("Not available: %(names)s.") % {"names": "、".join(away)}}]
        )
    return found


def _assign(case: MediationCase, chosen: list[Mediator]) -> None:
    """Add *chosen* to the case's mediators; their load and record count it."""
    present = set(case.mediators.values_list("pk", flat=True))
    new = [m for m in chosen if m.pk not in present]
    if new:
        case.mediators.add(*new)
        Mediator.objects.filter(pk__in=[m.pk for m in new]).update(
            open_cases=F("open_cases") + 1, cases_handled=F("cases_handled") + 1
        )


def do_accept(case: MediationCase, *, acting_user: Any, mediators: Iterable[Any]) -> MediationCase:
    """The committee accepts the case and names its mediators: one month to conclude, from now."""
    with WORKFLOW.transition(case, "accept", acting_user=acting_user) as move:
        chosen = _mediators(move.case, mediators)
        move.case.accepted_at = timezone.now()
        move.set_deadline(Duration(TERM_DAYS, DeadlineUnit.DAYS))
        _assign(move.case, chosen)
        move.to(
            CaseStatus.ACCEPTED, _("Accepted; mediators: %(names)s.") % {"names": "、".join(m.name for m in chosen)}
        )
        move.notify(mediator_users(move.case.committee_id), _("Case %(case)s accepted.") % {"case": move.case})
    return move.case


def do_decline(case: MediationCase, *, acting_user: Any, reason: str, referred_to: str = "") -> MediationCase:
    """The committee does not take the case (say why; where the parties were referred)."""
    reason = _text(reason, "reason", _("Give the reason."), 500)
    with WORKFLOW.transition(case, "decline", acting_user=acting_user) as move:
        move.case.reason = reason
        move.case.referred_to = (referred_to or "").strip()[:200]
        move.case.result = Result.DECLINED
        move.set_deadline(None)
        text = _("Declined: %(reason)s") % {"reason": reason}
        if move.case.referred_to:
            text += " " + _("Referred to %(body)s.") % {"body": move.case.referred_to}
        move.to(CaseStatus.DECLINED, text)
    return move.case


def do_record_session(
    case: MediationCase,
    *,
    acting_user: Any,
    held_at: datetime,
    place: str,
    mediators: Iterable[Any],
    attendees: str,
    minutes: str,
) -> Session:
    """A mediation session: when, where, which mediators, who attended, the minutes."""
    place = _text(place, "place", _("Say where."), 200)
    attendees = _text(attendees, "attendees", _("Say who attended."), 500)
    minutes = _text(minutes, "minutes", _("Write the minutes."), 4000)
    if held_at is None:
        raise FieldErrors([{"field": "held_at", "message": _("Say when.")}])
    if held_at > timezone.now() + FUTURE_TOLERANCE:
        raise FieldErrors([{"field": "held_at", "message": _("A session cannot be in the future.")}])
    with WORKFLOW.transition(case, "session", acting_user=acting_user) as move:
        if held_at < move.case.registered_at - FUTURE_TOLERANCE:
            raise FieldErrors(
                [{"field": "held_at", "message": _("A session cannot be before the case was registered.")}]
            )
        chosen = _mediators(move.case, mediators)
        session = Session.objects.create(
            case=move.case, held_at=held_at, place=place, attendees=attendees, minutes=minutes
        )
        session.mediators.set(chosen)
        _assign(move.case, chosen)
        number = move.case.sessions.count()
        move.log(
            EventKind.SESSION,
            _("Session %(n)d at %(place)s (%(names)s).")
            % {"n": number, "place": place, "names": "、".join(m.name for m in chosen)},
        )
    return session


def _needs_session(case: MediationCase) -> str:
    if not case.sessions.exists():
        return _("Record a mediation session first.")
    return ""


def _conclude(move: Any, result: str) -> None:
    case = move.case
    case.result = result
    case.concluded_at = timezone.now()
    case.on_time = case.deadline is None or case.concluded_at <= case.deadline
    Mediator.objects.filter(cases=case, open_cases__gt=0).update(open_cases=F("open_cases") - 1)
    mark_dirty((SUCCESS, ON_TIME), case.node)


def do_agree(
    case: MediationCase,
    *,
    acting_user: Any,
    facts: str,
    terms: str,
    performance: str,
    signed_on: date | None = None,
    form: str = AgreementForm.WRITTEN,
) -> MediationCase:
    """The parties reached an agreement (written, or oral and recorded): follow-up due in 30 days; they may
    apply for judicial confirmation within 30 days."""
    facts = _text(facts, "facts", _("State the facts and matters in dispute."), 4000)
    terms = _text(terms, "terms", _("Write the agreed terms."), 4000)
    performance = _text(performance, "performance", _("Say how and by when the terms are performed."), 1000)
    if form not in AgreementForm.values:
        raise FieldErrors([{"field": "form", "message": _("Choose written or oral.")}])
    signed_on = signed_on or timezone.localdate()
    if signed_on > timezone.localdate():
        raise FieldErrors([{"field": "signed_on", "message": _("An agreement cannot be signed in the future.")}])
    with WORKFLOW.transition(case, "agree", acting_user=acting_user) as move:
        current = move.case
        if signed_on < timezone.localtime(current.registered_at).date():
            raise FieldErrors(
                [{"field": "signed_on", "message": _("An agreement cannot be signed before the case was registered.")}]
            )
        Agreement.objects.create(
            case=current, form=form, facts=facts, terms=terms, performance=performance, signed_on=signed_on
        )
        current.follow_up_due = signed_on + timedelta(days=FOLLOW_UP_DAYS)
        _conclude(move, Result.AGREED)
        move.set_deadline(None)
        move.to(CaseStatus.AGREED, _("Agreement reached (%(form)s).") % {"form": AgreementForm(form).label})
    return move.case


def do_fail(case: MediationCase, *, acting_user: Any, reason: str) -> MediationCase:
    """Mediation failed (the parties could not agree, or one refused to go on): say why."""
    reason = _text(reason, "reason", _("Give the reason."), 500)
    with WORKFLOW.transition(case, "fail", acting_user=acting_user) as move:
        move.case.reason = reason
        _conclude(move, Result.FAILED)
        move.set_deadline(None)
        move.to(CaseStatus.FAILED, _("Mediation failed: %(reason)s") % {"reason": reason})
    return move.case


def do_withdraw(case: MediationCase, *, acting_user: Any, reason: str) -> MediationCase:
    """A party withdrew (mediation is voluntary: the parties may stop at any time)."""
    reason = _text(reason, "reason", _("Give the reason."), 500)
    with WORKFLOW.transition(case, "withdraw", acting_user=acting_user) as move:
        move.case.reason = reason
        _conclude(move, Result.WITHDRAWN)
        move.set_deadline(None)
        move.to(CaseStatus.WITHDRAWN, _("Withdrawn: %(reason)s") % {"reason": reason})
    return move.case


def _not_extended(case: MediationCase) -> str:
    return _("The term was extended once already.") if case.extended else ""


def do_extend(case: MediationCase, *, acting_user: Any, days: int, reason: str) -> MediationCase:
    """Extend the term once, by up to 30 days, with a reason."""
    reason = _text(reason, "reason", _("Give the reason."), 500)
    if not isinstance(days, int) or not 1 <= days <= MAX_EXTENSION_DAYS:
        raise FieldErrors([{"field": "days", "message": _("Extend by 1 to 30 days.")}])
    with WORKFLOW.transition(case, "extend", acting_user=acting_user) as move:
        current = move.case
        current.extended, current.extension_reason = True, reason
        move.set_deadline(Duration(days, DeadlineUnit.DAYS), start=current.deadline or timezone.now())
        move.log(
            TimelineKind.DEADLINE,
            _("Term extended by %(days)d days to %(deadline)s: %(reason)s")
            % {"days": days, "deadline": f"{timezone.localtime(current.deadline):%Y-%m-%d}", "reason": reason},
        )
    return move.case


def _within_confirmation(case: MediationCase) -> str:
    agreement = getattr(case, "agreement", None)
    if agreement is None:
        return _("There is no agreement.")
    if agreement.form != AgreementForm.WRITTEN:
        return _("Judicial confirmation is for a written agreement.")
    if agreement.confirmation_applied_on is not None:
        return _("Judicial confirmation was applied for already.")
    return ""


def do_confirmation(case: MediationCase, *, acting_user: Any, applied_on: date | None = None) -> MediationCase:
    """The parties applied to the court for judicial confirmation (within 30 days of signing)."""
    applied_on = applied_on or timezone.localdate()
    with WORKFLOW.transition(case, "confirmation", acting_user=acting_user) as move:
        agreement = move.case.agreement
        if applied_on > timezone.localdate() or applied_on < agreement.signed_on:
            raise FieldErrors([{"field": "applied_on", "message": _("The date lies between the signing and today.")}])
        if applied_on > agreement.confirmation_by:
            raise FieldErrors(
                [
                    {
                        "field": "applied_on",
                        "message": _("The 30 days to apply for judicial confirmation ended on %(day)s.")
                        % {"day": agreement.confirmation_by.isoformat()},
                    }
                ]
            )
        agreement.confirmation_applied_on = applied_on
        agreement.save(update_fields=["confirmation_applied_on"])
        move.log(TimelineKind.COMMENT, _("Judicial confirmation applied for on %(day)s.") % {"day": applied_on})
    return move.case


def do_follow_up(case: MediationCase, *, acting_user: Any, honoured: str, note: str) -> MediationCase:
    """Is the agreement honoured?  (Due 30 days after signing.)"""
    if honoured not in Honoured.values:
        raise FieldErrors([{"field": "honoured", "message": _("Say whether the agreement is honoured.")}])
    note = _text(note, "note", _("Say what you found."), 1000)
    with WORKFLOW.transition(case, "follow_up", acting_user=acting_user) as move:
        move.case.honoured, move.case.follow_up_note = honoured, note
        move.to(
            CaseStatus.FOLLOWED_UP,
            _("Follow-up: %(honoured)s. %(note)s") % {"honoured": Honoured(honoured).label, "note": note},
        )
    return move.case


def do_close(case: MediationCase, *, acting_user: Any, note: str = "") -> MediationCase:
    """File the case away."""
    with WORKFLOW.transition(case, "close", acting_user=acting_user) as move:
        move.to(CaseStatus.CLOSED, (note or "").strip()[:500] or _("Closed."))
    return move.case


# -- the process, declared once (core.workflow) ---------------------------------------------------------------------

_FORMS = "shequ.mediation.forms."


def _ids(values: Any) -> list[Any]:
    return list(values or [])


def _merge(user: Any, case: MediationCase, d: dict[str, Any]) -> MediationCase:
    from .merging import do_merge_into, parties_from

    return do_merge_into(case, acting_user=user, summary=d["summary"], parties=parties_from(d), visit=d.get("visit"))


WORKFLOW = Workflow(
    MediationCase,
    states=CaseStatus,
    open_states=OPEN_STATES,
    timeline=CaseEvent,
    timeline_fk="case",
    lock_related=("committee", "node"),
    watch_fields=("code", "category"),
    warning_text=lambda c: (
        _("Mediation case %(code)s is due by %(deadline)s.")
        % {"code": c.code, "deadline": f"{timezone.localtime(c.deadline):%Y-%m-%d}"}
    ),
    escalation_text=lambda c: (
        _("Mediation case %(code)s is overdue since %(deadline)s; escalated.")
        % {"code": c.code, "deadline": f"{timezone.localtime(c.deadline):%Y-%m-%d}"}
    ),
    steps=[
        Step(
            "accept",
            gettext_lazy("Accept the case"),
            lambda u, c, d: do_accept(c, acting_user=u, mediators=_ids(d.get("mediators"))),
            states=(CaseStatus.REGISTERED,),
            target=CaseStatus.ACCEPTED,
            form=_FORMS + "AcceptForm",
            style="primary",
        ),
        Step(
            "decline",
            gettext_lazy("Decline"),
            lambda u, c, d: do_decline(c, acting_user=u, reason=d["reason"], referred_to=d.get("referred_to") or ""),
            states=(CaseStatus.REGISTERED,),
            target=CaseStatus.DECLINED,
            form=_FORMS + "DeclineForm",
            style="danger",
        ),
        Step(
            "session",
            gettext_lazy("Record a session"),
            lambda u, c, d: do_record_session(
                c,
                acting_user=u,
                held_at=d["held_at"],
                place=d["place"],
                mediators=_ids(d.get("mediators")),
                attendees=d["attendees"],
                minutes=d["minutes"],
            ),
            states=(CaseStatus.ACCEPTED,),
            form=_FORMS + "SessionForm",
            style="primary",
        ),
        Step(
            "agree",
            gettext_lazy("Agreement reached"),
            lambda u, c, d: do_agree(
                c,
                acting_user=u,
                facts=d["facts"],
                terms=d["terms"],
                performance=d["performance"],
                signed_on=d.get("signed_on"),
                form=d.get("form") or AgreementForm.WRITTEN,
            ),
            states=(CaseStatus.ACCEPTED,),
            target=CaseStatus.AGREED,
            form=_FORMS + "AgreementStepForm",
            guard=_needs_session,
            guard_code="no_session",
            style="primary",
        ),
        Step(
            "fail",
            gettext_lazy("Mediation failed"),
            lambda u, c, d: do_fail(c, acting_user=u, reason=d["reason"]),
            states=(CaseStatus.ACCEPTED,),
            target=CaseStatus.FAILED,
            form="shequ.core.forms.ReasonForm",
        ),
        Step(
            "withdraw",
            gettext_lazy("Withdrawn by a party"),
            lambda u, c, d: do_withdraw(c, acting_user=u, reason=d["reason"]),
            states=OPEN_STATES,
            target=CaseStatus.WITHDRAWN,
            form="shequ.core.forms.ReasonForm",
        ),
        Step(
            "extend",
            gettext_lazy("Extend the term"),
            lambda u, c, d: do_extend(c, acting_user=u, days=d["days"], reason=d["reason"]),
            states=(CaseStatus.ACCEPTED,),
            form=_FORMS + "ExtendForm",
            guard=_not_extended,
            guard_code="extended",
        ),
        Step(
            "risk",
            gettext_lazy("Change the risk level"),
            lambda u, c, d: do_raise_risk(c, acting_user=u, risk=d["risk"], note=d["note"]),
            states=OPEN_STATES,
            form=_FORMS + "RiskForm",
        ),
        Step(
            "confirmation",
            gettext_lazy("Judicial confirmation applied for"),
            lambda u, c, d: do_confirmation(c, acting_user=u, applied_on=d.get("applied_on")),
            states=(CaseStatus.AGREED, CaseStatus.FOLLOWED_UP),
            form=_FORMS + "ConfirmationForm",
            guard=_within_confirmation,
            guard_code="no_confirmation",
        ),
        Step(
            "follow_up",
            gettext_lazy("Follow up the agreement"),
            lambda u, c, d: do_follow_up(c, acting_user=u, honoured=d["honoured"], note=d["note"]),
            states=(CaseStatus.AGREED,),
            target=CaseStatus.FOLLOWED_UP,
            form=_FORMS + "FollowUpForm",
            style="primary",
        ),
        Step(
            "merge",
            gettext_lazy("Merge a registration into this case"),
            lambda u, c, d: _merge(u, c, d),
            states=OPEN_STATES,
            form=_FORMS + "MergeForm",
            permission="add",
        ),
        Step(
            "close",
            gettext_lazy("Close the case"),
            lambda u, c, d: do_close(c, acting_user=u, note=d.get("note") or ""),
            states=(CaseStatus.FOLLOWED_UP, CaseStatus.FAILED, CaseStatus.WITHDRAWN),
            target=CaseStatus.CLOSED,
            form=_FORMS + "CloseForm",
        ),
    ],
)
