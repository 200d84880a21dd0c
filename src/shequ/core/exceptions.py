from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.http import Http404
from django.utils.translation import gettext_lazy as _


class NotFound(Http404):
    """The same answer for "does not exist" and "not yours"."""

    def __init__(self, message: object = None) -> None:
        super().__init__(message or _("Not found, or outside your area."))


class ActionError(ValidationError):
    """A rule of the domain said no; the message is for the user, the code is stable."""

    def __init__(self, message: Any, code: str = "invalid", params: dict | None = None) -> None:
        super().__init__(message, code=code, params=params)


class FieldErrors(ActionError):
    """Input that does not fit: one message per field (``details``), answered 422 by the API."""

    def __init__(self, details: list[dict[str, str]], message: Any = None) -> None:
        self.details = details
        super().__init__(
            message or "；".join(f"{d['field']}: {d['message']}" for d in details), code="validation_error"
        )
