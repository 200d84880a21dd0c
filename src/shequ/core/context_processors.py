from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest


def shequ(request: HttpRequest) -> dict[str, Any]:
    """The site name and the menu.  Computed once per request: a page rendering a table (django-tables2's
    ``render_table``) runs the context processors a second time."""
    cached = getattr(request, "_shequ_context", None)
    if cached is not None:
        return cached
    from shequ.core.menu import menu_for
    from shequ.core.notifications import UNREAD_CAP, unread_count
    from shequ.core.registry import personal_links

    menu = menu_for(getattr(request, "user", None))
    # The active entry is the one whose address is the longest prefix of this page's.
    urls = [url for _section, items in menu for _item, url in items if request.path.startswith(url)]
    user = getattr(request, "user", None)
    context = {
        "SITE_NAME": settings.SHEQU_SITE_NAME,
        # A callable: counted (up to the cap) only where a page shows the bell.
        "unread_notifications": lambda: unread_count(user),
        "UNREAD_CAP": UNREAD_CAP,
        "personal_links": lambda: personal_links(request),
        "menu": menu,
        "active_menu_url": max(urls, key=len) if urls else None,
    }
    request._shequ_context = context  # type: ignore[attr-defined]
    return context
