"""Who may do what, where: the subtree scope of a user for a (model, action)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Model

from .roles import ROLES, Role, role_covers

CACHE_ATTR = "_shequ_grants"
KINDS_CACHE_ATTR = "_shequ_grant_kinds"
ORG_CACHE_ATTR = "_shequ_org_trees"
# The organizations themselves: limited by their own key (e.g. the choice of a member's organization).
ORGANIZATION_LABEL = "orgs.organization"


@dataclass(frozen=True)
class Reach:
    """What one grant reaches for a (model, action): the subtree of *path*, and when *orgs* is given only
    the records of those organizations (a party organization and the ones below it) within it."""

    path: str
    orgs: frozenset[int] | None = None


def org_field_of(model: type[Model] | Model | str) -> str | None:
    """The lookup from a record of *model* to the organization it belongs to (None: it has none)."""
    if isinstance(model, str):
        from django.apps import apps

        model = apps.get_model(model)
    if model._meta.label_lower == ORGANIZATION_LABEL:
        return "pk"
    return getattr(model, "org_scope_field", None)


def model_label(model: type[Model] | Model | str) -> str:
    if isinstance(model, str):
        return model
    return model._meta.label_lower


def _grant_rows(user: Any) -> list[tuple[Role, str, int | None]]:
    """The user's grants as (role, path, organization id), cached on the user object for the request."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return []
    cached = getattr(user, CACHE_ATTR, None)
    if cached is None:
        from . import authcache

        # Remembered by the process between requests too (``accounts.authcache``: a change takes effect at once).
        rows = authcache.get("grants", user.pk)
        if rows is None:
            from .models import Grant

            found = Grant.objects.filter(user_id=user.pk).values_list("role", "path", "organization_id", "node__kind")
            rows = [row for row in found if row[0] in ROLES]
            authcache.put("grants", user.pk, rows)
        cached = [(ROLES[role], path, org) for role, path, org, _kind in rows]
        setattr(user, CACHE_ATTR, cached)
        setattr(user, KINDS_CACHE_ATTR, {path: kind for _role, path, _org, kind in rows})
    return cached


def grant_kinds(user: Any) -> dict[str, str]:
    """The kind of the node of each of the user's grants, by its path (read with the grants: no query more)."""
    _grant_rows(user)
    return getattr(user, KINDS_CACHE_ATTR, {})


def grants_key(user: Any) -> tuple[Any, ...]:
    """What decides what *user* may see and do: the flags and every grant (role, place, organization, kind).
    Two users with equal keys get the same menu; a changed grant changes the key."""
    kinds = grant_kinds(user)
    rows = tuple((role.code, path, org, kinds.get(path)) for role, path, org in _grant_rows(user))
    return (user.is_superuser, user.is_active, rows)


def user_grants(user: Any) -> list[tuple[Role, str]]:
    """The user's grants as (role, path)."""
    return [(role, path) for role, path, _org in _grant_rows(user)]


def forget_grants(user: Any) -> None:
    for attr in (CACHE_ATTR, KINDS_CACHE_ATTR, ORG_CACHE_ATTR):
        if hasattr(user, attr):
            delattr(user, attr)


def org_subtree(user: Any, org_id: int) -> frozenset[int]:
    """*org_id* and every organization below it (dissolved ones too: their archives stay), cached on *user*."""
    trees: dict[int, frozenset[int]] = user.__dict__.setdefault(ORG_CACHE_ATTR, {})
    if org_id not in trees:
        from django.apps import apps

        organization = apps.get_model("orgs", "Organization")
        found, frontier = {org_id}, [org_id]
        for _depth in range(10):  # street committee → … → group: a handful of levels
            frontier = [
                pk
                for pk in organization.objects.filter(parent_id__in=frontier).values_list("pk", flat=True)
                if pk not in found
            ]
            if not frontier:
                break
            found.update(frontier)
        trees[org_id] = frozenset(found)
    return trees[org_id]


def reaches(user: Any, model: type[Model] | Model | str, action: str) -> list[Reach] | None:
    """What *user* may *action* on *model*: subtrees, some limited to organizations; None means everything."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return []
    if user.is_superuser:
        return None
    label = model_label(model)
    whole: list[str] = []
    limited: dict[str, set[int]] = {}
    for role, path, org in _grant_rows(user):
        if not role.allows(label, action):
            continue
        if role.limits_to_organization(label):
            # A grant of an organization-limited role without its organization reaches nothing there
            # (``do_grant`` refuses one; a row written around it must not open the whole place).
            if org is not None:
                limited.setdefault(path, set()).update(org_subtree(user, org))
        else:
            whole.append(path)
    paths = minimal_paths(whole)
    result = [Reach(path) for path in paths]
    for path, orgs in sorted(limited.items()):
        if not any(path.startswith(p) for p in paths):  # an unlimited grant above covers it already
            result.append(Reach(path, frozenset(orgs)))
    return result


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
    found = reaches(user, model, action)
    return None if found is None else minimal_paths([r.path for r in found])


def can(user: Any, model: type[Model] | Model | str, action: str, path: str | None = None, org: Any = None) -> bool:
    """May *user* do *action* on *model* anywhere (path None) or at the node with *path* (and, with *org*,
    on a record of that organization: a grant limited to other organizations there does not count)?"""
    found = reaches(user, model, action)
    if found is None:
        return True
    org_id = getattr(org, "pk", org)
    return any(
        (path is None or path.startswith(r.path)) and (org_id is None or r.orgs is None or org_id in r.orgs)
        for r in found
    )


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
