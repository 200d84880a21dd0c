"""Writes on residents and households.  Views, API, importers and commands all come through here.

Each ``do_*`` takes a keyword-only ``acting_user``, runs in one transaction, answers 404
(``NotFound``) for anything outside the user's area, re-checks the scope after writing and
leaves an audit entry (django-auditlog, with the identity number only ever in masked form).
A resident is never deleted: archiving keeps the record with the reason and the date.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from shequ.accounts.scope import can
from shequ.core.actions import acting_as, ensure_in_scope
from shequ.core.exceptions import ActionError, NotFound
from shequ.territory.models import Kind, Node

from .fields import id_hash_of
from .identity import Identity, IdentityError, normalize_id, parse_identity, parse_phone
from .models import ETHNICITIES, ArchiveReason, CareTag, Gender, Household, Relation, Resident, ResidentMove

# Where people live: a community or anything below it.
DWELLING_KINDS = frozenset({Kind.COMMUNITY, Kind.GRID, Kind.ESTATE, Kind.BUILDING, Kind.UNIT})
RESIDENT_FIELDS = (
    "name",
    "gender",
    "birth_date",
    "phone",
    "ethnicity",
    "education",
    "political_status",
    "employment",
    "residence_type",
    "notes",
)


# -- checks ---------------------------------------------------------------------------------------------------


def check_identity(value: Any) -> Identity:
    """The checked identity number, or an ActionError with the identity error's code."""
    try:
        return parse_identity(value)
    except IdentityError as exc:
        raise ActionError(exc.message, code=exc.code) from None


def check_phone(value: Any) -> str:
    try:
        return parse_phone(value)
    except IdentityError as exc:
        raise ActionError(exc.message, code=exc.code) from None


def check_matches_identity(identity_number: str, gender: str | None, birth_date: date | None) -> None:
    """What was typed for gender and birth date must be what the identity number says."""
    if not identity_number:
        return
    identity = check_identity(identity_number)
    if gender and gender != identity.gender:
        raise ActionError(
            _("The gender (%(typed)s) does not match the identity number, which says %(derived)s.")
            % {"typed": Gender(gender).label, "derived": Gender(identity.gender).label},
            code="gender_mismatch",
        )
    if birth_date and birth_date != identity.birth_date:
        raise ActionError(
            _("The birth date (%(typed)s) does not match the identity number, which says %(derived)s.")
            % {"typed": birth_date.isoformat(), "derived": identity.birth_date.isoformat()},
            code="birth_date_mismatch",
        )


def check_ethnicity(value: str) -> str:
    value = (value or "").strip()
    if value and value not in ETHNICITIES and f"{value}族" in ETHNICITIES:
        value = f"{value}族"
    if value and value not in ETHNICITIES:
        raise ActionError(
            _("“%(value)s” is not one of the 56 ethnic groups.") % {"value": value}, code="invalid_ethnicity"
        )
    return value


def duplicate_message(other: Resident, user: Any) -> str:
    """Name the resident who already has the number only to someone who may see them."""
    if Resident.objects.restrict(user, "view").filter(pk=other.pk).exists():
        return _("This identity number is already registered: %(name)s, %(place)s (record %(pk)d).") % {
            "name": other.name,
            "place": other.node.name,
            "pk": other.pk,
        }
    return _(
        "This identity number is already registered in an area outside yours; "
        "ask the street or district office to move that resident here."
    )


def _check_unique(resident: Resident, user: Any) -> None:
    if not resident.id_hash:
        return
    other = Resident.objects.filter(id_hash=resident.id_hash).exclude(pk=resident.pk).select_related("node").first()
    if other is not None:
        raise ActionError(duplicate_message(other, user), code="duplicate_identity")


def find_by_identity(user: Any, value: str, action: str = "view") -> Resident | None:
    """The resident with the full identity number *value*, if inside the user's scope."""
    number = normalize_id(value)
    if len(number) != 18:
        return None
    return Resident.objects.restrict(user, action).filter(id_hash=id_hash_of(number)).first()


def _dwelling(node: Node | None, user: Any, action: str) -> Node:
    """*node* re-read inside the transaction: active, where people live, inside the user's scope."""
    if node is None:
        raise ActionError(_("Choose where the resident lives."), code="required")
    fresh = Node.objects.filter(pk=node.pk, retired=False).first()
    if fresh is None or not can(user, Resident, action, fresh.path):
        raise NotFound()
    if fresh.kind not in DWELLING_KINDS:
        raise ActionError(
            _("People are registered in a community or a place under it, not in a %(kind)s.")
            % {"kind": fresh.get_kind_display()},
            code="invalid_node",
        )
    return fresh


def _locked(model: Any, obj: Any, user: Any, action: str) -> Any:
    """*obj* re-read (and locked where the database can) inside the transaction, within scope."""
    current = model.objects.restrict(user, action).select_for_update().filter(pk=obj.pk).first()
    if current is None:
        raise NotFound()
    return current


def _active_tags(tags: Iterable[Any]) -> list[CareTag]:
    ids = [t.pk if isinstance(t, CareTag) else int(t) for t in tags]
    found = list(CareTag.objects.filter(pk__in=ids, active=True))
    if len(found) != len(set(ids)):
        raise ActionError(_("Unknown or retired special-care tag."), code="invalid_tag")
    return found


def _save(resident: Resident) -> None:
    try:
        with transaction.atomic():
            resident.save()
    except IntegrityError as exc:  # two writers with the same number at once: the unique index decides
        raise ActionError(_("This identity number is already registered."), code="duplicate_identity") from exc


# -- residents ------------------------------------------------------------------------------------------------


def do_create_resident(
    *,
    acting_user: Any,
    node: Node | None,
    name: str,
    id_number: str | None = "",
    gender: str = "",
    birth_date: date | None = None,
    phone: str = "",
    tags: Iterable[Any] = (),
    household: Household | None = None,
    relation: str = "",
    **fields: Any,
) -> Resident:
    name = (name or "").strip()
    if not name:
        raise ActionError(_("A name is required."), code="required")
    unknown = set(fields) - set(RESIDENT_FIELDS)
    if unknown:
        raise ActionError(_("Unknown fields: %(names)s.") % {"names": ", ".join(sorted(unknown))}, code="invalid")
    with acting_as(acting_user), transaction.atomic():
        if household is not None:
            household = _locked(Household, household, acting_user, "change")
            if node is not None and node.pk != household.node_id:
                raise ActionError(_("The household lives elsewhere than the place chosen."), code="invalid_node")
            node = household.node
        dwelling = _dwelling(node, acting_user, "add")
        if "ethnicity" in fields:
            fields["ethnicity"] = check_ethnicity(fields["ethnicity"])
        resident = Resident(node=dwelling, name=name, phone=check_phone(phone), **fields)
        if id_number:
            identity = check_identity(id_number)
            check_matches_identity(identity.number, gender, birth_date)
            resident.set_identity_number(identity.number)
            resident.gender, resident.birth_date = identity.gender, identity.birth_date
        else:
            resident.gender, resident.birth_date = gender, birth_date
        _check_unique(resident, acting_user)
        _save(resident)
        if tags:
            resident.tags.set(_active_tags(tags))
        if household is not None:
            _join(household, resident, acting_user, relation or Relation.OTHER)
        ensure_in_scope(resident, acting_user, "add")
    return resident


def do_update_resident(resident: Resident, *, acting_user: Any, **fields: Any) -> Resident:
    """Change a resident's details.  ``id_number`` empty or absent keeps the number; moving is ``do_move_resident``."""
    if "node" in fields or "household" in fields:
        raise ActionError(_("Moving a resident is its own action."), code="invalid")
    tags = fields.pop("tags", None)
    id_number = fields.pop("id_number", None)
    unknown = set(fields) - set(RESIDENT_FIELDS)
    if unknown:
        raise ActionError(_("Unknown fields: %(names)s.") % {"names": ", ".join(sorted(unknown))}, code="invalid")
    with acting_as(acting_user), transaction.atomic():
        current: Resident = _locked(Resident, resident, acting_user, "change")
        if "name" in fields:
            fields["name"] = (fields["name"] or "").strip()
            if not fields["name"]:
                raise ActionError(_("A name is required."), code="required")
        if "phone" in fields:
            fields["phone"] = check_phone(fields["phone"])
        if "ethnicity" in fields:
            fields["ethnicity"] = check_ethnicity(fields["ethnicity"])
        if id_number:
            identity = check_identity(id_number)
            current.set_identity_number(identity.number)
        number = current.id_number or ""
        if number:
            check_matches_identity(number, fields.get("gender") or None, fields.get("birth_date") or None)
            identity = check_identity(number)
            fields["gender"], fields["birth_date"] = identity.gender, identity.birth_date
        for key, value in fields.items():
            setattr(current, key, value)
        _check_unique(current, acting_user)
        _save(current)
        if tags is not None:
            current.tags.set(_active_tags(tags))
        ensure_in_scope(current, acting_user, "change")
    return current


def do_archive_resident(
    resident: Resident, *, acting_user: Any, reason: str, archived_on: date | None = None, note: str = ""
) -> Resident:
    """Archive (never delete) a resident who moved away, left or died; they leave their household."""
    if reason not in ArchiveReason.values:
        raise ActionError(_("Choose why the resident is archived."), code="required")
    archived_on = archived_on or timezone.localdate()
    if archived_on > timezone.localdate():
        raise ActionError(_("The date cannot be in the future."), code="future_date")
    with acting_as(acting_user), transaction.atomic():
        current: Resident = _locked(Resident, resident, acting_user, "change")
        if current.archived:
            raise ActionError(_("“%(name)s” is already archived.") % {"name": current.name}, code="archived")
        _leave_household(current)
        current.archived, current.archived_reason, current.archived_on = True, reason, archived_on
        if note:
            current.notes = f"{current.notes}\n{note}".strip()
        current.save()
    return current


def do_restore_resident(resident: Resident, *, acting_user: Any) -> Resident:
    """Undo an archiving made by mistake."""
    with acting_as(acting_user), transaction.atomic():
        current: Resident = _locked(Resident, resident, acting_user, "change")
        if not current.archived:
            raise ActionError(_("“%(name)s” is not archived.") % {"name": current.name}, code="not_archived")
        current.archived, current.archived_reason, current.archived_on = False, "", None
        current.save()
    return current


def _record_move(resident: Resident, to_node: Node, user: Any, moved_on: date | None, reason: str) -> ResidentMove:
    return ResidentMove.objects.create(
        resident=resident,
        from_node_id=resident.node_id,
        to_node=to_node,
        moved_on=moved_on or timezone.localdate(),
        reason=reason[:200],
        recorded_by=user if getattr(user, "is_authenticated", False) else None,
    )


def _relocate(resident: Resident, to_node: Node, user: Any, moved_on: date | None, reason: str) -> None:
    """Move *resident* (already locked) to *to_node*, keeping the history."""
    if resident.node_id == to_node.pk:
        return
    _record_move(resident, to_node, user, moved_on, reason)
    resident.node = to_node
    resident.path = to_node.path


def do_move_resident(
    resident: Resident,
    to_node: Node | None = None,
    *,
    acting_user: Any,
    moved_on: date | None = None,
    reason: str = "",
    household: Household | None = None,
    relation: str = "",
) -> Resident:
    """Move one resident to another place (and household); the move is kept in the history."""
    if moved_on and moved_on > timezone.localdate():
        raise ActionError(_("The date cannot be in the future."), code="future_date")
    with acting_as(acting_user), transaction.atomic():
        current: Resident = _locked(Resident, resident, acting_user, "change")
        if current.archived:
            raise ActionError(_("“%(name)s” is archived.") % {"name": current.name}, code="archived")
        target_household = _locked(Household, household, acting_user, "change") if household is not None else None
        if target_household is not None and to_node is None:
            to_node = target_household.node
        dwelling = _dwelling(to_node, acting_user, "change")
        if target_household is not None and target_household.node_id != dwelling.pk:
            raise ActionError(_("The household lives elsewhere than the place chosen."), code="invalid_node")
        if dwelling.pk == current.node_id and (target_household is None or target_household.pk == current.household_id):
            raise ActionError(_("“%(name)s” already lives there.") % {"name": current.name}, code="no_change")
        if target_household is None or target_household.pk != current.household_id:
            _leave_household(current)
        _relocate(current, dwelling, acting_user, moved_on, reason)
        current.save()
        if target_household is not None and target_household.pk != current.household_id:
            _join(target_household, current, acting_user, relation or Relation.OTHER)
        ensure_in_scope(current, acting_user, "change")
    return current


# -- households -----------------------------------------------------------------------------------------------


def _check_number_free(number: str, user: Any, exclude_pk: int | None = None) -> None:
    if not number:
        return
    others = Household.objects.filter(number=number, dissolved=False)
    if exclude_pk:
        others = others.exclude(pk=exclude_pk)
    other = others.select_related("node").first()
    if other is None:
        return
    if Household.objects.restrict(user, "view").filter(pk=other.pk).exists():
        raise ActionError(
            _("The household number %(number)s is already used by %(household)s.")
            % {"number": number, "household": other},
            code="duplicate_number",
        )
    raise ActionError(
        _("The household number %(number)s is already used in another area.") % {"number": number},
        code="duplicate_number",
    )


def _leave_household(resident: Resident) -> None:
    """Take *resident* out of their household (the head's place falls vacant)."""
    if resident.household_id is None:
        return
    household = Household.objects.filter(pk=resident.household_id, head_id=resident.pk).first()
    if household is not None:
        household.head = None
        household.save()
    resident.household, resident.relation = None, ""


def _join(household: Household, resident: Resident, user: Any, relation: str) -> None:
    """*resident* (locked, saved) joins *household*; as head, the previous head keeps no relation."""
    if relation not in Relation.values:
        raise ActionError(_("Choose the relation to the head of the household."), code="invalid_relation")
    if resident.archived:
        raise ActionError(_("“%(name)s” is archived.") % {"name": resident.name}, code="archived")
    if resident.household_id != household.pk:
        _leave_household(resident)
    if resident.node_id != household.node_id:
        _relocate(
            resident,
            household.node,
            user,
            None,
            _("Joined the household %(household)s") % {"household": household},
        )
    resident.household = household
    resident.relation = relation
    resident.save()
    if relation == Relation.HEAD and household.head_id != resident.pk:
        _replace_head(household, resident)


def _replace_head(household: Household, head: Resident) -> None:
    previous = household.head_id
    if previous and previous != head.pk:
        for old in Resident.objects.filter(pk=previous, household=household):
            old.relation = ""
            old.save()
    household.head = head
    household.save()


def do_create_household(
    *, acting_user: Any, node: Node | None, number: str = "", address: str = "", head: Resident | None = None
) -> Household:
    number, address = (number or "").strip(), (address or "").strip()
    with acting_as(acting_user), transaction.atomic():
        dwelling = _dwelling(node, acting_user, "add")
        if not can(acting_user, Household, "add", dwelling.path):
            raise NotFound()
        _check_number_free(number, acting_user)
        household = Household(node=dwelling, number=number, address=address)
        household.save()
        if head is not None:
            resident = _locked(Resident, head, acting_user, "change")
            _join(household, resident, acting_user, Relation.HEAD)
        ensure_in_scope(household, acting_user, "add")
    return household


def do_update_household(household: Household, *, acting_user: Any, number: str, address: str) -> Household:
    with acting_as(acting_user), transaction.atomic():
        current: Household = _locked(Household, household, acting_user, "change")
        current.number, current.address = (number or "").strip(), (address or "").strip()
        _check_number_free(current.number, acting_user, exclude_pk=current.pk)
        current.save()
        ensure_in_scope(current, acting_user, "change")
    return current


def do_delete_household(household: Household, *, acting_user: Any) -> None:
    """Only an empty household may be deleted (a mistake); one that had people is dissolved by merging."""
    with acting_as(acting_user), transaction.atomic():
        current: Household = _locked(Household, household, acting_user, "delete")
        if Resident.objects.filter(household=current).exists():
            raise ActionError(
                _("The household still has members: move them out, or merge it into another household."),
                code="has_members",
            )
        current.delete()


def _member(household: Household, resident: Resident, user: Any) -> Resident:
    current: Resident = _locked(Resident, resident, user, "change")
    if current.household_id != household.pk:
        raise ActionError(
            _("“%(name)s” is not a member of this household.") % {"name": current.name}, code="not_member"
        )
    return current


def do_add_member(
    household: Household, resident: Resident, *, acting_user: Any, relation: str = Relation.OTHER
) -> Resident:
    """*resident* joins *household* (leaving any other); living elsewhere, they move to the household's place."""
    with acting_as(acting_user), transaction.atomic():
        target: Household = _locked(Household, household, acting_user, "change")
        if target.dissolved:
            raise ActionError(_("The household is dissolved."), code="dissolved")
        current: Resident = _locked(Resident, resident, acting_user, "change")
        _dwelling(target.node, acting_user, "change")
        _join(target, current, acting_user, relation)
        ensure_in_scope(current, acting_user, "change")
    return current


def do_remove_member(household: Household, resident: Resident, *, acting_user: Any) -> Resident:
    with acting_as(acting_user), transaction.atomic():
        target: Household = _locked(Household, household, acting_user, "change")
        current = _member(target, resident, acting_user)
        _leave_household(current)
        current.save()
    return current


def do_set_head(household: Household, resident: Resident, *, acting_user: Any) -> Household:
    """Make a member the head; the previous head's relation must then be set again."""
    with acting_as(acting_user), transaction.atomic():
        target: Household = _locked(Household, household, acting_user, "change")
        current = _member(target, resident, acting_user)
        current.relation = Relation.HEAD
        current.save()
        _replace_head(target, current)
    return target


def do_move_household(
    household: Household,
    to_node: Node,
    *,
    acting_user: Any,
    moved_on: date | None = None,
    reason: str = "",
    address: str | None = None,
) -> Household:
    """Move the whole household with all its members; each member's move is kept in their history."""
    if moved_on and moved_on > timezone.localdate():
        raise ActionError(_("The date cannot be in the future."), code="future_date")
    with acting_as(acting_user), transaction.atomic():
        current: Household = _locked(Household, household, acting_user, "change")
        dwelling = _dwelling(to_node, acting_user, "change")
        if dwelling.pk == current.node_id and (address is None or address == current.address):
            raise ActionError(_("The household already lives there."), code="no_change")
        members = list(Resident.objects.select_for_update().filter(household=current, archived=False))
        allowed = Resident.objects.restrict(acting_user, "change").filter(pk__in=[m.pk for m in members])
        if len(members) != allowed.count():
            raise NotFound()
        reason = reason or _("Household %(household)s moved") % {"household": current}
        for member in members:
            _relocate(member, dwelling, acting_user, moved_on, reason)
            member.save()
        current.node = dwelling
        if address is not None:
            current.address = address.strip()
        current.save()
        ensure_in_scope(current, acting_user, "change")
    return current


def do_split_household(
    household: Household,
    members: Sequence[Resident],
    *,
    acting_user: Any,
    head: Resident,
    number: str = "",
    address: str = "",
    node: Node | None = None,
    moved_on: date | None = None,
) -> Household:
    """Some members form a new household (at the same place, or at *node*), *head* at its head."""
    if not members:
        raise ActionError(_("Choose the members who form the new household."), code="required")
    with acting_as(acting_user), transaction.atomic():
        source: Household = _locked(Household, household, acting_user, "change")
        moving = [_member(source, m, acting_user) for m in members]
        if head.pk not in {m.pk for m in moving}:
            raise ActionError(_("The new head must be one of the members who leave."), code="invalid_head")
        if source.head_id in {m.pk for m in moving}:
            raise ActionError(
                _("The head of the household cannot leave it in a split: make another member the head first."),
                code="head_leaves",
            )
        if len(moving) == Resident.objects.filter(household=source, archived=False).count():
            raise ActionError(_("At least one member must stay in the household."), code="nobody_left")
        dwelling = _dwelling(node or source.node, acting_user, "add")
        number = (number or "").strip()
        _check_number_free(number, acting_user)
        new = Household(node=dwelling, number=number, address=(address or source.address).strip())
        new.save()
        reason = _("Split from the household %(household)s") % {"household": source}
        for member in moving:
            _relocate(member, dwelling, acting_user, moved_on, reason)
            member.household = new
            member.relation = Relation.HEAD if member.pk == head.pk else ""
            member.save()
        new.head_id = head.pk
        new.save()
        ensure_in_scope(new, acting_user, "add")
    return new


def do_merge_households(target: Household, sources: Sequence[Household], *, acting_user: Any) -> Household:
    """The members of *sources* join *target* (moving to its place); the sources are dissolved, not deleted.

    Their relation to the new head is unknown and left empty, to be set on the household's page."""
    if not sources:
        raise ActionError(_("Choose the households to merge."), code="required")
    with acting_as(acting_user), transaction.atomic():
        into: Household = _locked(Household, target, acting_user, "change")
        if into.dissolved:
            raise ActionError(_("The household is dissolved."), code="dissolved")
        _dwelling(into.node, acting_user, "change")
        for source in sources:
            other: Household = _locked(Household, source, acting_user, "change")
            if other.pk == into.pk:
                raise ActionError(_("A household cannot be merged into itself."), code="invalid")
            reason = _("Household %(source)s merged into %(target)s") % {"source": other, "target": into}
            for member in Resident.objects.select_for_update().filter(household=other):
                if not Resident.objects.restrict(acting_user, "change").filter(pk=member.pk).exists():
                    raise NotFound()
                _relocate(member, into.node, acting_user, None, reason)
                member.household = into
                member.relation = ""
                member.save()
            other.head = None
            other.dissolved = True
            other.save()
    return into
