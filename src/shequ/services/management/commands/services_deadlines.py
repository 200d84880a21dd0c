"""``shequ services_deadlines``: warn before and escalate after request deadlines (run it from cron)."""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand
from django.utils.translation import override

from shequ.services.tasks import check_deadlines


class Command(BaseCommand):
    help = "Warn handlers before request deadlines and escalate overdue requests one level up."

    def handle(self, *args: Any, **opts: Any) -> None:
        with override("zh-hans"):
            counts = check_deadlines()
        self.stdout.write(json.dumps(counts))
