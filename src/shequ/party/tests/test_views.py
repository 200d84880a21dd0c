"""The framework's full matrix for members and development records (UI and API), then scope: a branch
secretary sees their branch only; a transfer is visible to both ends only while open; the pages."""

from __future__ import annotations

from datetime import date
from typing import Any, ClassVar

from django.urls import NoReverseMatch, reverse

from shequ.accounts.models import Grant, User
from shequ.core.testing import APITestMixin, ViewSetTestMixin, WorldTestCase, streamed, xlsx_rows
from shequ.party import actions
from shequ.party.models import DevelopmentRecord, MemberStatus, PartyMember, RelationTransfer
from shequ.party.views import DevelopmentRecordViewSet, PartyMemberViewSet
from shequ.people.tests.helpers import make_id
from shequ.territory.models import Node

from .helpers import PartyTree, member

_n = {"n": 0}


def seq() -> int:
    _n["n"] += 1
    return _n["n"]


class MemberData:
    world: Any
    tree: ClassVar[PartyTree]

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()  # type: ignore[misc]
        cls.tree = PartyTree(cls.world)

    def branch(self, node: Node) -> Any:
        return self.tree.branch_a if node == self.world.street_a else self.tree.branch_b

    def make_object(self, node: Node) -> PartyMember:
        return member(self.world, self.branch(node), name=f"党员{seq():04d}号")

    def create_data(self, node: Node) -> dict[str, Any]:
        return {
            "name": "新党员",
            "id_number": make_id(born=date(1979, 1, 1), seq=400 + seq()),
            "organization": self.branch(node).pk,
            "status": "full",
            "joined_on": "2005-07-01",
            "converted_on": "2006-07-01",
            "category": "retired",
            "resident": "",
            "phone": "",
            "ethnicity": "",
            "education": "",
            "occupation": "",
            "work_unit": "",
            "dues_base": "",
            "notes": "",
        }

    def edit_data(self, obj: PartyMember) -> dict[str, Any]:
        data = self.create_data(self.world.street_a)
        data.update(name=obj.name + "改", id_number="", joined_on=obj.joined_on.isoformat(), category=obj.category)
        data["converted_on"] = obj.converted_on.isoformat() if obj.converted_on else ""
        return data

    def changed(self, obj: PartyMember) -> bool:
        return obj.name.endswith("改")

    def export_key(self, obj: PartyMember) -> str:
        return obj.name

    def create_payload(self, node: Node) -> dict[str, Any]:
        return {
            "organization_id": self.branch(node).pk,
            "name": "接口党员",
            "id_number": make_id(born=date(1978, 1, 1), seq=450 + seq()),
            "joined_on": "2005-07-01",
            "converted_on": "2006-07-01",
            "category": "on_the_job",
        }

    def patch_payload(self, obj: PartyMember) -> dict[str, Any]:
        return {"name": obj.name + "改"}


class PartyMemberViewTests(MemberData, ViewSetTestMixin, WorldTestCase):
    viewset = PartyMemberViewSet

    def import_rows(self, node: Node) -> list[list[Any]]:
        return [
            ["党员花名册（2024年）"],
            ["姓名", "身份证号", "所在党组织", "入党日期", "转正日期", "党员类别", "学历"],
            [
                "导入甲",
                make_id(born=date(1975, 5, 5), seq=31),
                self.tree.branch_a.name,
                "2000年7月1日",
                "2001/7/1",
                "退休",
                "大专",
            ],
            ["导入乙", make_id(born=date(1976, 6, 6), seq=32), self.tree.branch_a.name, 36708, "", "在职党员", "本科"],
        ]

    def test_import(self) -> None:
        # The first row is a title: the header is found under it.
        rows = self.import_rows(self.world.street_a)
        self.import_rows = lambda node: rows[1:]  # type: ignore[method-assign]
        super().test_import()

    def imported(self, node: Node) -> Any:
        return PartyMember.objects.within(node.path).filter(name__startswith="导入")

    def test_delete(self) -> None:
        # Archives are never deleted.
        with self.assertRaises(NoReverseMatch):
            reverse(self.viewset.url_name("delete"), args=[1])

    def test_archive_page(self) -> None:
        m = self.make_object(self.world.street_a)
        actions.do_add_event(m, acting_user=self.world.admin, kind="honour", on=date(2021, 7, 1), title="优秀共产党员")
        self.login(self.world.officer_a)
        page = self.client.get(m.get_absolute_url())
        self.assertContains(page, "优秀共产党员")
        self.assertContains(page, 'data-testid="timeline"')
        self.assertContains(page, "party/archive.css")
        self.assertContains(page, m.id_masked)  # a street officer sees the mask only
        self.assertNotContains(page, m.id_number)


class PartyMemberAPITests(MemberData, APITestMixin, WorldTestCase):
    endpoint = "/api/v1/party/members/"
    model = PartyMember

    def test_api_delete(self) -> None:
        mine = self.make_object(self.world.street_a)
        response = self.api("delete", f"{self.endpoint}{mine.pk}", self.world.officer_a)
        self.assertEqual(response.status_code, 405)
        self.assertTrue(self.exists(mine))

    def test_rule_errors_are_clear(self) -> None:
        m = member(self.world, self.tree.branch_a, status=MemberStatus.PROBATIONARY, joined_on=date(2024, 1, 10))
        response = self.api(
            "post", f"{self.endpoint}{m.pk}/extend", self.world.officer_a, {"months": 13, "reason": "x"}
        )
        self.assertEqual(response.status_code, 422)
        response = self.api("get", f"{self.endpoint}{m.pk}/timeline", self.world.officer_b)
        self.assertEqual(response.status_code, 404)
        self.assertEqual(len(self.api("get", f"{self.endpoint}{m.pk}/timeline", self.world.officer_a).json()), 1)


class DevelopmentData(MemberData):
    def make_object(self, node: Node) -> DevelopmentRecord:  # type: ignore[override]
        return actions.do_register_applicant(
            acting_user=self.world.admin,
            organization=self.branch(node),
            name=f"申请人{seq():04d}号",
            id_number=make_id(born=date(1999, 1, 1), seq=200 + seq()),
            applied_on=date(2023, 3, 1),
        )

    def create_data(self, node: Node) -> dict[str, Any]:
        return {
            "name": "新申请人",
            "id_number": make_id(born=date(1998, 1, 1), seq=250 + seq()),
            "organization": self.branch(node).pk,
            "applied_on": "2024-03-01",
            "resident": "",
            "phone": "",
            "education": "",
            "occupation": "",
            "notes": "",
        }

    def edit_data(self, obj: Any) -> dict[str, Any]:
        return {"name": obj.name + "改", "phone": "", "education": "", "occupation": "", "notes": ""}

    def create_payload(self, node: Node) -> dict[str, Any]:
        return {
            "organization_id": self.branch(node).pk,
            "name": "接口申请人",
            "id_number": make_id(born=date(1997, 1, 1), seq=280 + seq()),
            "applied_on": "2024-03-01",
        }


class DevelopmentViewTests(DevelopmentData, ViewSetTestMixin, WorldTestCase):
    viewset = DevelopmentRecordViewSet

    def test_delete(self) -> None:
        with self.assertRaises(NoReverseMatch):
            reverse(self.viewset.url_name("delete"), args=[1])


class DevelopmentAPITests(DevelopmentData, APITestMixin, WorldTestCase):
    endpoint = "/api/v1/party/development/"
    model = DevelopmentRecord
    supports_write = False

    def test_api_create_applicant(self) -> None:
        response = self.api("post", self.endpoint, self.world.officer_a, self.create_payload(self.world.street_a))
        self.assertEqual(response.status_code, 201, response.content)
        response = self.api("post", self.endpoint, self.world.officer_b, self.create_payload(self.world.street_a))
        self.assertEqual(response.status_code, 404)


class BranchSecretaryTests(WorldTestCase):
    """A branch secretary, granted on the branch's place, sees that branch's members and nothing more."""

    tree: ClassVar[PartyTree]

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.tree = PartyTree(cls.world)
        cls.secretary = User.objects.create_user("secretary", password="x-pass-123", node=cls.world.grid_a)
        Grant.objects.create(
            user=cls.secretary, role="branch_secretary", node=cls.world.grid_a, organization=cls.tree.grid_branch_a
        )
        cls.mine = member(cls.world, cls.tree.grid_branch_a, name="网格党员")
        cls.community = member(cls.world, cls.tree.branch_a, name="社区党员")
        cls.other = member(cls.world, cls.tree.grid_branch_b, name="外街党员")

    secretary: ClassVar[User]
    mine: ClassVar[PartyMember]
    community: ClassVar[PartyMember]
    other: ClassVar[PartyMember]

    def test_list_detail_search_export_api_counts(self) -> None:
        self.login(self.secretary)
        listing = self.client.get(reverse("party:partymember_list"))
        self.assertContains(listing, self.mine.get_absolute_url())
        self.assertNotContains(listing, self.community.get_absolute_url())
        self.assertNotContains(listing, self.other.get_absolute_url())
        self.assertNotContains(self.client.get(reverse("party:partymember_list"), {"q": "社区"}), "社区党员")
        self.assertEqual(self.client.get(self.mine.get_absolute_url()).status_code, 200)
        self.assertContains(
            self.client.get(self.mine.get_absolute_url()), self.mine.id_number
        )  # view_pii in the branch
        self.assertEqual(self.client.get(self.community.get_absolute_url()).status_code, 404)
        self.assertEqual(self.client.get(self.other.get_absolute_url()).status_code, 404)
        export = self.client.get(reverse("party:partymember_export"))
        names = {str(c) for row in xlsx_rows(streamed(export)) for c in row}
        self.assertIn("网格党员", names)
        self.assertNotIn("社区党员", names)
        self.assertEqual(PartyMember.objects.restrict(self.secretary, "view").count(), 1)
        from shequ.accounts.models import APIToken

        _t, key = APIToken.issue(self.secretary)
        response = self.client.get("/api/v1/party/members/", HTTP_AUTHORIZATION=f"Bearer {key}")
        self.assertEqual({i["id"] for i in response.json()["items"]}, {self.mine.pk})
        self.assertEqual(response.json()["count"], 1)
        stats = self.client.get("/api/v1/party/statistics", HTTP_AUTHORIZATION=f"Bearer {key}")
        self.assertEqual(stats.json()["total"], 1)

    def test_writes_only_in_the_branch(self) -> None:
        actions.do_update_member(self.mine, acting_user=self.secretary, phone="13812345678")
        from shequ.core.exceptions import NotFound

        with self.assertRaises(NotFound):
            actions.do_update_member(self.community, acting_user=self.secretary, phone="13812345678")


class TransferScopeTests(WorldTestCase):
    tree: ClassVar[PartyTree]

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.tree = PartyTree(cls.world)

    def test_both_ends_while_open_then_only_the_keeper(self) -> None:
        m = member(self.world, self.tree.branch_a, name="转出党员")
        t = actions.do_request_transfer(m, acting_user=self.world.officer_a, to_org=self.tree.branch_b)
        url = t.get_absolute_url()
        for user in (self.world.officer_a, self.world.officer_b):
            self.login(user)
            self.assertEqual(self.client.get(url).status_code, 200)
            self.assertContains(self.client.get(reverse("party:relationtransfer_list")), url)
        self.login(self.world.officer_b)
        inbox = self.client.get(reverse("party:relationtransfer_list"), {"box": "inbox"})
        self.assertContains(inbox, url)
        self.assertNotContains(self.client.get(reverse("party:relationtransfer_list"), {"box": "outbox"}), url)
        # The receiver sees the transfer, not the archive.
        self.assertEqual(self.client.get(m.get_absolute_url()).status_code, 404)
        self.login(self.world.officer_a)
        self.assertEqual(
            self.client.post(
                reverse("party:transfer_approve", args=[t.pk]), {"on": date.today().isoformat()}
            ).status_code,
            302,
        )
        self.login(self.world.officer_b)
        response = self.client.post(reverse("party:transfer_accept", args=[t.pk]), {"on": date.today().isoformat()})
        self.assertEqual(response.status_code, 302)
        self.assertEqual(self.client.get(url).status_code, 200)
        self.assertEqual(self.client.get(m.get_absolute_url()).status_code, 200)
        self.login(self.world.officer_a)
        self.assertEqual(self.client.get(url).status_code, 404)
        self.assertNotContains(self.client.get(reverse("party:relationtransfer_list")), url)
        self.assertEqual(self.client.get(m.get_absolute_url()).status_code, 404)
        self.assertFalse(RelationTransfer.objects.restrict(self.world.officer_a, "view").filter(pk=t.pk).exists())

    def test_api_actions(self) -> None:
        from shequ.accounts.models import APIToken

        m = member(self.world, self.tree.branch_a)
        headers_a: dict[str, Any] = {"HTTP_AUTHORIZATION": "Bearer " + APIToken.issue(self.world.officer_a)[1]}
        headers_b: dict[str, Any] = {"HTTP_AUTHORIZATION": "Bearer " + APIToken.issue(self.world.officer_b)[1]}
        created = self.client.post(
            f"/api/v1/party/members/{m.pk}/transfer",
            data={"to_org_id": self.tree.branch_b.pk},
            content_type="application/json",
            **headers_a,
        )
        self.assertEqual(created.status_code, 201, created.content)
        pk = created.json()["id"]
        again = self.client.post(
            f"/api/v1/party/members/{m.pk}/transfer",
            data={"to_org_id": self.tree.grid_branch_b.pk},
            content_type="application/json",
            **headers_a,
        )
        self.assertEqual((again.status_code, again.json()["code"]), (400, "open_transfer"))
        self.assertEqual(self.client.get(f"/api/v1/party/transfers/{pk}", **headers_b).status_code, 200)
        denied = self.client.post(
            f"/api/v1/party/transfers/{pk}/approve", data={}, content_type="application/json", **headers_b
        )
        self.assertEqual(denied.status_code, 404)
        rejected = self.client.post(
            f"/api/v1/party/transfers/{pk}/reject",
            data={"reason": "材料不全"},
            content_type="application/json",
            **headers_a,
        )
        self.assertEqual(rejected.json()["status"], "rejected")
        self.assertEqual(self.client.get(f"/api/v1/party/transfers/{pk}", **headers_b).status_code, 404)


class PagesTests(WorldTestCase):
    tree: ClassVar[PartyTree]

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.tree = PartyTree(cls.world)

    def test_pages(self) -> None:
        m = member(
            self.world,
            self.tree.branch_a,
            status=MemberStatus.PROBATIONARY,
            joined_on=date(2023, 1, 5),
            dues_base="4000",
        )
        member(self.world, self.tree.branch_b, name="外街党员")
        self.login(self.world.officer_a)
        due = self.client.get(reverse("party:due"))
        self.assertContains(due, m.name)
        self.assertContains(due, "bg-red-lt")  # the probation ended without a decision
        arrears = self.client.get(reverse("party:arrears"))
        self.assertContains(arrears, m.name)
        self.assertNotContains(arrears, "外街党员")
        stats = self.client.get(reverse("party:stats"))
        self.assertEqual(stats.status_code, 200)
        self.assertContains(stats, "data-echarts")
        self.assertContains(stats, "vendor/echarts/echarts.min.js")
        self.assertContains(stats, self.tree.branch_a.name)
        self.assertNotContains(stats, self.tree.branch_b.name)
        export = self.client.get(reverse("party:stats_export"))
        cells = {str(c) for row in xlsx_rows(streamed(export)) for c in row}
        self.assertIn(self.tree.branch_a.name, {c.strip("　") for c in cells})
        other = self.client.get(reverse("party:stats"), {"node": self.world.street_b.pk})
        self.assertEqual(other.status_code, 404)
        for name in (
            "member_convert",
            "member_extend",
            "member_cancel",
            "member_status",
            "member_event",
            "member_dues",
            "member_transfer",
        ):
            self.assertEqual(self.client.get(reverse(f"party:{name}", args=[m.pk])).status_code, 200, name)
        self.login(self.world.officer_b)
        self.assertEqual(self.client.get(reverse("party:member_convert", args=[m.pk])).status_code, 404)

    def test_menu(self) -> None:
        from shequ.core.menu import menu_for

        def urls(user: Any) -> set[str]:
            return {url for _section, items in menu_for(user) for _item, url in items}

        self.assertIn(reverse("party:partymember_list"), urls(self.world.officer_a))
        self.assertIn(reverse("party:stats"), urls(self.world.officer_a))
        self.assertNotIn(reverse("party:partymember_list"), urls(self.world.nobody))
