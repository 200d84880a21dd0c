"""The development pipeline, with the Party's rules on developing members as clear errors:
applicant at least 18; at least one year as activist before becoming a development target; two full
members as introducers; admission starts a probation of one year."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from shequ.core.actions import acting_as, ensure_in_scope
from shequ.core.exceptions import ActionError, NotFound
from shequ.party.models import Category, DevelopmentRecord, EventKind, MemberStatus, PartyMember, Stage
from shequ.party.models.common import add_years

from .common import (
    add_event,
    check_phone,
    identity_fields,
    locked,
    not_future,
    party_org,
    retally,
    save_unique,
    today,
)
from .members import _link_resident, _resident, check_age

RECORD_FIELDS = ("phone", "education", "occupation", "notes")


def _full_members(user: Any, people: Sequence[Any], count: tuple[int, int], what: str) -> list[PartyMember]:
    """*people* as full members the user may see; between count[0] and count[1] distinct ones."""
    ids = [getattr(p, "pk", p) for p in people if p not in (None, "")]
    if len(set(ids)) != len(ids):
        raise ActionError(_("%(what)s must be different people.") % {"what": what}, code="same_person")
    if not count[0] <= len(ids) <= count[1]:
        if count[0] == count[1]:
            message = _("%(what)s: exactly %(n)d are needed.") % {"what": what, "n": count[0]}
        else:
            message = _("%(what)s: %(min)d to %(max)d are needed.") % {"what": what, "min": count[0], "max": count[1]}
        raise ActionError(message, code="people_count")
    found = {m.pk: m for m in PartyMember.objects.restrict(user, "view").filter(pk__in=ids)}
    if len(found) != len(ids):
        raise NotFound()
    result = [found[pk] for pk in ids]
    for person in result:
        if person.status != MemberStatus.FULL:
            raise ActionError(
                _("%(what)s must be full members; %(name)s is %(status)s.")
                % {"what": what, "name": person.name, "status": person.get_status_display()},
                code="not_full_member",
            )
    return result


def do_register_applicant(
    *,
    acting_user: Any,
    organization: Any,
    name: str,
    applied_on: date,
    id_number: str | None = "",
    gender: str = "",
    birth_date: date | None = None,
    resident: Any = None,
    **fields: Any,
) -> DevelopmentRecord:
    """A written application to join the Party, received by a branch."""
    name = (name or "").strip()
    if not name:
        raise ActionError(_("A name is required."), code="required")
    unknown = set(fields) - set(RECORD_FIELDS)
    if unknown:
        raise ActionError(_("Unknown fields: %(names)s.") % {"names": ", ".join(sorted(unknown))}, code="invalid")
    if "phone" in fields:
        fields["phone"] = check_phone(fields["phone"])
    with acting_as(acting_user), transaction.atomic():
        org = party_org(organization, user=acting_user, action="add", perm_model=DevelopmentRecord)
        record = DevelopmentRecord(organization=org, name=name, applied_on=applied_on, **fields)
        identity_fields(record, id_number, gender, birth_date)
        person = _resident(acting_user, resident)
        if person is not None:
            probe = PartyMember(name=name)
            probe.id_hash, probe.id_number = record.id_hash, record.id_number
            _link_resident(probe, acting_user, person)
            record.resident = person
            if not record.id_hash and probe.id_hash:
                record.set_identity_number(probe.id_number)
                record.gender, record.birth_date = probe.gender, probe.birth_date
        not_future(applied_on, _("The date of the application"))
        check_age(record.birth_date, applied_on, _("An applicant"))
        if record.id_hash and PartyMember.objects.filter(id_hash=record.id_hash).exists():
            raise ActionError(_("This person already has a party archive."), code="already_member")
        if record.id_hash and DevelopmentRecord.objects.filter(id_hash=record.id_hash, stage__in=_open()).exists():
            raise ActionError(_("This person is already being developed."), code="duplicate_identity")
        save_unique(record, _("This person is already being developed."), "duplicate_identity")
        ensure_in_scope(record, acting_user, "add")
    return record


def _open() -> tuple[str, ...]:
    from shequ.party.models.development import OPEN_STAGES

    return OPEN_STAGES


def _stage(record: DevelopmentRecord, stage: str) -> None:
    if record.stage != stage:
        raise ActionError(
            _("This step follows the stage “%(needed)s”; %(name)s is at “%(stage)s”.")
            % {"needed": Stage(stage).label, "name": record.name, "stage": record.get_stage_display()},
            code="wrong_stage",
        )


def do_make_activist(
    record: DevelopmentRecord, *, acting_user: Any, on: date, contacts: Sequence[Any]
) -> DevelopmentRecord:
    """The branch designates the applicant an activist and names one or two full members as contacts."""
    with acting_as(acting_user), transaction.atomic():
        current: DevelopmentRecord = locked(DevelopmentRecord, acting_user, record.pk, "change")
        _stage(current, Stage.APPLICANT)
        not_future(on, _("The date"))
        if on < current.applied_on:
            raise ActionError(_("An applicant becomes an activist after applying, not before."), code="invalid_date")
        people = _full_members(acting_user, contacts, (1, 2), _("Contact persons"))
        current.contact_1 = people[0]
        current.contact_2 = people[1] if len(people) > 1 else None
        current.activist_on, current.stage = on, Stage.ACTIVIST
        current.save()
    return current


def do_make_target(record: DevelopmentRecord, *, acting_user: Any, on: date) -> DevelopmentRecord:
    """An activist of at least one year becomes a development target."""
    with acting_as(acting_user), transaction.atomic():
        current: DevelopmentRecord = locked(DevelopmentRecord, acting_user, record.pk, "change")
        _stage(current, Stage.ACTIVIST)
        not_future(on, _("The date"))
        assert current.activist_on is not None
        earliest = add_years(current.activist_on, 1)
        if on < earliest:
            raise ActionError(
                _(
                    "An activist becomes a development target after at least one year of training and "
                    "examination: %(name)s is an activist since %(since)s, so not before %(earliest)s."
                )
                % {"name": current.name, "since": current.activist_on.isoformat(), "earliest": earliest.isoformat()},
                code="activist_year",
            )
        current.target_on, current.stage = on, Stage.TARGET
        current.save()
    return current


def do_admit(
    record: DevelopmentRecord,
    *,
    acting_user: Any,
    on: date,
    introducers: Sequence[Any],
    category: str = Category.OTHER,
) -> PartyMember:
    """The branch meeting admits the development target as a probationary member, on the word of two
    full members; the probation lasts one year.  The archive is created in the developing branch."""
    with acting_as(acting_user), transaction.atomic():
        current: DevelopmentRecord = locked(DevelopmentRecord, acting_user, record.pk, "change", "organization")
        _stage(current, Stage.TARGET)
        not_future(on, _("The date of admission"))
        assert current.target_on is not None
        if on < current.target_on:
            raise ActionError(
                _("A development target is admitted after becoming one (%(on)s), not before.")
                % {"on": current.target_on.isoformat()},
                code="invalid_date",
            )
        check_age(current.birth_date, on, _("A new member"))
        people = _full_members(acting_user, introducers, (2, 2), _("Introducers"))
        org = party_org(current.organization, user=acting_user, action="add")
        member = PartyMember(
            organization=org,
            name=current.name,
            status=MemberStatus.PROBATIONARY,
            category=category,
            phone=current.phone,
            education=current.education,
            occupation=current.occupation,
            joined_on=on,
            probation_ends=add_years(on, 1),
            status_changed_on=on,
        )
        member.id_number, member.id_hash, member.id_masked = current.id_number, current.id_hash, current.id_masked
        member.gender, member.birth_date = current.gender, current.birth_date
        resident = current.resident
        if resident is not None and PartyMember.objects.filter(resident=resident).exists():
            resident = None
        member.resident = resident
        if member.id_hash and PartyMember.objects.filter(id_hash=member.id_hash).exists():
            raise ActionError(_("This person already has a party archive."), code="already_member")
        save_unique(member, _("This person already has a party archive."), "already_member")
        ensure_in_scope(member, acting_user, "add")
        retally(None, member)
        current.introducer_1, current.introducer_2 = people
        current.admitted_on, current.stage, current.member = on, Stage.PROBATIONARY, member
        current.save()
        add_event(
            member,
            EventKind.ADMITTED,
            on,
            _("Admitted as a probationary member; introducers %(a)s and %(b)s")
            % {"a": people[0].name, "b": people[1].name},
            details=_("Applied on %(applied)s; activist since %(activist)s; development target since %(target)s.")
            % {
                "applied": current.applied_on.isoformat(),
                "activist": current.activist_on.isoformat() if current.activist_on else "—",
                "target": current.target_on.isoformat(),
            },
            user=acting_user,
        )
    return member


def do_stop_development(
    record: DevelopmentRecord, *, acting_user: Any, reason: str, on: date | None = None
) -> DevelopmentRecord:
    on = on or today()
    if not (reason or "").strip():
        raise ActionError(_("Give the reason."), code="reason_required")
    with acting_as(acting_user), transaction.atomic():
        current: DevelopmentRecord = locked(DevelopmentRecord, acting_user, record.pk, "change")
        if current.stage not in _open():
            raise ActionError(_("Only a development still under way can be stopped."), code="wrong_stage")
        not_future(on, _("The date"))
        current.stage, current.stopped_on, current.stopped_reason = Stage.STOPPED, on, reason.strip()[:200]
        current.save()
    return current


def do_update_record(record: DevelopmentRecord, *, acting_user: Any, **fields: Any) -> DevelopmentRecord:
    """Contact details and notes (the stages change only through the steps above)."""
    unknown = set(fields) - set(RECORD_FIELDS) - {"name"}
    if unknown:
        raise ActionError(_("Unknown fields: %(names)s.") % {"names": ", ".join(sorted(unknown))}, code="invalid")
    with acting_as(acting_user), transaction.atomic():
        current: DevelopmentRecord = locked(DevelopmentRecord, acting_user, record.pk, "change")
        if "phone" in fields:
            fields["phone"] = check_phone(fields["phone"])
        if "name" in fields:
            fields["name"] = (fields["name"] or "").strip()
            if not fields["name"]:
                raise ActionError(_("A name is required."), code="required")
        for key, value in fields.items():
            setattr(current, key, value)
        current.save()
        ensure_in_scope(current, acting_user, "change")
    return current
