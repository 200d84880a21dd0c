"""Logging filter that keeps personal data out of every log line."""

from __future__ import annotations

import logging
import re

# 18-character resident identity numbers (and 15-digit legacy ones) and mainland mobile numbers.
_ID_RE = re.compile(r"(?<![0-9A-Za-z])(\d{6})(\d{8})(\d{3}[0-9Xx])(?![0-9A-Za-z])|(?<!\d)(\d{6})(\d{6})(\d{3})(?!\d)")
_PHONE_RE = re.compile(r"(?<!\d)(1[3-9]\d)(\d{4})(\d{4})(?!\d)")


def _id(m: re.Match[str]) -> str:
    if m.group(1):
        return f"{m.group(1)}********{m.group(3)[-4:]}"
    return f"{m.group(4)}******{m.group(6)}"


def mask_identity_numbers(text: str) -> str:
    """Mask identity numbers (18 characters, or 15 digits) in free text: ``110101********123X``."""
    return _ID_RE.sub(_id, text)


def is_identity_number(text: str) -> bool:
    return bool(_ID_RE.fullmatch(text.strip()))


def mask_text(text: str) -> str:
    """Mask identity and phone numbers in free text."""
    text = mask_identity_numbers(text)
    return _PHONE_RE.sub(lambda m: f"{m.group(1)}****{m.group(3)}", text)


class MaskPersonalDataFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # pragma: no cover - a broken format string is logged as is
            return True
        masked = mask_text(message)
        if masked != message:
            record.msg, record.args = masked, None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = mask_text(record.exc_text)
        return True
