from __future__ import annotations

import time
from collections.abc import Callable

from auditlog.context import auditlog_value
from auditlog.middleware import AuditlogMiddleware
from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.middleware.locale import LocaleMiddleware as DjangoLocaleMiddleware
from django.utils import translation
from django.utils.translation import check_for_language


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


class LocaleMiddleware(DjangoLocaleMiddleware):
    """Simplified Chinese unless the user chose another language with the switch (cookie).

    The screens ignore the browser's Accept-Language (offices run English-language
    browsers too); the API honours it, so clients get messages in their language.
    """

    def process_request(self, request: HttpRequest) -> None:
        if request.path.startswith("/api/"):
            super().process_request(request)
            return
        language = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME) or ""
        if not language or not check_for_language(language):
            language = settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()


class SessionRenewalMiddleware:
    """Renews an active session's expiry at most every ``SHEQU_SESSION_RENEW_SECONDS`` (sliding expiry).

    ``SESSION_SAVE_EVERY_REQUEST`` would write the session row on every page (an UPDATE per request);
    touching it only when the last renewal is older than the interval keeps the eight-hour window
    sliding to within a few minutes at a write every few minutes. Placed after the session middleware,
    so the session is saved (with a new expiry and cookie) on the way out.
    """

    KEY = "_renewed"

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        session = getattr(request, "session", None)
        if session is None or session.modified or not session.session_key:
            return response
        if session.is_empty():
            return response
        now = int(time.time())
        if now - int(session.get(self.KEY, 0)) >= settings.SHEQU_SESSION_RENEW_SECONDS:
            session[self.KEY] = now
        return response
