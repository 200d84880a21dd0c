"""The public portal: filing, tracking, rating, public figures, rate limits, CSRF, CSP, no personal data."""

from __future__ import annotations

import re
from typing import Any, ClassVar
from unittest import mock

from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from shequ.core.testing import WorldTestCase
from shequ.services import actions, portal
from shequ.services.models import Attachment, Channel, ServiceRequest, Status

from .helpers import ServicesTree, category

PNG = b"\x89PNG\r\n\x1a\n" + b"0" * 100
NAME, PHONE, ADDRESS = "李秀英", "13987654321", "和平路88号3栋"


class PortalTests(WorldTestCase):
    tree: ClassVar[ServicesTree]

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.tree = ServicesTree(cls.world)

    def setUp(self) -> None:
        cache.clear()
        self.addCleanup(cache.clear)

    def data(self, **kw: Any) -> dict[str, Any]:
        d = {
            "category": category("property-fees").pk,
            "place": self.world.grid_a.pk,
            "address": ADDRESS,
            "description": "楼道灯坏了一个月没人修",
            "contact_name": NAME,
            "phone": PHONE,
        }
        d.update(kw)
        return {k: v for k, v in d.items() if v is not None}

    def submit(self, **kw: Any) -> Any:
        return self.client.post(reverse("services:portal"), self.data(**kw))

    def filed(self) -> ServiceRequest:
        return ServiceRequest.objects.get(channel=Channel.PORTAL)

    def assert_nothing_personal(self, response: Any) -> None:
        html = response.content.decode()
        for secret in (NAME, PHONE, ADDRESS, PHONE[-4:], "13912345678", "张先生"):
            self.assertNotIn(secret, html)

    def resolved(self) -> ServiceRequest:
        a = self.tree.worker_a
        self.assertEqual(self.submit().status_code, 302)
        r = actions.do_accept(self.filed(), acting_user=a)
        r = actions.do_assign(r, acting_user=a)
        r = actions.do_start(r, acting_user=a)
        return actions.do_resolve(r, acting_user=a, note="已更换灯泡")

    # -- filing ----------------------------------------------------------------------------------------------------

    def test_form_is_public_and_csp_without_inline_script(self) -> None:
        response = self.client.get(reverse("services:portal"))
        self.assertEqual(response.status_code, 200)
        directives = {
            d.split()[0]: d.split()[1:] for d in response.headers["Content-Security-Policy"].split(";") if d.strip()
        }
        self.assertEqual(directives["script-src"], ["'self'"])
        html = response.content.decode()
        self.assertIsNone(re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html), "inline script")
        self.assertIsNone(re.search(r"\son[a-z]+=", html))

    def test_submit_gives_a_tracking_code(self) -> None:
        response = self.client.post(
            reverse("services:portal"), {**self.data(), "photo": SimpleUploadedFile("灯.png", PNG)}
        )
        self.assertRedirects(response, reverse("services:portal_filed"))
        r = self.filed()
        self.assertEqual(
            (r.node, r.status, r.organization), (self.world.grid_a, Status.SUBMITTED, self.tree.committee_a)
        )
        self.assertEqual((r.phone, r.phone_last4, r.contact_name, r.submitted_by), (PHONE, "4321", NAME, None))
        self.assertEqual(Attachment.objects.filter(request=r).count(), 1)
        page = self.client.get(reverse("services:portal_filed"))
        self.assertContains(page, r.code)
        self.assert_nothing_personal(page)

    def test_address_text_instead_of_the_picker(self) -> None:
        self.assertEqual(self.submit(place=None, address="和平社区幸福里5号").status_code, 302)
        self.assertEqual(self.filed().node, self.world.community_a)
        response = self.submit(place=None, address="火星基地1号")
        self.assertEqual(response.status_code, 400)
        response = self.submit(place=None, address=None)
        self.assertEqual(response.status_code, 400)
        self.assertEqual(ServiceRequest.objects.count(), 1)

    def test_bad_photo_and_bad_phone_are_refused_and_nothing_is_filed(self) -> None:
        fake = SimpleUploadedFile("灯.png", b"MZ" + b"0" * 100)
        response = self.client.post(reverse("services:portal"), {**self.data(), "photo": fake})
        self.assertEqual(response.status_code, 400)
        exe = SimpleUploadedFile("a.exe", PNG)
        self.assertEqual(self.client.post(reverse("services:portal"), {**self.data(), "photo": exe}).status_code, 400)
        with self.settings(SHEQU_MAX_ATTACHMENT_BYTES=50):
            big = SimpleUploadedFile("灯.png", PNG)
            self.assertEqual(
                self.client.post(reverse("services:portal"), {**self.data(), "photo": big}).status_code, 400
            )
        self.assertEqual(self.submit(phone="12").status_code, 400)
        self.assertFalse(ServiceRequest.objects.exists())

    def test_picker_offers_public_places_only(self) -> None:
        url = reverse("services:portal_places")
        response = self.client.get(url, {"field": "place", "place__q": "和平"})
        self.assertContains(response, self.world.community_a.name)
        self.assertContains(response, f'data-pick-id="{self.world.community_a.pk}"')
        response = self.client.get(url, {"field": "place", "place__q": self.world.street_a.name})
        self.assertNotContains(response, f'data-pick-id="{self.world.street_a.pk}"')
        # a street is not a public place to file at
        self.assertEqual(self.submit(place=self.world.street_a.pk).status_code, 400)

    def test_csrf_is_enforced(self) -> None:
        client = Client(enforce_csrf_checks=True)
        self.assertEqual(client.post(reverse("services:portal"), self.data()).status_code, 403)
        self.assertEqual(client.post(reverse("services:portal_track"), {"code": "X", "last4": "1234"}).status_code, 403)
        self.assertFalse(ServiceRequest.objects.exists())

    # -- tracking and rating ---------------------------------------------------------------------------------------

    def test_track_with_code_and_last_four_digits(self) -> None:
        self.submit()
        r = self.filed()
        response = self.client.post(reverse("services:portal_track"), {"code": r.code.lower(), "last4": "4321"})
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, 'data-testid="progress"')
        self.assertContains(response, r.get_status_display())
        self.assert_nothing_personal(response)

    def test_wrong_pair_answers_like_an_unknown_code(self) -> None:
        self.submit()
        r = self.filed()
        url = reverse("services:portal_track")
        wrong = self.client.post(url, {"code": r.code, "last4": "0000"})
        unknown = self.client.post(url, {"code": "ZZZZZZZZZZZZ", "last4": "0000"})
        self.assertEqual(wrong.status_code, unknown.status_code)
        self.assertNotContains(wrong, 'data-testid="progress"')

        def strip(resp: Any, code: str) -> str:
            html = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", resp.content.decode())
            return re.sub(r'name="csrf-token" content="[^"]+"', "", html).replace(code, "CODE")

        self.assertEqual(strip(wrong, r.code), strip(unknown, "ZZZZZZZZZZZZ"))

    def test_rate_when_resolved(self) -> None:
        r = self.resolved()
        page = self.client.post(reverse("services:portal_track"), {"code": r.code, "last4": "4321"})
        self.assertContains(page, 'data-testid="rate-form"')
        self.assertContains(page, "已更换灯泡")  # the resolution note is meant for the resident
        self.assert_nothing_personal(page)
        # without the digits in this session one cannot rate
        stranger = Client()
        wrong = stranger.post(reverse("services:portal_rate"), {"code": r.code, "rating": 5})
        self.assertContains(wrong, 'data-testid="not-found"')
        stranger.post(reverse("services:portal_track"), {"code": r.code, "last4": "1111"})
        wrong = stranger.post(reverse("services:portal_rate"), {"code": r.code, "rating": 5})
        self.assertContains(wrong, 'data-testid="not-found"')
        response = self.client.post(reverse("services:portal_rate"), {"code": r.code, "rating": 5, "comment": "很快"})
        self.assertEqual(response.status_code, 200)
        r.refresh_from_db()
        self.assertEqual((r.status, r.rating, r.rating_comment), (Status.RATED, 5, "很快"))
        self.assertNotContains(response, 'data-testid="rate-form"')
        again = self.client.post(reverse("services:portal_rate"), {"code": r.code, "rating": 1})
        self.assertEqual(again.status_code, 400)

    def test_unsatisfied_rating_reopens(self) -> None:
        r = self.resolved()
        self.client.post(reverse("services:portal_track"), {"code": r.code, "last4": "4321"})
        self.client.post(reverse("services:portal_rate"), {"code": r.code, "rating": 1})
        r.refresh_from_db()
        self.assertEqual((r.status, r.reopened_count), (Status.REOPENED, 1))

    def test_cannot_rate_before_resolution(self) -> None:
        self.submit()
        r = self.filed()
        self.client.post(reverse("services:portal_track"), {"code": r.code, "last4": "4321"})
        response = self.client.post(reverse("services:portal_rate"), {"code": r.code, "rating": 5})
        self.assertEqual(response.status_code, 400)
        r.refresh_from_db()
        self.assertIsNone(r.rating)

    # -- rate limits -----------------------------------------------------------------------------------------------

    def test_filing_is_limited_per_phone(self) -> None:
        with mock.patch.dict(portal.LIMITS, {"file_phone": (2, 3600)}):
            self.assertEqual(self.submit().status_code, 302)
            self.assertEqual(self.submit().status_code, 302)
            response = self.submit()
            self.assertEqual(response.status_code, 429)
            self.assertContains(response, 'data-testid="throttled"', status_code=429)
            self.assertEqual(self.submit(phone="13800001111").status_code, 302)  # another phone
        self.assertEqual(ServiceRequest.objects.count(), 3)

    def test_filing_is_limited_per_address(self) -> None:
        with mock.patch.dict(portal.LIMITS, {"file_ip": (2, 3600)}):
            self.submit(phone="13800001111")
            self.submit(phone="13800002222")
            self.assertEqual(self.submit(phone="13800003333").status_code, 429)
            other = Client(REMOTE_ADDR="10.0.0.2")
            self.assertEqual(other.post(reverse("services:portal"), self.data()).status_code, 302)

    def test_tracking_is_limited_per_address_and_per_code(self) -> None:
        self.submit()
        code = self.filed().code
        url = reverse("services:portal_track")
        with mock.patch.dict(portal.LIMITS, {"track_ip": (3, 600), "track_code": (100, 3600)}):
            for digits in ("0000", "0001", "0002"):
                self.assertEqual(self.client.post(url, {"code": code, "last4": digits}).status_code, 200)
            self.assertEqual(self.client.post(url, {"code": code, "last4": "4321"}).status_code, 429)
        cache.clear()
        with mock.patch.dict(portal.LIMITS, {"track_ip": (100, 600), "track_code": (2, 3600)}):
            for n, digits in enumerate(("0000", "0001", "4321")):
                client = Client(REMOTE_ADDR=f"10.0.1.{n}")
                status = client.post(url, {"code": code, "last4": digits}).status_code
                self.assertEqual(status, 429 if n == 2 else 200)

    # -- public figures --------------------------------------------------------------------------------------------

    def test_public_statistics_per_community(self) -> None:
        r = self.resolved()
        self.client.post(reverse("services:portal_track"), {"code": r.code, "last4": "4321"})
        self.client.post(reverse("services:portal_rate"), {"code": r.code, "rating": 5})
        response = self.client.get(reverse("services:portal_statistics"))
        self.assertEqual(response.status_code, 200)
        rows = {row.name: row.figures for row in response.context["rows"]}
        a, b = rows[self.world.community_a.name], rows[self.world.community_b.name]
        self.assertEqual((a.total, a.on_time_rate, a.satisfaction_rate), (1, 100.0, 100.0))
        self.assertEqual((b.total, b.on_time_rate, b.satisfaction_rate), (0, None, None))
        self.assert_nothing_personal(response)
        self.assertNotContains(response, r.code)
        self.assertNotContains(response, "已更换灯泡")

    def test_public_statistics_query_count_is_constant(self) -> None:
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        url = reverse("services:portal_statistics")
        self.client.get(url)
        with CaptureQueriesContext(connection) as few:
            self.client.get(url)
        for n in range(3):
            self.submit(phone=f"1380000{n:04d}", place=self.world.grid_b.pk)
        with CaptureQueriesContext(connection) as more:
            response = Client().get(url)  # without the session filing left
        self.assertEqual(len(few), len(more))
        rows = {row.name: row.figures for row in response.context["rows"]}
        self.assertEqual(rows[self.world.community_b.name].total, 3)
