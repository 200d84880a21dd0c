"""The framework's full matrix (anonymous / no permission / permission / other subtree) for organizations and
posts, in the UI and the API; then the pages of this app: detail, pickers, actions, metrics."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from shequ.core.testing import APITestMixin, ViewSetTestMixin, WorldTestCase, streamed, xlsx_rows
from shequ.orgs.models import Organization, OrgKind, Post, Title
from shequ.orgs.views import OrganizationViewSet, PostViewSet
from shequ.territory.actions import do_create_node
from shequ.territory.models import Kind, Node

from .helpers import community_set, next_n, org, post, resident
from .test_metrics import build_example

EMPTY_ORG_FORM = {
    "parent": "",
    "code": "",
    "established_on": "",
    "phone": "",
    "address": "",
    "registration": "",
    "filed_on": "",
    "registered_on": "",
    "contract_start": "",
    "contract_end": "",
    "notes": "",
}


class OrganizationData:
    world: Any

    def community(self, node: Node) -> Node:
        return self.world.community_a if node == self.world.street_a else self.world.community_b

    def make_object(self, node: Node) -> Organization:
        return org(self.community(node), OrgKind.RESIDENT_UNIT, f"驻区单位{next_n():04d}")

    def create_data(self, node: Node) -> dict[str, Any]:
        return {**EMPTY_ORG_FORM, "kind": "resident_unit", "name": "新驻区单位", "node": self.community(node).pk}

    def edit_data(self, obj: Organization) -> dict[str, Any]:
        return {**EMPTY_ORG_FORM, "kind": obj.kind, "name": obj.name + "（改）", "node": obj.node_id}

    def changed(self, obj: Organization) -> bool:
        return obj.name.endswith("（改）")

    def export_key(self, obj: Organization) -> str:
        return obj.name

    def create_payload(self, node: Node) -> dict[str, Any]:
        return {"node_id": self.community(node).pk, "kind": "resident_unit", "name": "接口单位"}

    def patch_payload(self, obj: Organization) -> dict[str, Any]:
        return {"name": obj.name + "（改）"}

    def import_rows(self, node: Node) -> list[list[Any]]:
        return [
            ["名称", "类型", "所在地编码"],
            ["导入驻区单位", "驻区单位", "990101001001"],
            ["导入志愿服务队", "志愿者服务队", "990101001001"],
        ]

    def imported(self, node: Node) -> Any:
        return Organization.objects.within(node.path).filter(name__startswith="导入")


class OrganizationViewTests(OrganizationData, ViewSetTestMixin, WorldTestCase):
    viewset = OrganizationViewSet


class OrganizationAPITests(OrganizationData, APITestMixin, WorldTestCase):
    endpoint = "/api/v1/orgs/organizations/"
    model = Organization


class PostData:
    world: Any

    def organization(self, node: Node) -> Organization:
        community = self.world.community_a if node == self.world.street_a else self.world.community_b
        found = Organization.objects.filter(node=community, kind=OrgKind.RESIDENTS_COMMITTEE).first()
        return found or org(community, OrgKind.RESIDENTS_COMMITTEE, f"{community.name}居委会")

    def make_object(self, node: Node) -> Post:
        return post(self.organization(node), Title.MEMBER, name=f"任职人{next_n():04d}")

    def create_data(self, node: Node) -> dict[str, Any]:
        return {
            "organization": self.organization(node).pk,
            "person": "",
            "person_name": "新任职人",
            "title": "member",
            "title_other": "",
            "start_date": "2024-01-01",
            "end_date": "",
            "notes": "",
        }

    def edit_data(self, obj: Post) -> dict[str, Any]:
        return {
            "organization": obj.organization_id,
            "person": "",
            "person_name": obj.person_name,
            "title": obj.title,
            "title_other": "",
            "start_date": obj.start_date.isoformat(),
            "end_date": "2025-01-01",
            "notes": "",
        }

    def changed(self, obj: Post) -> bool:
        return obj.end_date == date(2025, 1, 1)

    def export_key(self, obj: Post) -> str:
        return obj.person_name

    def create_payload(self, node: Node) -> dict[str, Any]:
        return {
            "organization_id": self.organization(node).pk,
            "person_name": "接口任职人",
            "title": "member",
            "start_date": "2024-01-01",
        }

    def patch_payload(self, obj: Post) -> dict[str, Any]:
        return {"end_date": "2025-01-01"}

    def import_rows(self, node: Node) -> list[list[Any]]:
        name = self.organization(node).name
        return [
            ["姓名", "组织", "组织所在地", "职务", "任职开始日期"],
            ["导入甲", name, "990101001001", "委员", "2024-01-01"],
            ["导入乙", name, "和平街道/和平社区", "副主任", "2024年3月1日"],
        ]

    def imported(self, node: Node) -> Any:
        return Post.objects.within(node.path).filter(person_name__startswith="导入")


class PostViewTests(PostData, ViewSetTestMixin, WorldTestCase):
    viewset = PostViewSet


class PostAPITests(PostData, APITestMixin, WorldTestCase):
    endpoint = "/api/v1/orgs/posts/"
    model = Post


class OrganizationPageTests(WorldTestCase):
    def setUp(self) -> None:
        w = self.world
        self.estate = do_create_node(acting_user=w.admin, parent=w.grid_a, kind=Kind.ESTATE, name="阳光小区")
        self.street_committee = org(w.street_a, OrgKind.STREET_COMMITTEE, "和平街道党工委")
        self.party = org(w.community_a, OrgKind.COMMUNITY_COMMITTEE, "和平社区党委", parent=self.street_committee)
        self.branch = org(self.estate, OrgKind.BRANCH, "阳光小区党支部", parent=self.party)
        self.login(w.officer_a)

    def test_detail_shows_the_tree_and_current_and_past_posts(self) -> None:
        post(self.party, Title.SECRETARY, name="张书记")
        post(self.party, Title.MEMBER, name="老委员", start=date(2018, 1, 1), end=date(2021, 1, 1))
        html = self.client.get(self.party.get_absolute_url()).content.decode()
        self.assertIn("阳光小区党支部", html)
        self.assertIn("张书记", html)
        self.assertIn("老委员", html)
        self.assertIn('data-testid="org-tree"', html)
        current = html.split('data-testid="current-posts"')[1].split('data-testid="past-posts"')[0]
        self.assertIn("张书记", current)
        self.assertNotIn("老委员", current)
        # The street committee above shows in the crumbs; a community worker sees it without a link.
        worker = self.world.user("worker", "community_worker", self.world.community_a)
        self.login(worker)
        html = self.client.get(self.branch.get_absolute_url()).content.decode()
        self.assertIn("和平街道党工委", html)
        self.assertNotIn(self.street_committee.get_absolute_url(), html)

    def test_add_form_refuses_bad_nesting_with_a_clear_message(self) -> None:
        rc = org(self.world.community_a, OrgKind.RESIDENTS_COMMITTEE, "和平社区居委会")
        data = {
            "parent": rc.pk,
            "kind": "branch",
            "name": "错误支部",
            "node": self.estate.pk,
            **{k: "" for k in ("code", "established_on", "phone", "address", "registration", "notes")},
        }
        response = self.client.post("/orgs/organizations/add/", data)
        self.assertEqual(response.status_code, 400)
        self.assertFalse(Organization.objects.filter(name="错误支部").exists())
        # The residents' committee is not even offered as a parent (only party organizations are).
        self.assertContains(response, "parent", status_code=400)
        data["parent"] = self.street_committee.pk
        data["kind"] = "party_group"
        response = self.client.post("/orgs/organizations/add/", data)
        self.assertEqual(response.status_code, 400)
        self.assertContains(response, "和平街道党工委", status_code=400)

    def test_property_company_page_estates_and_contract_ending_soon(self) -> None:
        from datetime import timedelta

        from django.utils import timezone

        company = org(
            self.world.community_a,
            OrgKind.PROPERTY_COMPANY,
            "安居物业",
            contract_start=date(2022, 1, 1),
            contract_end=timezone.localdate() + timedelta(days=30),
        )
        response = self.client.post(f"/orgs/organizations/{company.pk}/estates/add/", {"estate": self.estate.pk})
        self.assertEqual(response.status_code, 302)
        self.assertEqual(list(company.estates.all()), [self.estate])
        html = self.client.get(company.get_absolute_url()).content.decode()
        self.assertIn("阳光小区", html)
        self.assertIn('data-testid="contract-ending"', html)
        listing = self.client.get("/orgs/organizations/", {"contract_ends_within": 60}).content.decode()
        self.assertIn("安居物业", listing)
        self.client.post(f"/orgs/organizations/{company.pk}/estates/{self.estate.pk}/remove/")
        self.assertEqual(company.estates.count(), 0)
        # Another street's officer cannot touch it.
        self.login(self.world.officer_b)
        response = self.client.post(f"/orgs/organizations/{company.pk}/estates/add/", {"estate": self.estate.pk})
        self.assertEqual(response.status_code, 404)

    def test_alliance_page_members(self) -> None:
        alliance = org(self.world.community_a, OrgKind.ALLIANCE, "和平党建联盟")
        unit = org(self.world.community_a, OrgKind.RESIDENT_UNIT, "市第一医院")
        theirs = org(self.world.community_b, OrgKind.RESIDENT_UNIT, "胜利中学")
        self.client.post(f"/orgs/organizations/{alliance.pk}/members/add/", {"member": unit.pk})
        self.client.post(f"/orgs/organizations/{alliance.pk}/members/add/", {"member": theirs.pk})
        self.assertEqual(list(alliance.members.all()), [unit])
        html = self.client.get(alliance.get_absolute_url()).content.decode()
        self.assertIn("市第一医院", html)
        self.assertIn("市第一医院", self.client.get(unit.get_absolute_url()).content.decode())
        self.client.post(f"/orgs/organizations/{alliance.pk}/members/{unit.pk}/remove/")
        self.assertEqual(alliance.members.count(), 0)

    def test_dissolve_page(self) -> None:
        team = org(self.world.community_a, OrgKind.VOLUNTEER_TEAM, "志愿服务队")
        held = post(team, Title.CAPTAIN, name="王队长")
        self.assertEqual(self.client.get(f"/orgs/organizations/{team.pk}/dissolve/").status_code, 200)
        response = self.client.post(f"/orgs/organizations/{team.pk}/dissolve/", {"on": "2025-05-01", "reason": "撤并"})
        self.assertEqual(response.status_code, 302)
        held.refresh_from_db()
        self.assertEqual(held.end_date, date(2025, 5, 1))
        response = self.client.post(f"/orgs/organizations/{self.party.pk}/dissolve/", {"on": "2025-05-01"})
        self.assertEqual(response.status_code, 400)  # a branch still stands under it
        self.login(self.world.officer_b)
        self.assertEqual(self.client.get(f"/orgs/organizations/{self.party.pk}/dissolve/").status_code, 404)

    def test_pickers_search_by_name_and_pinyin_inside_the_scope(self) -> None:
        resident(self.world.community_a, "张三")
        resident(self.world.community_b, "张四")
        org(self.world.community_b, OrgKind.RESIDENT_UNIT, "胜利党支部外单位")
        html = self.client.get("/orgs/pick/residents/", {"field": "person", "person__q": "zh"}).content.decode()
        self.assertIn("张三", html)
        self.assertNotIn("张四", html)
        html = self.client.get("/orgs/pick/organizations/", {"q": "党", "kinds": "branch"}).content.decode()
        self.assertIn("阳光小区党支部", html)
        self.assertNotIn("和平社区党委", html)
        self.assertNotIn("胜利", html)

    def test_post_form_with_a_registered_resident_and_end(self) -> None:
        person = resident(self.world.community_a, "李四")
        response = self.client.get("/orgs/posts/add/", {"organization": self.party.pk})
        self.assertContains(response, "和平社区党委")
        # The name of an "other" post is asked for only when the post is "other" (app.js shows it then).
        box = re.search(r'<div class="mb-3"([^>]*)>\s*<label[^>]*for="id_title_other"', response.content.decode())
        assert box is not None
        self.assertEqual(box.group(1), ' data-shown-when="title" data-shown-values="other"')
        data = {
            "organization": self.party.pk,
            "person": person.pk,
            "person_name": "",
            "title": "deputy_secretary",
            "title_other": "",
            "start_date": "2024-01-01",
            "end_date": "",
            "notes": "",
        }
        self.assertEqual(self.client.post("/orgs/posts/add/", data).status_code, 302)
        held = Post.objects.get(person=person)
        again = self.client.post("/orgs/posts/add/", {**data, "start_date": "2024-06-01"})
        self.assertEqual(again.status_code, 400)
        self.assertContains(again, "2024-01-01", status_code=400)
        response = self.client.post(f"/orgs/posts/{held.pk}/end/", {"end_date": "2025-01-01"})
        self.assertEqual(response.status_code, 302)
        held.refresh_from_db()
        self.assertEqual(held.end_date, date(2025, 1, 1))

    def test_global_search_finds_organizations_in_scope_only(self) -> None:
        org(self.world.community_b, OrgKind.COMMUNITY_COMMITTEE, "胜利社区党委")
        for query in ("党委", "hpsqdw", "heping"):
            html = self.client.get("/search/", {"q": query}).content.decode()
            self.assertIn(self.party.get_absolute_url(), html, query)
            self.assertNotIn("胜利社区党委", html, query)
        listing = self.client.get("/orgs/organizations/", {"group": "party"}).content.decode()
        self.assertIn("阳光小区党支部", listing)
        self.assertNotIn("胜利社区党委", listing)

    def test_menu_entries(self) -> None:
        html = self.client.get("/orgs/organizations/").content.decode()
        for url in ("/orgs/organizations/", "/orgs/posts/", "/orgs/metrics/"):
            self.assertIn(f'href="{url}"', html)
        gridder = self.world.user("gridder", "grid_worker", self.world.grid_a)
        self.login(gridder)
        self.assertEqual(self.client.get("/orgs/metrics/").status_code, 404)


class MetricsPageTests(WorldTestCase):
    def setUp(self) -> None:
        build_example(self.world)

    def test_a_street_officer_sees_only_their_street(self) -> None:
        self.login(self.world.officer_a)
        html = self.client.get("/orgs/metrics/").content.decode()
        self.assertIn("和平社区", html)
        self.assertIn("和平二社区", html)
        self.assertNotIn("胜利社区", html)
        self.assertIn('data-target="met"', html)
        self.assertIn('data-target="missed"', html)
        self.assertIn("60.0%", html)
        self.assertEqual(self.client.get("/orgs/metrics/", {"node": self.world.district.pk}).status_code, 404)
        self.assertEqual(self.client.get("/orgs/metrics/", {"node": self.world.street_b.pk}).status_code, 404)
        self.assertEqual(self.client.get("/orgs/metrics/", {"node": "x"}).status_code, 404)

    def test_ranking_of_streets_and_export(self) -> None:
        self.login(self.world.admin)
        html = self.client.get("/orgs/metrics/", {"node": self.world.district.pk}).content.decode()
        areas = html.split('data-testid="areas"')[1].split('data-testid="communities"')[0]
        self.assertLess(areas.index("胜利街道"), areas.index("和平街道"))
        response = self.client.get("/orgs/metrics/export/", {"node": self.world.district.pk})
        self.assertEqual(response.status_code, 200)
        rows = xlsx_rows(streamed(response))
        self.assertEqual(rows[1][:2], [1.0, "胜利社区"])
        names = [r[1] for r in rows[1:]]
        self.assertEqual(names, ["胜利社区", "和平社区", "和平二社区"])
        self.assertEqual(rows[2][6], 60.0)
        self.login(self.world.officer_a)
        self.assertEqual(self.client.get("/orgs/metrics/export/", {"node": self.world.district.pk}).status_code, 404)

    def test_api(self) -> None:
        from shequ.accounts.models import APIToken

        _t, key = APIToken.issue(self.world.officer_a)
        headers: dict[str, Any] = {"HTTP_AUTHORIZATION": f"Bearer {key}"}
        data = self.client.get("/api/v1/orgs/metrics", {"on": "2025-06-01"}, **headers).json()
        self.assertEqual(data["node"], "和平街道")
        by_name = {c["name"]: c for c in data["communities"]}
        self.assertEqual(set(by_name), {"和平社区", "和平二社区"})
        self.assertAlmostEqual(by_name["和平社区"]["cross_posting_rate"], 0.6)
        self.assertIs(by_name["和平二社区"]["cross_posting_ok"], False)
        self.assertEqual(data["total"]["one_shoulder_share"], 0.5)
        self.assertEqual(data["targets"]["cross_posting_rate_above"], 0.5)
        response = self.client.get("/api/v1/orgs/metrics", {"node": self.world.street_b.pk}, **headers)
        self.assertEqual(response.status_code, 404)
        self.assertEqual(self.client.get("/api/v1/orgs/metrics").status_code, 401)


class APIExtrasTests(WorldTestCase):
    def setUp(self) -> None:
        from shequ.accounts.models import APIToken

        _t, key = APIToken.issue(self.world.officer_a)
        self.headers: dict[str, Any] = {"HTTP_AUTHORIZATION": f"Bearer {key}"}

    def test_estates_members_children_dissolve_and_end(self) -> None:
        import json

        w = self.world
        estate = do_create_node(acting_user=w.admin, parent=w.grid_a, kind=Kind.ESTATE, name="阳光小区")
        company = org(w.community_a, OrgKind.PROPERTY_COMPANY, "安居物业")
        url = f"/api/v1/orgs/organizations/{company.pk}/estates"
        body = json.dumps({"estate_ids": [estate.pk]})
        response = self.client.put(url, body, content_type="application/json", **self.headers)
        self.assertEqual(response.status_code, 200, response.content)
        self.assertEqual([e["name"] for e in response.json()], ["阳光小区"])
        bad = self.client.put(
            url, json.dumps({"estate_ids": [w.grid_b.pk]}), content_type="application/json", **self.headers
        )
        self.assertEqual(bad.status_code, 400)
        self.assertEqual(bad.json()["code"], "invalid_estate")
        alliance = org(w.community_a, OrgKind.ALLIANCE, "联盟")
        url = f"/api/v1/orgs/organizations/{alliance.pk}/members"
        response = self.client.post(
            url, json.dumps({"member_id": company.pk}), content_type="application/json", **self.headers
        )
        self.assertEqual(response.status_code, 201, response.content)
        self.assertEqual([m["name"] for m in self.client.get(url, **self.headers).json()], ["安居物业"])
        self.assertEqual(self.client.delete(f"{url}/{company.pk}", **self.headers).status_code, 204)
        s = community_set(w, w.community_a, org(w.street_a, OrgKind.STREET_COMMITTEE, "党工委"))
        children = self.client.get(f"/api/v1/orgs/organizations/{s['party'].parent_id}/children", **self.headers)
        self.assertEqual([c["name"] for c in children.json()], ["和平社区党委"])
        held = post(s["rc"], Title.DIRECTOR, name="王主任")
        response = self.client.post(
            f"/api/v1/orgs/posts/{held.pk}/end",
            json.dumps({"end_date": "2025-01-01"}),
            content_type="application/json",
            **self.headers,
        )
        self.assertEqual(response.json()["end_date"], "2025-01-01")
        response = self.client.post(
            f"/api/v1/orgs/organizations/{s['station'].pk}/dissolve",
            json.dumps({"on": "2025-02-01", "reason": "合并"}),
            content_type="application/json",
            **self.headers,
        )
        self.assertEqual(response.status_code, 200, response.content)
        self.assertFalse(response.json()["active"])

    def test_nesting_error_has_details(self) -> None:
        import json

        w = self.world
        rc = org(w.community_a, OrgKind.RESIDENTS_COMMITTEE, "居委会")
        response = self.client.post(
            "/api/v1/orgs/organizations/",
            json.dumps({"node_id": w.community_a.pk, "kind": "branch", "name": "支部", "parent_id": rc.pk}),
            content_type="application/json",
            **self.headers,
        )
        self.assertEqual(response.status_code, 400, response.content)
        self.assertEqual(response.json()["details"][0]["field"], "parent")
