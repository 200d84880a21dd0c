"""The deadline watch of requests: warn the handler before the deadline, escalate to the officers one level up
after it — the shared watch of ``core.workflow`` over the request workflow.

Run by ``shequ tick`` (every few minutes: the worker of ``shequ serve`` does it, or cron), by
``shequ services_deadlines``, or enqueued as the django-tasks task ``check_deadlines_task``.  Each request is
warned once and escalated once (``warned_at``, ``escalated_at``); the due ones are found through partial
indexes holding only the open requests not yet warned (on ``warn_at``) or not yet escalated (on ``deadline``).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.utils.translation import override
from django_tasks import task


def check_deadlines(now: datetime | None = None) -> dict[str, int]:
    from .actions.requests import WORKFLOW

    return WORKFLOW.check_deadlines(now)


@task()
def check_deadlines_task() -> dict[str, Any]:
    with override("zh-hans"):
        return check_deadlines()
