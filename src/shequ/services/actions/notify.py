"""In-app notifications, and an email hook after the commit."""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from typing import Any

from django.conf import settings
from django.db import connection, transaction

from shequ.services.models import Notification, ServiceRequest

logger = logging.getLogger(__name__)


def notify(users: Iterable[Any], request: ServiceRequest | None, kind: str, text: str) -> list[Notification]:
    """One notification per user (each at most once); the email hook runs after the commit."""
    return notify_many([(users, request, kind, text)])


def notify_many(items: Iterable[tuple[Iterable[Any], ServiceRequest | None, str, str]]) -> list[Notification]:
    """Several notices in one INSERT (the deadline watch sends hundreds at a time)."""
    rows = []
    mails: list[tuple[list[str], str]] = []
    for users, request, kind, text in items:
        seen: set[int] = set()
        recipients = []
        for user in users:
            if user is None or user.pk in seen:
                continue
            seen.add(user.pk)
            rows.append(Notification(user=user, request=request, kind=kind, text=str(text)[:300]))
            if getattr(user, "email", ""):
                recipients.append(user.email)
        if recipients:
            mails.append((recipients, str(text)))
    created = Notification.objects.bulk_create(rows, batch_size=1000)
    if created and mails and getattr(settings, "SHEQU_SERVICES_EMAIL", False):
        for recipients, message in mails:
            transaction.on_commit(lambda r=recipients, m=message: send_email(r, m))  # type: ignore[misc]
    return created


def insert_rows(model: Any, columns: Sequence[str], rows: list[tuple[Any, ...]]) -> None:
    """Many rows in one ``executemany`` (no model instances): for the bulk writes of the deadline watch.
    The values must already be in database form (see ``connection.ops.adapt_datetimefield_value``)."""
    if not rows:
        return
    quote = connection.ops.quote_name
    sql = "INSERT INTO {} ({}) VALUES ({})".format(
        quote(model._meta.db_table), ", ".join(quote(c) for c in columns), ", ".join(["%s"] * len(columns))
    )
    with connection.cursor() as cursor:
        cursor.executemany(sql, rows)


def notify_rows(items: Iterable[tuple[Iterable[Any], int, str, str]], at: Any) -> int:
    """Like ``notify_many`` for (users, request id, kind, text) items, written with ``insert_rows``."""
    created = connection.ops.adapt_datetimefield_value(at)
    rows = []
    mails: list[tuple[list[str], str]] = []
    for users, request_id, kind, text in items:
        seen: set[int] = set()
        recipients = []
        for user in users:
            if user is None or user.pk in seen:
                continue
            seen.add(user.pk)
            rows.append((user.pk, request_id, kind, str(text)[:300], created))
            if getattr(user, "email", ""):
                recipients.append(user.email)
        if recipients:
            mails.append((recipients, str(text)))
    insert_rows(Notification, ("user_id", "request_id", "kind", "text", "created"), rows)
    if rows and mails and getattr(settings, "SHEQU_SERVICES_EMAIL", False):
        for recipients, message in mails:
            transaction.on_commit(lambda r=recipients, m=message: send_email(r, m))  # type: ignore[misc]
    return len(rows)


def send_email(recipients: list[str], text: str) -> None:
    """The email hook: a plain message to each address (errors are logged, never raised)."""
    from django.core.mail import send_mail

    if not recipients:
        return
    try:
        send_mail(text[:80], text, None, recipients, fail_silently=False)
    except Exception:
        logger.exception("notification email failed")
