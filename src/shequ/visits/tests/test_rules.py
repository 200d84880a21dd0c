"""The home visits' rules as a user meets them: links within the member's community, proposals, the must-visit
list and its intervals, visits (not in the future, follow-up to a request, photos), must-arrive tasks from the
residents' requests, the grid worker's scope, the figures against a hand count."""

from __future__ import annotations

from datetime import timedelta
from typing import Any, ClassVar

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from shequ.core import indicators
from shequ.core.exceptions import ActionError, NotFound
from shequ.core.testing import WorldTestCase
from shequ.people.demo import ensure_standard_tags
from shequ.services import actions as requests
from shequ.services.models import ServiceCategory, ServiceRequest
from shequ.visits import actions
from shequ.visits.indicators import LINK_COVERAGE, VISITS_ON_TIME
from shequ.visits.lists import member_loads, must_visit, propose
from shequ.visits.models import ArrivalReason, HouseholdLink, MustArriveTask, TaskStatus, Visit, VisitKind, VisitRule
from shequ.volunteers.tests.helpers import Tree, person

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


class TreeCase(WorldTestCase):
    tree: ClassVar[Tree]
    tags: ClassVar[dict[str, Any]]

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.tree = Tree(cls.world)
        cls.tags = ensure_standard_tags()

    def refused(self, code: str, call: Any) -> ActionError:
        with self.assertRaises(ActionError) as caught:
            call()
        self.assertEqual(caught.exception.code, code, caught.exception.messages)
        return caught.exception

    def tag(self, household: Any, code: str) -> None:
        household.head.tags.add(self.tags[code])


class LinkTests(TreeCase):
    def test_links_stay_within_the_members_community(self) -> None:
        a, b, officer = self.tree.a, self.tree.b, self.world.admin
        error = self.refused(
            "outside_community",
            lambda: actions.do_link(acting_user=officer, member=a.members[0], household=b.households[0]),
        )
        self.assertIn(b.community.name, error.messages[0])
        stranger = person(a.building, "非委员")
        self.refused(
            "not_committee_member",
            lambda: actions.do_link(acting_user=officer, member=stranger, household=a.households[0]),
        )
        actions.do_link(acting_user=officer, member=a.members[0], household=a.households[0])
        self.refused(
            "duplicate", lambda: actions.do_link(acting_user=officer, member=a.members[0], household=a.households[0])
        )
        self.assertEqual(HouseholdLink.objects.count(), 1)
        # Another street's officer cannot link here at all.
        with self.assertRaises(NotFound):
            actions.do_link(acting_user=self.world.officer_b, member=a.members[1], household=a.households[1])

    def test_proposals_balance_the_load_and_flag_the_rest(self) -> None:
        a = self.tree.a
        loads = {load.member.pk: load.flag for load in member_loads(a.community)}
        self.assertEqual(set(loads.values()), {"few"})
        proposals = propose(a.community)
        self.assertEqual(len(proposals), len(a.households))  # 6 households, 3 members: room for all
        per_member: dict[int, int] = {}
        for p in proposals:
            per_member[p.member.pk] = per_member.get(p.member.pk, 0) + 1
        self.assertTrue(all(n <= 5 for n in per_member.values()), per_member)
        self.client.force_login(self.world.officer_a)
        pairs = [f"{p.member.pk}:{p.household.pk}" for p in proposals]
        response = self.client.post(reverse("visits:links"), {"node": a.community.pk, "pair": pairs})
        self.assertEqual(response.status_code, 302)
        self.assertEqual(HouseholdLink.objects.filter(community=a.community, ended_on__isnull=True).count(), 6)
        page = self.client.get(reverse("visits:links"), {"node": a.community.pk})
        self.assertContains(page, 'data-testid="unanswered-count">0<')


class VisitTests(TreeCase):
    def test_no_visit_in_the_future_and_findings_required(self) -> None:
        a = self.tree.a
        self.refused(
            "visit_in_future",
            lambda: actions.do_log_visit(
                acting_user=self.world.officer_a,
                household=a.households[0],
                findings="x",
                visited_at=timezone.now() + timedelta(hours=2),
            ),
        )
        self.refused(
            "findings_required",
            lambda: actions.do_log_visit(acting_user=self.world.officer_a, household=a.households[0], findings=" "),
        )
        self.client.force_login(self.world.officer_a)
        later = (timezone.localtime() + timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")
        response = self.client.post(
            reverse("visits:visit_add"),
            {"household": a.households[0].pk, "visited_at": later, "findings": "明天的走访"},
        )
        self.assertEqual(response.status_code, 400)
        self.assertContains(response, "明天的走访", status_code=400)  # what was typed is kept
        self.assertFalse(Visit.objects.exists())

    def test_the_follow_up_becomes_a_request_in_one_step(self) -> None:
        a = self.tree.a
        category = ServiceCategory.objects.get(code="home-care")
        self.client.force_login(self.world.officer_a)
        response = self.client.post(
            reverse("visits:visit_add"),
            {
                "household": a.households[0].pk,
                "visited_at": (timezone.localtime() - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"),
                "findings": "独居老人行动不便",
                "follow_up": "需要上门助浴服务",
                "request_category": category.pk,
                "photos": SimpleUploadedFile("现场.png", PNG, content_type="image/png"),
            },
        )
        self.assertEqual(response.status_code, 302)
        visit = Visit.objects.get()
        assert visit.request is not None
        self.assertEqual(visit.request.description, "需要上门助浴服务")
        self.assertEqual(visit.request.resident, a.households[0].head)
        self.assertEqual(visit.photos.count(), 1)
        self.assertEqual(self.client.get(reverse("visits:photo", args=[visit.photos.get().pk])).status_code, 200)
        self.client.force_login(self.world.officer_b)
        self.assertEqual(self.client.get(reverse("visits:photo", args=[visit.photos.get().pk])).status_code, 404)

    def test_only_photos(self) -> None:
        upload = SimpleUploadedFile("说明.pdf", b"%PDF-1.4 test", content_type="application/pdf")
        self.refused(
            "bad_file_type",
            lambda: actions.do_log_visit(
                acting_user=self.world.officer_a, household=self.tree.a.households[0], findings="x", photos=[upload]
            ),
        )

    def test_a_grid_worker_sees_and_logs_their_grids_households_only(self) -> None:
        a, b, gridder = self.tree.a, self.tree.b, self.tree.grid_worker_a
        actions.do_log_visit(acting_user=gridder, household=a.households[0], findings="网格走访")
        with self.assertRaises(NotFound):
            actions.do_log_visit(acting_user=gridder, household=b.households[0], findings="越界")
        self.tag(a.households[1], "elderly_alone")
        self.tag(b.households[1], "elderly_alone")
        self.client.force_login(gridder)
        page = self.client.get(reverse("visits:due"), {"node": str(self.world.grid_a.pk), "overdue": "0"})
        self.assertContains(page, str(a.households[1]))
        self.assertEqual(self.client.get(reverse("visits:due"), {"node": self.world.grid_b.pk}).status_code, 404)


class MustVisitTests(TreeCase):
    def test_intervals_and_overdue(self) -> None:
        a = self.tree.a
        lonely, poor = a.households[0], a.households[1]
        self.tag(lonely, "elderly_alone")
        self.tag(poor, "hardship")
        now = timezone.now()
        for household, days in ((lonely, 10), (poor, 10)):
            actions.do_log_visit(
                acting_user=self.world.admin,
                household=household,
                findings="上次走访",
                visited_at=now - timedelta(days=days),
            )
        due = {d.household_id: d for d in must_visit([a.community])}
        self.assertEqual((due[lonely.pk].interval, due[lonely.pk].overdue), (7, True))  # weekly: late
        self.assertEqual((due[poor.pk].interval, due[poor.pk].overdue), (30, False))  # monthly: in time
        # The community sets its own interval for families in difficulty: a week.
        VisitRule.objects.create(node=a.community, tag=self.tags["hardship"], interval_days=7)
        self.assertTrue({d.household_id: d for d in must_visit([a.community])}[poor.pk].overdue)
        # …or takes a kind off the list.
        VisitRule.objects.create(node=a.community, tag=self.tags["elderly_alone"], interval_days=7, active=False)
        self.assertNotIn(lonely.pk, {d.household_id for d in must_visit([a.community])})

    def test_figures_match_a_hand_count(self) -> None:
        a, admin = self.tree.a, self.world.admin
        for household in a.households[:4]:
            self.tag(household, "hardship")
        actions.do_log_visit(acting_user=admin, household=a.households[0], findings="在期限内")
        actions.do_log_visit(
            acting_user=admin,
            household=a.households[1],
            findings="过期",
            visited_at=timezone.now() - timedelta(days=40),
        )
        for household in a.households[:4]:
            actions.do_link(acting_user=admin, member=a.members[0], household=household)
        actions.do_link(acting_user=admin, member=a.members[1], household=a.households[4])
        indicators.refresh([LINK_COVERAGE, VISITS_ON_TIME], [a.community])
        figures = indicators.figures(
            a.community, timezone.localdate().year, indicators.ordered([LINK_COVERAGE, VISITS_ON_TIME])
        )
        # 3 members: one with 4 households (3–5), one with 1, one with none.
        self.assertEqual((figures[LINK_COVERAGE].numerator, figures[LINK_COVERAGE].denominator), (1, 3))
        # 4 must-visit households: one visited in time; one late; two linked today, due in 30 days.
        self.assertEqual((figures[VISITS_ON_TIME].numerator, figures[VISITS_ON_TIME].denominator), (3, 4))


class MustArriveTests(TreeCase):
    def request(self, code: str, household: Any = None) -> ServiceRequest:
        category = ServiceCategory.objects.select_related("parent", "tier").get(code=code)
        resident = household.head if household is not None else None
        return requests.do_file_request(
            acting_user=self.world.admin,
            category=category,
            node=household.node if household is not None else self.world.community_a,
            description="邻居反映家里吵架",
            resident=resident,
            contact_name="" if resident else "王女士",
            accept=True,
        )

    def test_a_family_dispute_makes_a_task_for_the_linked_member(self) -> None:
        a = self.tree.a
        actions.do_link(acting_user=self.world.admin, member=a.members[2], household=a.households[0])
        filed = self.request("family-dispute", a.households[0])
        task = MustArriveTask.objects.get(request=filed)
        self.assertEqual(
            (task.reason, task.member, task.household, task.status),
            (ArrivalReason.DISPUTE, a.members[2], a.households[0], TaskStatus.OPEN),
        )
        assert task.deadline is not None
        self.assertAlmostEqual((task.deadline - task.created).total_seconds(), 24 * 3600, delta=60)
        self.assertFalse(MustArriveTask.objects.filter(request=self.request("noise", a.households[1])).exists())

    def test_an_unsatisfied_rating_makes_a_task(self) -> None:
        a, admin = self.tree.a, self.world.admin
        filed = self.request("noise", a.households[0])
        filed = requests.do_assign(filed, acting_user=admin, organization=a.rc)
        filed = requests.do_start(filed, acting_user=admin)
        filed = requests.do_resolve(filed, acting_user=admin, note="已处理")
        requests.do_rate(filed, acting_user=None, rating=1, actor_label="居民")
        task = MustArriveTask.objects.get(request=filed)
        self.assertEqual(task.reason, ArrivalReason.DISSATISFACTION)

    def test_arrival_is_logged_as_a_visit(self) -> None:
        a = self.tree.a
        task = actions.do_open_task(
            acting_user=self.world.officer_a, reason="emergency", description="老人摔倒", household=a.households[0]
        )
        self.assertEqual(task.hours, 2)
        actions.do_arrive(task, acting_user=self.world.officer_a, findings="已送医")
        task.refresh_from_db()
        self.assertEqual(task.status, TaskStatus.ARRIVED)
        self.assertEqual(Visit.objects.get(task=task).kind, VisitKind.ARRIVAL)
