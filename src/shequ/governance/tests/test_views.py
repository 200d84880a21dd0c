"""The framework's matrices (scope, 404 for other areas, bad input, audit, export) for the governance models,
and every step of the decision workflow through its page and its API operation."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any

from django.utils import timezone

from shequ.core.testing import APITestMixin, StepTestMixin, ViewSetTestMixin, WorldTestCase
from shequ.governance import actions
from shequ.governance.models import (
    Decision,
    Disclosure,
    DisclosureKind,
    DisclosureRequirement,
    Frequency,
    GovernanceRules,
    Handover,
)
from shequ.governance.views import (
    DecisionViewSet,
    DisclosureViewSet,
    HandoverViewSet,
    RequirementViewSet,
    RulesViewSet,
)
from shequ.territory.models import Node

from .helpers import access_list, community, make_decision, meeting, new_community, png


class NoEdit:
    def test_edit(self) -> None:
        self.skipTest("published once, never edited")  # type: ignore[attr-defined]

    def test_delete(self) -> None:
        self.skipTest("kept: a record of the community")  # type: ignore[attr-defined]

    def test_api_update(self) -> None:
        self.skipTest("changed by its steps only")  # type: ignore[attr-defined]

    def test_api_delete(self) -> None:
        self.skipTest("kept: a record of the community")  # type: ignore[attr-defined]


class DecisionData:
    world: Any

    def make_object(self, node: Node) -> Decision:
        return make_decision(self.world, node)

    def create_data(self, node: Node) -> dict[str, Any]:
        return {
            "node": community(self.world, node).pk,
            "title": "加装电梯补助",
            "kind": "funds",
            "amount": "120000",
            "description": "老旧小区加装电梯补助资金使用。",
        }

    def create_payload(self, node: Node) -> dict[str, Any]:
        data = self.create_data(node)
        return {**{k: v for k, v in data.items() if k != "node"}, "node_id": data["node"]}


class DecisionViewTests(NoEdit, DecisionData, ViewSetTestMixin, WorldTestCase):
    viewset = DecisionViewSet

    def test_bad_amount_is_a_form_error(self) -> None:
        self.login(self.world.officer_a)
        before = Decision.objects.count()
        for amount in ("-5", "1e20", "12.345"):
            response = self.client.post(self.url("add"), {**self.create_data(self.world.street_a), "amount": amount})
            self.assertEqual(response.status_code, 400, amount)
            self.assertTrue(response.context["form"].errors["amount"])
        response = self.client.post(self.url("add"), {**self.create_data(self.world.street_a), "amount": ""})
        self.assertContains(response, "金额", status_code=400)
        self.assertEqual(Decision.objects.count(), before)


class DecisionAPITests(NoEdit, DecisionData, APITestMixin, WorldTestCase):
    endpoint = "/api/v1/governance/decisions/"
    model = Decision

    def test_bad_amount_is_422_naming_the_field(self) -> None:
        for amount in ("-5", "1e20", "12.345"):
            payload = {**self.create_payload(self.world.street_a), "amount": amount}
            response = self.api("post", self.endpoint, self.world.officer_a, payload)
            self.assertEqual(response.status_code, 422, amount)
            self.assertIn("amount", str(response.json()["details"]))
        self.assertEqual(Decision.objects.count(), 0)


class DecisionStepTests(StepTestMixin, WorldTestCase):
    workflow = actions.WORKFLOW
    viewset = DecisionViewSet
    endpoint = "/api/v1/governance/decisions/"

    def make_case(self, node: Node, step: Any) -> Decision:
        return make_decision(self.world, node, step.states[0])

    def step_data(self, step: Any, case: Any) -> dict[str, Any]:
        if step.name in ("proposal", "discussion", "review", "resolution"):
            data = meeting()
            return {**data, "held_on": data["held_on"].isoformat()}
        if step.name == "publish_result":
            return {"result": "电梯已加装完成。"}
        if step.name in ("send_back", "withdraw"):
            return {"reason": "预算需调整"}
        if step.name == "attach":
            return {"file": png()}
        return {}

    def api_body(self, step: Any, case: Any) -> dict[str, Any]:
        data = self.step_data(step, case)
        return {k: v for k, v in data.items() if k != "file"}


class DisclosureData:
    world: Any

    def make_object(self, node: Node) -> Disclosure:
        place = community(self.world, node)
        return actions.do_publish_disclosure(
            acting_user=self.world.admin,
            node=place,
            kind=DisclosureKind.PARTY,
            title=f"{place.name}主题党日安排",
            body="每月第一个周五下午。",
        )

    def create_data(self, node: Node) -> dict[str, Any]:
        today = timezone.localdate()
        return {
            "node": community(self.world, node).pk,
            "kind": "finance",
            "title": "第三季度财务公开",
            "body": "收入 50,000 元，支出 11,800 元。",
            "published_on": today.isoformat(),
            "expires_on": (today + timedelta(days=30)).isoformat(),
        }

    def create_payload(self, node: Node) -> dict[str, Any]:
        data = self.create_data(node)
        return {**{k: v for k, v in data.items() if k != "node"}, "node_id": data["node"]}


class DisclosureViewTests(DisclosureData, ViewSetTestMixin, WorldTestCase):
    viewset = DisclosureViewSet

    def test_edit(self) -> None:
        self.skipTest("a disclosure is published, not edited: withdraw it and publish again")


class DisclosureAPITests(NoEdit, DisclosureData, APITestMixin, WorldTestCase):
    endpoint = "/api/v1/governance/disclosures/"
    model = Disclosure


class RequirementViewTests(ViewSetTestMixin, WorldTestCase):
    viewset = RequirementViewSet

    def make_object(self, node: Node) -> DisclosureRequirement:
        duty = DisclosureRequirement(
            node=new_community(self.world, node), kind=DisclosureKind.FINANCE, frequency=Frequency.QUARTERLY
        )
        return actions.do_save_requirement(duty, acting_user=self.world.admin)

    def create_data(self, node: Node) -> dict[str, Any]:
        return {
            "node": new_community(self.world, node).pk,
            "kind": "finance",
            "frequency": "quarterly",
            "grace_days": 15,
        }

    def edit_data(self, obj: DisclosureRequirement) -> dict[str, Any]:
        return {"node": obj.node_id, "kind": obj.kind, "frequency": "monthly", "grace_days": 10}

    def changed(self, obj: DisclosureRequirement) -> bool:
        return obj.frequency == Frequency.MONTHLY and obj.grace_days == 10

    def export_key(self, obj: DisclosureRequirement) -> str:
        return obj.node.name


class RulesViewTests(ViewSetTestMixin, WorldTestCase):
    viewset = RulesViewSet

    def make_object(self, node: Node) -> GovernanceRules:
        rules = GovernanceRules(node=new_community(self.world, node))
        rules.save()
        return rules

    def create_data(self, node: Node) -> dict[str, Any]:
        return {
            "node": new_community(self.world, node).pk,
            "proposal_quorum": "1/2",
            "discussion_quorum": "1/2",
            "review_quorum": "1/2",
            "resolution_quorum": "2/3",
            "publicity_days": 7,
        }

    def edit_data(self, obj: GovernanceRules) -> dict[str, Any]:
        return {
            "node": obj.node_id,
            "proposal_quorum": "1/2",
            "discussion_quorum": "1/2",
            "review_quorum": "2/3",
            "resolution_quorum": "3/4",
            "publicity_days": 10,
        }

    def changed(self, obj: GovernanceRules) -> bool:
        return obj.resolution_quorum == "3/4" and obj.publicity_days == 10

    def export_key(self, obj: GovernanceRules) -> str:
        return obj.node.name

    def test_bounds_are_form_errors(self) -> None:
        self.login(self.world.officer_a)
        data = self.create_data(self.world.street_a)
        for field, value in (("publicity_days", 0), ("publicity_days", 91), ("review_quorum", "9/10")):
            response = self.client.post(self.url("add"), {**data, field: value})
            self.assertEqual(response.status_code, 400)
            self.assertTrue(response.context["form"].errors[field])
        self.assertFalse(GovernanceRules.objects.exists())


class HandoverData:
    world: Any

    def make_object(self, node: Node) -> Handover:
        matter = f"事项{Handover.objects.count() + 1}"
        access_list(self.world, [(matter, "区民政局")])
        return actions.do_hand_over(
            acting_user=self.world.admin, node=community(self.world, node), department="区民政局", matter=matter
        )

    def create_data(self, node: Node) -> dict[str, Any]:
        access_list(self.world)
        return {
            "node": community(self.world, node).pk,
            "department": "区退役军人事务局",
            "matter": "退役军人服务",
            "year": timezone.localdate().year,
            "accepted_on": timezone.localdate().isoformat(),
        }

    def create_payload(self, node: Node) -> dict[str, Any]:
        data = self.create_data(node)
        return {**{k: v for k, v in data.items() if k != "node"}, "node_id": data["node"]}

    def export_key(self, obj: Handover) -> str:
        return obj.item.matter


class HandoverViewTests(HandoverData, ViewSetTestMixin, WorldTestCase):
    viewset = HandoverViewSet

    def edit_data(self, obj: Handover) -> dict[str, Any]:
        return {"amount": "15000", "transferred_on": timezone.localdate().isoformat()}

    def changed(self, obj: Handover) -> bool:
        return obj.funds_amount == Decimal("15000") and obj.funded

    def test_delete(self) -> None:
        self.skipTest("kept: the record of what the community carries")


class HandoverAPITests(NoEdit, HandoverData, APITestMixin, WorldTestCase):
    endpoint = "/api/v1/governance/handovers/"
    model = Handover

    def test_funds_through_the_api(self) -> None:
        mine = self.make_object(self.world.street_a)
        url = f"{self.endpoint}{mine.pk}/funds"
        bad = self.api("post", url, self.world.officer_a, {"amount": "-1", "transferred_on": "2026-01-05"})
        self.assertEqual(bad.status_code, 422)
        self.assertIn("amount", str(bad.json()["details"]))
        theirs = self.make_object(self.world.street_b)
        other = self.api(
            "post",
            f"{self.endpoint}{theirs.pk}/funds",
            self.world.officer_a,
            {"amount": "100", "transferred_on": "2026-01-05"},
        )
        self.assertEqual(other.status_code, 404)
        day = (timezone.localdate() - timedelta(days=1)).isoformat()
        ok = self.api("post", url, self.world.officer_a, {"amount": "15000.00", "transferred_on": day})
        self.assertEqual(ok.status_code, 200, ok.content)
        mine.refresh_from_db()
        self.assertTrue(mine.funded)
