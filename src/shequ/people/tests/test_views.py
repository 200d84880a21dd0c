"""Residents, households and tags through the UI: the framework's full matrix, plus what residents add."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.test.utils import CaptureQueriesContext

from shequ.core.models import AuditEntry
from shequ.core.testing import ViewSetTestMixin, WorldTestCase, streamed, xlsx_rows
from shequ.people.models import CareTag, Household, Resident
from shequ.people.tests.helpers import community_worker, dwelling, grid_worker, household, make_id, resident
from shequ.people.views import HouseholdViewSet, ResidentViewSet
from shequ.territory.models import Node


class ResidentData:
    world: Any

    def make_object(self, node: Node) -> Resident:
        return resident(self.world, dwelling(self.world, node))

    def create_data(self, node: Node) -> dict[str, Any]:
        return {
            "node": dwelling(self.world, node).pk,
            "name": "李新来",
            "id_number": make_id(),
            "gender": "",
            "birth_date": "",
            "phone": "138 1234 5678",
            "ethnicity": "汉族",
            "education": "bachelor",
            "political_status": "masses",
            "employment": "employed",
            "residence_type": "registered",
            "notes": "",
        }

    def edit_data(self, obj: Resident) -> dict[str, Any]:
        return {
            "name": obj.name + "改",
            "id_number": "",
            "gender": "",
            "birth_date": "",
            "phone": "",
            "ethnicity": "",
            "education": "",
            "political_status": "",
            "employment": "",
            "residence_type": "floating",
            "notes": "",
        }

    def changed(self, obj: Resident) -> bool:
        return obj.name.endswith("改") and obj.residence_type == "floating"

    def export_key(self, obj: Resident) -> str:
        return obj.name

    def import_rows(self, node: Node) -> list[list[Any]]:
        return [
            ["姓名", "身份证号", "地区编码", "地址"],
            ["王导一", make_id(seq=401), "990101001001", "第1网格"],
            ["王导二", make_id(seq=402, gender="F"), "990101001001", "第1网格"],
        ]

    def imported(self, node: Node) -> Any:
        return Resident.objects.within(node.path).filter(name__startswith="王导")


class ResidentViewTests(ResidentData, ViewSetTestMixin, WorldTestCase):
    viewset = ResidentViewSet

    def test_delete(self) -> None:
        """Residents are never deleted: there is no delete, archiving takes its place (within scope)."""
        from django.urls import NoReverseMatch, reverse

        mine = self.make_object(self.world.street_a)
        theirs = self.make_object(self.world.street_b)
        with self.assertRaises(NoReverseMatch):
            reverse("people:resident_delete", args=[mine.pk])
        self.login(self.world.officer_a)
        self.assertEqual(self.client.post(f"/people/residents/{mine.pk}/delete/").status_code, 404)
        form = {"reason": "deceased", "archived_on": "2024-05-01", "note": "病故"}
        self.login(self.world.auditor_a)
        self.assertEqual(self.client.post(f"/people/residents/{mine.pk}/archive/", form).status_code, 404)
        self.login(self.world.officer_a)
        self.assertEqual(self.client.post(f"/people/residents/{theirs.pk}/archive/", form).status_code, 404)
        response = self.client.post(f"/people/residents/{mine.pk}/archive/", form)
        self.assertEqual(response.status_code, 302)
        mine.refresh_from_db()
        self.assertEqual((mine.archived, mine.archived_reason, mine.archived_on), (True, "deceased", date(2024, 5, 1)))
        theirs.refresh_from_db()
        self.assertFalse(theirs.archived)
        # Gone from the current list, still there (marked) in the archived one and on its page.
        self.assertNotContains(self.client.get("/people/residents/"), mine.get_absolute_url())
        self.assertContains(self.client.get("/people/residents/", {"status": "archived"}), mine.get_absolute_url())
        self.assertContains(self.client.get(mine.get_absolute_url()), 'data-testid="archived"')
        # Restoring undoes it.
        self.assertEqual(self.client.post(f"/people/residents/{mine.pk}/restore/").status_code, 302)
        mine.refresh_from_db()
        self.assertFalse(mine.archived)


class ListOrderTests(WorldTestCase):
    def test_residents_by_place_then_name_unless_a_header_is_clicked(self) -> None:
        """The list keeps the model's order (place, then name): what the lists' index walks. Only the
        name first would sort a city's whole table for its first page."""
        a, b = self.world.grid_a, self.world.grid_b  # grid_a's path sorts first
        assert a.path < b.path
        later_place = resident(self.world, b, name="李四", id_number=make_id(seq=771))
        first_place = resident(self.world, a, name="王五", id_number=make_id(seq=772))
        self.login(self.world.admin)

        def order(**params: str) -> list[str]:
            html = self.client.get("/people/residents/", params).content.decode()
            urls = [later_place.get_absolute_url(), first_place.get_absolute_url()]
            return sorted(urls, key=html.index)

        self.assertEqual(order(), [first_place.get_absolute_url(), later_place.get_absolute_url()])
        self.assertEqual(order(sort="name"), [later_place.get_absolute_url(), first_place.get_absolute_url()])


class HouseholdData:
    world: Any
    _n = 0

    def make_object(self, node: Node) -> Household:
        HouseholdData._n += 1
        return household(self.world, dwelling(self.world, node), number=f"T{HouseholdData._n:05d}", address="1-101")

    def create_data(self, node: Node) -> dict[str, Any]:
        return {"node": dwelling(self.world, node).pk, "number": "N0001", "address": "2-202"}

    def edit_data(self, obj: Household) -> dict[str, Any]:
        return {"number": obj.number, "address": "9-909"}

    def changed(self, obj: Household) -> bool:
        return obj.address == "9-909"

    def export_key(self, obj: Household) -> str:
        return obj.number

    def import_rows(self, node: Node) -> list[list[Any]]:
        return [
            ["户号", "地区编码", "地址", "门牌"],
            ["HX1", "990101001001", "第1网格", "101"],
            ["HX2", "990101001001", "第1网格", "102"],
        ]

    def imported(self, node: Node) -> Any:
        return Household.objects.within(node.path).filter(number__startswith="HX")


class HouseholdViewTests(HouseholdData, ViewSetTestMixin, WorldTestCase):
    viewset = HouseholdViewSet


class GridWorkerTests(WorldTestCase):
    def test_a_grid_worker_registers_people_in_the_grid_and_the_picker_offers_it(self) -> None:
        worker = grid_worker(self.world)
        self.login(worker)
        page = self.client.get("/people/residents/add/").content.decode()
        self.assertIn("model=people.resident", page)
        picked = self.client.get(
            "/territory/pick/", {"q": "第1", "kinds": "grid", "action": "add", "model": "people.resident"}
        ).content.decode()
        self.assertIn(self.world.grid_a.name, picked)
        data = {"name": "网格登记", "id_number": make_id(), "residence_type": "registered"}
        response = self.client.post("/people/residents/add/", {**data, "node": self.world.grid_a.pk})
        self.assertEqual(response.status_code, 302, response.content[:2000])
        response = self.client.post(
            "/people/residents/add/", {**data, "id_number": make_id(), "node": self.world.grid_b.pk}
        )
        self.assertEqual(response.status_code, 400)


class MaskingTests(WorldTestCase):
    """The full number only for roles with view_pii at the resident's place; everyone else sees the mask."""

    def setUp(self) -> None:
        self.number = make_id(date(1979, 6, 1), "F", seq=77)
        self.person = resident(self.world, self.world.grid_a, name="赵敏", id_number=self.number)
        self.masked = self.number[:6] + "********" + self.number[-4:]

    def seen(self, user: Any, url: str) -> str:
        self.login(user)
        response = self.client.get(url)
        self.assertEqual(response.status_code, 200)
        return response.content.decode()

    def test_community_worker_sees_the_full_number(self) -> None:
        worker = community_worker(self.world)
        for url in ("/people/residents/", self.person.get_absolute_url(), f"/people/residents/{self.person.pk}/edit/"):
            self.assertIn(self.number, self.seen(worker, url), url)

    def test_grid_worker_auditor_and_street_officer_see_the_mask(self) -> None:
        for user in (grid_worker(self.world), self.world.auditor_a, self.world.officer_a):
            for url in (
                "/people/residents/",
                self.person.get_absolute_url(),
                f"/people/residents/{self.person.pk}/history/",
            ):
                page = self.seen(user, url)
                self.assertNotIn(self.number, page, (user, url))
                if "history" not in url:
                    self.assertIn(self.masked, page, (user, url))
        # Nor in the edit form of those who may edit.
        page = self.seen(self.world.officer_a, f"/people/residents/{self.person.pk}/edit/")
        self.assertNotIn(self.number, page)
        self.assertIn(self.masked, page)

    def test_export_is_masked_unless_allowed(self) -> None:
        self.login(self.world.officer_a)
        cells = {str(c) for row in xlsx_rows(streamed(self.client.get("/people/residents/export/"))) for c in row}
        self.assertIn(self.masked, cells)
        self.assertNotIn(self.number, cells)
        self.login(community_worker(self.world))
        cells = {str(c) for row in xlsx_rows(streamed(self.client.get("/people/residents/export/"))) for c in row}
        self.assertIn(self.number, cells)

    def test_export_shows_each_place_as_the_rights_there_allow_with_no_query_per_row(self) -> None:
        from shequ.accounts.models import Grant

        worker = community_worker(self.world)  # full numbers in street A, the mask elsewhere (an auditor there)
        Grant.objects.create(user=worker, role="auditor", node=self.world.city)
        other = resident(self.world, self.world.grid_b, name="钱多", id_number=make_id(seq=78))
        home = household(self.world, self.world.grid_a, number="HH-EXP")
        Resident.objects.filter(pk=self.person.pk).update(household=home)
        self.person.tags.set(CareTag.objects.filter(code__in=["disabled", "elderly_alone", "hospitalized"]))
        tags = "、".join(t.name for t in self.person.tags.all())  # in the tags' own order
        self.login(worker)

        def export() -> dict[str, dict[str, Any]]:
            rows = xlsx_rows(streamed(self.client.get("/people/residents/export/")))
            return {row[0]: dict(zip(rows[0], row, strict=False)) for row in rows[1:]}

        export()  # warm-up: the user's grants read once (accounts.authcache)
        with CaptureQueriesContext(connection) as few:
            rows = export()
        self.assertEqual(rows["赵敏"]["身份证号"], self.number)
        self.assertEqual((rows["赵敏"]["户号"], rows["赵敏"]["特殊人群"]), ("HH-EXP", tags))
        self.assertEqual(rows["钱多"]["身份证号"], other.id_masked)
        self.assertFalse(rows["钱多"]["户号"])
        for i in range(6):
            extra = resident(
                self.world, self.world.grid_b if i % 2 else self.world.grid_a, id_number=make_id(seq=300 + i)
            )
            extra.tags.set(CareTag.objects.filter(code="disabled"))
        with CaptureQueriesContext(connection) as many:
            self.assertEqual(len(export()), 8)
        self.assertEqual(len(few), len(many))

    def test_view_pii_is_limited_to_the_grant_subtree(self) -> None:
        other = resident(self.world, self.world.grid_b, name="钱多", id_number=make_id(seq=78))
        worker = community_worker(self.world)
        # A city-wide auditor view of street B does not come from a community worker grant on A.
        from shequ.accounts.models import Grant

        Grant.objects.create(user=worker, role="auditor", node=self.world.city)
        page = self.seen(worker, other.get_absolute_url())
        self.assertNotIn(other.id_number, page)
        self.assertIn(other.id_masked, page)
        self.assertIn(self.number, self.seen(worker, self.person.get_absolute_url()))

    def test_list_does_not_query_per_row_with_mixed_rights(self) -> None:
        worker = community_worker(self.world)
        from shequ.accounts.models import Grant

        Grant.objects.create(user=worker, role="auditor", node=self.world.city)
        self.login(worker)
        self.client.get("/people/residents/")  # warm-up: the user's grants read once (accounts.authcache)
        with CaptureQueriesContext(connection) as few:
            self.client.get("/people/residents/")
        for i in range(6):
            resident(self.world, self.world.grid_b if i % 2 else self.world.grid_a, id_number=make_id(seq=300 + i))
        with CaptureQueriesContext(connection) as many:
            page = self.client.get("/people/residents/").content.decode()
        self.assertEqual(len(few), len(many))
        self.assertEqual(page.count("********"), 3)  # the three of street B


class SearchTests(WorldTestCase):
    def setUp(self) -> None:
        self.number = make_id(date(1990, 1, 9), "M", seq=91)
        self.mine = resident(self.world, self.world.grid_a, name="欧阳明", id_number=self.number)
        self.theirs = resident(self.world, self.world.grid_b, name="欧阳亮", id_number=make_id(seq=92))

    def found(self, query: str, user: Any = None) -> str:
        self.login(user or self.world.officer_a)
        return self.client.get("/people/residents/", {"q": query}).content.decode()

    def test_by_name_pinyin_and_initials(self) -> None:
        for query in ("欧阳明", "ouyangming", "OuYang Ming", "oym"):
            page = self.found(query)
            self.assertIn(self.mine.get_absolute_url(), page, query)
            self.assertNotIn(self.theirs.get_absolute_url(), page, query)

    def test_a_name_is_found_from_its_beginning_by_the_index_in_at_most_ten_queries(self) -> None:
        inside = resident(self.world, self.world.grid_a, name="王欧阳", id_number=make_id(seq=93))
        for query in ("欧阳", "欧"):
            page = self.found(query)
            self.assertIn(self.mine.get_absolute_url(), page, query)
            self.assertNotIn(inside.get_absolute_url(), page, query)  # not a substring scan
        self.assertIn(inside.get_absolute_url(), self.found("王欧"))
        with CaptureQueriesContext(connection) as queries:
            self.client.get("/people/residents/", {"q": "欧阳"})
        self.assertLessEqual(len(queries), 10)
        resident_sql = [q["sql"] for q in queries.captured_queries if 'FROM "people_resident"' in q["sql"]]
        self.assertFalse([sql for sql in resident_sql if re.search(r'"name"[^,]*LIKE', sql)], resident_sql)

    def test_by_the_full_identity_number_typed_any_way(self) -> None:
        full_width = "".join(chr(ord(c) + 0xFEE0) if c.isdigit() else c for c in self.number)
        for query in (self.number, full_width, f"{self.number[:6]} {self.number[6:]}", self.number.lower()):
            self.assertIn(self.mine.get_absolute_url(), self.found(query), query)
        # Part of the number finds nothing (no scan of numbers), nor does another area's full number.
        self.assertNotIn(self.mine.get_absolute_url(), self.found(self.number[:10]))
        self.assertNotIn(self.theirs.get_absolute_url(), self.found(self.theirs.id_number))
        # Only the blind index is asked (an OR with the name patterns would scan every resident).
        with CaptureQueriesContext(connection) as queries:
            self.found(self.number)
        resident_sql = [q["sql"] for q in queries.captured_queries if 'FROM "people_resident"' in q["sql"]]
        self.assertTrue(resident_sql)
        # (On PostgreSQL the scope itself is `path LIKE 'prefix%'`, an index range scan: leave it out.)
        name_patterns = [sql for sql in resident_sql if re.search(r'"(name|pinyin|initials)"[^,]*LIKE', sql)]
        self.assertFalse(name_patterns, resident_sql)
        # The global search box too.
        self.login(self.world.officer_a)
        page = self.client.get("/search/", {"q": self.number}, follow=True)
        self.assertContains(page, self.mine.get_absolute_url())
        self.assertNotIn(self.number, page.redirect_chain[-1][0])  # the screen's address holds a token instead


class PlaceFilterTests(WorldTestCase):
    """The list's "within" filter is a place picker: the form names the chosen place, never a bare id,
    and a forged id outside the scope neither names the place nor finds anyone."""

    def setUp(self) -> None:
        self.mine = resident(self.world, self.world.grid_a, name="范围甲", id_number=make_id(seq=95))
        self.theirs = resident(self.world, self.world.grid_b, name="范围乙", id_number=make_id(seq=96))

    def test_the_place_is_picked_by_name_within_scope(self) -> None:
        self.login(self.world.officer_a)
        page = self.client.get("/people/residents/", {"within": self.world.community_a.pk}).content.decode()
        # the picker names the place with its path from the street down
        self.assertIn(f'value="{self.world.street_a.name} / {self.world.community_a.name}"', page)
        self.assertIn("data-picker", page)
        self.assertIn("model=people.resident", page)  # suggestions: where residents may be seen
        self.assertIn(self.mine.get_absolute_url(), page)
        page = self.client.get("/people/residents/", {"within": self.world.community_b.pk}).content.decode()
        self.assertNotIn(self.world.community_b.name, page)
        self.assertNotIn(self.theirs.get_absolute_url(), page)
        self.assertNotIn(self.mine.get_absolute_url(), page)


class CareTagTests(WorldTestCase):
    """The tag list is one for the whole territory: all who may view people see it; only the city changes it."""

    def setUp(self) -> None:
        self.tag = CareTag.objects.get(code="elderly_alone")

    def test_everyone_with_people_rights_sees_the_tags(self) -> None:
        for user in (self.world.officer_a, self.world.officer_b, self.world.auditor_a, grid_worker(self.world)):
            self.login(user)
            self.assertContains(self.client.get("/people/tags/"), "独居老人")
        self.login(self.world.nobody)
        self.assertEqual(self.client.get("/people/tags/").status_code, 404)

    def test_only_a_grant_on_the_city_or_a_superuser_changes_them(self) -> None:
        data = {"name": "独居老人（改）", "code": "elderly_alone", "description": "", "active": "on"}
        district = self.world.user("district_a", "district_officer", self.world.district)
        for user in (self.world.officer_a, district):
            self.login(user)
            self.assertEqual(self.client.post(f"/people/tags/{self.tag.pk}/edit/", data).status_code, 404)
            self.assertEqual(self.client.post("/people/tags/add/", {**data, "code": "x", "name": "x"}).status_code, 404)
        self.tag.refresh_from_db()
        self.assertEqual(self.tag.name, "独居老人")
        city = self.world.user("city_a", "city_admin", self.world.city)
        self.login(city)
        self.assertEqual(self.client.post(f"/people/tags/{self.tag.pk}/edit/", data).status_code, 302)
        self.tag.refresh_from_db()
        self.assertEqual(self.tag.name, "独居老人（改）")
        self.assertTrue(
            AuditEntry.objects.filter(
                content_type=ContentType.objects.get_for_model(CareTag), object_pk=str(self.tag.pk), actor=city
            ).exists()
        )

    def test_a_tag_in_use_is_not_deleted(self) -> None:
        person = resident(self.world, self.world.grid_a, tags=[self.tag])
        self.login(self.world.admin)
        response = self.client.post(f"/people/tags/{self.tag.pk}/delete/")
        self.assertEqual(response.status_code, 400)
        self.assertTrue(CareTag.objects.filter(pk=self.tag.pk).exists())
        self.assertEqual(list(person.tags.all()), [self.tag])


class PagesTests(WorldTestCase):
    """The action screens answer, within scope."""

    def test_screens(self) -> None:
        home = household(self.world, self.world.grid_a, number="P1")
        person = resident(self.world, self.world.grid_a, household=home, relation="head")
        theirs = household(self.world, self.world.grid_b, number="P2")
        self.login(self.world.officer_a)
        for url in (
            person.get_absolute_url(),
            f"/people/residents/{person.pk}/move/",
            f"/people/residents/{person.pk}/archive/",
            home.get_absolute_url(),
            f"/people/households/{home.pk}/move/",
            f"/people/households/{home.pk}/members/add/",
            f"/people/households/{home.pk}/members/remove/?resident={person.pk}",
            f"/people/households/{home.pk}/head/",
            f"/people/households/{home.pk}/split/",
            f"/people/households/{home.pk}/merge/",
            "/people/residents/import/",
            "/people/residents/import/template/",
        ):
            self.assertEqual(self.client.get(url).status_code, 200, url)
        for url in (f"/people/households/{theirs.pk}/move/", f"/people/households/{theirs.pk}/merge/"):
            self.assertEqual(self.client.get(url).status_code, 404, url)
        self.assertContains(self.client.get(home.get_absolute_url()), person.name)

    def test_menu(self) -> None:
        self.login(self.world.officer_a)
        page = self.client.get("/people/residents/").content.decode()
        self.assertIn("/people/households/", page)
        self.login(self.world.nobody)
        self.assertNotIn("/people/residents/", self.client.get("/accounts/profile/").content.decode())
