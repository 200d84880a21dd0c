"""Writes on the territory tree: create, rename/edit, move, retire, delete."""

from __future__ import annotations

from typing import Any

from django.apps import apps
from django.db import transaction
from django.db.models import F, Value
from django.db.models.functions import Concat, Substr
from django.utils import timezone
from django.utils.translation import gettext as _

from shequ.accounts.scope import can
from shequ.core.actions import acting_as, do_delete_object
from shequ.core.exceptions import ActionError, FieldErrors, NotFound
from shequ.core.fields import PathField, path_segment

from . import counts
from .models import ALLOWED_PARENTS, Kind, Node


def validate_placement(kind: str, parent: Any) -> None:
    """Kinds nest in order; the message says why not and where the kind belongs."""
    allowed = ALLOWED_PARENTS.get(kind)
    if allowed is None:
        raise ActionError(_("Unknown kind of node: %(kind)s.") % {"kind": kind}, code="invalid_kind")
    parent_kind = parent.kind if parent is not None else None
    if parent_kind in allowed:
        return
    kind_label = Kind(kind).label
    if parent is None:
        raise ActionError(
            _("A %(kind)s needs a parent.") % {"kind": kind_label},
            code="parent_required",
        )
    where = "、".join(str(Kind(k).label) for k in sorted(allowed - {None}, key=lambda k: list(Kind).index(k)))  # type: ignore[arg-type]
    if not where:
        raise ActionError(
            _("A %(kind)s is the top of the tree and cannot stand under “%(parent)s”.")
            % {"kind": kind_label, "parent": parent.name},
            code="invalid_parent",
        )
    raise ActionError(
        _("A %(kind)s cannot stand under the %(parent_kind)s “%(parent)s”: it belongs under a %(where)s.")
        % {"kind": kind_label, "parent_kind": Kind(str(parent_kind)).label, "parent": parent.name, "where": where},
        code="invalid_parent",
    )


def _check_name_free(name: str, parent: Node | None, exclude_pk: int | None = None) -> None:
    siblings = Node.objects.filter(parent=parent, name=name)
    if exclude_pk:
        siblings = siblings.exclude(pk=exclude_pk)
    if siblings.exists():
        raise ActionError(
            _("“%(parent)s” already has a place named “%(name)s”.")
            % {"parent": parent.name if parent else _("the top level"), "name": name},
            code="duplicate_name",
        )


def _check_code_free(code: str | None, exclude_pk: int | None = None) -> None:
    if not code:
        return
    others = Node.objects.filter(code=code)
    if exclude_pk:
        others = others.exclude(pk=exclude_pk)
    if others.exists():
        raise ActionError(
            _("The code %(code)s is already used by another place.") % {"code": code}, code="duplicate_code"
        )


def _check_county(kind: str, fields: dict[str, Any]) -> None:
    """Only a district may be marked a county (its service-housing rule: 20 m² per 100 households)."""
    if fields.get("is_county") and kind != Kind.DISTRICT:
        raise FieldErrors([{"field": "is_county", "message": str(_("Only a district can be a county."))}])


def do_create_node(
    *, acting_user: Any, parent: Node | None, kind: str, name: str, code: str | None = None, **fields: Any
) -> Node:
    name = name.strip()
    if not name:
        raise ActionError(_("A name is required."), code="required")
    validate_placement(kind, parent)
    _check_county(kind, fields)
    parent_path = parent.path if parent else None
    if parent is None:
        if not getattr(acting_user, "is_superuser", False):
            raise NotFound()
    elif not can(acting_user, Node, "add", parent_path):
        raise NotFound()
    with acting_as(acting_user), transaction.atomic():
        if parent is not None:
            # Lock-free re-read inside the transaction: the parent must still be ours and active.
            parent = Node.objects.restrict(acting_user, "add").filter(pk=parent.pk, retired=False).first()
            if parent is None:
                raise NotFound()
        _check_name_free(name, parent)
        _check_code_free(code)
        node = Node(parent=parent, kind=kind, name=name, code=code or None, **fields)
        node.depth = parent.depth + 1 if parent else 0
        node.save()
        node.path = (parent.path if parent else "") + path_segment(node.pk)
        Node.objects.filter(pk=node.pk).update(path=node.path)
        counts.apply_delta(counts.ancestors_of(node.path), {node.kind: 1})
        # Write the audit entry's path too (the create entry was written before the path was known).
        _fix_audit_path(node)
    return node


def _fix_audit_path(node: Node) -> None:
    from django.contrib.contenttypes.models import ContentType

    from shequ.core.models import AuditEntry

    AuditEntry.objects.filter(content_type=ContentType.objects.get_for_model(Node), object_id=node.pk, path="").update(
        path=node.path, additional_data={"path": node.path}
    )


def do_update_node(node: Node, *, acting_user: Any, **fields: Any) -> Node:
    """Rename or edit a node in place (name, code, geometry); moving is ``do_move_node``."""
    with acting_as(acting_user), transaction.atomic():
        current = Node.objects.restrict(acting_user, "change").filter(pk=node.pk).first()
        if current is None:
            raise NotFound()
        if "name" in fields:
            fields["name"] = str(fields["name"]).strip()
            if not fields["name"]:
                raise ActionError(_("A name is required."), code="required")
            _check_name_free(fields["name"], current.parent, exclude_pk=current.pk)
        if "code" in fields:
            fields["code"] = fields["code"] or None
            _check_code_free(fields["code"], exclude_pk=current.pk)
        if fields.get("is_county") is None:
            fields.pop("is_county", None)
        _check_county(current.kind, fields)
        for key, value in fields.items():
            setattr(current, key, value)
        current.save()
    return current


def path_models() -> list[tuple[type, str]]:
    """Every model with a copy of a node path, and the field that holds it."""
    result = []
    for model in apps.get_models():
        for field in model._meta.concrete_fields:
            if isinstance(field, PathField):
                result.append((model, field.name))
    return result


def do_move_node(node: Node, new_parent: Node, *, acting_user: Any) -> Node:
    """Move *node* with its subtree under *new_parent*: every path and every copy, in one transaction."""
    with acting_as(acting_user), transaction.atomic():
        node = Node.objects.restrict(acting_user, "change").select_for_update().filter(pk=node.pk).first()  # type: ignore[assignment]
        if node is None:
            raise NotFound()
        target = Node.objects.restrict(acting_user, "add").filter(pk=new_parent.pk, retired=False).first()
        if target is None:
            raise NotFound()
        if target.path.startswith(node.path):
            raise ActionError(
                _("“%(node)s” cannot be moved under itself or under one of its own places.") % {"node": node.name},
                code="cycle",
            )
        if target.pk == node.parent_id:
            return node
        validate_placement(node.kind, target)
        _check_name_free(node.name, target, exclude_pk=node.pk)
        old_prefix = node.path
        new_prefix = target.path + path_segment(node.pk)
        moved = counts.subtree_delta(node)
        old_ancestors, new_ancestors = set(counts.ancestors_of(old_prefix)), set(counts.ancestors_of(new_prefix))
        counts.apply_delta(old_ancestors - new_ancestors, moved, sign=-1)
        counts.apply_delta(new_ancestors - old_ancestors, moved)
        depth_delta = (target.depth + 1) - node.depth
        Node.objects.filter(pk=node.pk).update(parent=target)
        cut = len(old_prefix) + 1
        for model, field in path_models():
            updates: dict[str, Any] = {field: Concat(Value(new_prefix), Substr(field, cut))}
            if model is Node:
                updates["depth"] = F("depth") + depth_delta
            model._default_manager.filter(**{f"{field}__within": old_prefix}).update(**updates)  # type: ignore[attr-defined]
        node.refresh_from_db()
        # The move itself is one audit entry on the moved node.
        from auditlog.models import LogEntry  # noqa: F401  (registered model)

        _log_move(node, old_prefix, acting_user)
    return node


def _log_move(node: Node, old_prefix: str, acting_user: Any) -> None:
    from django.contrib.contenttypes.models import ContentType

    from shequ.core.models import AuditEntry

    AuditEntry.objects.create(
        content_type=ContentType.objects.get_for_model(Node),
        object_pk=str(node.pk),
        object_id=node.pk,
        object_repr=str(node),
        action=AuditEntry.Action.UPDATE,
        changes={"path": [old_prefix, node.path], "parent": [None, str(node.parent)]},
        changes_text="",
        actor=acting_user if getattr(acting_user, "is_authenticated", False) else None,
        additional_data={"path": node.path, "event": "move"},
    )


def do_retire_node(node: Node, *, acting_user: Any, reason: str) -> int:
    """Retire a node and its whole subtree (kept with all data; hidden from pickers). Returns the count."""
    reason = reason.strip()
    if not reason:
        raise ActionError(_("Say why the place is retired."), code="required")
    with acting_as(acting_user), transaction.atomic():
        current = Node.objects.restrict(acting_user, "delete").filter(pk=node.pk).first()
        if current is None:
            raise NotFound()
        now = timezone.now()
        count = 0
        counts.apply_delta(counts.ancestors_of(current.path), counts.subtree_delta(current), sign=-1)
        for item in Node.objects.within(current.path).filter(retired=False):
            item.retired, item.retired_at, item.retired_reason = True, now, reason
            item.subtree_counts = {}
            item.save(update_fields=["retired", "retired_at", "retired_reason", "subtree_counts", "updated"])
            count += 1
    return count


def do_restore_node(node: Node, *, acting_user: Any) -> Node:
    with acting_as(acting_user), transaction.atomic():
        current = Node.objects.restrict(acting_user, "delete").filter(pk=node.pk).first()
        if current is None:
            raise NotFound()
        if current.parent and current.parent.retired:
            raise ActionError(
                _("Restore the parent “%(parent)s” first.") % {"parent": current.parent},
                code="parent_retired",
            )
        current.retired, current.retired_at, current.retired_reason = False, None, ""
        current.save()
        # Only this place comes back; what is under it stays retired until restored in turn.
        counts.apply_delta(counts.ancestors_of(current.path), {current.kind: 1})
    return current


def do_delete_node(node: Node, *, acting_user: Any) -> None:
    """Delete a node that holds nothing; a node with children or records must be retired instead."""
    if Node.objects.filter(parent=node).exists():
        raise ActionError(
            _("“%(node)s” has places under it and cannot be deleted; retire it instead.") % {"node": node.name},
            code="has_children",
        )
    with transaction.atomic():
        do_delete_object(node, acting_user=acting_user)
        if not node.retired:
            counts.apply_delta(counts.ancestors_of(node.path), {node.kind: 1}, sign=-1)
