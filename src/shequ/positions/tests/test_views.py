"""Screens and API of positions and funds through the core test base classes: scope on every path (list,
detail, history, create, edit, delete, export, API), 404 for other areas, bad input refused, each workflow step."""

from __future__ import annotations

import itertools
from decimal import Decimal
from typing import Any

from django.urls import reverse
from django.utils import timezone

from shequ.core.testing import APITestMixin, StepTestMixin, ViewSetTestMixin, WorldTestCase
from shequ.positions import actions, views
from shequ.positions.models import (
    CulturalBrand,
    CulturalEvent,
    EntryKind,
    EntryStatus,
    Facility,
    FundAccount,
    LedgerEntry,
    StandardCheck,
    Statement,
)
from shequ.territory.actions import do_create_node
from shequ.territory.models import Kind, Node

from .helpers import account, entry

_numbers = itertools.count(1)


def new_community(world: Any, street: Node) -> Node:
    street = street if street.kind == Kind.STREET else Node.objects.get(pk=street.parent_id or 0)
    n = next(_numbers)
    return do_create_node(
        acting_user=world.admin, parent=street, kind=Kind.COMMUNITY, name=f"{street.name[:2]}{n}号社区"
    )


def quarter() -> int:
    return (timezone.localdate().month - 1) // 3 + 1


class NoDelete:
    def test_delete(self) -> None:
        self.skipTest("never deleted")  # type: ignore[attr-defined]


class NoEdit:
    def test_edit(self) -> None:
        self.skipTest("never edited: published again, or reversed")  # type: ignore[attr-defined]


class ReadOnlyAPI:
    def test_api_update(self) -> None:
        self.skipTest("no update through the API")  # type: ignore[attr-defined]

    def test_api_delete(self) -> None:
        self.skipTest("no delete through the API")  # type: ignore[attr-defined]


# -- facilities ----------------------------------------------------------------------------------------------------


class FacilityMixin:
    world: Any

    def make_object(self, node: Node) -> Facility:
        community = new_community(self.world, node)
        return actions.do_save_facility(
            Facility(node=community, kind="service_centre", name=f"{community.name}中心", area=Decimal(320)),
            acting_user=self.world.admin,
        )


class FacilityViewTests(FacilityMixin, ViewSetTestMixin, WorldTestCase):
    viewset = views.FacilityViewSet

    def create_data(self, node: Node) -> dict[str, Any]:
        community = new_community(self.world, node)
        return {
            "node": community.pk,
            "kind": "service_centre",
            "name": "党群服务中心",
            "area": "450",
            "housing_area": "100",
            "rooms": ["office", "party"],
        }

    def edit_data(self, obj: Facility) -> dict[str, Any]:
        return {"node": obj.node_id, "kind": obj.kind, "name": "新中心", "area": "1000", "housing_area": "0"}

    def changed(self, obj: Facility) -> bool:
        return obj.name == "新中心" and obj.area == Decimal(1000)

    def test_negative_area_is_refused_by_the_form(self) -> None:
        data = self.create_data(self.world.street_a) | {"area": "-1"}
        self.login(self.world.officer_a)
        response = self.client.post(self.url("add"), data)
        self.assertEqual(response.status_code, 400)
        self.assertFalse(Facility.objects.exists())

    def test_standards_and_funds_pages_keep_to_the_scope(self) -> None:
        mine = self.make_object(self.world.street_a)
        self.login(self.world.officer_a)
        response = self.client.get(reverse("positions:standards"))
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, mine.node.name)
        self.assertEqual(
            self.client.get(reverse("positions:standards"), {"node": self.world.street_b.pk}).status_code, 404
        )
        self.assertEqual(self.client.get(reverse("positions:funds"), {"node": self.world.street_b.pk}).status_code, 404)
        self.assertEqual(self.client.get(reverse("positions:funds")).status_code, 200)
        self.login(self.world.nobody)
        self.assertEqual(self.client.get(reverse("positions:standards")).status_code, 404)


class FacilityAPITests(FacilityMixin, APITestMixin, WorldTestCase):
    endpoint = "/api/v1/positions/facilities/"
    model = Facility

    def create_payload(self, node: Node) -> dict[str, Any]:
        return {"node_id": new_community(self.world, node).pk, "kind": "service_centre", "name": "中心", "area": "600"}

    def patch_payload(self, obj: Facility) -> dict[str, Any]:
        return {"name": "改名中心"}

    def changed(self, obj: Facility) -> bool:
        return obj.name == "改名中心"

    def test_bad_input_is_a_422_naming_the_field(self) -> None:
        payload = self.create_payload(self.world.street_a)
        for field, value in (("area", "-3"), ("latitude", 91), ("rooms", ["garage"]), ("area", "1.25")):
            with self.subTest(field=field):
                response = self.api("post", self.endpoint, self.world.officer_a, payload | {field: value})
                self.assertEqual(response.status_code, 422, response.content)
                self.assertIn(field, response.content.decode())
        self.assertFalse(Facility.objects.exists())


# -- inspections, culture ------------------------------------------------------------------------------------------


class CheckMixin:
    world: Any

    def make_object(self, node: Node) -> StandardCheck:
        community = new_community(self.world, node)
        return actions.do_save_check(
            StandardCheck(node=community, year=timezone.localdate().year, checked_on=timezone.localdate()),
            acting_user=self.world.admin,
        )

    def export_key(self, obj: StandardCheck) -> str:
        return obj.node.name


class StandardCheckViewTests(CheckMixin, NoDelete, ViewSetTestMixin, WorldTestCase):
    viewset = views.StandardCheckViewSet

    def create_data(self, node: Node) -> dict[str, Any]:
        community = new_community(self.world, node)
        today = timezone.localdate()
        return {"node": community.pk, "year": today.year, "checked_on": today.isoformat(), "rules": "on"}

    def edit_data(self, obj: StandardCheck) -> dict[str, Any]:
        return {"node": obj.node_id, "year": obj.year, "checked_on": obj.checked_on.isoformat(), "archives": "on"}

    def changed(self, obj: StandardCheck) -> bool:
        return obj.archives


class StandardCheckAPITests(CheckMixin, ReadOnlyAPI, APITestMixin, WorldTestCase):
    endpoint = "/api/v1/positions/inspections/"
    model = StandardCheck

    def create_payload(self, node: Node) -> dict[str, Any]:
        community = new_community(self.world, node)
        return {"node_id": community.pk, "year": timezone.localdate().year, "checked_on": str(timezone.localdate())}


class BrandViewTests(ViewSetTestMixin, WorldTestCase):
    viewset = views.CulturalBrandViewSet

    def make_object(self, node: Node) -> CulturalBrand:
        community = new_community(self.world, node)
        return actions.do_save_brand(
            CulturalBrand(node=community, name=f"{community.name}品牌"), acting_user=self.world.admin
        )

    def create_data(self, node: Node) -> dict[str, Any]:
        return {"node": new_community(self.world, node).pk, "name": "邻里守望", "since": 2019}

    def edit_data(self, obj: CulturalBrand) -> dict[str, Any]:
        return {"node": obj.node_id, "name": "红色驿站"}

    def changed(self, obj: CulturalBrand) -> bool:
        return obj.name == "红色驿站"


class EventViewTests(ViewSetTestMixin, WorldTestCase):
    viewset = views.CulturalEventViewSet

    def make_object(self, node: Node) -> CulturalEvent:
        community = new_community(self.world, node)
        return actions.do_save_event(
            CulturalEvent(node=community, title=f"{community.name}文化节", held_on=timezone.localdate()),
            acting_user=self.world.admin,
        )

    def create_data(self, node: Node) -> dict[str, Any]:
        return {
            "node": new_community(self.world, node).pk,
            "title": "广场舞大赛",
            "held_on": str(timezone.localdate()),
            "participants": 50,
        }

    def edit_data(self, obj: CulturalEvent) -> dict[str, Any]:
        return {"node": obj.node_id, "title": "合唱比赛", "held_on": str(obj.held_on), "participants": 5}

    def changed(self, obj: CulturalEvent) -> bool:
        return obj.title == "合唱比赛"


# -- funds ---------------------------------------------------------------------------------------------------------


class AccountViewTests(NoDelete, NoEdit, ViewSetTestMixin, WorldTestCase):
    viewset = views.FundAccountViewSet

    def make_object(self, node: Node) -> FundAccount:
        return account(self.world, new_community(self.world, node))

    def create_data(self, node: Node) -> dict[str, Any]:
        return {"node": new_community(self.world, node).pk, "bank": "示范银行", "number": "6222 0202 0001 9999"}

    def export_key(self, obj: FundAccount) -> str:
        return obj.node.name

    def test_the_number_is_masked_everywhere(self) -> None:
        mine = self.make_object(self.world.street_a)
        self.login(self.world.officer_a)
        for url in (mine.get_absolute_url(), self.url("list")):
            response = self.client.get(url)
            self.assertContains(response, "**** 5678")
            self.assertNotContains(response, "6222020200012345678")


class EntryMixin:
    world: Any

    def make_object(self, node: Node) -> LedgerEntry:
        return entry(self.world, new_community(self.world, node), "50000")

    def export_key(self, obj: LedgerEntry) -> str:
        return obj.voucher


class EntryViewTests(EntryMixin, NoDelete, ViewSetTestMixin, WorldTestCase):
    viewset = views.LedgerEntryViewSet

    def make_object(self, node: Node) -> LedgerEntry:
        made = super().make_object(node)
        LedgerEntry.objects.filter(pk=made.pk).update(voucher=f"记-{made.pk:04d}")
        made.refresh_from_db()
        return made

    def create_data(self, node: Node) -> dict[str, Any]:
        acct = account(self.world, new_community(self.world, node))
        return {
            "account": acct.pk,
            "book": "work",
            "kind": "allocation",
            "category": "district",
            "amount": "25000",
            "occurred_on": str(timezone.localdate()),
            "voucher": "记-100",
        }

    def edit_data(self, obj: LedgerEntry) -> dict[str, Any]:
        return {
            "account": obj.account_id,
            "book": obj.book,
            "kind": obj.kind,
            "category": obj.category,
            "amount": "12345.67",
            "occurred_on": str(obj.occurred_on),
        }

    def changed(self, obj: LedgerEntry) -> bool:
        return obj.amount == Decimal("12345.67")

    def test_an_approved_entry_cannot_be_edited_on_the_page(self) -> None:
        made = self.make_object(self.world.street_a)
        actions.do_approve_entry(made, acting_user=self.world.admin)
        self.login(self.world.officer_a)
        response = self.client.post(self.url("edit", made.pk), self.edit_data(made))
        self.assertEqual(response.status_code, 400)
        self.assertContains(response, "冲销", status_code=400)
        made.refresh_from_db()
        self.assertEqual(made.amount, Decimal("50000.00"))
        self.assertNotContains(self.client.get(made.get_absolute_url()), self.url("edit", made.pk))

    def test_spending_beyond_the_balance_is_refused_on_the_page(self) -> None:
        data = self.create_data(self.world.street_a) | {"kind": "spending", "category": "office"}
        self.login(self.world.officer_a)
        response = self.client.post(self.url("add"), data)
        self.assertEqual(response.status_code, 400)
        self.assertFalse(LedgerEntry.objects.exists())

    def test_a_community_worker_records_but_does_not_approve(self) -> None:
        made = self.make_object(self.world.street_a)
        worker = self.world.user("worker_a", "community_worker", made.node)
        self.login(worker)
        page = self.client.get(made.get_absolute_url())
        self.assertEqual(page.status_code, 200)
        self.assertNotContains(page, reverse(self.viewset.url_name("step"), args=[made.pk, "approve"]))
        response = self.client.post(reverse(self.viewset.url_name("step"), args=[made.pk, "approve"]))
        self.assertEqual(response.status_code, 404)
        self.login(self.world.officer_a)
        page = self.client.get(made.get_absolute_url())
        self.assertContains(page, reverse(self.viewset.url_name("step"), args=[made.pk, "approve"]))


class EntryAPITests(EntryMixin, ReadOnlyAPI, APITestMixin, WorldTestCase):
    endpoint = "/api/v1/positions/entries/"
    model = LedgerEntry

    def create_payload(self, node: Node) -> dict[str, Any]:
        acct = account(self.world, new_community(self.world, node))
        return {
            "account_id": acct.pk,
            "book": "work",
            "kind": "allocation",
            "category": "city",
            "amount": "30000",
            "occurred_on": str(timezone.localdate()),
        }

    def test_negative_balance_is_refused(self) -> None:
        payload = self.create_payload(self.world.street_a) | {"kind": "spending", "category": "office"}
        response = self.api("post", self.endpoint, self.world.officer_a, payload)
        self.assertEqual(response.status_code, 400, response.content)
        self.assertEqual(response.json()["code"], "negative_balance")
        bad = self.api("post", self.endpoint, self.world.officer_a, payload | {"amount": "-5"})
        self.assertEqual(bad.status_code, 422)
        self.assertIn("amount", bad.content.decode())


class EntryStepTests(StepTestMixin, WorldTestCase):
    workflow = actions.WORKFLOW
    viewset = views.LedgerEntryViewSet
    endpoint = "/api/v1/positions/entries/"

    def make_case(self, node: Node, step: Any) -> LedgerEntry:
        made = entry(self.world, new_community(self.world, node), "1000")
        if step.name == "reverse":
            made = actions.do_approve_entry(made, acting_user=self.world.admin)
        return made

    def step_data(self, step: Any, case: Any) -> dict[str, Any]:
        if step.name == "attach":
            from django.core.files.uploadedfile import SimpleUploadedFile

            return {"file": SimpleUploadedFile("发票.png", b"\x89PNG\r\n\x1a\n" + b"\0" * 64, content_type="image/png")}
        return {"reason": "凭证有误"} if step.form else {}

    def api_body(self, step: Any, case: Any) -> dict[str, Any]:
        return {k: v for k, v in self.step_data(step, case).items() if k != "file"}


def published(world: Any, node: Node) -> Statement:
    community = new_community(world, node)
    entry(world, community, "52000", approve=True)
    return actions.do_publish_statement(
        acting_user=world.admin, node=community, year=timezone.localdate().year, quarter=quarter()
    )


class StatementViewTests(NoDelete, NoEdit, ViewSetTestMixin, WorldTestCase):
    viewset = views.StatementViewSet

    def make_object(self, node: Node) -> Statement:
        return published(self.world, node)

    def create_data(self, node: Node) -> dict[str, Any]:
        community = new_community(self.world, node)
        account(self.world, community)
        return {"node": community.pk, "year": timezone.localdate().year, "quarter": quarter()}

    def export_key(self, obj: Statement) -> str:
        return obj.node.name


class StatementAPITests(ReadOnlyAPI, APITestMixin, WorldTestCase):
    endpoint = "/api/v1/positions/statements/"
    model = Statement

    def make_object(self, node: Node) -> Statement:
        return published(self.world, node)

    def create_payload(self, node: Node) -> dict[str, Any]:
        community = new_community(self.world, node)
        account(self.world, community)
        return {"node_id": community.pk, "year": timezone.localdate().year, "quarter": quarter()}


class PortalTests(WorldTestCase):
    def test_published_statements_are_public_and_hold_nothing_personal(self) -> None:
        community = new_community(self.world, self.world.street_a)
        entry(self.world, community, "52000", approve=True)
        entry(self.world, community, "1500", kind=EntryKind.SPENDING, approve=True)
        statement = actions.do_publish_statement(
            acting_user=self.world.officer_a, node=community, year=timezone.localdate().year, quarter=quarter()
        )
        self.client.logout()
        listing = self.client.get(reverse("positions:portal"))
        self.assertContains(listing, community.name)
        page = self.client.get(statement.get_public_url())
        self.assertContains(page, "**** 5678")
        self.assertContains(page, "50500.00")
        self.assertNotContains(page, "6222020200012345678")
        self.assertNotContains(page, "记-001")  # vouchers and who recorded stay inside
        self.assertEqual(self.client.get(reverse("positions:portal_statement", args=["x"])).status_code, 404)
        self.assertEqual(LedgerEntry.objects.filter(status=EntryStatus.APPROVED).count(), 2)


class MapLayerTests(WorldTestCase):
    def test_facilities_with_their_radius_and_the_gaps_within_the_area(self) -> None:
        from .helpers import facility, place_communities

        place_communities(self.world)
        facility(self.world, self.world.community_a, "leisure_square", area="0", offset=(0.002, 0), name="和平广场")
        facility(self.world, self.world.community_b, "leisure_square", area="0", name="胜利广场")
        self.login(self.world.officer_a)
        url = reverse("territory:map_layer", args=["facilities"])
        features = self.client.get(url, {"node": self.world.street_a.pk}).json()["features"]
        self.assertEqual(
            [(f["properties"]["radius"], f["properties"]["name"][:4]) for f in features], [(2000, "和平广场")]
        )
        gaps = self.client.get(reverse("territory:map_layer", args=["facility_gaps"]), {"node": self.world.street_a.pk})
        names = [f["properties"]["name"] for f in gaps.json()["features"]]
        self.assertEqual(len(names), 1)  # community A has a square but no path
        self.assertIn("和平社区", names[0])
        self.login(self.world.nobody)
        self.assertEqual(self.client.get(url, {"node": self.world.street_a.pk}).status_code, 404)


class TodayTests(WorldTestCase):
    def test_entries_to_approve_await_the_street_not_the_community(self) -> None:
        from shequ.positions.indicators import todo

        mine = entry(self.world, new_community(self.world, self.world.street_a), "1000")
        entry(self.world, new_community(self.world, self.world.street_b), "1000")
        [item] = todo(self.world.officer_a)
        self.assertEqual(list(item.count), [mine])
        worker = self.world.user("worker_t", "community_worker", mine.node)
        self.assertEqual(todo(worker), [])
        self.assertEqual(todo(self.world.nobody), [])
