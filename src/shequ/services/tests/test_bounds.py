"""One request with ``"lat": 3.768e16`` once poisoned every list of requests: refused on every path now."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any, ClassVar
from unittest import mock

from django.urls import reverse

from shequ.accounts.models import APIToken
from shequ.core.testing import WorldTestCase
from shequ.services.models import ServiceRequest

from .helpers import ServicesTree, category, file


class CoordinateBoundsTests(WorldTestCase):
    tree: ClassVar[ServicesTree]

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.tree = ServicesTree(cls.world)

    def setUp(self) -> None:
        file(self.world, lat=Decimal("39.9"), long=Decimal("116.4"))  # one request in the lists

    def api(self, payload: dict[str, Any]) -> Any:
        _t, key = APIToken.issue(self.world.officer_a)
        return self.client.post(
            "/api/v1/services/requests/",
            json.dumps(payload),
            content_type="application/json",
            HTTP_AUTHORIZATION=f"Bearer {key}",
        )

    def assert_lists_readable(self) -> None:
        _t, key = APIToken.issue(self.world.officer_a)
        api = self.client.get("/api/v1/services/requests/", HTTP_AUTHORIZATION=f"Bearer {key}")
        self.assertEqual((api.status_code, api.json()["count"]), (200, 1))
        self.assertEqual(len(self.client.get("/open311/v2/requests.json").json()), 1)
        self.login(self.world.officer_a)
        self.assertEqual(self.client.get(reverse("services:servicerequest_list")).status_code, 200)

    def test_api_refuses_coordinates_out_of_bounds(self) -> None:
        good = {
            "category_id": category("property-fees").pk,
            "node_id": self.world.community_a.pk,
            "description": "物业费",
            "contact_name": "张先生",
            "phone": "13912345678",
        }
        for field, value in (("lat", 3.768e16), ("lat", 90.5), ("long", -180.01), ("lat", "NaN")):
            response = self.api({**good, field: value})
            self.assertEqual(response.status_code, 422, (field, value, response.content))
            self.assertIn(field, {d["field"] for d in response.json()["details"]})
        self.assertEqual(ServiceRequest.objects.count(), 1)
        self.assert_lists_readable()
        response = self.api({**good, "lat": 39.904211, "long": 116.407395})
        self.assertEqual(response.status_code, 201, response.content)
        self.assertEqual(response.json()["lat"], "39.904211")

    def test_open311_refuses_coordinates_out_of_bounds(self) -> None:
        _t, key = APIToken.issue(self.tree.worker_a)
        for lat in ("3.768e16", "-91", "1e999999"):
            response = self.client.post(
                "/open311/v2/requests.json",
                {"api_key": key, "service_code": "property-fees", "lat": lat, "long": "116.4", "description": "x"},
            )
            self.assertIn(response.status_code, (400, 422), response.content)
            self.assertIn("lat", response.json()[0]["description"])
        self.assertEqual(ServiceRequest.objects.count(), 1)
        self.assert_lists_readable()

    def test_intake_form_refuses_coordinates_out_of_bounds(self) -> None:
        self.login(self.tree.worker_a)
        data = {
            "category": category("property-fees").pk,
            "node": self.world.grid_a.pk,
            "channel": "hotline",
            "description": "物业费",
            "contact_name": "赵师傅",
            "long": "116.4",
        }
        for lat in ("3.768e16", "90.000001"):
            response = self.client.post(reverse("services:intake"), {**data, "lat": lat})
            self.assertEqual(response.status_code, 400)
            self.assertIn("lat", response.context["form"].errors)
        self.assertEqual(ServiceRequest.objects.count(), 1)
        self.assert_lists_readable()


class CreateReadBackTests(WorldTestCase):
    tree: ClassVar[ServicesTree]

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.tree = ServicesTree(cls.world)

    def test_a_create_the_caller_may_not_view_answers_201_with_its_id(self) -> None:
        """A hotline operator may file requests but not read them: the answer is 201 with the new request's id
        alone (never the request, never an error after it was written)."""
        from shequ.accounts.models import Grant
        from shequ.accounts.roles import READ, ROLES, Role

        operator = Role(
            "hotline_operator",
            "hotline operator",
            5,
            (
                ("services.servicerequest", frozenset({"add"})),
                ("territory.node", READ),
                ("services.servicecategory", READ),
            ),
        )
        user = self.world.user("hotline", "auditor", self.world.community_a)
        Grant.objects.filter(user=user).update(role="hotline_operator")
        _t, key = APIToken.issue(user)
        payload = {
            "category_id": category("property-fees").pk,
            "node_id": self.world.community_a.pk,
            "description": "物业费",
            "contact_name": "张先生",
            "phone": "13912345678",
        }
        with mock.patch.dict(ROLES, {"hotline_operator": operator}):
            response = self.client.post(
                "/api/v1/services/requests/",
                json.dumps(payload),
                content_type="application/json",
                HTTP_AUTHORIZATION=f"Bearer {key}",
            )
        self.assertEqual(response.status_code, 201, response.content)
        filed = ServiceRequest.objects.get()
        self.assertEqual(set(response.json()), {"id", "message"})
        self.assertEqual(response.json()["id"], filed.pk)
