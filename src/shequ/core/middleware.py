from __future__ import annotations

from collections.abc import Callable

from auditlog.context import auditlog_value
from auditlog.middleware import AuditlogMiddleware
from django.http import HttpRequest, HttpResponse


class AuditMiddleware(AuditlogMiddleware):
    """django-auditlog's middleware, with the request's actor and address forgotten afterwards.

    auditlog leaves its context variable set when a request ends; in a long-lived
    thread the next write outside a request (a command, a job) would inherit a stale
    address. This restores the previous value.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        super().__init__(get_response)

    def __call__(self, request: HttpRequest) -> HttpResponse:
        token = auditlog_value.set({})
        try:
            return super().__call__(request)
        finally:
            auditlog_value.reset(token)
