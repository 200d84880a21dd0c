"""The requests dashboard of a node: figures, scope, constant query count, export."""

from __future__ import annotations

import io
import json
from datetime import timedelta
from typing import Any, ClassVar

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from shequ.core.testing import WorldTestCase
from shequ.services import actions
from shequ.services.models import Channel, ServiceRequest

from .helpers import ServicesTree, file


class DashboardTests(WorldTestCase):
    tree: ClassVar[ServicesTree]

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.tree = ServicesTree(cls.world)

    def make(self, node: Any, user: Any, n: int = 1, **kw: Any) -> list[ServiceRequest]:
        return [file(self.world, node=node, acting_user=user, accept=True, **kw) for _ in range(n)]

    def resolve(self, r: ServiceRequest, user: Any, rating: int | None = None) -> ServiceRequest:
        r = actions.do_assign(r, acting_user=user)
        r = actions.do_start(r, acting_user=user)
        r = actions.do_resolve(r, acting_user=user, note="已处理")
        if rating is not None:
            r = actions.do_rate(r, acting_user=user, rating=rating)
        return r

    def page(self, node: Any = None) -> Any:
        return self.client.get(reverse("services:dashboard"), {"node": node.pk} if node else {})

    def test_figures_charts_and_overdue_list(self) -> None:
        a = self.tree.worker_a
        w = self.world
        first, second, third = self.make(w.grid_a, a, 3)
        self.make(w.community_a, a, 1, channel=Channel.HOTLINE, code="garbage")
        self.resolve(first, a, rating=5)
        second = self.resolve(second, a, rating=3)  # rated, not satisfied
        ServiceRequest.objects.filter(pk=third.pk).update(deadline=timezone.now() - timedelta(hours=1))
        assert second.resolved_at is not None
        ServiceRequest.objects.filter(pk=second.pk).update(deadline=second.resolved_at - timedelta(days=1))
        self.login(a)
        response = self.page(w.community_a)
        self.assertEqual(response.status_code, 200)
        board = response.context["board"]
        f = board.figures
        self.assertEqual((f.total, f.overdue, f.rated, f.satisfied), (4, 1, 2, 1))
        self.assertEqual((f.resolved, f.on_time, f.on_time_rate, f.satisfaction_rate), (2, 1, 50.0, 50.0))
        self.assertEqual(dict(board.by_channel), {str(Channel.WINDOW.label): 3, str(Channel.HOTLINE.label): 1})
        self.assertEqual(sum(n for _c, n in board.by_category), 4)
        self.assertEqual(len(board.by_category), 2)
        self.assertEqual(sum(filed for _w, filed, _r in board.by_week), 4)
        self.assertEqual(board.by_week[-1][1], 4)
        self.assertEqual([r.pk for r in board.overdue], [third.pk])
        self.assertContains(response, third.code)
        self.assertContains(response, "vendor/echarts/echarts.min.js")
        for chart in board.charts():
            json.loads(chart.option)
        # Each channel in the pie's legend with its count and share.
        self.assertContains(response, "3（75.0%）")
        self.assertContains(response, "1（25.0%）")
        self.assertEqual(response.content.decode().count("data-echarts="), 3)

    def test_scope(self) -> None:
        w = self.world
        self.make(w.community_a, self.tree.worker_a, 2)
        hidden = self.make(w.community_b, self.tree.worker_b, 3)
        ServiceRequest.objects.filter(pk=hidden[0].pk).update(deadline=timezone.now() - timedelta(hours=1))
        self.login(self.tree.worker_a)
        response = self.page()  # the top of the user's scope by default
        self.assertEqual(response.context["anchor"], w.community_a)
        self.assertEqual(response.context["board"].figures.total, 2)
        self.assertNotContains(response, hidden[0].code)
        self.assertEqual(self.page(w.community_b).status_code, 404)
        self.assertEqual(self.page(w.district).status_code, 404)
        self.assertEqual(self.client.get(reverse("services:dashboard"), {"node": "x"}).status_code, 404)
        self.assertEqual(
            self.client.get(reverse("services:dashboard_export"), {"node": w.community_b.pk}).status_code, 404
        )
        self.login(w.nobody)
        self.assertEqual(self.page(w.community_a).status_code, 404)
        self.login(None)
        self.assertEqual(self.page(w.community_a).status_code, 302)
        self.login(self.tree.district_officer)
        self.assertEqual(self.page(w.district).context["board"].figures.total, 5)

    def test_query_count_is_constant(self) -> None:
        w = self.world
        self.login(self.tree.worker_a)
        self.make(w.community_a, self.tree.worker_a, 1)
        self.page(w.community_a)  # warm caches (content types, sessions)
        with CaptureQueriesContext(connection) as few:
            self.page(w.community_a)
        many = self.make(w.grid_a, self.tree.worker_a, 6, code="garbage")
        ServiceRequest.objects.filter(pk__in=[r.pk for r in many]).update(deadline=timezone.now() - timedelta(hours=1))
        with CaptureQueriesContext(connection) as more:
            response = self.page(w.community_a)
        self.assertEqual(len(response.context["board"].overdue), 6)
        self.assertEqual(len(few), len(more), [q["sql"] for q in more])

    def test_export_xlsx(self) -> None:
        from python_calamine import CalamineWorkbook

        w = self.world
        overdue = self.make(w.community_a, self.tree.worker_a, 1)[0]
        ServiceRequest.objects.filter(pk=overdue.pk).update(deadline=timezone.now() - timedelta(hours=1))
        hidden = self.make(w.community_b, self.tree.worker_b, 1)[0]
        self.login(self.tree.worker_a)
        response = self.client.get(reverse("services:dashboard_export"), {"node": w.community_a.pk})
        self.assertEqual(response.status_code, 200)
        content = b"".join(response.streaming_content)  # type: ignore[attr-defined]
        rows = CalamineWorkbook.from_filelike(io.BytesIO(content)).get_sheet_by_index(0).to_python()
        cells = {str(c) for row in rows for c in row}
        self.assertIn(overdue.code, cells)
        self.assertNotIn(hidden.code, cells)
        self.assertIn(w.community_a.name, cells)
