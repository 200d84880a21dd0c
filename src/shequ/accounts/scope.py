"""Who may do what, where: the subtree scope of a user for a (model, action)."""

from __future__ import annotations

from typing import Any

from django.db.models import Model

from .roles import ROLES, Role, role_covers

CACHE_ATTR = "_shequ_grants"


def model_label(model: type[Model] | Model | str) -> str:
    if isinstance(model, str):
        return model
    return model._meta.label_lower


def user_grants(user: Any) -> list[tuple[Role, str]]:
    """The user's grants as (role, path), cached on the user object for the request."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return []
    cached = getattr(user, CACHE_ATTR, None)
    if cached is None:
        from .models import Grant

        cached = [
            (ROLES[role], path)
            for role, path in Grant.objects.filter(user_id=user.pk).values_list("role", "path")
            if role in ROLES
        ]
        setattr(user, CACHE_ATTR, cached)
    return cached


def forget_grants(user: Any) -> None:
    if hasattr(user, CACHE_ATTR):
        delattr(user, CACHE_ATTR)


def minimal_paths(paths: list[str]) -> list[str]:
    """Drop paths covered by another path in the list."""
    result: list[str] = []
    for path in sorted(set(paths)):
        if not result or not path.startswith(result[-1]):
            result.append(path)
    return result


def scope_paths(user: Any, model: type[Model] | Model | str, action: str) -> list[str] | None:
    """Subtree roots where *user* may *action* on *model*; None means everywhere."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return []
    if user.is_superuser:
        return None
    label = model_label(model)
    return minimal_paths([path for role, path in user_grants(user) if role.allows(label, action)])


def can(user: Any, model: type[Model] | Model | str, action: str, path: str | None = None) -> bool:
    """May *user* do *action* on *model* anywhere (path None) or at the node with *path*?"""
    paths = scope_paths(user, model, action)
    if paths is None:
        return True
    if path is None:
        return bool(paths)
    return any(path.startswith(p) for p in paths)


def roles_grantable(user: Any, path: str) -> list[Role]:
    """Roles *user* may grant at the node with *path*: none stronger than what they hold there."""
    if user is None or not getattr(user, "is_authenticated", False):
        return []
    if user.is_superuser:
        return list(ROLES.values())
    if not can(user, "accounts.grant", "add", path):
        return []
    held = [role for role, gpath in user_grants(user) if path.startswith(gpath)]
    return [r for r in ROLES.values() if any(role_covers(h, r) for h in held)]
