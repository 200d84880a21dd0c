"""The shared test base classes on the oversight models: scope on every page and endpoint, 404 for other areas,
bad input refused; every step of the four workflows through its page and its API operation."""

from __future__ import annotations

from datetime import date
from typing import Any

from shequ.core.testing import APITestMixin, StepTestMixin, ViewSetTestMixin
from shequ.oversight import actions, views
from shequ.oversight.models import (
    Agreement,
    ConsentStatus,
    Hearing,
    TerminationStatus,
)

from .helpers import OversightCase, pdf_upload

_n = {"n": 0}


def topic() -> str:
    _n["n"] += 1
    return f"听证议题{_n['n']:04d}"


class HearingViewTests(ViewSetTestMixin, OversightCase):
    viewset = views.HearingViewSet

    def make_object(self, node: Any) -> Hearing:
        side = self.side(node)
        return Hearing.objects.create(
            node=side.community, topic=topic(), held_on=date(2026, 3, 1), participants="居民代表", opinions="赞成"
        )

    def create_data(self, node: Any) -> dict[str, Any]:
        return {
            "node": self.side(node).community.pk,
            "topic": topic(),
            "held_on": "2026-04-01",
            "participants": "居民代表10人",
            "opinions": "多数赞成",
            "outcome": "",
        }

    def edit_data(self, obj: Hearing) -> dict[str, Any]:
        return {
            "node": obj.node_id,
            "topic": obj.topic,
            "held_on": "2026-04-01",
            "participants": obj.participants,
            "opinions": obj.opinions,
            "outcome": "方案通过",
        }

    def changed(self, obj: Hearing) -> bool:
        return obj.outcome == "方案通过"


class HearingAPITests(APITestMixin, OversightCase):
    endpoint = "/api/v1/oversight/hearings/"
    model = Hearing

    def make_object(self, node: Any) -> Hearing:
        return HearingViewTests.make_object(self, node)  # type: ignore[arg-type]

    def create_payload(self, node: Any) -> dict[str, Any]:
        return {
            "node_id": self.side(node).community.pk,
            "topic": topic(),
            "held_on": "2026-04-01",
            "participants": "居民代表10人",
            "opinions": "多数赞成",
        }

    def patch_payload(self, obj: Hearing) -> dict[str, Any]:
        return {"outcome": "方案通过"}

    def changed(self, obj: Hearing) -> bool:
        return obj.outcome == "方案通过"

    def test_bounds_answer_422_naming_the_field(self) -> None:
        payload = {**self.create_payload(self.world.street_a), "topic": "议" * 201}
        response = self.api("post", self.endpoint, self.world.officer_a, payload)
        self.assertEqual(response.status_code, 422)
        self.assertEqual(response.json()["details"][0]["field"], "topic")
        self.assertFalse(Hearing.objects.exists())


class AgreementViewTests(ViewSetTestMixin, OversightCase):
    viewset = views.AgreementViewSet

    def make_object(self, node: Any) -> Agreement:
        side = self.side(node)
        unit = side.units[Agreement.objects.filter(node=side.community).count() % 2]
        year = 2000 + Agreement.objects.count()
        return Agreement.objects.create(node=side.community, unit=unit, year=year, signed_on=date(year, 1, 5))

    def create_data(self, node: Any) -> dict[str, Any]:
        side = self.side(node)
        return {"node": side.community.pk, "unit": side.units[1].pk, "year": 2090, "signed_on": "2090-01-05"}

    def edit_data(self, obj: Agreement) -> dict[str, Any]:
        return {
            "node": obj.node_id,
            "unit": obj.unit_id,
            "year": obj.year,
            "signed_on": obj.signed_on.isoformat(),
            "contribution": "开放食堂，提供岗位",
            "grade": "excellent",
        }

    def changed(self, obj: Agreement) -> bool:
        return obj.grade == "excellent"

    def export_key(self, obj: Agreement) -> str:
        return obj.unit.name


class EntryStepTests(StepTestMixin, OversightCase):
    workflow = actions.ENTRY
    viewset = views.EntryApplicationViewSet
    endpoint = "/api/v1/oversight/entries/"

    def make_case(self, node: Any, step: Any) -> Any:
        return self.entry(node)

    def step_data(self, step: Any, case: Any) -> dict[str, Any]:
        return {"reason": "资质不足"} if step.name == "refuse" else {"note": "同意进驻"}


class CampaignStepTests(StepTestMixin, OversightCase):
    workflow = actions.CAMPAIGN
    viewset = views.CampaignViewSet
    endpoint = "/api/v1/oversight/campaigns/"

    def make_case(self, node: Any, step: Any) -> Any:
        return self.campaign(node)


class TerminationStepTests(StepTestMixin, OversightCase):
    workflow = actions.TERMINATION
    viewset = views.TerminationCaseViewSet
    endpoint = "/api/v1/oversight/terminations/"

    def make_case(self, node: Any, step: Any) -> Any:
        return self.termination(node, step.states[0])

    def step_data(self, step: Any, case: Any) -> dict[str, Any]:
        return {
            "notify": {"notice": "已书面告知"},
            "respond": {"response": "物业公司请求整改期"},
            "decide": {"terminate": "continue", "decision": "限期整改", "legal_basis": "物业服务合同第十条"},
        }[step.name]


class ConsentStepTests(StepTestMixin, OversightCase):
    workflow = actions.CONSENT
    viewset = views.ConsentRequestViewSet
    endpoint = "/api/v1/oversight/consents/"

    def make_case(self, node: Any, step: Any) -> Any:
        return self.consent(node, ConsentStatus.OPINION if step.name == "consent" else ConsentStatus.REQUESTED)

    def step_data(self, step: Any, case: Any) -> dict[str, Any]:
        return {
            "documents": {"documents": "拆迁许可证"},
            "attach": {"file": pdf_upload()},
            "opinion": {"opinion": "原则同意"},
            "consent": {"reasons": "手续齐全"},
            "refuse": {"reasons": "未征求居民意见"},
        }[step.name]

    def api_body(self, step: Any, case: Any) -> dict[str, Any]:
        return {k: v for k, v in self.step_data(step, case).items() if k != "file"}


_ = TerminationStatus
