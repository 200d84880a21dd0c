"""The side menu: an entry appears only when the rule of the page it leads to allows the user (the same rule
the page enforces, ``core.permissions``: one rule, so no entry leads to a 404)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ImproperlyConfigured
from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from .permissions import Rule, rule_for_url


@dataclass(frozen=True)
class MenuItem:
    label: str | Promise
    url_name: str
    # Obsolete: the page's own rule decides (kept so that an entry written the old way still shows, for a
    # page that declares no rule yet; ``test_navigation`` fails on such a page).
    model: str = ""
    icon: str = ""

    def declared_rule(self) -> Rule | None:
        return rule_for_url(reverse(self.url_name))

    def rule(self) -> Rule:
        """The rule of the page the entry leads to (the one the page enforces)."""
        rule = self.declared_rule()
        if rule is not None:
            return rule
        if self.model:
            return Rule(self.model)
        raise ImproperlyConfigured(f"The page of menu entry {self.url_name!r} declares no rule (core.permissions).")


MENU: list[tuple[str | Promise, list[MenuItem]]] = [
    (
        _("Overview"),
        [MenuItem(_("Targets"), "core:targets")],
    ),
    (
        _("Territory"),
        [
            MenuItem(_("Territory tree"), "territory:tree"),
            MenuItem(_("All places"), "territory:node_list"),
            MenuItem(_("Map"), "territory:map"),
        ],
    ),
    (
        _("Administration"),
        [
            MenuItem(_("Users"), "accounts:user_list"),
            MenuItem(_("Grants"), "accounts:grant_list"),
            MenuItem(_("Audit log"), "core:audit_list"),
            MenuItem(_("Background jobs"), "core:job_list"),
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
    """The entries *user* may follow.  Remembered per set of grants (``accounts.authcache``: dropped at once
    when a grant changes; the rules' further tests on the data, e.g. "a community to show", are asked again
    after ``SHEQU_AUTH_CACHE_SECONDS`` at most).  The page itself always enforces its rule."""
    if user is None or not user.is_authenticated:
        return []
    from shequ.accounts import authcache
    from shequ.accounts.scope import grants_key

    key = grants_key(user)
    found = authcache.get("menu", key)
    if found is None:
        found = _menu_for(user)
        authcache.put("menu", key, found)
    return found


def _menu_for(user: Any) -> list[tuple[str | Promise, list[tuple[MenuItem, str]]]]:
    result = []
    for section, items in MENU:
        visible = [(item, reverse(item.url_name)) for item in items if item.rule().allows(user)]
        if visible:
            result.append((section, visible))
    return result
