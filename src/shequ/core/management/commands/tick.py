"""``shequ tick``: the periodic work — the deadline watch of every workflow (warnings before, escalations after),
the apps' periodic tasks (``core.registry.PERIODIC``), and the purge of stored files past their retention.

``shequ serve`` runs it every few minutes beside the worker; in production run it from cron (every 5 minutes)."""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand
from django.utils.translation import override


def tick() -> dict[str, Any]:
    from shequ.core import files
    from shequ.core.registry import PERIODIC
    from shequ.core.workflow import check_all_deadlines

    with override("zh-hans"):
        result: dict[str, Any] = {"deadlines": check_all_deadlines()}
        for name, job in PERIODIC.items():
            result[name] = job()
    result["purged"] = files.purge()
    return result


class Command(BaseCommand):
    help = "Run the periodic work once: deadline warnings and escalations of every workflow, periodic tasks, purge."

    def handle(self, *args: Any, **opts: Any) -> None:
        self.stdout.write(json.dumps(tick(), default=str, ensure_ascii=False))
