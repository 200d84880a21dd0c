"""What the framework knows about each model: its importer, its exporter columns, its search."""

from __future__ import annotations

from typing import Any

IMPORTERS: dict[str, Any] = {}
# Demo-city builders of the apps, called in order by `shequ seed` after the territory is built:
# each takes (city: Node, scale_name: str, seed: int) and returns a summary dict for the output.
SEEDERS: list[Any] = []
# Demo logins the apps add once their seeders have run: each takes the city and returns
# (username, role, full name, node, organization or None) tuples (a branch secretary needs a branch).
DEMO_LOGINS: list[Any] = []
VIEWSETS: dict[str, Any] = {}
# Periodic work of the apps, run by ``shequ tick`` (every few minutes): name → callable returning a summary
# (e.g. the nightly refresh of the indicators' rollups decides itself whether it is due).
PERIODIC: dict[str, Any] = {}


def loaded() -> None:
    """View sets register themselves when their app's URLs are imported: a process that has not served a
    page (the worker started with ``--skip-checks``, a command) imports the URL configuration first."""
    from django.urls import get_resolver

    get_resolver().url_patterns  # noqa: B018 - imports every app's urls, hence its view sets


def viewsets() -> dict[str, Any]:
    """Every view set by model label (``app.model``)."""
    loaded()
    return VIEWSETS


def importers() -> dict[str, Any]:
    """Every view set's importer by model label."""
    loaded()
    return IMPORTERS


def register_viewset(viewset: Any) -> Any:
    VIEWSETS[viewset.model._meta.label_lower] = viewset
    if getattr(viewset, "importer", None) is not None:
        IMPORTERS[viewset.model._meta.label_lower] = viewset.importer
    return viewset


# The public portal's tabs (no account needed): (key, label, url name), in order; apps add theirs in ready().
PORTAL_TABS: list[tuple[str, Any, str]] = []
# What awaits a user today ("today" page, issue 17): callables (user) → list of core.today.Todo, one per app.
TODO: list[Any] = []


def register_portal_tab(key: str, label: Any, url_name: str) -> None:
    if all(existing != key for existing, _l, _u in PORTAL_TABS):
        PORTAL_TABS.append((key, label, url_name))


# Links of the account menu to the user's own pages (e.g. a community worker's own file):
# ``(label, url name, applies(user) -> bool)``.  Which apply is decided when the user logs in and kept in the
# session (``remember_personal_links``), so drawing the menu costs no query; a link that starts to apply shows
# from the user's next login.
PERSONAL_LINKS: list[tuple[Any, str, Any]] = []
SESSION_KEY = "personal_links"


def remember_personal_links(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    """``user_logged_in``: the links that apply to *user*, kept in the new session."""
    if request is not None and hasattr(request, "session"):
        request.session[SESSION_KEY] = [name for _label, name, applies in PERSONAL_LINKS if applies(user)]


def personal_links(request: Any) -> list[tuple[Any, str]]:
    from django.urls import reverse

    session = getattr(request, "session", None)
    names = session.get(SESSION_KEY, ()) if session is not None else ()
    return [(label, reverse(name)) for label, name, _applies in PERSONAL_LINKS if name in names]
