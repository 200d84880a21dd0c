"""The side menu: entries appear only when the user may view what they lead to."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class MenuItem:
    label: str | Promise
    url_name: str
    model: str
    icon: str = ""


MENU: list[tuple[str | Promise, list[MenuItem]]] = [
    (
        _("Overview"),
        [MenuItem(_("Targets"), "core:targets", "territory.node")],
    ),
    (
        _("Territory"),
        [
            MenuItem(_("Territory tree"), "territory:tree", "territory.node"),
            MenuItem(_("All places"), "territory:node_list", "territory.node"),
            MenuItem(_("Map"), "territory:map", "territory.node"),
        ],
    ),
    (
        _("Administration"),
        [
            MenuItem(_("Users"), "accounts:user_list", "accounts.user"),
            MenuItem(_("Grants"), "accounts:grant_list", "accounts.grant"),
            MenuItem(_("Audit log"), "core:audit_list", "core.auditentry"),
            MenuItem(_("Background jobs"), "core:job_list", "core.job"),
        ],
    ),
]


def register_menu(section: str | Promise, items: list[MenuItem]) -> None:
    for label, entries in MENU:
        if str(label) == str(section):
            entries.extend(items)
            return
    MENU.insert(-1, (section, items))


def menu_for(user: Any) -> list[tuple[str | Promise, list[tuple[MenuItem, str]]]]:
    if user is None or not user.is_authenticated:
        return []
    from shequ.accounts.scope import can

    result = []
    for section, items in MENU:
        visible = [(item, reverse(item.url_name)) for item in items if can(user, item.model, "view")]
        if visible:
            result.append((section, visible))
    return result
