"""Helpers shared by the party actions: scoped fetches with locks, party organizations, the timeline."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db import IntegrityError, models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from shequ.core.exceptions import ActionError, NotFound
from shequ.orgs.models import PARTY_KINDS, Organization
from shequ.party.models import EventKind, MemberEvent, PartyMember
from shequ.people.actions import check_identity, check_phone

# Organizations that keep members and develop new ones (party groups belong to a branch and keep none).
MEMBER_ORG_KINDS = tuple(k for k in PARTY_KINDS if k not in ("party_group", "functional_group"))

__all__ = ["check_identity", "check_phone"]


def today() -> date:
    return timezone.localdate()


def pk_of(obj: Any) -> Any:
    return getattr(obj, "pk", obj)


def locked(model: type[models.Model], user: Any, pk: Any, action: str, *related: str) -> Any:
    """*pk* re-read inside the transaction, locked where the database can, within the user's scope."""
    qs = model._default_manager.restrict(user, action).select_for_update(of=("self",))  # type: ignore[attr-defined]
    if related:
        qs = qs.select_related(*related)
    found = qs.filter(pk=pk_of(pk)).first()
    if found is None:
        raise NotFound()
    return found


def party_org(org: Any, *, user: Any = None, action: str = "add", perm_model: Any = PartyMember) -> Organization:
    """An active party organization that keeps members; with *user*, one where they may *action* on
    *perm_model* (404 otherwise).  Without *user*: any on the platform (a transfer's destination)."""
    qs = Organization.objects.select_related("node")
    if user is not None:
        qs = qs.restrict(user, action, perm_model=perm_model)  # type: ignore[attr-defined]
    found = qs.filter(pk=pk_of(org)).first() if org is not None else None
    if found is None:
        raise NotFound()
    if found.kind not in MEMBER_ORG_KINDS:
        raise ActionError(
            _("“%(org)s” is not a party committee, general branch or branch: members belong to one of those.")
            % {"org": found.name},
            code="not_party_org",
        )
    if not found.active:
        raise ActionError(_("“%(org)s” is dissolved.") % {"org": found.name}, code="dissolved")
    return found


def counted(member: PartyMember | None) -> Any:
    """The member as the statistics' rollup counts them (take it before a change; None: a new member)."""
    from shequ.party.tally import snapshot

    return snapshot(member) if member is not None else None


def retally(before: Any, member: PartyMember) -> None:
    """Keep the statistics' rollup current: *member* (saved) was *before* (``counted``) until now."""
    from shequ.core.indicators import mark_dirty
    from shequ.party.indicators import DEVELOPED, REPORTING
    from shequ.party.tally import apply, snapshot

    apply(before, snapshot(member))
    # The policy figures of the member's community (a move also changes the one it left: the nightly refresh
    # catches that one).
    mark_dirty((DEVELOPED, REPORTING), member.node)


def not_future(day: date | None, label: str) -> None:
    if day is not None and day > today():
        raise ActionError(_("%(what)s cannot be in the future.") % {"what": label}, code="future_date")


def add_event(
    member: PartyMember,
    kind: str,
    on: date,
    title: str,
    *,
    user: Any,
    organization: Organization | None = None,
    details: str = "",
    hours: Any = None,
) -> MemberEvent:
    return MemberEvent.objects.create(
        member=member,
        kind=kind,
        on=on,
        title=title[:200],
        details=details,
        organization=organization if organization is not None else member.organization,
        hours=hours,
        recorded_by=user if getattr(user, "is_authenticated", False) else None,
    )


def save_unique(obj: models.Model, message: str, code: str) -> None:
    """Save; a unique index that says no (a concurrent writer) becomes *message*."""
    try:
        with transaction.atomic():
            obj.save()
    except IntegrityError as exc:
        raise ActionError(message, code=code) from exc


def identity_fields(obj: Any, id_number: str | None, gender: str = "", birth_date: date | None = None) -> None:
    """Set the identity number with the gender and birth date it encodes (what was typed must agree)."""
    from shequ.people.actions import check_matches_identity

    if id_number:
        identity = check_identity(id_number)
        check_matches_identity(identity.number, gender, birth_date)
        obj.set_identity_number(identity.number)
        obj.gender, obj.birth_date = identity.gender, identity.birth_date
    else:
        obj.set_identity_number("")
        obj.gender, obj.birth_date = gender or "", birth_date


EVENT_KIND = EventKind
