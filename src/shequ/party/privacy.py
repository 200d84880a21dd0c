"""Who sees a member's full identity number: the ``view_pii`` right at the member's place; others the mask."""

from __future__ import annotations

from typing import Any

from shequ.accounts.roles import VIEW_PII
from shequ.accounts.scope import can

from .models import PartyMember


def may_see_full_id(user: Any, path: str | None = None, org: Any = None) -> bool:
    return can(user, PartyMember, VIEW_PII, path, org)


def record_org(obj: Any) -> int | None:
    """The party organization a party record belongs to, as the scope sees it (see ``org_scope_field``)."""
    from .models.transfers import RelationTransfer, holder_org_id

    if isinstance(obj, RelationTransfer):
        return holder_org_id(obj)
    field = getattr(type(obj), "org_scope_field", None)
    if not field:
        return None
    *hops, last = field.split("__")
    for hop in hops:
        obj = getattr(obj, hop, None)
        if obj is None:
            return None
    return getattr(obj, f"{last}_id", None)


def may(user: Any, obj: Any, action: str) -> bool:
    """May *user* do *action* on the party record *obj*: its place and its organization."""
    org = record_org(obj)
    if org is None and getattr(type(obj), "org_scope_field", None):
        org = 0  # no organization: only a grant not limited to organizations reaches it
    return can(user, type(obj), action, obj.path, org)


def shown_id_number(user: Any, obj: Any) -> str:
    """The number as *user* may see it on *obj* (a member or a development record)."""
    if not obj.id_masked:
        return ""
    if "id_number" in obj.get_deferred_fields() or not may_see_full_id(user, obj.path, record_org(obj) or 0):
        return obj.id_masked
    return obj.id_number or obj.id_masked


def without_pii_for(user: Any, queryset: Any) -> Any:
    """Do not even read (and decrypt) the numbers for someone who may see none of them."""
    if may_see_full_id(user):
        return queryset
    return queryset.defer("id_number")
