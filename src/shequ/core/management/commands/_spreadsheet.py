"""What ``shequ import`` and ``shequ export`` share: the registry lookup, the acting user, the place."""

from __future__ import annotations

from typing import Any

from django.core.management.base import CommandError


def known_kinds() -> str:
    from shequ.core.importing import COMMAND_NAMES

    return ", ".join(sorted(COMMAND_NAMES)) or "-"


def viewset_for(name: str, action: str) -> Any:
    """The declared viewset of the model registered under *name* (``residents``, ``organizations`` …),
    which must offer *action* (``import`` or ``export``)."""
    from shequ.core.importing import COMMAND_NAMES
    from shequ.core.registry import viewsets

    label = COMMAND_NAMES.get(name)
    viewset = viewsets().get(label) if label else None
    if viewset is None:
        raise CommandError(f"Unknown kind {name!r}: one of {known_kinds()}.")
    offered = action in viewset.actions and (action != "import" or viewset.importer is not None)
    if not offered:
        raise CommandError(f"{name} cannot be {action}ed.")
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


def check_allowed(user: Any, viewset: Any, kind: str, action: str) -> None:
    from shequ.accounts.scope import can

    if not can(user, viewset.model, action):
        raise CommandError(f"{user.username} may not {action} {kind}.")


def place(code: str | None, user: Any, viewset: Any, kind: str, action: str) -> Any:
    """The node with *code*, which *user* must see and where they may *action* the viewset's model."""
    from shequ.accounts.scope import can
    from shequ.territory.models import Node

    if not code:
        return None
    node = Node.objects.restrict(user, "view").filter(code=code).first()
    if node is None:
        raise CommandError(f"No place with the code {code!r} in the area of {user.username}.")
    if not can(user, viewset.model, action, node.path):
        raise CommandError(f"{user.username} may not {action} {kind} at {node.name} ({code}).")
    return node
