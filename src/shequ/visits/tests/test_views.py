"""The framework's matrices for household links, visits, must-arrive tasks and visit intervals; every step of the
must-arrive workflow through its page and API operation."""

from __future__ import annotations

from datetime import timedelta
from typing import Any, ClassVar

from django.utils import timezone

from shequ.core.testing import APITestMixin, CommandTestMixin, StepTestMixin, ViewSetTestMixin, WorldTestCase
from shequ.people.models import CareTag
from shequ.territory.models import Node
from shequ.visits import actions
from shequ.visits.actions import WORKFLOW
from shequ.visits.models import HouseholdLink, MustArriveTask, Visit, VisitRule
from shequ.visits.views import HouseholdLinkViewSet, MustArriveTaskViewSet, VisitRuleViewSet, VisitViewSet
from shequ.volunteers.tests.helpers import Side, Tree


class TreeCase(WorldTestCase):
    tree: ClassVar[Tree]

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.tree = Tree(cls.world)

    def side(self, node: Node) -> Side:
        return self.tree.side(node)


class LinkData:
    tree: Tree
    world: Any
    _used: dict[int, int]

    def free(self, side: Side) -> Any:
        used = set(HouseholdLink.objects.filter(ended_on__isnull=True).values_list("household_id", flat=True))
        return next(h for h in side.households if h.pk not in used)

    def make_object(self, node: Node) -> HouseholdLink:
        side = self.tree.side(node)
        return actions.do_link(acting_user=self.world.admin, member=side.members[1], household=self.free(side))

    def create_data(self, node: Node) -> dict[str, Any]:
        side = self.tree.side(node)
        return {"member": side.members[2].pk, "household": self.free(side).pk, "started_on": "2024-05-01"}

    def edit_data(self, obj: HouseholdLink) -> dict[str, Any]:
        return {"started_on": obj.started_on.isoformat(), "ended_on": timezone.localdate().isoformat()}

    def changed(self, obj: HouseholdLink) -> bool:
        return obj.ended_on is not None

    def export_key(self, obj: HouseholdLink) -> str:
        return obj.household.number

    def create_payload(self, node: Node) -> dict[str, Any]:
        side = self.tree.side(node)
        return {"member_id": side.members[2].pk, "household_id": self.free(side).pk}

    def import_rows(self, node: Node) -> list[list[Any]]:
        side = self.tree.side(node)
        member = side.members[0]
        return [["委员姓名", "委员身份证号", "户编号"]] + [
            [member.name, member.id_number, h.number] for h in side.households[4:6]
        ]

    def imported(self, node: Node) -> Any:
        return HouseholdLink.objects.within(node.path).filter(import_job__isnull=False)


class LinkViewTests(LinkData, ViewSetTestMixin, TreeCase):
    viewset = HouseholdLinkViewSet


class LinkAPITests(LinkData, APITestMixin, TreeCase):
    endpoint = "/api/v1/visits/links/"
    model = HouseholdLink

    def test_api_update(self) -> None:
        self.skipTest("a link is ended (POST …/end), not edited")

    def test_api_delete(self) -> None:
        self.skipTest("a link is ended (POST …/end), not deleted through the API")


class LinkCommandTests(LinkData, CommandTestMixin, TreeCase):
    command_kind = "household-links"

    def export_extra_headers(self) -> list[str]:
        return ["户"]


class VisitData:
    tree: Tree
    world: Any

    def make_object(self, node: Node) -> Visit:
        side = self.tree.side(node)
        return actions.do_log_visit(
            acting_user=self.world.admin, household=side.households[0], findings=f"走访{node.pk}"
        )

    def create_data(self, node: Node) -> dict[str, Any]:
        side = self.tree.side(node)
        when = timezone.localtime() - timedelta(hours=1)
        return {
            "household": side.households[1].pk,
            "member": side.members[0].pk,
            "visited_at": when.strftime("%Y-%m-%dT%H:%M"),
            "findings": "老人身体尚可",
            "needs": "",
            "follow_up": "",
            "request_category": "",
        }

    def export_key(self, obj: Visit) -> str:
        return obj.findings

    def create_payload(self, node: Node) -> dict[str, Any]:
        side = self.tree.side(node)
        return {"household_id": side.households[2].pk, "findings": "接口走访"}


class VisitViewTests(VisitData, ViewSetTestMixin, TreeCase):
    viewset = VisitViewSet

    def url(self, action: str, *args: Any) -> str:
        if action == "add":
            from django.urls import reverse

            return reverse("visits:visit_add")
        return super().url(action, *args)

    def test_edit(self) -> None:
        self.skipTest("a visit is a record of what happened: it is not edited")

    def test_delete(self) -> None:
        self.skipTest("a visit is a record of what happened: it is not deleted")


class VisitAPITests(VisitData, APITestMixin, TreeCase):
    endpoint = "/api/v1/visits/visits/"
    model = Visit

    def test_api_update(self) -> None:
        self.skipTest("a visit is not edited")

    def test_api_delete(self) -> None:
        self.skipTest("a visit is not deleted")


class TaskData:
    tree: Tree
    world: Any

    def make_object(self, node: Node) -> MustArriveTask:
        side = self.tree.side(node)
        return actions.do_open_task(
            acting_user=self.world.admin,
            reason="emergency",
            description=f"老人摔倒{node.pk}",
            household=side.households[0],
        )

    def create_data(self, node: Node) -> dict[str, Any]:
        side = self.tree.side(node)
        return {"household": side.households[3].pk, "reason": "dispute", "description": "夫妻争吵", "hours": ""}

    def export_key(self, obj: MustArriveTask) -> str:
        return obj.description

    def create_payload(self, node: Node) -> dict[str, Any]:
        side = self.tree.side(node)
        return {"household_id": side.households[3].pk, "reason": "emergency", "description": "突发疾病"}


class TaskViewTests(TaskData, ViewSetTestMixin, TreeCase):
    viewset = MustArriveTaskViewSet

    def test_list_with_permission_and_other_subtree(self) -> None:
        mine = self.make_object(self.world.street_a)
        theirs = self.make_object(self.world.street_b)
        self.login(self.world.officer_a)
        response = self.client.get(self.url("list"))
        self.assertContains(response, mine.get_absolute_url())
        self.assertNotContains(response, theirs.get_absolute_url())

    def test_edit(self) -> None:
        self.skipTest("a task moves by its steps (arrive, reassign, cancel)")

    def test_delete(self) -> None:
        self.skipTest("a task is cancelled (a step), not deleted")


class TaskAPITests(TaskData, APITestMixin, TreeCase):
    endpoint = "/api/v1/visits/tasks/"
    model = MustArriveTask

    def test_api_update(self) -> None:
        self.skipTest("a task moves by its steps")

    def test_api_delete(self) -> None:
        self.skipTest("a task is cancelled (a step), not deleted")


class TaskStepTests(StepTestMixin, TreeCase):
    workflow = WORKFLOW
    viewset = MustArriveTaskViewSet
    endpoint = "/api/v1/visits/tasks/"

    def make_case(self, node: Any, step: Any) -> MustArriveTask:
        side = self.tree.a
        return actions.do_open_task(
            acting_user=self.world.admin, reason="dispute", description="邻里纠纷", household=side.households[0]
        )

    def step_data(self, step: Any, case: Any) -> dict[str, Any]:
        return {
            "arrive": {"findings": "已到场调解", "needs": "", "follow_up": "", "visited_at": ""},
            "reassign": {"member": str(self.tree.a.members[1].pk)},
            "cancel": {"reason": "误报"},
        }.get(step.name, {})

    def api_body(self, step: Any, case: Any) -> dict[str, Any]:
        if step.name == "reassign":
            return {"member_id": self.tree.a.members[1].pk}
        if step.name == "arrive":
            return {"findings": "已到场调解"}
        return self.step_data(step, case)


class RuleData:
    tree: Tree

    def tag(self) -> CareTag:
        return CareTag.objects.get_or_create(code="disabled", defaults={"name": "残疾人"})[0]

    def make_object(self, node: Node) -> VisitRule:
        side = self.tree.side(node)
        tag = CareTag.objects.create(
            code=f"t{VisitRule.objects.count()}x{node.pk}", name=f"标签{VisitRule.objects.count()}-{node.pk}"
        )
        rule = VisitRule(node=side.community, tag=tag, interval_days=14)
        rule.save()
        return rule

    def create_data(self, node: Node) -> dict[str, Any]:
        return {"node": self.tree.side(node).community.pk, "tag": self.tag().pk, "interval_days": "14", "active": "on"}

    def edit_data(self, obj: VisitRule) -> dict[str, Any]:
        return {"node": obj.node_id, "tag": obj.tag_id, "interval_days": "10", "active": "on"}

    def changed(self, obj: VisitRule) -> bool:
        return obj.interval_days == 10

    def export_key(self, obj: VisitRule) -> str:
        return obj.tag.name


class RuleViewTests(RuleData, ViewSetTestMixin, TreeCase):
    viewset = VisitRuleViewSet
