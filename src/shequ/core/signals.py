"""Logins and failed logins go to the audit log, scoped like everything else."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.contrib.contenttypes.models import ContentType
from django.dispatch import receiver

from .models import AuditEntry


def _client_ip(request: Any) -> str | None:
    if request is None:
        return None
    return request.META.get("REMOTE_ADDR") or None


def _record(event: str, request: Any, user: Any = None, username: str = "") -> None:
    User = get_user_model()
    path = getattr(user, "path", "") if user is not None else ""
    if user is None and username:
        found = User.objects.filter(username=username).only("pk", "path").first()
        if found is not None:
            user, path = None, found.path
            obj_pk = str(found.pk)
        else:
            obj_pk = ""
    else:
        obj_pk = str(user.pk) if user is not None else ""
    AuditEntry.objects.create(
        content_type=ContentType.objects.get_for_model(User),
        object_pk=obj_pk or username[:255],
        object_id=int(obj_pk) if obj_pk else None,
        object_repr=(username or str(user))[:200],
        action=AuditEntry.Action.ACCESS,
        changes_text="",
        actor=user if user is not None and getattr(user, "pk", None) else None,
        remote_addr=_client_ip(request),
        additional_data={"event": event, "path": path},
    )


@receiver(user_logged_in)
def on_login(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    _record("login", request, user=user, username=user.get_username())


@receiver(user_logged_out)
def on_logout(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    if user is not None:
        _record("logout", request, user=user, username=user.get_username())


@receiver(user_login_failed)
def on_login_failed(sender: Any, credentials: dict, request: Any = None, **kwargs: Any) -> None:
    username = str(credentials.get("username", ""))[:150]
    _record("login_failed", request, username=username)


@receiver(user_logged_in)
def mark_session_renewed(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    """A session starts renewed: the next renewal is due an interval after the login (see
    ``SessionRenewalMiddleware``)."""
    import time

    from .middleware import SessionRenewalMiddleware

    session = getattr(request, "session", None)
    if session is not None:
        session[SessionRenewalMiddleware.KEY] = int(time.time())
