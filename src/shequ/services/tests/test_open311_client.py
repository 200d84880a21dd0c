"""Open311 against an independent, unmodified GeoReport v2 client (the ``georeport`` package from PyPI,
which speaks plain HTTP through ``requests`` and parses XML with ``xmltodict``), over a real socket.

The client reads (services, definitions, requests, one request) in JSON and in XML; it cannot file, so a
request is filed the way the specification describes it: a form-encoded POST with ``api_key``."""

from __future__ import annotations

from typing import Any

import requests
from django.test import LiveServerTestCase
from georeport import GeoReport

from shequ.accounts.models import APIToken
from shequ.core.testing import World
from shequ.services import actions
from shequ.services.models import ServiceRequest

from .helpers import ServicesTree, file


class GeoReportClientTests(LiveServerTestCase):
    def setUp(self) -> None:
        self.world = World()
        self.tree = ServicesTree(self.world)
        self.root = f"{self.live_server_url}/open311/v2"

    def client_for(self, fmt: str) -> GeoReport:
        return GeoReport(self.root, jurisdiction="shequ", output_format=fmt)

    def test_the_client_reads_services_definitions_and_requests_in_both_formats(self) -> None:
        worker = self.tree.worker_a
        resolved = file(self.world, acting_user=worker, code="garbage", accept=True)
        resolved = actions.do_assign(resolved, acting_user=worker)
        resolved = actions.do_start(resolved, acting_user=worker)
        resolved = actions.do_resolve(resolved, acting_user=worker, note="已清运")
        _token, key = APIToken.issue(worker)
        posted = requests.post(
            f"{self.root}/requests.json",
            data={
                "api_key": key,
                "jurisdiction_id": "shequ",
                "service_code": "water-outage",
                "address_id": self.world.community_a.code,
                "description": "整栋楼停水",
                "attribute[scope]": "building",
            },
            timeout=10,
        )
        self.assertEqual(posted.status_code, 201, posted.text)
        new_code = posted.json()[0]["service_request_id"]
        self.assertTrue(ServiceRequest.objects.filter(code=new_code).exists())

        for fmt in ("json", "xml"):
            with self.subTest(fmt=fmt):
                client = self.client_for(fmt)
                services = client.get_service_list()
                codes = {s["service_code"] for s in services}
                self.assertTrue({"water-outage", "garbage"} <= codes)
                outage = next(s for s in services if s["service_code"] == "water-outage")
                self.assertEqual(str(outage["metadata"]).lower(), "true")
                self.assertEqual(outage["type"], "realtime")

                definition = client.get_service_definition("water-outage")
                self.assertEqual(definition["service_code"], "water-outage")
                attributes: Any = definition["attributes"]
                if fmt == "xml":
                    attributes = attributes["attribute"]
                    attributes = attributes if isinstance(attributes, list) else [attributes]
                self.assertIn("scope", {a["code"] for a in attributes})

                rows = client.get_service_requests()
                rows = rows if isinstance(rows, list) else [rows]
                by_code = {r["service_request_id"]: r for r in rows}
                self.assertEqual(set(by_code), {resolved.code, new_code})
                self.assertEqual(by_code[resolved.code]["status"], "closed")
                self.assertEqual(by_code[resolved.code]["status_notes"], "已清运")
                self.assertEqual(by_code[resolved.code]["agency_responsible"], "和平社区居委会")
                self.assertEqual(by_code[new_code]["status"], "open")

                open_rows = client.get_service_requests(status="open")
                open_rows = open_rows if isinstance(open_rows, list) else [open_rows]
                self.assertEqual([r["service_request_id"] for r in open_rows], [new_code])

                one = client.get_service_request(resolved.code)
                self.assertEqual((one["service_request_id"], one["service_code"]), (resolved.code, "garbage"))
                self.assertRegex(one["requested_datetime"], r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+08:00$")

    def test_the_client_sees_the_specifications_errors_as_http_errors(self) -> None:
        for fmt in ("json", "xml"):
            with self.subTest(fmt=fmt):
                with self.assertRaises(requests.HTTPError) as raised:
                    self.client_for(fmt).get_service_request("NO-SUCH-CODE")
                self.assertEqual(getattr(raised.exception.response, "status_code", None), 404)
                elsewhere = GeoReport(self.root, jurisdiction="elsewhere", output_format=fmt)
                with self.assertRaises(requests.HTTPError) as raised:
                    elsewhere.get_service_list()
                self.assertEqual(getattr(raised.exception.response, "status_code", None), 404)
