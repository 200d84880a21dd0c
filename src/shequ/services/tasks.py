"""The deadline watch of requests: warn the handler before the deadline, escalate to the officers one level up
after it — the shared watch of ``core.workflow`` over the request workflow.

Sub-tasks have a due time but no clock of the workflow: ``warn_subtasks`` reminds the receiving organization's
handlers once, ``SUBTASK_WARNING`` before it (the request's own deadline escalates).

Run by ``shequ tick`` (every few minutes: the worker of ``shequ serve`` does it, or cron), by
``shequ services_deadlines``, or enqueued as the django-tasks task ``check_deadlines_task``.  Each request is
warned once and escalated once (``warned_at``, ``escalated_at``); the due ones are found through partial
indexes holding only the open requests not yet warned (on ``warn_at``) or not yet escalated (on ``deadline``).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import override
from django_tasks import task

# How long before a sub-task's due time its organization is reminded.
SUBTASK_WARNING = timedelta(hours=24)


def check_deadlines(now: datetime | None = None) -> dict[str, int]:
    from .actions.requests import WORKFLOW

    return WORKFLOW.check_deadlines(now)


@task()
def check_deadlines_task() -> dict[str, Any]:
    with override("zh-hans"):
        return check_deadlines()


def warn_subtasks(now: datetime | None = None) -> int:
    """Remind the handlers of the organization each open sub-task is handed to, once, when its due time is less
    than ``SUBTASK_WARNING`` away (and not yet passed).  Returns how many sub-tasks were reminded."""
    from shequ.core.models import TimelineKind
    from shequ.core.notifications import notify_many

    from . import routing
    from .models import SubTask, SubTaskStatus

    now = now or timezone.now()
    memo: dict[str, Any] = {}
    with transaction.atomic():
        due = list(
            SubTask.objects.filter(
                status=SubTaskStatus.OPEN, warned_at__isnull=True, due__gt=now, due__lte=now + SUBTASK_WARNING
            )
            .select_for_update(of=("self",), skip_locked=True)
            .select_related("organization", "request")
            .order_by("due", "id")
        )
        notices = []
        for sub in due:
            levels = routing.officer_levels(sub.to_path, memo)
            text = _("Sub-task of request %(code)s for %(org)s is due by %(due)s: %(what)s") % {
                "code": sub.request.code,
                "org": sub.organization.name,
                "due": timezone.localtime(sub.due).strftime("%Y-%m-%d %H:%M") if sub.due else "",
                "what": sub.instruction,
            }
            notices.append((levels[0] if levels else [], text, sub.request, None, TimelineKind.WARNING))
        notify_many(notices)
        SubTask.objects.filter(pk__in=[sub.pk for sub in due]).update(warned_at=now)
    return len(due)
