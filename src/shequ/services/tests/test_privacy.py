"""Requests of categories that are not public (social assistance, disputes …) reach no anonymous client:
not through Open311, not through the portal's pages, not through any URL of the site; the public figures
only count them; the resident follows their own with the tracking code and the phone's digits."""

from __future__ import annotations

import re
from collections.abc import Iterator
from decimal import Decimal
from typing import Any, ClassVar

from django.core.cache import cache
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from shequ.core.testing import WorldTestCase
from shequ.services import actions
from shequ.services.models import Channel, ServiceCategory, ServiceRequest

from .helpers import ServicesTree, category, file

# What the private request holds: none of it may reach an anonymous client.
PRIVATE = {
    "address": "幸福路13号4单元",
    "description": "丈夫酗酒后打人，想请社区帮忙",
    "lat": "30.612345",
    "long": "114.387654",
    "name": "周秀兰",
}
PUBLIC = {"address": "光明路21号", "description": "路灯坏了", "lat": "30.654321", "long": "114.321098"}


def walk(patterns: list[Any], prefix: str = "") -> Iterator[tuple[str, Any]]:
    """Every URL pattern of the site, with the route leading to it."""
    for p in patterns:
        route = prefix + str(p.pattern)
        if isinstance(p, URLResolver):
            yield from walk(p.url_patterns, route)
        elif isinstance(p, URLPattern):
            yield route, p


def concrete(route: str, values: dict[str, str]) -> str | None:
    """A URL from a pattern's route: ``<conv:name>`` and ``(?P<name>…)`` filled from *values* (None when
    a parameter has no value given), regular-expression anchors and escapes removed."""
    missing = []

    def fill(match: re.Match[str]) -> str:
        name = match.group("name")
        if name not in values:
            missing.append(name)
            return ""
        return values[name]

    url = re.sub(r"\(\?P<(?P<name>\w+)>[^)]*\)", fill, route)
    url = re.sub(r"<(?:\w+:)?(?P<name>\w+)>", fill, url)
    if missing or "(" in url or "[" in url:
        return None
    return "/" + url.replace("^", "").replace("$", "").replace("\\", "")


class PrivateCategoryTests(WorldTestCase):
    tree: ClassVar[ServicesTree]
    secret: ClassVar[ServiceRequest]
    shown: ClassVar[ServiceRequest]

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.tree = ServicesTree(cls.world)
        w = cls.world
        cls.secret = file(
            w,
            code="family-dispute",
            node=w.grid_a,
            channel=Channel.PORTAL,
            acting_user=None,
            contact_name=PRIVATE["name"],
            phone="13900005678",
            address=PRIVATE["address"],
            description=PRIVATE["description"],
            lat=Decimal(PRIVATE["lat"]),
            long=Decimal(PRIVATE["long"]),
        )
        cls.shown = file(
            w,
            code="property-repair",
            node=w.grid_a,
            address=PUBLIC["address"],
            description=PUBLIC["description"],
            lat=Decimal(PUBLIC["lat"]),
            long=Decimal(PUBLIC["long"]),
            attributes={"facility": "路灯"},
        )
        worker = cls.tree.worker_a
        for r in (cls.secret, cls.shown):  # both resolved and rated, so that every figure has them
            r = actions.do_accept(r, acting_user=worker)
            r = actions.do_assign(r, acting_user=worker)
            r = actions.do_start(r, acting_user=worker)
            r = actions.do_resolve(r, acting_user=worker, note="已处理")
            actions.do_rate(r, acting_user=worker, rating=1 if r.pk == cls.secret.pk else 5)

    def setUp(self) -> None:
        cache.clear()
        self.addCleanup(cache.clear)

    def leaks(self, body: str, request: ServiceRequest | None = None, marks: dict[str, str] | None = None) -> list[str]:
        request = request or self.secret
        marks = marks or PRIVATE
        return [mark for mark in (request.code, *marks.values()) if mark in body]

    def test_the_standard_catalogue_decides_per_category(self) -> None:
        private = set(ServiceCategory.objects.filter(public=False).values_list("code", flat=True))
        for code in ("subsistence", "temporary-aid", "family-dispute", "neighbour-dispute", "home-care", "noise"):
            self.assertIn(code, private)
            self.assertFalse(category(code).is_public)
        for code in ("water-burst", "power-outage", "property-repair", "garbage", "fire-hazard"):
            self.assertTrue(category(code).is_public)

    def test_open311_shows_no_private_request(self) -> None:
        anonymous = Client()
        code = self.secret.code
        for url, params in (
            ("/open311/v2/requests.json", {}),
            ("/open311/v2/requests.xml", {}),
            ("/open311/v2/requests.json", {"service_code": "family-dispute,property-repair"}),
            ("/open311/v2/requests.json", {"status": "closed"}),
            ("/open311/v2/requests.json", {"service_request_id": f"{code},{self.shown.code}"}),
            ("/open311/v2/requests.xml", {"service_request_id": code}),
        ):
            with self.subTest(url=url, params=params):
                body = anonymous.get(url, params).content.decode()
                self.assertEqual(self.leaks(body), [])
                if self.shown.code in params.get("service_request_id", self.shown.code):
                    self.assertIn(self.shown.code, body)  # the public one is there: the feed works
                    self.assertIn(PUBLIC["address"], body)
        for fmt in ("json", "xml"):
            missing = anonymous.get(f"/open311/v2/requests/{code}.{fmt}")
            unknown = anonymous.get(f"/open311/v2/requests/ZZZZZZZZZZZZ.{fmt}")
            self.assertEqual(missing.status_code, 404)
            self.assertEqual(
                missing.content.decode().replace(code, "CODE"), unknown.content.decode().replace("ZZZZZZZZZZZZ", "CODE")
            )
            self.assertEqual(anonymous.get(f"/open311/v2/requests/{self.shown.code}.{fmt}").status_code, 200)

    def test_a_category_made_private_takes_its_requests_out_of_the_feed(self) -> None:
        repair = category("property-repair")
        repair.public = False
        repair.save()
        body = Client().get("/open311/v2/requests.json").content.decode()
        self.assertEqual(self.leaks(body, self.shown, PUBLIC), [])
        repair.public = True
        repair.save()
        parent = category("property")  # a parent made private takes its sub-categories along
        parent.public = False
        parent.save()
        body = Client().get("/open311/v2/requests.json").content.decode()
        self.assertEqual(self.leaks(body, self.shown, PUBLIC), [])

    def test_no_url_of_the_site_shows_a_private_request_to_an_anonymous_client(self) -> None:
        r = self.secret
        values = {
            "pk": str(r.pk),
            "code": r.code,
            "fmt": "json",
            "step": "accept",
            "path": "",
            "kind": "requests",
            "token": "x",
            "uidb64": "x",
        }
        unknown = {**values, "pk": "999999", "code": "ZZZZZZZZZZZZ"}
        anonymous = Client()
        tried = 0

        def body(url: str, query: dict[str, str]) -> tuple[int, str]:
            response = anonymous.get(url, query)
            content = b"".join(response) if response.streaming else response.content  # type: ignore[attr-defined]
            html = content.decode("utf-8", "replace")
            return response.status_code, re.sub(r'(csrfmiddlewaretoken" value|csrf-token" content)="[^"]+"', "", html)

        # Searches that would find it (not the marks themselves: a page may echo what was asked), on the
        # pages that answer an anonymous client at all.
        searches = ({"q": r.code[:8]}, {"q": PRIVATE["name"][1:]}, {"q": PRIVATE["description"][:4]})
        for route, _pattern in walk(get_resolver().url_patterns):
            url = concrete(route, values)
            if url is None or url.startswith(("/static/", "/media/")):
                continue
            status, first = body(url, {})
            for query in ({}, *(searches if status == 200 else ())):
                with self.subTest(url=url, query=query):
                    tried += 1
                    page = body(url, query)[1] if query else first
                    if r.code in url and self.leaks(page) == [r.code]:
                        # A page that repeats the code it was asked about answers as for an unknown code.
                        _status, other = body(concrete(route, unknown) or "", query)
                        self.assertEqual(page.replace(r.code, "CODE"), other.replace("ZZZZZZZZZZZZ", "CODE"))
                    else:
                        self.assertEqual(self.leaks(page), [], url)
        self.assertGreater(tried, 200)

    def test_public_figures_count_private_requests_and_nothing_more(self) -> None:
        response = Client().get(reverse("services:portal_statistics"))
        rows = {row.name: row.figures for row in response.context["rows"]}
        a = rows[self.world.community_a.name]
        # Two requests, one of them private: its unsatisfied rating and its timing stay out of the rates.
        self.assertEqual((a.total, a.private, a.rated, a.satisfaction_rate), (2, 1, 1, 100.0))
        self.assertEqual(a.resolved, 1)
        self.assertContains(response, 'data-testid="private-count"')
        self.assertEqual(self.leaks(response.content.decode()), [])
        # The staff dashboard, in scope, has them all.
        self.login(self.tree.worker_a)
        board = self.client.get(reverse("services:dashboard"), {"node": self.world.community_a.pk}).context["board"]
        self.assertEqual((board.figures.total, board.figures.rated, board.figures.satisfaction_rate), (2, 2, 50.0))

    def test_the_resident_follows_their_own_private_request(self) -> None:
        response = self.client.post(reverse("services:portal_track"), {"code": self.secret.code, "last4": "5678"})
        self.assertContains(response, 'data-testid="progress"')
        self.assertContains(response, self.secret.code)
        self.assertContains(response, "家庭纠纷")
        html = response.content.decode()
        for mark in (PRIVATE["address"], PRIVATE["name"], PRIVATE["lat"], "13900005678"):
            self.assertNotIn(mark, html)
        wrong = self.client.post(reverse("services:portal_track"), {"code": self.secret.code, "last4": "0000"})
        self.assertNotContains(wrong, 'data-testid="progress"')

    def test_the_catalogue_form_keeps_sub_categories_of_a_private_category_private(self) -> None:
        self.login(self.world.admin)
        assistance = category("assistance")
        data = {"code": "housing-aid", "name": "住房救助", "parent": assistance.pk, "active": "on", "order": 5}
        response = self.client.post(reverse("services:servicecategory_add"), {**data, "public": "on"})
        self.assertEqual(response.status_code, 400)
        self.assertContains(response, "社会救助", status_code=400)  # the message names the parent
        self.assertFalse(ServiceCategory.objects.filter(code="housing-aid").exists())
        response = self.client.post(reverse("services:servicecategory_add"), data)
        self.assertEqual(response.status_code, 302)
        self.assertFalse(ServiceCategory.objects.get(code="housing-aid").is_public)
        # A category made not public on its page takes its sub-categories along, and their requests.
        prop = category("property")
        edit = {"code": prop.code, "name": prop.name, "tier": prop.tier_id, "active": "on", "order": prop.order}
        response = self.client.post(reverse("services:servicecategory_edit", args=[prop.pk]), edit)
        self.assertEqual(response.status_code, 302)
        self.assertFalse(ServiceCategory.objects.filter(parent=prop, public=True).exists())
        self.assertNotContains(Client().get("/open311/v2/requests.json"), self.shown.code)
        listed = self.client.get(reverse("services:servicecategory_list"), {"public": "false"})
        self.assertContains(listed, "公共设施维修")
        # The API says which categories are public.
        rows = {c["code"]: c for c in self.client.get("/api/v1/services/categories").json()}
        self.assertEqual((rows["housing-aid"]["public"], rows["water-burst"]["public"]), (False, True))
