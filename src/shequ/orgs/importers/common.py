"""What both importers need: finding places and organizations by code or by a path of names."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from shequ.core.importing import RowError
from shequ.orgs.cells import split_path
from shequ.orgs.models import Organization
from shequ.territory.models import Node

MAX_PATH = 6


def _error_text(exc: ValidationError, labels: dict[str, str]) -> str:
    if hasattr(exc, "error_dict"):
        parts: list[str] = []
        for name, messages in exc.message_dict.items():
            label = labels.get(name, "")
            parts.extend(f"{label}：{m}" if label else m for m in messages)
        return "；".join(parts)
    return "；".join(exc.messages)


def _chain_filter(parts: list[str], prefix: str = "") -> dict[str, str]:
    """``name=C, parent__name=B, parent__parent__name=A`` for the path ``A/B/C``."""
    lookups = {}
    for depth, name in enumerate(reversed(parts[-MAX_PATH:])):
        lookups[prefix + "parent__" * depth + "name"] = name
    return lookups


def node_path_text(node: Node | None, levels: int = 5) -> str:
    """The node's name with up to *levels* − 1 ancestors, as far as they are loaded (no query)."""
    names: list[str] = []
    parent_field = Node._meta.get_field("parent")
    while node is not None and len(names) < levels:
        names.insert(0, node.name)
        if not node.parent_id or not parent_field.is_cached(node):
            break
        node = node.parent
    return "/".join(names)


def org_path_text(org: Organization | None, levels: int = 4) -> str:
    names: list[str] = []
    parent_field = Organization._meta.get_field("parent")
    while org is not None and len(names) < levels:
        names.insert(0, org.name)
        if not org.parent_id or not parent_field.is_cached(org):
            break
        org = org.parent
    return "/".join(names)


class Places:
    """Places inside the user's scope, by code or by a path of names (the end of a path is enough)."""

    def __init__(self, user: Any, kind: str | None = None) -> None:
        self.scope = Node.objects.restrict(user, "add", perm_model=Organization).filter(retired=False)
        if kind:
            self.scope = self.scope.filter(kind=kind)
        self.cache: dict[tuple[str, str], Node] = {}

    def find(self, code: str, path: str) -> Node:
        key = (code, path)
        if key in self.cache:
            return self.cache[key]
        if code:
            found = list(self.scope.filter(code=code)[:2])
            what = code
        else:
            parts = split_path(path)
            found = list(self.scope.filter(**_chain_filter(parts))[:2]) if parts else []
            what = path
        if not found:
            raise RowError(_("No place “%(place)s” in your area.") % {"place": what})
        if len(found) > 1:
            raise RowError(
                _(
                    "More than one place is called “%(place)s”: "
                    "give more of the path (e.g. 和平街道/和平社区) or the code."
                )
                % {"place": what}
            )
        self.cache[key] = found[0]
        return found[0]
