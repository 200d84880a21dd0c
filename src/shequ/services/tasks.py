"""The deadline watch: warn the handler before the deadline, escalate to the officers one level up after it.

Run by ``shequ services_deadlines`` (cron, every few minutes) or enqueued as the django-tasks task
``check_deadlines_task``.  Each request is warned once and escalated once (``warned_at``,
``escalated_at``); the due ones are found through partial indexes holding only the open requests not yet
warned (on ``warn_at``) or not yet escalated (on ``deadline``), so the watch reads what is due and nothing else.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import override
from django_tasks import task

from . import routing
from .actions.notify import insert_rows, notify_rows
from .models import CaseEvent, EventKind, ServiceRequest

BATCH = 1000


def check_deadlines(now: datetime | None = None) -> dict[str, int]:
    """Escalate the newly overdue, then warn the newly due; a batch at a time, each in one transaction with
    one INSERT for the case-file entries, one for the notifications and one UPDATE for the marks.  Who is
    told is looked up once per node for the whole run."""
    now = now or timezone.now()
    counts = {"warned": 0, "escalated": 0}
    memo: dict[str, list[Any]] = {}
    base = ServiceRequest.objects.filter(is_open=True).select_related("category", "handler")
    fields = ("id", "code", "path", "responsible_path", "deadline", "handler", "category__name")
    while True:
        with transaction.atomic():
            batch = list(
                base.filter(escalated_at__isnull=True, deadline__lt=now)
                .select_for_update(of=("self",), skip_locked=True)
                .only(*fields)
                .order_by("deadline")[:BATCH]
            )
            _record(batch, EventKind.ESCALATION, memo)
            ServiceRequest.objects.filter(pk__in=[r.pk for r in batch]).update(escalated_at=now, warned_at=now)
        counts["escalated"] += len(batch)
        if len(batch) < BATCH:
            break
    while True:
        with transaction.atomic():
            batch = list(
                base.filter(warned_at__isnull=True, warn_at__lte=now, deadline__gte=now)
                .select_for_update(of=("self",), skip_locked=True)
                .only(*fields)
                .order_by("warn_at")[:BATCH]
            )
            _record(batch, EventKind.WARNING, memo)
            ServiceRequest.objects.filter(pk__in=[r.pk for r in batch]).update(warned_at=now)
        counts["warned"] += len(batch)
        if len(batch) < BATCH:
            break
    return counts


def _when(request: ServiceRequest) -> str:
    return timezone.localtime(request.deadline).strftime("%Y-%m-%d %H:%M") if request.deadline else "—"


def _record(batch: list[ServiceRequest], kind: str, memo: dict[str, list[Any]]) -> None:
    """The case-file entries and notifications of a batch of warnings or escalations, each kind of row in
    one ``executemany`` (no model instances: this is the hot loop of the watch)."""
    if not batch:
        return
    routing.prefetch_officers([r.responsible_path or r.path for r in batch], memo)
    label = _("deadline watch")
    now = timezone.now()
    at = connection.ops.adapt_datetimefield_value(now)
    events = []
    notices = []
    for request in batch:
        values = {"code": request.code, "category": request.category.name, "deadline": _when(request)}
        if kind == EventKind.ESCALATION:
            text = _("Request %(code)s (%(category)s) is overdue since %(deadline)s; escalated.") % values
            users = [*routing.escalation_targets(request, memo), *routing.handlers_of(request, memo)]
        else:
            text = _("Request %(code)s (%(category)s) is due by %(deadline)s.") % values
            users = routing.handlers_of(request, memo)
        events.append((request.pk, kind, "", "", text, False, label, at))
        notices.append((users, request.pk, kind, text))
    insert_rows(
        CaseEvent, ("request_id", "kind", "from_status", "to_status", "text", "public", "actor_label", "at"), events
    )
    notify_rows(notices, now)


@task()
def check_deadlines_task() -> dict[str, Any]:
    with override("zh-hans"):
        return check_deadlines()
