"""Organizational-relation transfers.  The member stays in the sending organization until the transfer
completes, so they belong to exactly one organization at every moment.  A member has at most one open
transfer: the member's row is locked while a transfer is opened (``select_for_update``) and a partial
unique index on open transfers catches any writer that slips past the check."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from shequ.accounts.scope import can
from shequ.core.actions import acting_as
from shequ.core.exceptions import ActionError, NotFound
from shequ.party.models import (
    Category,
    EventKind,
    MemberStatus,
    PartyMember,
    RelationTransfer,
    TransferKind,
    TransferStatus,
)
from shequ.party.models.common import add_years
from shequ.party.models.members import ACTIVE_STATUSES

from .common import (
    add_event,
    check_identity,
    counted,
    identity_fields,
    locked,
    not_future,
    party_org,
    retally,
    save_unique,
    today,
)


def _one_open_message() -> str:
    return _("This member already has an open relation transfer; two transfers at once are impossible.")


def _side(transfer: RelationTransfer, user: Any, side: str) -> None:
    """The user acts for the sending (``from``) or the receiving (``to``) end, or gets a 404."""
    path = transfer.path if side == "from" else transfer.to_path
    org = transfer.from_org_id if side == "from" else transfer.to_org_id
    if side == "to" and transfer.kind == TransferKind.INCOMING:
        path = transfer.path
    if not path or not can(user, RelationTransfer, "change", path, org or 0):
        raise NotFound()


def _status(transfer: RelationTransfer, *allowed: str) -> None:
    if transfer.status not in allowed:
        raise ActionError(
            _("This transfer is %(status)s: this step is not possible now.")
            % {"status": transfer.get_status_display()},
            code="wrong_status",
        )


def _member_for_update(pk: Any) -> PartyMember:
    return PartyMember.objects.select_for_update(of=("self",)).select_related("organization").get(pk=pk)


def _locked_transfer(user: Any, pk: Any) -> RelationTransfer:
    return locked(RelationTransfer, user, pk, "change", "member", "from_org", "to_org")


def do_request_transfer(
    member: PartyMember,
    *,
    acting_user: Any,
    kind: str = TransferKind.INTERNAL,
    to_org: Any = None,
    outside_org: str = "",
    letter_number: str = "",
    valid_until: date | None = None,
    reason: str = "",
    requested_on: date | None = None,
) -> RelationTransfer:
    """The sending side opens a transfer of *member*: to any party organization on the platform, or out."""
    requested_on = requested_on or today()
    if kind not in (TransferKind.INTERNAL, TransferKind.OUTGOING):
        raise ActionError(_("An incoming transfer is registered by the receiving organization."), code="invalid_kind")
    with acting_as(acting_user), transaction.atomic():
        current: PartyMember = locked(PartyMember, acting_user, member.pk, "change", "organization")
        if not can(acting_user, RelationTransfer, "add", current.path, current.organization_id):
            raise NotFound()
        if current.status not in ACTIVE_STATUSES:
            raise ActionError(
                _("%(name)s is %(status)s: only probationary and full members are transferred.")
                % {"name": current.name, "status": current.get_status_display()},
                code="not_active",
            )
        not_future(requested_on, _("The date of the request"))
        if valid_until is not None and valid_until < requested_on:
            raise ActionError(_("The letter cannot expire before the request."), code="invalid_date")
        if RelationTransfer.objects.filter(member=current, is_open=True).exists():
            raise ActionError(_one_open_message(), code="open_transfer")
        transfer = RelationTransfer(
            member=current,
            kind=kind,
            from_org=current.organization,
            node=current.node,
            letter_number=letter_number.strip(),
            valid_until=valid_until,
            reason=reason.strip()[:200],
            requested_on=requested_on,
            requested_by=acting_user if getattr(acting_user, "is_authenticated", False) else None,
        )
        if kind == TransferKind.INTERNAL:
            target = party_org(to_org)  # any organization on the platform
            if target.pk == current.organization_id:
                raise ActionError(_("The member already belongs to “%(org)s”.") % {"org": target.name}, code="same_org")
            transfer.to_org = target
        else:
            if not outside_org.strip():
                raise ActionError(_("Name the organization outside the platform."), code="outside_org_required")
            transfer.outside_org = outside_org.strip()[:200]
        save_unique(transfer, _one_open_message(), "open_transfer")
    return transfer


def do_approve_transfer(
    transfer: RelationTransfer,
    *,
    acting_user: Any,
    on: date | None = None,
    letter_number: str = "",
    valid_until: date | None = None,
) -> RelationTransfer:
    """The sending organization approves (for a transfer out of the platform: issues the letter)."""
    on = on or today()
    with acting_as(acting_user), transaction.atomic():
        current = _locked_transfer(acting_user, transfer.pk)
        _side(current, acting_user, "from")
        _status(current, TransferStatus.REQUESTED)
        if current.kind == TransferKind.INCOMING:
            raise ActionError(_("An incoming transfer is accepted, not approved."), code="invalid_kind")
        not_future(on, _("The date"))
        if on < current.requested_on:
            raise ActionError(_("A transfer is approved after it is requested."), code="invalid_date")
        if letter_number.strip():
            current.letter_number = letter_number.strip()
        if valid_until is not None:
            current.valid_until = valid_until
            current.due_on = valid_until
        if current.kind == TransferKind.OUTGOING and not current.letter_number:
            raise ActionError(_("Give the number of the introduction letter."), code="letter_required")
        if current.valid_until is not None and current.valid_until < on:
            raise ActionError(_("The letter has expired."), code="letter_expired")
        current.status, current.approved_on = TransferStatus.APPROVED, on
        current.approved_by = acting_user if getattr(acting_user, "is_authenticated", False) else None
        current.save()
    return current


def _close(transfer: RelationTransfer, status: str, user: Any, on: date, response: str = "") -> None:
    transfer.status, transfer.closed_on, transfer.response = status, on, response.strip()[:200]
    transfer.closed_by = user if getattr(user, "is_authenticated", False) else None
    transfer.save()


def do_reject_transfer(
    transfer: RelationTransfer, *, acting_user: Any, reason: str, on: date | None = None
) -> RelationTransfer:
    """The sending organization refuses the request; the member stays."""
    on = on or today()
    if not (reason or "").strip():
        raise ActionError(_("Give the reason."), code="reason_required")
    with acting_as(acting_user), transaction.atomic():
        current = _locked_transfer(acting_user, transfer.pk)
        _side(current, acting_user, "from")
        _status(current, TransferStatus.REQUESTED)
        if current.kind == TransferKind.INCOMING:
            raise ActionError(_("An incoming transfer is returned, not rejected."), code="invalid_kind")
        _close(current, TransferStatus.REJECTED, acting_user, on, reason)
    return current


def do_return_transfer(
    transfer: RelationTransfer, *, acting_user: Any, reason: str, on: date | None = None
) -> RelationTransfer:
    """The receiving organization sends the transfer back; the member stays where they were."""
    on = on or today()
    if not (reason or "").strip():
        raise ActionError(_("Give the reason."), code="reason_required")
    with acting_as(acting_user), transaction.atomic():
        current = _locked_transfer(acting_user, transfer.pk)
        if current.kind == TransferKind.OUTGOING:
            raise ActionError(_("The receiving organization is outside the platform."), code="invalid_kind")
        _side(current, acting_user, "to")
        if current.kind == TransferKind.INTERNAL:
            _status(current, TransferStatus.APPROVED)
        else:
            _status(current, TransferStatus.REQUESTED)
        _close(current, TransferStatus.RETURNED, acting_user, on, reason)
    return current


def do_accept_transfer(transfer: RelationTransfer, *, acting_user: Any, on: date | None = None) -> RelationTransfer:
    """The receiving organization accepts: the member moves there (an incoming member's archive is
    created, or a former member's reopened)."""
    on = on or today()
    with acting_as(acting_user), transaction.atomic():
        current = _locked_transfer(acting_user, transfer.pk)
        if current.kind == TransferKind.OUTGOING:
            raise ActionError(
                _("The receiving organization is outside the platform: confirm the arrival instead."),
                code="invalid_kind",
            )
        _side(current, acting_user, "to")
        not_future(on, _("The date"))
        if current.valid_until is not None and on > current.valid_until:
            # The member reports to the receiving organization within the letter's validity; after it
            # the sending organization issues a new letter (this transfer is returned or rejected).
            raise ActionError(
                _(
                    "The introduction letter was valid until %(date)s: it has expired. "
                    "Return the transfer; the sending organization issues a new letter."
                )
                % {"date": current.valid_until.isoformat()},
                code="letter_expired",
            )
        if current.kind == TransferKind.INTERNAL:
            _status(current, TransferStatus.APPROVED)
            assert current.approved_on is not None
            if on < current.approved_on:
                raise ActionError(_("A transfer is accepted after it is approved."), code="invalid_date")
            target = party_org(current.to_org)
            # The transfer, checked above, is the receiver's right to the member.
            member = _member_for_update(current.member_id)
            source, before = member.organization, counted(member)
            member.organization = target
            member.save()
            retally(before, member)
            _close(current, TransferStatus.COMPLETED, acting_user, on)
            RelationTransfer.objects.filter(pk=current.pk).update(node=target.node, path=target.path)
            add_event(
                member,
                EventKind.TRANSFER,
                on,
                _("Relation transferred from %(from)s to %(to)s") % {"from": source.name, "to": target.name},
                organization=target,
                details=current.reason,
                user=acting_user,
            )
        else:
            _status(current, TransferStatus.REQUESTED)
            member = _arrive(current, acting_user, on)
            current.member = member
            _close(current, TransferStatus.COMPLETED, acting_user, on)
    return current


def do_confirm_arrival(transfer: RelationTransfer, *, acting_user: Any, on: date | None = None) -> RelationTransfer:
    """A transfer out of the platform: the receipt came back, the member has arrived; the archive stays
    here with the status "transferred out"."""
    on = on or today()
    with acting_as(acting_user), transaction.atomic():
        current = _locked_transfer(acting_user, transfer.pk)
        _side(current, acting_user, "from")
        if current.kind != TransferKind.OUTGOING:
            raise ActionError(_("Only a transfer out of the platform has its arrival confirmed."), code="invalid_kind")
        _status(current, TransferStatus.APPROVED)
        not_future(on, _("The date"))
        member = _member_for_update(current.member_id)
        before = counted(member)
        member.status, member.status_changed_on = MemberStatus.TRANSFERRED_OUT, on
        member.save()
        retally(before, member)
        _close(current, TransferStatus.COMPLETED, acting_user, on)
        add_event(
            member,
            EventKind.TRANSFER,
            on,
            _("Relation transferred out of the platform to %(to)s (letter %(letter)s)")
            % {"to": current.outside_org, "letter": current.letter_number},
            user=acting_user,
        )
    return current


def do_register_incoming(
    *,
    acting_user: Any,
    to_org: Any,
    outside_org: str,
    person_name: str,
    id_number: str,
    member_status: str,
    joined_on: date,
    letter_number: str,
    valid_until: date | None = None,
    category: str = Category.OTHER,
    reason: str = "",
    requested_on: date | None = None,
) -> RelationTransfer:
    """A member arrives with a letter from an organization outside the platform; the receiving one records it."""
    requested_on = requested_on or today()
    if not (person_name or "").strip():
        raise ActionError(_("A name is required."), code="required")
    if not (outside_org or "").strip():
        raise ActionError(_("Name the organization outside the platform."), code="outside_org_required")
    if not (letter_number or "").strip():
        raise ActionError(_("Give the number of the introduction letter."), code="letter_required")
    if member_status not in ACTIVE_STATUSES:
        raise ActionError(_("Say whether a probationary or a full member is coming."), code="invalid_status")
    with acting_as(acting_user), transaction.atomic():
        target = party_org(to_org, user=acting_user, action="add", perm_model=RelationTransfer)
        not_future(requested_on, _("The date"))
        not_future(joined_on, _("The date of joining"))
        if valid_until is not None and valid_until < requested_on:
            raise ActionError(_("The letter cannot expire before it arrives."), code="invalid_date")
        transfer = RelationTransfer(
            kind=TransferKind.INCOMING,
            to_org=target,
            node=target.node,
            outside_org=outside_org.strip()[:200],
            person_name=person_name.strip(),
            member_status=member_status,
            joined_on=joined_on,
            category=category,
            letter_number=letter_number.strip(),
            valid_until=valid_until,
            reason=reason.strip()[:200],
            requested_on=requested_on,
            requested_by=acting_user if getattr(acting_user, "is_authenticated", False) else None,
        )
        identity_fields(transfer, id_number)
        if not transfer.id_hash:
            raise ActionError(_("The identity number is required."), code="id_required")
        existing = PartyMember.objects.filter(id_hash=transfer.id_hash).first()
        if existing is not None and existing.status != MemberStatus.TRANSFERRED_OUT:
            raise ActionError(
                _("This identity number belongs to a member on the platform: transfer them within the platform."),
                code="already_member",
            )
        if existing is not None and RelationTransfer.objects.filter(member=existing, is_open=True).exists():
            raise ActionError(_one_open_message(), code="open_transfer")
        save_unique(transfer, _one_open_message(), "open_transfer")
    return transfer


def _arrive(transfer: RelationTransfer, user: Any, on: date) -> PartyMember:
    target = party_org(transfer.to_org)
    member = PartyMember.objects.select_for_update().filter(id_hash=transfer.id_hash).first()
    before = counted(member)
    if member is not None:
        if member.status != MemberStatus.TRANSFERRED_OUT:
            raise ActionError(_("This person already has an active party archive."), code="already_member")
        member.organization = target
        member.status = transfer.member_status
        member.status_changed_on = on
    else:
        member = PartyMember(
            organization=target,
            name=transfer.person_name,
            status=transfer.member_status,
            category=transfer.category or Category.OTHER,
            joined_on=transfer.joined_on,  # type: ignore[misc]
            status_changed_on=on,
        )
        member.id_number, member.id_hash, member.id_masked = transfer.id_number, transfer.id_hash, transfer.id_masked
        identity = check_identity(transfer.id_number)
        member.gender, member.birth_date = identity.gender, identity.birth_date
        assert transfer.joined_on is not None
        if transfer.member_status == MemberStatus.PROBATIONARY:
            member.probation_ends = add_years(transfer.joined_on, 1)
        else:
            # The letter gives the date of joining; the conversion is taken as the end of a one-year
            # probation until the archive is corrected.
            member.converted_on = add_years(transfer.joined_on, 1)
    save_unique(member, _("This person already has a party archive."), "already_member")
    retally(before, member)
    add_event(
        member,
        EventKind.TRANSFER,
        on,
        _("Relation transferred in from %(from)s (letter %(letter)s)")
        % {"from": transfer.outside_org, "letter": transfer.letter_number},
        organization=target,
        user=user,
    )
    return member
