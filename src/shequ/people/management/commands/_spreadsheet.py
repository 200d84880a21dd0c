"""What ``shequ import`` and ``shequ export`` share: the registry lookup, the acting user, the place."""

from __future__ import annotations

from typing import Any

from django.core.management.base import CommandError


def viewset_for(name: str) -> Any:
    """The declared viewset of the model registered under *name* (``residents``, ``households`` …)."""
    import shequ.urls  # noqa: F401  (declaring the URLs registers the viewsets and their importers)
    from shequ.core.importing import COMMAND_NAMES
    from shequ.core.registry import VIEWSETS

    label = COMMAND_NAMES.get(name, name)
    viewset = VIEWSETS.get(label)
    if viewset is None:
        known = ", ".join(sorted(COMMAND_NAMES)) or "-"
        raise CommandError(f"Unknown kind {name!r}: one of {known}.")
    return viewset


def acting_user(username: str | None) -> Any:
    from shequ.accounts.models import User

    if username:
        user = User.objects.filter(username=username, is_active=True).first()
        if user is None:
            raise CommandError(f"No active user {username!r}.")
        return user
    user = User.objects.filter(is_superuser=True, is_active=True).order_by("pk").first()
    if user is None:
        raise CommandError("No superuser to act as: pass --user USERNAME.")
    return user


def place(code: str | None, user: Any) -> Any:
    from shequ.territory.models import Node

    if not code:
        return None
    node = Node.objects.restrict(user, "view").filter(code=code).first()
    if node is None:
        raise CommandError(f"No place with the code {code!r} in the area of {user.username}.")
    return node
