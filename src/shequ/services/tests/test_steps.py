"""Every step of the request workflow through its page and its API operation (core.testing.StepTestMixin)."""

from __future__ import annotations

from typing import Any, ClassVar

from django.core.files.uploadedfile import SimpleUploadedFile

from shequ.core.testing import StepTestMixin, WorldTestCase
from shequ.services import actions
from shequ.services.actions.requests import WORKFLOW
from shequ.services.models import ServiceRequest, Status
from shequ.services.views import ServiceRequestViewSet

from .helpers import ServicesTree, file

# How to bring a new request (filed, not accepted) to each state.
PATHS: dict[str, list[str]] = {
    Status.SUBMITTED: [],
    Status.ACCEPTED: ["accept"],
    Status.ASSIGNED: ["accept", "assign"],
    Status.IN_PROGRESS: ["accept", "assign", "start"],
    Status.RESOLVED: ["accept", "assign", "start", "resolve"],
    Status.RETURNED: ["accept", "assign", "return"],
    Status.RATED: ["accept", "assign", "start", "resolve", "rate"],
}
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


class RequestStepTests(StepTestMixin, WorldTestCase):
    workflow = WORKFLOW
    viewset = ServiceRequestViewSet
    endpoint = "/api/v1/services/requests/"
    # "mediate" is the mediation app's step on requests (a dispute only): tested in mediation/tests/test_rules.py.
    skip_steps = ("mediate",)
    tree: ClassVar[ServicesTree]

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.tree = ServicesTree(cls.world)

    def make_case(self, node: Any, step: Any) -> ServiceRequest:
        request = file(self.world, node=self.world.community_a, acting_user=self.world.officer_a)
        state = next((s for s in step.states if s in PATHS), Status.SUBMITTED)
        for name in PATHS[state]:
            request = self.take(request, name)
        return request

    def take(self, request: ServiceRequest, name: str) -> ServiceRequest:
        a = self.world.officer_a
        if name == "accept":
            return actions.do_accept(request, acting_user=a)
        if name == "assign":
            return actions.do_assign(request, acting_user=a)
        if name == "start":
            return actions.do_start(request, acting_user=a)
        if name == "resolve":
            return actions.do_resolve(request, acting_user=a, note="已修复")
        if name == "rate":
            return actions.do_rate(request, acting_user=a, rating=5)
        if name == "return":
            return actions.do_return(request, acting_user=a, reason="不归我们")
        raise AssertionError(name)

    def step_data(self, step: Any, case: Any) -> dict[str, Any]:
        data: dict[str, dict[str, Any]] = {
            "assign": {},
            "resolve": {"note": "已修复"},
            "rate": {"rating": "5", "comment": "满意"},
            "close": {"note": "回访完毕"},
            "subtask": {"organization": str(self.tree.water.pk), "instruction": "请核实水压"},
            "return": {"reason": "不归我们处理"},
            "merge": {"into": self.original().code},
            "comment": {"text": "已电话联系"},
            "attach": {"file": SimpleUploadedFile("现场.png", PNG, content_type="image/png")},
        }
        return data.get(step.name, {})

    def api_body(self, step: Any, case: Any) -> dict[str, Any]:
        data: dict[str, Any] = dict(self.step_data(step, case))
        if step.name == "subtask":
            data = {"organization_id": self.tree.water.pk, "instruction": data["instruction"]}
        if step.name == "rate":
            data["rating"] = 5
        return data

    def original(self) -> ServiceRequest:
        return file(self.world, node=self.world.community_a, acting_user=self.world.officer_a)
