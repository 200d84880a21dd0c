from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest


def shequ(request: HttpRequest) -> dict[str, Any]:
    from shequ.core.menu import menu_for

    return {
        "SITE_NAME": settings.SHEQU_SITE_NAME,
        "menu": menu_for(getattr(request, "user", None)),
    }
