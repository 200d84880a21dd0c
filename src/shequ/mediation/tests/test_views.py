"""The framework's matrices for mediators and mediation cases (list, detail, create, edit, export, API, scope), and
every step of the case workflow through its page and API operation."""

from __future__ import annotations

from typing import Any, ClassVar

from django.utils import timezone

from shequ.core.testing import APITestMixin, StepTestMixin, ViewSetTestMixin, WorldTestCase
from shequ.mediation import actions
from shequ.mediation.actions import WORKFLOW
from shequ.mediation.models import CaseStatus, MediationCase, Mediator
from shequ.mediation.views import MediationCaseViewSet, MediatorViewSet
from shequ.territory.models import Node

from .helpers import MedWorld


class MedCase(WorldTestCase):
    med: ClassVar[MedWorld]

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.med = MedWorld(cls.world)


class MediatorData:
    med: MedWorld
    world: Any

    def make_object(self, node: Node) -> Mediator:
        side = self.med.side(node)
        return actions.do_add_mediator(
            acting_user=self.world.admin, committee=side.committee, name=f"{side.label}新调解员", background="lawyer"
        )

    def create_data(self, node: Node) -> dict[str, Any]:
        side = self.med.side(node)
        return {
            "committee": side.committee.pk,
            "resident": side.people[0].pk,
            "name": "",
            "phone": "13912345678",
            "background": "retired_judge",
            "specialities": "婚姻家庭",
            "training_hours": "12.5",
            "available": "on",
        }

    def edit_data(self, obj: Mediator) -> dict[str, Any]:
        return {"phone": "", "background": obj.background, "specialities": "劳动争议", "training_hours": "40"}

    def changed(self, obj: Mediator) -> bool:
        return obj.specialities == "劳动争议" and obj.training_hours == 40

    def export_key(self, obj: Mediator) -> str:
        return obj.name

    def create_payload(self, node: Node) -> dict[str, Any]:
        side = self.med.side(node)
        return {"committee_id": side.committee.pk, "name": "王调解", "background": "lawyer", "training_hours": "8"}

    def patch_payload(self, obj: Mediator) -> dict[str, Any]:
        return {"specialities": "劳动争议", "training_hours": "40"}


class MediatorViewTests(MediatorData, ViewSetTestMixin, MedCase):
    viewset = MediatorViewSet

    def test_delete(self) -> None:
        self.skipTest("mediators leave the roster by becoming unavailable; they are not deleted")


class MediatorAPITests(MediatorData, APITestMixin, MedCase):
    endpoint = "/api/v1/mediation/mediators/"
    model = Mediator

    def test_api_delete(self) -> None:
        self.skipTest("mediators are not deleted")


class CaseData:
    med: MedWorld
    world: Any

    def make_object(self, node: Node) -> MediationCase:
        return self.med.side(node).case()

    def create_data(self, node: Node) -> dict[str, Any]:
        side = self.med.side(node)
        a, b = side.pair()
        return {
            "committee": side.committee.pk,
            "category": "family",
            "summary": "夫妻因家务分工争吵",
            "amount": "",
            "risk": "low",
            "applicant": a.pk,
            "respondent": "",
            "respondent_name": "外来人员李某",
            "respondent_id_number": "",
            "respondent_phone": "13800000000",
        }

    def export_key(self, obj: MediationCase) -> str:
        return obj.code

    def create_payload(self, node: Node) -> dict[str, Any]:
        side = self.med.side(node)
        a, b = side.pair()
        return {
            "committee_id": side.committee.pk,
            "category": "labour",
            "summary": "拖欠工资",
            "amount": "3500.00",
            "parties": [{"role": "applicant", "resident_id": a.pk}, {"role": "respondent", "name": "某装修公司"}],
        }


class CaseViewTests(CaseData, ViewSetTestMixin, MedCase):
    viewset = MediationCaseViewSet

    def test_edit(self) -> None:
        self.skipTest("a case changes through its workflow's steps only")

    def test_delete(self) -> None:
        self.skipTest("cases are never deleted")


class CaseAPITests(CaseData, APITestMixin, MedCase):
    endpoint = "/api/v1/mediation/cases/"
    model = MediationCase

    def test_api_update(self) -> None:
        self.skipTest("a case changes through its workflow's steps only")

    def test_api_delete(self) -> None:
        self.skipTest("cases are never deleted")


class CaseStepTests(StepTestMixin, MedCase):
    workflow = WORKFLOW
    viewset = MediationCaseViewSet
    endpoint = "/api/v1/mediation/cases/"

    def make_case(self, node: Node, step: Any) -> MediationCase:
        side = self.med.side(node)
        case = side.case()
        admin = self.world.admin
        if step.name == "decline" or step.name == "accept":
            return case
        if step.name in ("withdraw", "risk", "merge"):
            return case
        actions.do_accept(case, acting_user=admin, mediators=side.mediators)
        if step.name in ("session", "fail", "extend"):
            return case
        actions.do_record_session(
            case,
            acting_user=admin,
            held_at=timezone.now(),
            place="调解室",
            mediators=side.mediators[:1],
            attendees="双方",
            minutes="记录",
        )
        if step.name == "agree":
            return case
        actions.do_agree(case, acting_user=admin, facts="事实", terms="条款", performance="即时履行")
        if step.name in ("follow_up", "confirmation"):
            return case
        actions.do_follow_up(case, acting_user=admin, honoured="yes", note="已履行")
        return case

    def step_data(self, step: Any, case: MediationCase) -> dict[str, Any]:
        side = self.med.side(case.node)
        mediators = [m.pk for m in side.mediators]
        now = timezone.localtime().strftime("%Y-%m-%dT%H:%M")
        data: dict[str, dict[str, Any]] = {
            "accept": {"mediators": mediators},
            "decline": {"reason": "不属于人民调解范围", "referred_to": "劳动仲裁委员会"},
            "session": {
                "held_at": now,
                "place": "调解室",
                "mediators": mediators[:1],
                "attendees": "双方当事人",
                "minutes": "双方陈述",
            },
            "agree": {"form": "written", "facts": "漏水", "terms": "赔偿500元", "performance": "三日内"},
            "fail": {"reason": "一方拒绝"},
            "withdraw": {"reason": "申请人撤回"},
            "extend": {"days": 15, "reason": "需要鉴定"},
            "risk": {"risk": "medium", "note": "双方情绪激动"},
            "confirmation": {"applied_on": timezone.localdate().isoformat()},
            "follow_up": {"honoured": "partly", "note": "部分履行"},
            "close": {"note": ""},
            "merge": {"summary": "又因漏水争吵", "applicant": side.people[11].pk, "respondent": side.people[10].pk},
        }
        return data[step.name]

    def api_body(self, step: Any, case: MediationCase) -> dict[str, Any]:
        data = self.step_data(step, case)
        if "mediators" in data:
            data["mediators_ids"] = data.pop("mediators")
        for name in ("applicant", "respondent"):
            if name in data:
                data[f"{name}_id"] = data.pop(name)
        return data

    def test_a_case_goes_to_closed(self) -> None:
        case = self.make_case(self.world.street_a, WORKFLOW.steps["close"])
        self.assertEqual(self.fresh(case).status, CaseStatus.FOLLOWED_UP)
