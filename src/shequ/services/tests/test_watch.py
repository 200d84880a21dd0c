"""The deadline watch works set-wise: its query count does not grow with the number of due requests."""

from __future__ import annotations

from datetime import timedelta
from typing import ClassVar

from django.db import connection
from django.test.utils import CaptureQueriesContext

from shequ.core.models import Notification
from shequ.core.testing import WorldTestCase
from shequ.services import actions
from shequ.services.models import CaseEvent, EventKind, ServiceRequest
from shequ.services.tasks import check_deadlines

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
