"""The demo city's requests look like a working service: spread over months, in every state, some late and
some overdue, rated (satisfied and not), reopened, with sub-tasks; each consistent with its case file, as
the actions would have left it; bulk-inserted and the same for the same seed; and the dashboard and the
portal's figures show numbers, not "—"."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta
from typing import Any, ClassVar
from unittest import mock

from django.db import connection
from django.test import Client, TestCase
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from shequ.accounts.models import User
from shequ.orgs.demo import seed_organizations
from shequ.people.demo import seed_people
from shequ.services.demo import seed_services
from shequ.services.models import (
    OPEN_STATUSES,
    CaseEvent,
    EventKind,
    ServiceRequest,
    Status,
    SubTask,
    SubTaskStatus,
)
from shequ.territory.demo import SCALES, build_demo_territory
from shequ.territory.models import Node

NOW = timezone.now().replace(microsecond=0)


def snapshot() -> list[Any]:
    return list(
        ServiceRequest.objects.order_by("code").values_list(
            "code", "category__code", "status", "channel", "node__name", "created", "deadline", "rating"
        )
    )


class ServicesDemoTests(TestCase):
    city: ClassVar[Node]
    summary: ClassVar[dict[str, int]]
    queries: ClassVar[int]
    admin: ClassVar[User]

    @classmethod
    def setUpTestData(cls) -> None:
        cls.city = build_demo_territory(SCALES["tiny"], seed=5)
        cls.admin = User.objects.create_superuser("root", password="root-pass-123")
        seed_people(cls.city, "tiny", 5)
        seed_organizations(cls.city, "tiny", 5)
        with mock.patch("shequ.services.demo.timezone.now", return_value=NOW):
            with CaptureQueriesContext(connection) as queries:
                cls.summary = seed_services(cls.city, "tiny", 5)
        cls.queries = len(queries)

    def test_bulk_and_deterministic(self) -> None:
        self.assertEqual(self.summary["service requests"], ServiceRequest.objects.count())
        self.assertGreaterEqual(self.summary["service requests"], 50)
        # A few statements a community (its residents), not one a request or an event.
        self.assertLess(self.queries, 80)
        before = snapshot()
        ServiceRequest.objects.all().delete()
        with mock.patch("shequ.services.demo.timezone.now", return_value=NOW):
            seed_services(self.city, "tiny", 5)
        self.assertEqual(snapshot(), before)

    def test_every_state_over_months_late_rated_reopened(self) -> None:
        requests = list(ServiceRequest.objects.select_related("category", "category__parent"))
        states = Counter(r.status for r in requests)
        self.assertEqual(set(states), set(Status.values), states)
        self.assertGreater(states[Status.CLOSED], len(requests) / 2)
        months = {(r.created.year, r.created.month) for r in requests}
        self.assertGreaterEqual(len(months), 5)
        self.assertTrue(all(NOW - timedelta(days=200) < r.created <= NOW for r in requests))
        on_time = [r.on_time for r in requests if r.on_time is not None]
        self.assertGreater(on_time.count(True), on_time.count(False) > 0)
        self.assertTrue(any(r.overdue for r in requests if r.deadline and r.deadline < NOW and r.is_open))
        ratings = Counter(r.rating for r in requests if r.rating)
        self.assertTrue(ratings[5] and ratings[4] and (ratings[1] + ratings[2]))
        self.assertTrue(any(r.reopened_count for r in requests))
        self.assertTrue(any(not r.category.is_public for r in requests))
        self.assertEqual(len({r.code for r in requests}), len(requests))
        tasks = Counter(SubTask.objects.values_list("status", flat=True))
        self.assertGreater(tasks[SubTaskStatus.DONE], 0)

    def test_each_request_agrees_with_its_case_file(self) -> None:
        events: dict[int, list[CaseEvent]] = {}
        for e in CaseEvent.objects.order_by("at", "id"):
            events.setdefault(e.request_id, []).append(e)
        for r in ServiceRequest.objects.select_related("organization"):
            with self.subTest(code=r.code, status=r.status):
                steps = [e for e in events[r.pk] if e.kind == EventKind.STATUS]
                self.assertEqual(steps[0].to_status, Status.SUBMITTED)
                self.assertEqual(steps[-1].to_status, r.status)
                for before, after in zip(steps, steps[1:], strict=False):
                    self.assertEqual(after.from_status, before.to_status)
                    self.assertLessEqual(before.at, after.at)
                self.assertEqual(r.is_open, r.status in OPEN_STATUSES)
                self.assertTrue(r.created <= r.updated <= NOW)
                self.assertEqual(r.path, Node.objects.get(pk=r.node_id).path)
                self.assertEqual(r.responsible_path, r.organization.path if r.organization else "")
                self.assertEqual(r.phone_last4, r.phone[-4:])
                if r.status in (Status.RESOLVED, Status.RATED, Status.CLOSED):
                    self.assertIsNotNone(r.resolved_at)
                if r.status != Status.SUBMITTED:
                    self.assertTrue(r.accepted_at and r.deadline and r.tier_name)
                if r.rating is not None and r.status != Status.REOPENED:
                    self.assertIn(EventKind.RATING, {e.kind for e in events[r.pk]})
                required = {q.code for q in r.category.attributes.all() if q.required}
                self.assertLessEqual(required, set(r.attributes))

    def test_the_dashboard_and_the_public_figures_show_numbers(self) -> None:
        client = Client()
        client.force_login(self.admin)
        response = client.get(reverse("services:dashboard"), {"node": self.city.pk})
        board = response.context["board"]
        f = board.figures
        self.assertTrue(f.on_time_rate and f.satisfaction_rate and f.rating_avg and f.overdue and f.open)
        for testid in ("on-time", "satisfaction"):
            self.assertRegex(response.content.decode(), rf'data-testid="{testid}">\d+(\.\d)?%<')
        weeks = [filed for _week, filed, _resolved in board.by_week]
        self.assertGreaterEqual(sum(1 for n in weeks if n), 8, weeks)
        self.assertGreaterEqual(len(board.by_category), 6)
        self.assertEqual(len(board.by_channel), 5)
        rows = Client().get(reverse("services:portal_statistics")).context["rows"]
        served = [row for row in rows if row.figures.total]
        self.assertTrue(served)
        for row in served:
            self.assertIsNotNone(row.figures.on_time_rate, row.name)
            self.assertIsNotNone(row.figures.satisfaction_rate, row.name)
