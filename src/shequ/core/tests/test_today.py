"""The home page of every role ("today"): what awaits the user, each count linking to its list, within their
area; the targets of their area not met; a bounded number of queries."""

from __future__ import annotations

from datetime import timedelta
from typing import ClassVar

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from shequ.core import indicators
from shequ.core.testing import WorldTestCase
from shequ.services import actions
from shequ.services.indicators import SATISFACTION
from shequ.services.tests.helpers import ServicesTree, file


class TodayTests(WorldTestCase):
    tree: ClassVar[ServicesTree]

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.tree = ServicesTree(cls.world)

    def todos(self, user) -> dict[str, tuple[int, str]]:  # type: ignore[no-untyped-def]
        self.login(user)
        page = self.client.get(reverse("home"))
        self.assertEqual(page.status_code, 200)
        return {t.key: (t.count, t.url) for t in page.context["todos"]}

    def test_counts_within_the_area_link_to_their_lists(self) -> None:
        file(self.world, node=self.world.community_a, acting_user=self.world.officer_a)
        file(self.world, node=self.world.community_a, acting_user=self.world.officer_a)
        file(self.world, node=self.world.community_b, acting_user=self.world.officer_b)
        mine = self.todos(self.world.officer_a)
        count, url = mine["services.to_accept"]
        self.assertEqual(count, 2)
        listed = self.client.get(url)
        self.assertEqual(len(listed.context["table"].rows), 2)  # the list behind the count
        self.assertEqual(self.todos(self.world.officer_b)["services.to_accept"][0], 1)
        # Reading is not acting: the auditor is asked for nothing; nobody sees an empty page that says so.
        self.assertEqual(self.todos(self.world.auditor_a), {})
        self.login(self.world.nobody)
        self.assertContains(self.client.get(reverse("home")), 'data-testid="nothing-to-do"')

    def test_targets_not_met_of_the_area(self) -> None:
        a = self.world.officer_a
        with self.captureOnCommitCallbacks(execute=True):
            r = file(self.world, node=self.world.community_a, acting_user=a, accept=True)
            r = actions.do_resolve(
                actions.do_start(actions.do_assign(r, acting_user=a), acting_user=a), acting_user=a, note="x"
            )
            actions.do_rate(r, acting_user=a, rating=1)
        self.login(a)
        page = self.client.get(reverse("home"))
        self.assertEqual([f.indicator.code for f in page.context["unmet"]], [SATISFACTION])
        self.assertContains(page, reverse("core:target_detail", args=[SATISFACTION]))
        self.assertTrue(indicators.INDICATORS[SATISFACTION].target)

    def test_a_bounded_number_of_queries(self) -> None:
        for _ in range(3):
            file(self.world, node=self.world.community_a, acting_user=self.world.officer_a)
        self.login(self.world.officer_a)
        self.client.get(reverse("home"))
        with CaptureQueriesContext(connection) as queries:
            self.client.get(reverse("home"))
        self.assertLessEqual(len(queries), 15, [q["sql"][:120] for q in queries])

    def test_sub_tasks_on_the_home_page_of_the_organization_they_are_handed_to(self) -> None:
        a, b = self.tree.worker_a, self.tree.worker_b
        r = actions.do_start(
            actions.do_assign(file(self.world, acting_user=a, accept=True), acting_user=a), acting_user=a
        )
        actions.do_open_subtask(r, acting_user=a, organization=self.tree.committee_b, instruction="请协助核实楼上住户")
        actions.do_open_subtask(
            r,
            acting_user=a,
            organization=self.tree.committee_b,
            instruction="请协助联系物业",
            due=timezone.now() - timedelta(hours=1),
        )
        done = actions.do_open_subtask(r, acting_user=a, organization=self.tree.committee_b, instruction="已办")
        actions.do_complete_subtask(done, acting_user=b, result="已核实")
        for user in (b, self.world.officer_b):  # the receiving community and its street
            mine = self.todos(user)
            self.assertEqual(mine["services.subtasks"][0], 2)
            self.assertEqual(mine["services.subtasks_overdue"][0], 1)
            for key, expected in (("services.subtasks", 2), ("services.subtasks_overdue", 1)):
                listed = self.client.get(mine[key][1])
                self.assertEqual(len(listed.context["table"].rows), expected, key)
        # The sending side follows its sub-tasks on the request, but has none to do: nothing on its home page.
        sent = self.todos(a)
        self.assertNotIn("services.subtasks", sent)
        self.assertNotIn("services.subtasks_overdue", sent)
        # The sending street has none to do either, on the home page or on the list.
        self.assertNotIn("services.subtasks", self.todos(self.world.officer_a))
        listed = self.client.get(reverse("services:subtask_list") + "?to_us=true")
        self.assertEqual(len(listed.context["table"].rows), 0)
