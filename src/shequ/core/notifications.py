"""Notifications: one in-app centre (the bell in the top bar) fed by every workflow event addressed to a user,
and a delivery hook for other channels (SMS, e-mail …).

``notify(users, text, url=…, obj=…, kind=…)`` writes one ``Notification`` per user (each at most once) in
one INSERT; ``notify_rows`` does the same with plain rows for hot loops (the deadline watch).  After the
commit, each notification is handed to the channels of ``SHEQU_NOTIFICATION_CHANNELS`` (dotted paths of
``Channel`` subclasses): the console in development, e-mail and an SMS gateway where configured.  A channel
never raises into the caller: failures are logged.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any

from django.conf import settings
from django.db import connection, models, transaction
from django.utils import timezone
from django.utils.module_loading import import_string

from .models import Notification

logger = logging.getLogger(__name__)
TEXT_MAX = 300
UNREAD_CAP = 99


@dataclass(frozen=True)
class Message:
    """What a channel delivers: the text and where it leads, for one user."""

    user_id: int
    username: str
    email: str
    phone: str
    text: str
    url: str


class Channel:
    """A way to deliver notifications beyond the app (subclass; list it in ``SHEQU_NOTIFICATION_CHANNELS``)."""

    def send(self, messages: Sequence[Message]) -> None:
        raise NotImplementedError


class ConsoleChannel(Channel):
    """Development: each notification as a log line (the log masks personal data)."""

    def send(self, messages: Sequence[Message]) -> None:
        for m in messages:
            logger.info("notification to %s: %s %s", m.username, m.text, m.url)


class EmailChannel(Channel):
    """An e-mail to each user who has an address (Django's e-mail settings)."""

    def send(self, messages: Sequence[Message]) -> None:
        from django.core.mail import send_mail

        for m in messages:
            if m.email:
                send_mail(m.text[:80], f"{m.text}\n{site_url(m.url)}", None, [m.email], fail_silently=False)


class SmsChannel(Channel):
    """An SMS gateway: subclass and implement ``send_sms(phone, text)`` for the provider in use."""

    def send(self, messages: Sequence[Message]) -> None:
        for m in messages:
            if m.phone:
                self.send_sms(m.phone, m.text)

    def send_sms(self, phone: str, text: str) -> None:
        raise NotImplementedError


def site_url(url: str) -> str:
    base = getattr(settings, "SHEQU_SITE_URL", "").rstrip("/")
    return f"{base}{url}" if url.startswith("/") else url


@cache
def channels() -> tuple[Channel, ...]:
    return tuple(import_string(path)() for path in getattr(settings, "SHEQU_NOTIFICATION_CHANNELS", []))


def deliver(messages: list[Message]) -> None:
    for channel in channels():
        try:
            channel.send(messages)
        except Exception:
            logger.exception("notification channel %s failed", type(channel).__name__)


def _target(obj: Any) -> tuple[int | None, str]:
    if obj is None:
        return None, ""
    from django.contrib.contenttypes.models import ContentType

    return ContentType.objects.get_for_model(type(obj)).pk, str(obj.pk)


def _url_of(obj: Any, url: str | None) -> str:
    if url is not None:
        return url[:500]
    get = getattr(obj, "get_absolute_url", None)
    return get()[:500] if callable(get) else ""


def _unique(users: Iterable[Any]) -> list[Any]:
    seen: set[int] = set()
    result = []
    for user in users:
        if user is None or user.pk in seen or not getattr(user, "is_active", True):
            continue
        seen.add(user.pk)
        result.append(user)
    return result


def notify(users: Iterable[Any], text: Any, *, obj: Any = None, url: str | None = None, kind: str = "") -> int:
    """Tell each of *users* (once each) *text*, leading to *url* (default: *obj*'s page).  Returns how many."""
    return notify_many([(users, text, obj, url, kind)])


def notify_many(items: Iterable[tuple[Iterable[Any], Any, Any, str | None, str]]) -> int:
    """Several notices — (users, text, obj, url, kind) — in one INSERT."""
    rows: list[Notification] = []
    messages: list[Message] = []
    for users, text, obj, url, kind in items:
        content_type_id, object_pk = _target(obj)
        link = _url_of(obj, url)
        body = str(text)[:TEXT_MAX]
        for user in _unique(users):
            rows.append(
                Notification(
                    user=user, kind=kind, text=body, url=link, content_type_id=content_type_id, object_pk=object_pk
                )
            )
            messages.append(_message(user, body, link))
    Notification.objects.bulk_create(rows, batch_size=1000)
    _deliver_on_commit(messages)
    return len(rows)


def _message(user: Any, text: str, url: str) -> Message:
    return Message(
        user.pk, user.get_username(), getattr(user, "email", "") or "", getattr(user, "phone", "") or "", text, url
    )


def _deliver_on_commit(messages: list[Message]) -> None:
    if messages and channels():
        transaction.on_commit(lambda: deliver(messages))


def insert_rows(model: type[models.Model], columns: Sequence[str], rows: list[tuple[Any, ...]]) -> None:
    """Many rows in one ``executemany`` (no model instances), for bulk writes in hot loops.  The values must
    already be in database form (see ``connection.ops.adapt_datetimefield_value``)."""
    if not rows:
        return
    quote = connection.ops.quote_name
    sql = "INSERT INTO {} ({}) VALUES ({})".format(
        quote(model._meta.db_table), ", ".join(quote(c) for c in columns), ", ".join(["%s"] * len(columns))
    )
    with connection.cursor() as cursor:
        cursor.executemany(sql, rows)


def notify_rows(items: Iterable[tuple[Iterable[Any], Any, str, str, str]], *, model: Any, at: Any = None) -> int:
    """Like ``notify_many`` for (users, object pk, url, text, kind) items about records of *model*, written
    with ``insert_rows`` (no model instances: for hot loops such as the deadline watch)."""
    from django.contrib.contenttypes.models import ContentType

    at = at or timezone.now()
    created = connection.ops.adapt_datetimefield_value(at)
    content_type_id = ContentType.objects.get_for_model(model).pk
    rows = []
    messages: list[Message] = []
    for users, object_pk, url, text, kind in items:
        body = str(text)[:TEXT_MAX]
        for user in _unique(users):
            rows.append((user.pk, str(kind), body, url[:500], content_type_id, str(object_pk), created))
            messages.append(_message(user, body, url))
    insert_rows(Notification, ("user_id", "kind", "text", "url", "content_type_id", "object_pk", "created"), rows)
    _deliver_on_commit(messages)
    return len(rows)


def about(obj: Any) -> models.QuerySet[Notification]:
    """The notifications about *obj*."""
    content_type_id, object_pk = _target(obj)
    return Notification.objects.filter(content_type_id=content_type_id, object_pk=object_pk)


def unread_count(user: Any) -> int:
    """Unread notifications of *user*, counted up to ``UNREAD_CAP`` + 1 (the bell shows "99+")."""
    if user is None or not getattr(user, "is_authenticated", False):
        return 0
    from .counts import count_sql

    sql, params = _unread_sql()
    return count_sql(Notification.objects.db, sql, (*params[:-1], user.pk))


@cache
def _unread_sql() -> tuple[str, tuple[Any, ...]]:
    """The SQL of a user's unread notifications (the user's key last among its parameters), compiled once: every
    page asks for it, and compiling it each time was a third of what the bell cost."""
    unread = Notification.objects.filter(read_at__isnull=True, user_id=-1).order_by().values("pk")[: UNREAD_CAP + 1]
    sql, params = unread.query.sql_with_params()
    assert params[-1] == -1, "the user's key is the last parameter"  # noqa: S101 - the one assumption made here
    return sql, tuple(params)


def mark_read(user: Any, pks: Iterable[int] | None = None) -> int:
    """Mark *user*'s notifications (those of *pks*, or all) read."""
    qs = Notification.objects.filter(user_id=user.pk, read_at__isnull=True)
    if pks is not None:
        qs = qs.filter(pk__in=list(pks))
    return qs.update(read_at=timezone.now())
