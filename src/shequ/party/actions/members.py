"""Writes on member archives: registration, corrections, status, probation (conversion, extension,
cancellation) and the timeline.  A member's organization changes only through a transfer."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from shequ.core.actions import acting_as, ensure_in_scope
from shequ.core.exceptions import ActionError, NotFound
from shequ.party.models import (
    Category,
    DevelopmentRecord,
    EventKind,
    MemberStatus,
    PartyMember,
    RelationTransfer,
    Stage,
)
from shequ.party.models.common import add_months, add_years, age_on
from shequ.party.models.members import ACTIVE_STATUSES, MANUAL_EVENT_KINDS
from shequ.people.actions import check_ethnicity
from shequ.people.models import Resident

from .common import (
    add_event,
    check_phone,
    counted,
    identity_fields,
    locked,
    not_future,
    party_org,
    pk_of,
    retally,
    save_unique,
    today,
)

MIN_AGE = 18
MAX_EXTENSION_MONTHS = 12
MEMBER_FIELDS = (
    "name",
    "phone",
    "ethnicity",
    "education",
    "occupation",
    "work_unit",
    "category",
    "dues_base",
    "basic_allowance",
    "notes",
    "resident",
    "id_number",
    "gender",
    "birth_date",
    "joined_on",
    "converted_on",
)


def check_age(born: date | None, on: date, what: str) -> None:
    """At least 18 on *on* (the 18th birthday itself counts)."""
    age = age_on(born, on)
    if age is None:
        raise ActionError(
            _("The birth date is needed to check the age: give the identity number."), code="birth_date_required"
        )
    if age < MIN_AGE:
        raise ActionError(
            _("%(what)s must be at least 18 years old; on %(on)s this person was %(age)d.")
            % {"what": what, "on": on.isoformat(), "age": age},
            code="too_young",
        )


def check_membership_dates(status: str, joined_on: date, converted_on: date | None, born: date | None) -> date:
    """The dates of an archive agree with the Party's rules; returns when the probation ends."""
    not_future(joined_on, _("The date of joining"))
    if born is not None:
        check_age(born, joined_on, _("A new member"))
    probation_ends = add_years(joined_on, 1)
    if status == MemberStatus.PROBATIONARY:
        if converted_on is not None:
            raise ActionError(_("A probationary member has no conversion date yet."), code="converted_on")
        return probation_ends
    if converted_on is None:
        raise ActionError(_("Give the date the member became a full member."), code="converted_on_required")
    not_future(converted_on, _("The conversion date"))
    latest = add_months(probation_ends, MAX_EXTENSION_MONTHS)
    if not probation_ends <= converted_on <= latest:
        raise ActionError(
            _(
                "A probationary member becomes a full member when the one-year probation ends (%(start)s), or "
                "at the end of an extension of at most one year (by %(end)s); %(on)s is outside that."
            )
            % {"start": probation_ends.isoformat(), "end": latest.isoformat(), "on": converted_on.isoformat()},
            code="conversion_date",
        )
    return converted_on


def _duplicate(member: PartyMember, user: Any) -> None:
    if not member.id_hash:
        return
    other = PartyMember.objects.filter(id_hash=member.id_hash).exclude(pk=member.pk).first()
    if other is None:
        return
    if PartyMember.objects.restrict(user, "view").filter(pk=other.pk).exists():
        raise ActionError(
            _("This identity number already has a party archive: %(name)s, %(org)s (record %(pk)d).")
            % {"name": other.name, "org": other.organization.name, "pk": other.pk},
            code="duplicate_identity",
        )
    raise ActionError(
        _(
            "This identity number already has a party archive in an organization outside your area; "
            "ask for a relation transfer instead."
        ),
        code="duplicate_identity",
    )


def _resident(user: Any, resident: Any) -> Resident | None:
    if resident in (None, ""):
        return None
    found = Resident.objects.restrict(user, "view").filter(pk=pk_of(resident)).first()
    if found is None:
        raise NotFound()
    return found


def _link_resident(member: PartyMember, user: Any, resident: Resident | None) -> None:
    """Link the resident given, or the one with the same identity number (when the user may see them)."""
    if resident is None and member.id_hash:
        resident = Resident.objects.restrict(user, "view").filter(id_hash=member.id_hash).first()
    if resident is not None and member.id_hash and resident.id_hash and resident.id_hash != member.id_hash:
        raise ActionError(
            _("The resident %(name)s has a different identity number.") % {"name": resident.name},
            code="resident_mismatch",
        )
    if resident is not None:
        other = PartyMember.objects.filter(resident=resident).exclude(pk=member.pk).first()
        if other is not None:
            raise ActionError(
                _("The resident %(name)s already has a party archive.") % {"name": resident.name},
                code="duplicate_resident",
            )
        if not member.id_hash and resident.id_number:
            member.set_identity_number(resident.id_number)
            member.gender, member.birth_date = resident.gender, resident.birth_date
    member.resident = resident


def _check_dues_fields(fields: dict[str, Any]) -> None:
    base = fields.get("dues_base")
    if base not in (None, "") and Decimal(str(base)) < 0:
        raise ActionError(_("The monthly income cannot be negative."), code="dues_base_negative")


def do_create_member(
    *,
    acting_user: Any,
    organization: Any,
    name: str,
    joined_on: date,
    status: str = MemberStatus.PROBATIONARY,
    converted_on: date | None = None,
    id_number: str | None = "",
    gender: str = "",
    birth_date: date | None = None,
    phone: str = "",
    resident: Any = None,
    category: str = Category.OTHER,
    **fields: Any,
) -> PartyMember:
    """Register the archive of someone who is a member already (new members come through ``do_admit``)."""
    name = (name or "").strip()
    if not name:
        raise ActionError(_("A name is required."), code="required")
    unknown = set(fields) - set(MEMBER_FIELDS)
    if unknown:
        raise ActionError(_("Unknown fields: %(names)s.") % {"names": ", ".join(sorted(unknown))}, code="invalid")
    if status not in ACTIVE_STATUSES:
        raise ActionError(
            _("A new archive is of a probationary or a full member; record other changes afterwards."),
            code="invalid_status",
        )
    _check_dues_fields(fields)
    with acting_as(acting_user), transaction.atomic():
        org = party_org(organization, user=acting_user, action="add")
        member = PartyMember(
            organization=org, name=name, status=status, category=category, phone=check_phone(phone), **fields
        )
        if "ethnicity" in fields:
            member.ethnicity = check_ethnicity(fields["ethnicity"])
        identity_fields(member, id_number, gender, birth_date)
        _link_resident(member, acting_user, _resident(acting_user, resident))
        ends = check_membership_dates(status, joined_on, converted_on, member.birth_date)
        member.joined_on = joined_on
        member.status_changed_on = joined_on if status == MemberStatus.PROBATIONARY else converted_on
        if status == MemberStatus.PROBATIONARY:
            member.probation_ends = ends
        else:
            member.converted_on = converted_on
            member.probation_ends = converted_on
            member.probation_extended = converted_on != add_years(joined_on, 1)
        _duplicate(member, acting_user)
        save_unique(member, _("This identity number already has a party archive."), "duplicate_identity")
        ensure_in_scope(member, acting_user, "add")
        retally(None, member)
        add_event(member, EventKind.ADMITTED, joined_on, _("Admitted as a probationary member"), user=acting_user)
        if member.converted_on:
            add_event(member, EventKind.CONVERTED, member.converted_on, _("Became a full member"), user=acting_user)
    return member


def do_update_member(member: PartyMember, *, acting_user: Any, **fields: Any) -> PartyMember:
    """Correct or complete an archive.  The organization and the status change through their own actions."""
    unknown = set(fields) - set(MEMBER_FIELDS)
    if unknown:
        raise ActionError(_("Unknown fields: %(names)s.") % {"names": ", ".join(sorted(unknown))}, code="invalid")
    _check_dues_fields(fields)
    with acting_as(acting_user), transaction.atomic():
        current: PartyMember = locked(PartyMember, acting_user, member.pk, "change", "organization")
        before = counted(current)
        old_category = current.category
        identity = {k: fields.pop(k) for k in ("id_number", "gender", "birth_date") if k in fields}
        resident = fields.pop("resident", current.resident_id)
        if "name" in fields:
            fields["name"] = (fields["name"] or "").strip()
            if not fields["name"]:
                raise ActionError(_("A name is required."), code="required")
        if "phone" in fields:
            fields["phone"] = check_phone(fields["phone"])
        if "ethnicity" in fields:
            fields["ethnicity"] = check_ethnicity(fields["ethnicity"])
        for key, value in fields.items():
            setattr(current, key, value)
        if identity:
            identity_fields(
                current,
                identity.get("id_number", current.id_number),
                identity.get("gender", current.gender),
                identity.get("birth_date", current.birth_date),
            )
        if pk_of(resident) != current.resident_id:
            _link_resident(current, acting_user, _resident(acting_user, resident))
        if "joined_on" in fields or "converted_on" in fields:
            if current.status in ACTIVE_STATUSES:
                ends = check_membership_dates(
                    current.status, current.joined_on, current.converted_on, current.birth_date
                )
                if current.status == MemberStatus.PROBATIONARY and not current.probation_extended:
                    current.probation_ends = ends
        _duplicate(current, acting_user)
        save_unique(current, _("This identity number already has a party archive."), "duplicate_identity")
        ensure_in_scope(current, acting_user, "change")
        retally(before, current)
        if current.category != old_category:
            add_event(
                current,
                EventKind.CATEGORY_CHANGED,
                today(),
                _("Category: %(old)s → %(new)s")
                % {"old": Category(old_category).label, "new": Category(current.category).label},
                user=acting_user,
            )
    return current


def _no_open_transfer(member: PartyMember) -> None:
    if RelationTransfer.objects.filter(member=member, is_open=True).exists():
        raise ActionError(
            _("%(name)s has an open relation transfer: complete, reject or return it first.") % {"name": member.name},
            code="open_transfer",
        )


def do_convert(member: PartyMember, *, acting_user: Any, decided_on: date | None = None) -> PartyMember:
    """The branch meeting converts a probationary member when the probation (or its extension) ends;
    Party standing counts from that day."""
    decided_on = decided_on or today()
    with acting_as(acting_user), transaction.atomic():
        current: PartyMember = locked(PartyMember, acting_user, member.pk, "change", "organization")
        before = counted(current)
        if current.status != MemberStatus.PROBATIONARY:
            raise ActionError(_("Only a probationary member can be converted."), code="not_probationary")
        not_future(decided_on, _("The decision"))
        assert current.probation_ends is not None
        if decided_on < current.probation_ends:
            raise ActionError(
                _("The probation ends on %(end)s: the conversion is discussed then, not earlier.")
                % {"end": current.probation_ends.isoformat()},
                code="probation_not_over",
            )
        current.status = MemberStatus.FULL
        current.converted_on = current.probation_ends
        current.status_changed_on = current.probation_ends
        current.save()
        retally(before, current)
        add_event(
            current,
            EventKind.CONVERTED,
            current.converted_on,
            _("Became a full member (decided on %(on)s)") % {"on": decided_on.isoformat()},
            user=acting_user,
        )
        DevelopmentRecord.objects.filter(member=current).update(stage=Stage.FULL, converted_on=current.converted_on)
    return current


def do_extend_probation(
    member: PartyMember, *, acting_user: Any, months: int, decided_on: date | None = None, reason: str = ""
) -> PartyMember:
    """Extend the probation once, by at most one year, when it ends."""
    decided_on = decided_on or today()
    with acting_as(acting_user), transaction.atomic():
        current: PartyMember = locked(PartyMember, acting_user, member.pk, "change", "organization")
        if current.status != MemberStatus.PROBATIONARY:
            raise ActionError(_("Only a probationary member's probation can be extended."), code="not_probationary")
        if current.probation_extended:
            raise ActionError(
                _("The probation was extended already; it can be extended only once, by at most one year."),
                code="already_extended",
            )
        if not 1 <= int(months) <= MAX_EXTENSION_MONTHS:
            raise ActionError(
                _("A probation is extended by 1 to 12 months, never more than one year."), code="extension_too_long"
            )
        not_future(decided_on, _("The decision"))
        assert current.probation_ends is not None
        if decided_on < current.probation_ends:
            raise ActionError(
                _("The probation ends on %(end)s: an extension is decided then, not earlier.")
                % {"end": current.probation_ends.isoformat()},
                code="probation_not_over",
            )
        if not reason.strip():
            raise ActionError(_("Give the reason for the extension."), code="reason_required")
        old_end = current.probation_ends
        current.probation_ends = add_months(old_end, int(months))
        current.probation_extended = True
        current.save()
        add_event(
            current,
            EventKind.PROBATION_EXTENDED,
            decided_on,
            _("Probation extended by %(months)d months, to %(end)s")
            % {"months": int(months), "end": current.probation_ends.isoformat()},
            details=reason.strip(),
            user=acting_user,
        )
    return current


def do_cancel_probation(
    member: PartyMember, *, acting_user: Any, reason: str, decided_on: date | None = None
) -> PartyMember:
    """Cancel a probationary membership (the member does not meet the conditions)."""
    decided_on = decided_on or today()
    if not (reason or "").strip():
        raise ActionError(_("Give the reason for the cancellation."), code="reason_required")
    with acting_as(acting_user), transaction.atomic():
        current: PartyMember = locked(PartyMember, acting_user, member.pk, "change", "organization")
        before = counted(current)
        if current.status != MemberStatus.PROBATIONARY:
            raise ActionError(_("Only a probationary membership can be cancelled."), code="not_probationary")
        not_future(decided_on, _("The decision"))
        _no_open_transfer(current)
        current.status = MemberStatus.LEFT
        current.status_changed_on = decided_on
        current.save()
        retally(before, current)
        add_event(
            current,
            EventKind.PROBATION_CANCELLED,
            decided_on,
            _("Probationary membership cancelled"),
            details=reason.strip(),
            user=acting_user,
        )
        DevelopmentRecord.objects.filter(member=current).update(
            stage=Stage.STOPPED, stopped_on=decided_on, stopped_reason=reason.strip()[:200]
        )
    return current


# Changes of status recorded by hand (transfers and probation have their own actions).
STATUS_CHANGES: dict[str, tuple[str, ...]] = {
    MemberStatus.DECEASED: (MemberStatus.PROBATIONARY, MemberStatus.FULL, MemberStatus.LOST_CONTACT),
    MemberStatus.LEFT: (MemberStatus.FULL, MemberStatus.LOST_CONTACT),
    MemberStatus.LOST_CONTACT: (MemberStatus.PROBATIONARY, MemberStatus.FULL),
}


def do_change_status(
    member: PartyMember, *, acting_user: Any, status: str, on: date | None = None, reason: str = ""
) -> PartyMember:
    """Death, leaving the Party, losing or regaining contact.  ``status="active"`` restores a member whose
    contact was lost (to full or probationary, as they were)."""
    on = on or today()
    with acting_as(acting_user), transaction.atomic():
        current: PartyMember = locked(PartyMember, acting_user, member.pk, "change", "organization")
        before = counted(current)
        not_future(on, _("The date"))
        old = current.status
        if status == "active":
            if old != MemberStatus.LOST_CONTACT:
                raise ActionError(_("Only a member whose contact was lost can be restored."), code="invalid_status")
            status = MemberStatus.FULL if current.converted_on else MemberStatus.PROBATIONARY
        elif status not in STATUS_CHANGES:
            raise ActionError(
                _("This change of status is made by its own action (admission, conversion, transfer)."),
                code="invalid_status",
            )
        elif old not in STATUS_CHANGES[status]:
            raise ActionError(
                _("A member who is %(old)s cannot become %(new)s.")
                % {"old": MemberStatus(old).label, "new": MemberStatus(status).label},
                code="invalid_status",
            )
        if status == MemberStatus.LEFT and not reason.strip():
            raise ActionError(_("Give the reason."), code="reason_required")
        if current.status_changed_on and on < current.status_changed_on:
            raise ActionError(
                _("The status changed last on %(on)s; this change cannot come before it.")
                % {"on": current.status_changed_on.isoformat()},
                code="invalid_date",
            )
        if status not in ACTIVE_STATUSES:
            _no_open_transfer(current)
        current.status = status
        current.status_changed_on = on
        current.save()
        retally(before, current)
        add_event(
            current,
            EventKind.STATUS_CHANGED,
            on,
            _("Status: %(old)s → %(new)s") % {"old": MemberStatus(old).label, "new": MemberStatus(status).label},
            details=reason.strip(),
            user=acting_user,
        )
    return current


def do_add_event(
    member: PartyMember,
    *,
    acting_user: Any,
    kind: str,
    on: date,
    title: str,
    details: str = "",
    hours: Any = None,
) -> Any:
    """Record a post, training, report, honour or other entry in the member's archive."""
    if kind not in MANUAL_EVENT_KINDS:
        raise ActionError(_("This kind of entry is written by the platform itself."), code="invalid_kind")
    if not (title or "").strip():
        raise ActionError(_("A title is required."), code="required")
    if hours not in (None, "") and not Decimal("0") < Decimal(hours) <= Decimal("2000"):
        raise ActionError(_("The hours must be more than 0."), code="invalid_hours")
    with acting_as(acting_user), transaction.atomic():
        current: PartyMember = locked(PartyMember, acting_user, member.pk, "change", "organization")
        not_future(on, _("The date"))
        return add_event(
            current,
            kind,
            on,
            title.strip(),
            details=details.strip(),
            hours=Decimal(str(hours)) if hours not in (None, "") else None,
            user=acting_user,
        )
