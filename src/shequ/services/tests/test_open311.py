"""Open311 GeoReport v2: the specification's resources, field names, status values, formats and errors."""

from __future__ import annotations

import json
from typing import Any, ClassVar
from xml.etree import ElementTree as ET

from shequ.accounts.models import APIToken
from shequ.core.testing import WorldTestCase
from shequ.services import actions
from shequ.services.models import Channel, ServiceRequest

from .helpers import ServicesTree, file

REQUEST_FIELDS = [
    "service_request_id",
    "status",
    "status_notes",
    "service_name",
    "service_code",
    "description",
    "agency_responsible",
    "service_notice",
    "requested_datetime",
    "updated_datetime",
    "expected_datetime",
    "address",
    "address_id",
    "zipcode",
    "lat",
    "long",
    "media_url",
]


class Open311Tests(WorldTestCase):
    tree: ClassVar[ServicesTree]

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.tree = ServicesTree(cls.world)

    def get(self, url: str, **params: Any) -> Any:
        return self.client.get(f"/open311/v2/{url}", params)

    def xml(self, response: Any) -> ET.Element:
        self.assertTrue(response.content.startswith(b'<?xml version="1.0" encoding="utf-8"?>'))
        self.assertEqual(response["Content-Type"], "text/xml; charset=utf-8")
        return ET.fromstring(response.content)

    def test_discovery(self) -> None:
        data = self.get("discovery.json").json()
        endpoint = data["endpoints"][0]
        self.assertEqual(endpoint["specification"], "http://wiki.open311.org/GeoReport_v2")
        self.assertEqual(endpoint["formats"], ["text/xml", "application/json"])
        self.assertTrue(endpoint["url"].endswith("/open311/v2"))
        root = self.xml(self.get("discovery.xml"))
        self.assertEqual(root.tag, "discovery")
        self.assertEqual(
            [f.text for f in root.findall("endpoints/endpoint/formats/format")], ["text/xml", "application/json"]
        )

    def test_services(self) -> None:
        rows = self.get("services.json", jurisdiction_id="shequ").json()
        outage = next(r for r in rows if r["service_code"] == "water-outage")
        self.assertEqual(
            set(outage), {"service_code", "service_name", "description", "metadata", "type", "keywords", "group"}
        )
        self.assertEqual((outage["metadata"], outage["type"], outage["group"]), (True, "realtime", "供水"))
        root = self.xml(self.get("services.xml"))
        self.assertEqual(root.tag, "services")
        service = next(s for s in root.findall("service") if s.findtext("service_code") == "water-outage")
        self.assertEqual(service.findtext("metadata"), "true")
        self.assertEqual(service.findtext("service_name"), "停水")

    def test_service_definition(self) -> None:
        data = self.get("services/water-outage.json").json()
        self.assertEqual(data["service_code"], "water-outage")
        scope = data["attributes"][0]
        self.assertEqual(
            set(scope),
            {"variable", "code", "datatype", "required", "datatype_description", "order", "description", "values"},
        )
        self.assertEqual(
            (scope["code"], scope["datatype"], scope["required"], scope["variable"]),
            ("scope", "singlevaluelist", True, True),
        )
        self.assertIn({"key": "building", "name": "整栋楼"}, scope["values"])
        root = self.xml(self.get("services/water-outage.xml"))
        self.assertEqual(root.tag, "service_definition")
        values = root.findall("attributes/attribute/values/value")
        self.assertIn("building", [v.findtext("key") for v in values])
        missing = self.get("services/nothing.json")
        self.assertEqual(missing.status_code, 404)
        self.assertEqual(missing.json()[0]["code"], 404)

    def test_errors_in_both_formats(self) -> None:
        response = self.get("services.xml", jurisdiction_id="elsewhere")
        self.assertEqual(response.status_code, 404)
        root = self.xml(response)
        self.assertEqual(root.tag, "errors")
        self.assertEqual(root.findtext("error/code"), "404")
        self.assertTrue(root.findtext("error/description"))
        response = self.client.post("/open311/v2/requests.json", {"service_code": "water-outage", "api_key": "bad"})
        self.assertEqual(response.status_code, 403)
        self.assertEqual(response.json(), [{"code": 403, "description": "Invalid api_key received"}])

    def post(self, user: Any = None, fmt: str = "json", **data: Any) -> Any:
        _t, key = APIToken.issue(user or self.tree.worker_a)
        return self.client.post(f"/open311/v2/requests.{fmt}", {"api_key": key, "jurisdiction_id": "shequ", **data})

    def test_post_request(self) -> None:
        # The specification's example, with our service code: lat/long, attributes, contact, media.
        response = self.post(
            service_code="water-outage",
            lat="37.76524078",
            long="-122.4212043",
            address_id=self.world.community_a.code,
            email="smit222@sfgov.edu",
            device_id="tt222111",
            account_id="123456",
            first_name="john",
            last_name="smith",
            phone="111111111",
            description="A large sinkhole is destroying the street",
            media_url="http://farm3.static.flickr.com/2002/2212426634_5ed477a060.jpg",
            **{"attribute[scope]": "building"},
        )
        self.assertEqual(response.status_code, 201, response.content)
        body = response.json()
        self.assertEqual(set(body[0]), {"service_request_id", "service_notice", "account_id"})
        filed = ServiceRequest.objects.get(code=body[0]["service_request_id"])
        self.assertEqual(
            (filed.channel, filed.node, filed.attributes),
            (Channel.OPEN311, self.world.community_a, {"scope": "building"}),
        )
        self.assertEqual(filed.organization, self.tree.committee_a)  # routed automatically
        # Required attribute missing → 400 in the error format; a place outside the key's scope → 400.
        bad = self.post(service_code="water-outage", address_id=self.world.community_a.code)
        self.assertEqual(bad.status_code, 400)
        self.assertEqual(bad.json()[0]["code"], 400)
        outside = self.post(service_code="property-fees", address_id=self.world.community_b.code, description="x")
        self.assertEqual(outside.status_code, 400)
        xml = self.post(fmt="xml", service_code="garbage", address_string="和平路1号", description="垃圾未清运")
        self.assertEqual(xml.status_code, 201)
        root = self.xml(xml)
        self.assertEqual(root.tag, "service_requests")
        self.assertTrue(root.findtext("request/service_request_id"))

    def test_get_requests_and_one_request(self) -> None:
        a = file(self.world, acting_user=self.tree.worker_a, accept=True)
        closed = file(self.world, acting_user=self.tree.worker_a, code="garbage", accept=True)
        closed = actions.do_assign(closed, acting_user=self.tree.worker_a)
        closed = actions.do_start(closed, acting_user=self.tree.worker_a)
        closed = actions.do_resolve(closed, acting_user=self.tree.worker_a, note="已清运")
        rows = self.get("requests.json").json()
        self.assertEqual({r["service_request_id"] for r in rows}, {a.code, closed.code})
        row = next(r for r in rows if r["service_request_id"] == closed.code)
        self.assertEqual(list(row), REQUEST_FIELDS)
        self.assertEqual(
            (row["status"], row["status_notes"], row["agency_responsible"]), ("closed", "已清运", "和平社区居委会")
        )
        self.assertRegex(row["requested_datetime"], r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+08:00$")
        self.assertIsNotNone(row["expected_datetime"])
        self.assertEqual({r["service_request_id"] for r in self.get("requests.json", status="open").json()}, {a.code})
        self.assertEqual(
            [r["service_request_id"] for r in self.get("requests.json", service_code="garbage").json()], [closed.code]
        )
        self.assertEqual(
            [r["service_request_id"] for r in self.get("requests.json", service_request_id=f"{a.code},NOPE").json()],
            [a.code],
        )
        # The default window is the last 90 days; a window may not span more.
        self.assertEqual(
            self.get("requests.json", start_date="2010-01-01T00:00:00Z", end_date="2010-02-01T00:00:00Z").json(), []
        )
        wide = self.get("requests.json", start_date="2010-01-01T00:00:00Z", end_date="2011-01-01T00:00:00Z")
        self.assertEqual(wide.status_code, 400)
        self.assertEqual(self.get("requests.json", status="pending").status_code, 400)
        root = self.xml(self.get(f"requests/{a.code}.xml"))
        self.assertEqual(root.tag, "service_requests")
        self.assertEqual([c.tag for c in root.find("request")], REQUEST_FIELDS)  # type: ignore[union-attr]
        self.assertEqual(root.findtext("request/status"), "open")
        single = self.get(f"requests/{a.code}.json").json()
        self.assertEqual(len(single), 1)
        self.assertNotIn("13912345678", json.dumps(single))  # no personal data
        self.assertEqual(self.get("requests/NOPE.json").status_code, 404)
