"""Error answers: a Chinese page in the site's frame (templates 403/404/500.html), JSON under /api/."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext as _
from django.views import defaults

API_PREFIX = "/api/"


def _api(request: HttpRequest) -> bool:
    return request.path.startswith(API_PREFIX)


def page_not_found(request: HttpRequest, exception: Any) -> HttpResponse:
    if _api(request):
        message = _("No such resource; the index of the API is at /api/v1/ and its documentation at /api/v1/docs.")
        return JsonResponse({"code": "not_found", "message": message, "details": []}, status=404)
    return defaults.page_not_found(request, exception)


def permission_denied(request: HttpRequest, exception: Any) -> HttpResponse:
    if _api(request):
        return JsonResponse({"code": "forbidden", "message": _("Not allowed."), "details": []}, status=403)
    return defaults.permission_denied(request, exception)


def server_error(request: HttpRequest) -> HttpResponse:
    """Rendered without the request's context (the failure may lie there): 500.html stands on its own."""
    if _api(request):
        message = _("A server error occurred; it has been logged.")
        return JsonResponse({"code": "server_error", "message": message, "details": []}, status=500)
    return defaults.server_error(request)
