"""Staff screens, the API, and the deadline watch."""

from __future__ import annotations

import itertools
from datetime import timedelta
from typing import Any, ClassVar

from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import override

from shequ.core.models import Notification
from shequ.core.notifications import about
from shequ.core.testing import APITestMixin, ViewSetTestMixin, WorldTestCase
from shequ.people.tests.helpers import make_id
from shequ.services import actions, views
from shequ.services.models import EventKind, RoutingRule, ServiceCategory, ServiceRequest, Status
from shequ.services.tasks import check_deadlines
from shequ.territory.models import Node

from .helpers import ServicesTree, category, file, org

_counter = itertools.count(1)


class RoutingRuleViewTests(ViewSetTestMixin, WorldTestCase):
    viewset = views.RoutingRuleViewSet

    def make_object(self, node: Node) -> Any:
        n = next(_counter)
        owner = org(node, "other", f"单位{n}")
        leaves = list(ServiceCategory.objects.filter(parent__isnull=False).order_by("pk"))
        return RoutingRule.objects.create(node=node, category=leaves[n % len(leaves)], organization=owner)

    def create_data(self, node: Node) -> dict[str, Any]:
        owner = org(node, "other", f"新单位{next(_counter)}")
        return {"node": node.pk, "category": category("noise").pk, "organization": owner.pk, "notes": ""}

    def edit_data(self, obj: Any) -> dict[str, Any]:
        return {
            "node": obj.node_id,
            "category": obj.category_id or "",
            "organization": obj.organization_id,
            "notes": "改",
        }

    def changed(self, obj: Any) -> bool:
        return obj.notes == "改"

    def detail_url(self, obj: Any) -> str:
        return obj.get_absolute_url()

    def export_key(self, obj: Any) -> str:
        return obj.organization.name

    def test_list_with_permission_and_other_subtree(self) -> None:
        mine = self.make_object(self.world.street_a)
        theirs = self.make_object(self.world.street_b)
        self.login(self.world.officer_a)
        response = self.client.get(self.url("list"))
        self.assertContains(response, self.detail_url(mine))
        self.assertNotContains(response, self.detail_url(theirs))

    def test_list_filters_by_one_category_from_the_indented_select(self) -> None:
        first, second = self.make_object(self.world.street_a), self.make_object(self.world.street_a)
        self.assertNotEqual(first.category_id, second.category_id)
        self.login(self.world.officer_a)
        response = self.client.get(self.url("list"), {"category": first.category_id})
        self.assertContains(response, self.detail_url(first))
        self.assertNotContains(response, self.detail_url(second))
        # The select lists the catalogue by name, sub-categories grouped under their category.
        group = first.category.parent.name if first.category.parent else first.category.name
        self.assertRegex(
            response.content.decode(),
            rf'<optgroup label="{group}">(<option [^>]*>[^<]*</option>)*'
            rf'<option value="{first.category_id}" data-search="[^"]*" selected>{first.category.name}</option>',
        )
        # An id that is no category: the field named in the message, and no list of everything.
        forged = self.client.get(self.url("list"), {"category": "999999"})
        self.assertNotContains(forged, self.detail_url(first))
        with override("zh-hans"):
            label = str(_("Category"))
        self.assertRegex(forged.content.decode(), rf'data-testid="filter-errors"><div>{label}：[^<]*999999')
        # The export of a list filtered by a forged id is refused, not the whole list.
        export = self.client.get(self.url("export"), {"category": "999999"})
        self.assertEqual(export.status_code, 400)
        self.assertIn(label, export.content.decode())


class ScreenTests(WorldTestCase):
    tree: ClassVar[ServicesTree]

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.tree = ServicesTree(cls.world)

    def test_intake_finds_the_resident_and_offers_duplicates(self) -> None:
        from shequ.people.actions import do_create_resident

        w, a = self.world, self.tree.worker_a
        number = make_id()
        resident = do_create_resident(
            acting_user=w.admin, node=w.grid_a, name="王大妈", id_number=number, phone="13800001111"
        )
        self.login(a)
        url = reverse("services:intake")
        self.assertEqual(self.client.get(url).status_code, 200)
        for query in ("王大妈", "13800001111", number):
            response = self.client.post(url, {"find": query})
            self.assertContains(response, f"?resident={resident.pk}")
            self.assertNotContains(response, number)  # the full number is never shown
        cat = category("property-fees")
        data = {
            "category": cat.pk,
            "node": w.grid_a.pk,
            "description": "物业费",
            "channel": "window",
            "resident": resident.pk,
            "accept": "on",
        }
        response = self.client.post(url, data)
        self.assertEqual(response.status_code, 302, response.content[:2000])
        first = ServiceRequest.objects.get()
        self.assertEqual((first.resident, first.status, first.phone), (resident, Status.ACCEPTED, "13800001111"))
        # The same place and category again: the duplicate is offered, then merged.
        response = self.client.post(url, data)
        self.assertContains(response, first.code)
        self.assertContains(response, 'data-testid="duplicates"')
        self.assertEqual(ServiceRequest.objects.count(), 1)
        response = self.client.post(url, {**data, "confirm": "1", "merge_into": first.code})
        self.assertEqual(response.status_code, 302)
        second = ServiceRequest.objects.exclude(pk=first.pk).get()
        self.assertEqual((second.status, second.duplicate_of), (Status.CLOSED, first))
        # Outside the scope: community B's worker cannot file at community A.
        self.login(self.tree.worker_b)
        self.assertEqual(self.client.post(url, {**data, "confirm": "1"}).status_code, 400)

    def test_case_file_page_and_steps(self) -> None:
        a = self.tree.worker_a
        r = file(self.world, acting_user=a)
        self.login(a)
        page = self.client.get(r.get_absolute_url())
        self.assertContains(page, reverse("services:servicerequest_step", args=[r.pk, "accept"]))
        for step, data in (("accept", {}), ("assign", {}), ("start", {}), ("resolve", {"note": "已处理"})):
            response = self.client.post(reverse("services:servicerequest_step", args=[r.pk, step]), data)
            self.assertEqual(response.status_code, 302, (step, response.content[:1500]))
        r.refresh_from_db()
        self.assertEqual(r.status, Status.RESOLVED)
        response = self.client.post(reverse("services:servicerequest_step", args=[r.pk, "rate"]), {"rating": "5"})
        self.assertEqual(response.status_code, 302)
        self.client.post(reverse("services:servicerequest_step", args=[r.pk, "comment"]), {"text": "回访完成"})
        page = self.client.get(r.get_absolute_url())
        self.assertContains(page, "回访完成")
        self.assertContains(page, "已处理")
        # Another community: 404 on the page and on every step.
        self.login(self.tree.worker_b)
        self.assertEqual(self.client.get(r.get_absolute_url()).status_code, 404)
        self.assertEqual(
            self.client.post(reverse("services:servicerequest_step", args=[r.pk, "close"])).status_code, 404
        )
        # Lists within scope.
        self.login(a)
        self.assertContains(self.client.get(reverse("services:servicerequest_list")), r.code)
        self.login(self.tree.worker_b)
        self.assertNotContains(self.client.get(reverse("services:servicerequest_list")), r.code)

    def test_list_filters_by_category_place_and_organization_chosen_by_name(self) -> None:
        fees = file(self.world, code="property-fees")
        noise = file(self.world, code="noise", node=self.world.grid_a)
        other = file(self.world, code="property-fees", node=self.world.community_b)
        actions.do_accept(other, acting_user=self.world.admin)
        actions.do_assign(other, acting_user=self.world.admin, organization=self.tree.water)
        url = reverse("services:servicerequest_list")
        self.login(self.world.officer_a)

        def codes(**query: int) -> set[str]:
            page = self.client.get(url, query).content.decode()
            return {r.code for r in (fees, noise, other) if r.code in page}

        # A top-level category finds its sub-categories' requests.
        self.assertEqual(codes(category=category("property").pk), {fees.code})
        self.assertEqual(codes(category=category("noise").pk), {noise.code})
        self.assertEqual(codes(within=self.world.grid_a.pk), {noise.code})
        # A place outside the scope, or a forged id, finds nothing, not everything.
        self.assertEqual(codes(within=self.world.community_b.pk), set())
        self.assertEqual(codes(within=99999999), set())
        self.login(self.world.admin)
        self.assertEqual(codes(organization=self.tree.water.pk), {other.code})
        # The form names what was chosen, never a bare id.
        page = self.client.get(url, {"within": self.world.grid_a.pk, "organization": self.tree.water.pk})
        self.assertContains(page, 'value="和平街道 / 和平社区 / 第1网格"', html=False)  # the place's path
        self.assertContains(page, "东区自来水公司")
        self.assertRegex(
            page.content.decode(),
            f'<optgroup label="物业管理"><option value="{category("property").pk}"[^>]*>物业管理（全部）',
        )
        # An empty choice in a filter means every value: "全部", not "未知" (unknown) or dashes.
        self.assertContains(page, '<option value="" selected>全部</option>', html=True)
        self.assertContains(page, '<option value="unknown" selected>全部</option>', html=True)
        self.assertNotContains(page, "未知")
        self.assertNotContains(page, "---------")

    def test_notifications_page(self) -> None:
        r = file(self.world, acting_user=self.tree.worker_a, accept=True)
        actions.do_assign(r, acting_user=self.tree.worker_a)
        self.login(self.tree.worker_a)
        response = self.client.get(reverse("core:notification_list"))
        self.assertContains(response, r.code)
        self.client.post(reverse("core:notification_read_all"))
        self.assertFalse(Notification.objects.filter(user=self.tree.worker_a, read_at__isnull=True).exists())


class DeadlineWatchTests(WorldTestCase):
    tree: ClassVar[ServicesTree]

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.tree = ServicesTree(cls.world)

    def test_warns_then_escalates_one_level_up(self) -> None:
        a = self.tree.worker_a
        r = actions.do_assign(file(self.world, acting_user=a, accept=True), acting_user=a)
        assert r.warn_at and r.deadline
        self.assertEqual(check_deadlines(r.warn_at - timedelta(minutes=1)), {"warned": 0, "escalated": 0})
        self.assertEqual(check_deadlines(r.warn_at + timedelta(minutes=1)), {"warned": 1, "escalated": 0})
        self.assertEqual(check_deadlines(r.warn_at + timedelta(minutes=2)), {"warned": 0, "escalated": 0})  # once
        self.assertTrue(about(r).filter(user=a, kind=EventKind.WARNING).exists())
        self.assertEqual(check_deadlines(r.deadline + timedelta(minutes=1)), {"warned": 0, "escalated": 1})
        self.assertEqual(check_deadlines(r.deadline + timedelta(minutes=2)), {"warned": 0, "escalated": 0})
        # The street officer is the level above the community worker.
        self.assertTrue(
            Notification.objects.filter(
                user=self.world.officer_a, object_pk=str(r.pk), kind=EventKind.ESCALATION
            ).exists()
        )
        self.assertTrue(r.events.filter(kind=EventKind.ESCALATION).exists())
        # A resolved request is never escalated.
        done = actions.do_start(
            actions.do_assign(file(self.world, acting_user=a, accept=True), acting_user=a), acting_user=a
        )
        actions.do_resolve(done, acting_user=a, note="ok")
        self.assertEqual(check_deadlines(timezone.now() + timedelta(days=60))["escalated"], 0)

    def test_command(self) -> None:
        from io import StringIO

        out = StringIO()
        call_command("services_deadlines", stdout=out)
        self.assertEqual(out.getvalue().strip(), '{"warned": 0, "escalated": 0}')


class ServiceRequestAPITests(APITestMixin, WorldTestCase):
    endpoint = "/api/v1/services/requests/"
    model = ServiceRequest
    tree: ClassVar[ServicesTree]
    supports_write = False

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.tree = ServicesTree(cls.world)

    def make_object(self, node: Node) -> Any:
        community = self.world.community_a if node.path.startswith(self.world.street_a.path) else self.world.community_b
        return file(self.world, community)

    def test_status_display_in_the_language_asked_for(self) -> None:
        from django.utils import translation

        request = self.make_object(self.world.community_a)
        headers = self.token(self.world.officer_a)
        for language in ("en", "zh-hans", "en", "zh-hans"):  # each language's labels kept apart
            with translation.override(language):
                expected = request.get_status_display()
            for address in (f"{self.endpoint}{request.pk}", f"{self.endpoint}?page_size=50"):
                answer = self.client.get(address, HTTP_ACCEPT_LANGUAGE=language, **headers).json()
                item = answer if "items" not in answer else next(i for i in answer["items"] if i["id"] == request.pk)
                with self.subTest(language=language, address=address):
                    self.assertEqual(item["status_display"], expected)
        self.assertNotEqual(self.display("en", request), self.display("zh-hans", request))

    def display(self, language: str, request: Any) -> str:
        answer = self.client.get(
            f"{self.endpoint}{request.pk}", HTTP_ACCEPT_LANGUAGE=language, **self.token(self.world.officer_a)
        )
        return answer.json()["status_display"]  # type: ignore[no-any-return]

    def test_api_create_and_steps(self) -> None:
        a = self.tree.worker_a
        payload = {
            "category_id": category("property-fees").pk,
            "node_id": self.world.community_a.pk,
            "description": "x",
            "contact_name": "李",
            "accept": True,
        }
        self.assertEqual(self.api("post", self.endpoint, self.tree.worker_b, payload).status_code, 404)
        response = self.api("post", self.endpoint, a, payload)
        self.assertEqual(response.status_code, 201, response.content)
        pk = response.json()["id"]
        self.assertEqual(response.json()["status"], "accepted")
        for step, body in (("assign", {}), ("start", None), ("resolve", {"note": "已处理"}), ("rate", {"rating": 1})):
            response = self.api("post", f"{self.endpoint}{pk}/{step}", a, body)
            self.assertEqual(response.status_code, 200, (step, response.content))
        self.assertEqual(response.json()["status"], "reopened")
        wrong = self.api("post", f"{self.endpoint}{pk}/close", a, {})
        self.assertEqual((wrong.status_code, wrong.json()["code"]), (400, "wrong_status"))
        other = self.api("post", f"{self.endpoint}{pk}/start", self.tree.worker_b)
        self.assertEqual(other.status_code, 404)
        events = self.api("get", f"{self.endpoint}{pk}/events", a).json()
        self.assertIn("reopened", [e["to_status"] for e in events])
