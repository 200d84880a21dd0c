"""The deadline watch works set-wise: its query count does not grow with the number of due requests; sub-tasks
are reminded before their due time."""

from __future__ import annotations

import io
import json
from datetime import datetime, timedelta
from typing import ClassVar

from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from shequ.accounts.models import User
from shequ.core.models import Notification, TimelineKind
from shequ.core.testing import WorldTestCase
from shequ.services import actions
from shequ.services.models import CaseEvent, EventKind, ServiceRequest, SubTask
from shequ.services.tasks import SUBTASK_WARNING, check_deadlines, warn_subtasks

from .helpers import ServicesTree, file


class WatchTests(WorldTestCase):
    tree: ClassVar[ServicesTree]

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.tree = ServicesTree(cls.world)

    def due(self, n: int) -> list[ServiceRequest]:
        a = self.tree.worker_a
        return [actions.do_assign(file(self.world, acting_user=a, accept=True), acting_user=a) for _ in range(n)]

    def run_counted(self, when: object) -> tuple[dict[str, int], int]:
        with CaptureQueriesContext(connection) as ctx:
            counts = check_deadlines(when)  # type: ignore[arg-type]
        return counts, len(ctx.captured_queries)

    def test_query_count_is_constant(self) -> None:
        few = self.due(1)
        assert few[0].deadline is not None
        later = few[0].deadline + timedelta(days=1)
        _counts, one = self.run_counted(later)
        ServiceRequest.objects.update(escalated_at=None, warned_at=None)
        many = self.due(8)
        counts, nine = self.run_counted(later)
        self.assertEqual(counts, {"warned": 0, "escalated": 9})
        self.assertEqual(one, nine)
        for r in [*few, *many]:
            self.assertTrue(CaseEvent.objects.filter(request=r, kind=EventKind.ESCALATION, actor__isnull=True).exists())
            self.assertTrue(
                Notification.objects.filter(
                    user=self.world.officer_a, object_pk=str(r.pk), kind=EventKind.ESCALATION
                ).exists()
            )
            self.assertTrue(
                Notification.objects.filter(
                    user=self.tree.worker_a, object_pk=str(r.pk), kind=EventKind.ESCALATION
                ).exists()
            )

    def test_email_hook_once_per_notice(self) -> None:
        from django.core import mail

        self.tree.worker_a.email = "a@example.org"
        self.tree.worker_a.save()
        r = self.due(2)[0]
        assert r.warn_at is not None
        from shequ.core.notifications import channels

        channels.cache_clear()
        try:
            with (
                self.settings(SHEQU_NOTIFICATION_CHANNELS=["shequ.core.notifications.EmailChannel"]),
                self.captureOnCommitCallbacks(execute=True),
            ):
                self.assertEqual(check_deadlines(r.warn_at + timedelta(minutes=1))["warned"], 2)
        finally:
            channels.cache_clear()
        self.assertEqual(len(mail.outbox), 2)
        self.assertEqual(mail.outbox[0].to, ["a@example.org"])


class SubTaskReminderTests(WorldTestCase):
    """A sub-task's organization is reminded once before its due time (``shequ tick``), with an injected clock."""

    tree: ClassVar[ServicesTree]

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.tree = ServicesTree(cls.world)

    def open_subtask(self, due: datetime, what: str = "请协助核实楼上住户") -> SubTask:
        a = self.tree.worker_a
        r = actions.do_assign(file(self.world, acting_user=a, accept=True), acting_user=a)
        r = actions.do_start(r, acting_user=a)
        return actions.do_open_subtask(r, acting_user=a, organization=self.tree.committee_b, instruction=what, due=due)

    def reminders(self, user: User) -> list[Notification]:
        return list(Notification.objects.filter(user=user, kind=TimelineKind.WARNING))

    def test_once_to_the_receiving_organization_before_the_due_time(self) -> None:
        due = timezone.now() + timedelta(days=3)
        task = self.open_subtask(due)
        closed = self.open_subtask(due, "已处理的协办")
        actions.do_complete_subtask(closed, acting_user=self.tree.worker_b, result="已核实")
        self.assertEqual(warn_subtasks(due - SUBTASK_WARNING - timedelta(hours=1)), 0)  # too early
        self.assertEqual(self.reminders(self.tree.worker_b), [])
        self.assertEqual(warn_subtasks(due - timedelta(hours=12)), 1)  # the open one only
        [notice] = self.reminders(self.tree.worker_b)
        self.assertIn(task.request.code, notice.text)
        self.assertIn("请协助核实楼上住户", notice.text)
        self.assertEqual(notice.url, task.request.get_absolute_url())
        self.assertEqual(self.reminders(self.tree.worker_a), [])  # not the sending side
        # Never a second time; none once the due time has passed.
        self.assertEqual(warn_subtasks(due - timedelta(hours=1)), 0)
        self.assertEqual(len(self.reminders(self.tree.worker_b)), 1)
        late = self.open_subtask(due)
        self.assertEqual(warn_subtasks(due + timedelta(minutes=1)), 0)
        late.refresh_from_db()
        self.assertIsNone(late.warned_at)

    def test_tick_reminds(self) -> None:
        self.open_subtask(timezone.now() + timedelta(hours=2))
        out = io.StringIO()
        call_command("tick", stdout=out)
        self.assertEqual(json.loads(out.getvalue())["subtask_reminders"], 1)
        [notice] = self.reminders(self.tree.worker_b)
        self.assertIn("到期", notice.text)  # in Chinese
