"""/api/v1/people/: the framework's API matrix for residents and households, masking, search, actions."""

from __future__ import annotations

from datetime import date
from typing import Any

from shequ.core.testing import APITestMixin, WorldTestCase
from shequ.people.models import CareTag, Household, Resident
from shequ.people.tests.helpers import community_worker, dwelling, grid_worker, household, make_id, resident
from shequ.territory.models import Node


class ResidentAPITests(APITestMixin, WorldTestCase):
    endpoint = "/api/v1/people/residents/"
    model = Resident

    def make_object(self, node: Node) -> Resident:
        return resident(self.world, dwelling(self.world, node))

    def create_payload(self, node: Node) -> dict[str, Any]:
        return {
            "node_id": dwelling(self.world, node).pk,
            "name": "接口居民",
            "id_number": make_id(),
            "phone": "13912345678",
        }

    def patch_payload(self, obj: Resident) -> dict[str, Any]:
        return {"name": obj.name + "改", "political_status": "party_member"}

    def changed(self, obj: Resident) -> bool:
        return obj.name.endswith("改") and obj.political_status == "party_member"

    def test_api_delete(self) -> None:
        """No deletion: DELETE is not offered; archiving is, within scope."""
        mine = self.make_object(self.world.street_a)
        theirs = self.make_object(self.world.street_b)
        self.assertEqual(self.api("delete", f"{self.endpoint}{mine.pk}", self.world.officer_a).status_code, 405)
        self.assertTrue(self.exists(mine))
        payload = {"reason": "moved_away", "archived_on": "2025-02-03"}
        self.assertEqual(
            self.api("post", f"{self.endpoint}{theirs.pk}/archive", self.world.officer_a, payload).status_code, 404
        )
        self.assertEqual(
            self.api("post", f"{self.endpoint}{mine.pk}/archive", self.world.auditor_a, payload).status_code, 404
        )
        response = self.api("post", f"{self.endpoint}{mine.pk}/archive", self.world.officer_a, payload)
        self.assertEqual(response.status_code, 200, response.content)
        self.assertEqual((response.json()["archived"], response.json()["archived_on"]), (True, "2025-02-03"))
        # Archived ones leave the default list, and come back with status=archived.
        self.assertNotIn(mine.pk, self.ids(self.api("get", self.endpoint, self.world.officer_a)))
        self.assertIn(mine.pk, self.ids(self.api("get", self.endpoint + "?status=archived", self.world.officer_a)))
        response = self.api("post", f"{self.endpoint}{mine.pk}/restore", self.world.officer_a)
        self.assertEqual(response.json()["archived"], False)

    def test_masking_per_role(self) -> None:
        number = make_id(date(1960, 2, 29), "F", seq=33)
        person = resident(self.world, self.world.grid_a, id_number=number)
        url = f"{self.endpoint}{person.pk}"
        self.assertEqual(self.api("get", url, community_worker(self.world)).json()["id_number"], number)
        for user in (grid_worker(self.world), self.world.auditor_a, self.world.officer_a):
            body = self.api("get", url, user).json()
            self.assertEqual(body["id_number"], person.id_masked)
            listed = self.api("get", self.endpoint, user).content.decode()
            self.assertNotIn(number, listed)
        self.assertIn(
            number, self.api("get", self.endpoint, community_worker(self.world, username="w2")).content.decode()
        )

    def test_search_by_full_number(self) -> None:
        number = make_id(seq=34)
        person = resident(self.world, self.world.grid_a, id_number=number)
        resident(self.world, self.world.grid_a)
        for query in (f"?q={number.lower()}", f"?id_number={number}"):
            self.assertEqual(self.ids(self.api("get", self.endpoint + query, self.world.officer_a)), {person.pk}, query)
        self.assertEqual(self.ids(self.api("get", self.endpoint + f"?q={number}", self.world.officer_b)), set())

    def test_invalid_number_explains(self) -> None:
        payload = {**self.create_payload(self.world.street_a), "id_number": "1.10101E+17"}
        response = self.api("post", self.endpoint, self.world.officer_a, payload)
        self.assertEqual(response.status_code, 400)
        self.assertEqual(response.json()["code"], "id_excel_number")

    def test_move_and_history(self) -> None:
        person = resident(self.world, self.world.grid_a)
        home = household(self.world, self.world.grid_a, number="API1")
        response = self.api(
            "post",
            f"{self.endpoint}{person.pk}/move",
            self.world.officer_a,
            {"household_id": home.pk, "relation": "head", "reason": "入户"},
        )
        self.assertEqual(response.status_code, 200, response.content)
        self.assertEqual((response.json()["household_id"], response.json()["relation"]), (home.pk, "head"))
        response = self.api(
            "post", f"{self.endpoint}{person.pk}/move", self.world.officer_a, {"node_id": self.world.grid_b.pk}
        )
        self.assertEqual(response.status_code, 404)
        other = Node.objects.create(parent=self.world.community_a, kind="grid", name="接口网格", path="")
        from shequ.core.fields import path_segment

        other.path = self.world.community_a.path + path_segment(other.pk)
        other.save()
        response = self.api(
            "post",
            f"{self.endpoint}{person.pk}/move",
            self.world.officer_a,
            {"node_id": other.pk, "moved_on": "2025-01-05"},
        )
        self.assertEqual(response.status_code, 200, response.content)
        moves = self.api("get", f"{self.endpoint}{person.pk}/moves", self.world.officer_a).json()
        self.assertEqual([m["to_node_id"] for m in moves], [other.pk])
        self.assertEqual(self.api("get", f"{self.endpoint}{person.pk}/moves", self.world.officer_b).status_code, 404)


class HouseholdAPITests(APITestMixin, WorldTestCase):
    endpoint = "/api/v1/people/households/"
    model = Household
    _n = 0

    def make_object(self, node: Node) -> Household:
        HouseholdAPITests._n += 1
        return household(self.world, dwelling(self.world, node), number=f"AP{HouseholdAPITests._n:04d}")

    def create_payload(self, node: Node) -> dict[str, Any]:
        return {"node_id": dwelling(self.world, node).pk, "number": "APNEW", "address": "3-301"}

    def patch_payload(self, obj: Household) -> dict[str, Any]:
        return {"address": "8-808"}

    def changed(self, obj: Household) -> bool:
        return obj.address == "8-808"

    def test_members_split_merge_move(self) -> None:
        home = self.make_object(self.world.street_a)
        a = resident(self.world, self.world.grid_a, name="甲")
        b = resident(self.world, self.world.grid_a, name="乙")
        user = self.world.officer_a
        base = f"{self.endpoint}{home.pk}"
        for person, relation in ((a, "head"), (b, "child")):
            response = self.api("post", f"{base}/members", user, {"resident_id": person.pk, "relation": relation})
            self.assertEqual(response.status_code, 200, response.content)
        self.assertEqual([m["name"] for m in response.json()], ["甲", "乙"])
        response = self.api("post", f"{base}/split", user, {"member_ids": [b.pk], "head_id": b.pk, "number": "APS"})
        self.assertEqual(response.status_code, 201, response.content)
        new_id = response.json()["id"]
        response = self.api("post", f"{base}/merge", user, {"household_ids": [new_id]})
        self.assertEqual(response.status_code, 200, response.content)
        self.assertEqual(len(self.api("get", f"{base}/members", user).json()), 2)
        theirs = self.make_object(self.world.street_b)
        self.assertEqual(self.api("post", f"{base}/merge", user, {"household_ids": [theirs.pk]}).status_code, 404)
        self.assertEqual(self.api("post", f"{base}/move", user, {"node_id": self.world.grid_b.pk}).status_code, 404)
        self.assertEqual(self.api("get", f"{self.endpoint}{theirs.pk}/members", user).status_code, 404)
        response = self.api("delete", f"{base}/members/{a.pk}", user)
        self.assertEqual([m["name"] for m in response.json()], ["乙"])


class TagAPITests(WorldTestCase):
    def test_everyone_with_people_rights_lists_the_tags(self) -> None:
        api = APITestMixin.api
        every = CareTag.objects.count()
        self.assertEqual(every, 8)  # the standard list, from the migrations
        for user, expected in ((self.world.officer_a, every), (self.world.officer_b, every), (self.world.nobody, 0)):
            response = api(self, "get", "/api/v1/people/tags/", user)  # type: ignore[arg-type]
            self.assertEqual(len(response.json()["items"]), expected)

    token = APITestMixin.token
