"""Who is told: the users who may act on a model's records at a place, level by level up the tree.

A case's handlers are the nearest level (the users granted, at the case's node or the nearest node above
it, a role that may change such records); escalation goes one level further up.  The lookups are memoised
per run (*memo*, keyed by the model's label and the node's path): the deadline watch asks about hundreds of
cases under a few nodes.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from .fields import SEP


def ancestor_paths(path: str) -> list[str]:
    """``a.b.c.`` → ``["a.", "a.b.", "a.b.c."]``: the node and every node above it."""
    parts = [p for p in path.split(SEP) if p]
    return [SEP.join(parts[: i + 1]) + SEP for i in range(len(parts))]


def roles_that_may(label: str, action: str = "change") -> list[str]:
    from shequ.accounts.roles import ROLES

    return [code for code, role in ROLES.items() if role.allows(label, action)]


def _key(label: str, path: str) -> str:
    return f"{label}|{path}"


def prefetch_officers(label: str, paths: Iterable[str], memo: dict[str, Any], action: str = "change") -> None:
    """Fill *memo* with the users who may *action* records of *label* at every node above each of *paths*
    (their own grants there), in one query."""
    from shequ.accounts.models import Grant

    wanted = {a for p in paths for a in ancestor_paths(p) if _key(label, a) not in memo}
    if not wanted:
        return
    for path in wanted:
        memo[_key(label, path)] = []
    grants = Grant.objects.filter(
        path__in=wanted, role__in=roles_that_may(label, action), user__is_active=True
    ).select_related("user")
    for grant in grants.order_by("user_id", "pk"):
        users = memo[_key(label, grant.path)]
        if not users or users[-1].pk != grant.user_id:
            users.append(grant.user)


def officers_at(label: str, path: str, action: str = "change") -> list[Any]:
    from shequ.accounts.models import Grant, User

    ids = Grant.objects.filter(path=path, role__in=roles_that_may(label, action), user__is_active=True).values(
        "user_id"
    )
    return list(User.objects.filter(pk__in=ids).order_by("pk"))


def officer_levels(
    label: str, path: str, memo: dict[str, Any] | None = None, action: str = "change"
) -> list[list[Any]]:
    """The users who may *action* records of *label*, per level, nearest first, from the node with *path* up
    to the top; levels without anyone are skipped."""
    levels = []
    for candidate in reversed(ancestor_paths(path)):
        if memo is None:
            users = officers_at(label, candidate, action)
        else:
            key = _key(label, candidate)
            if key not in memo:
                memo[key] = officers_at(label, candidate, action)
            users = memo[key]
        if users:
            levels.append(users)
    return levels
