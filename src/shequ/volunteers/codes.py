"""One-time codes sent by SMS to a volunteer's phone, for the public portal.

A code is six digits, valid ten minutes, kept only as a keyed hash in the shared cache, with at most five
tries.  ``SHEQU_SMS_CODE_SENDER`` names a callable ``(phone, text)`` that sends the SMS through the provider in
use; without one, development (DEBUG) writes the code to the log and production refuses to send.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import secrets
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _

logger = logging.getLogger(__name__)
TTL = 600
MAX_TRIES = 5


class CannotSend(Exception):
    pass


def _key(phone: str) -> str:
    return "volunteers:otp:" + hashlib.sha256(f"{settings.SECRET_KEY}|{phone}".encode()).hexdigest()[:40]


def _digest(phone: str, code: str) -> str:
    return hmac.new(settings.SECRET_KEY.encode(), f"{phone}|{code}".encode(), hashlib.sha256).hexdigest()


def log_sender(phone: str, text: str) -> None:
    """Development only: the code goes to the log (phone numbers are masked there)."""
    logger.info("SMS to %s: %s", phone, text)


def sender() -> Any:
    path = getattr(settings, "SHEQU_SMS_CODE_SENDER", "")
    if path:
        return import_string(path)
    return log_sender if settings.DEBUG else None


def issue(phone: str) -> None:
    """Make a new code for *phone* and send it (CannotSend when no SMS gateway is configured)."""
    send = sender()
    if send is None:
        raise CannotSend()
    code = f"{secrets.randbelow(1_000_000):06d}"
    cache.set(_key(phone), {"digest": _digest(phone, code), "tries": 0}, TTL)
    send(phone, _("Your volunteer sign-up code is %(code)s (valid for 10 minutes).") % {"code": code})


def check(phone: str, code: str) -> bool:
    """Whether *code* is the one sent to *phone* (used once; five wrong tries end it)."""
    key = _key(phone)
    stored = cache.get(key)
    if not stored:
        return False
    if hmac.compare_digest(stored["digest"], _digest(phone, (code or "").strip())):
        cache.delete(key)
        return True
    stored["tries"] += 1
    if stored["tries"] >= MAX_TRIES:
        cache.delete(key)
    else:
        cache.set(key, stored, TTL)
    return False
