"""Who sees the full identity number: the ``view_pii`` right at the resident's place; everyone else the mask."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from shequ.accounts.roles import VIEW_PII
from shequ.accounts.scope import can
from shequ.core.memo import Bounded

from .models import Resident


def may_see_full_id(user: Any, path: str | None = None) -> bool:
    """At the place with *path* (or anywhere, for None)."""
    return can(user, Resident, VIEW_PII, path)


def shown_id_number(user: Any, resident: Resident) -> str:
    """The number as *user* may see it for this resident: in full, or ``110101********123X``."""
    if not resident.id_masked:
        return ""
    return _full_or_masked(resident, may_see_full_id(user, resident.path))


def _full_or_masked(resident: Resident, full: bool) -> str:
    """The number in full when *full* and it was read (not deferred by ``without_pii_for``), else the mask."""
    if full and "id_number" in resident.__dict__:
        return resident.id_number or resident.id_masked
    return resident.id_masked


def id_number_shower(user: Any) -> Callable[[Resident], str]:
    """``shown_id_number`` for the many residents of a list or an export: the right asked once per place,
    not once per row."""
    if not may_see_full_id(user):
        return lambda resident: resident.id_masked
    full_at: Bounded[str, bool] = Bounded(50_000)

    def shown(resident: Resident) -> str:
        if not resident.id_masked:
            return ""
        return _full_or_masked(resident, full_at.get_or(resident.path, may_see_full_id, user, resident.path))

    return shown


def without_pii_for(user: Any, queryset: Any) -> Any:
    """Do not even read (and decrypt) the numbers for someone who may see none of them."""
    if may_see_full_id(user):
        return queryset
    return queryset.defer("id_number")
