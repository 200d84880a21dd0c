"""Searching members like residents: a full identity number by its blind index only, and never in a URL;
letters by pinyin or initials (surnames read as surnames), Chinese by the name."""

from __future__ import annotations

import re
from datetime import date
from typing import ClassVar

from django.db import connection
from django.test.utils import CaptureQueriesContext

from shequ.core.testing import WorldTestCase, streamed, xlsx_rows
from shequ.party import actions
from shequ.party.models import DevelopmentRecord, PartyMember
from shequ.people.tests.helpers import id_number_shapes, make_id

from .helpers import PartyTree, member


class MemberSearchTests(WorldTestCase):
    tree: ClassVar[PartyTree]
    number: ClassVar[str]
    mine: ClassVar[PartyMember]
    zeng: ClassVar[PartyMember]
    theirs: ClassVar[PartyMember]

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.tree = PartyTree(cls.world)
        cls.number = make_id(date(1986, 6, 6), "F", seq=731)
        cls.mine = member(cls.world, cls.tree.branch_a, name="欧阳娜", id_number=cls.number, born=date(1986, 6, 6))
        cls.zeng = member(cls.world, cls.tree.branch_a, name="曾伟", born=date(1975, 3, 3))
        cls.theirs = member(cls.world, cls.tree.branch_b, name="欧阳丽", born=date(1977, 4, 4))

    def setUp(self) -> None:
        self.login(self.world.officer_a)  # sees numbers masked

    def assert_no_number(self, text: str) -> None:
        self.assertNotIn(self.number, text)
        self.assertEqual(id_number_shapes(text), [], text)

    def test_pinyin_reads_surnames_as_surnames(self) -> None:
        self.assertEqual((self.zeng.pinyin, self.zeng.initials), ("zengwei", "zw"))
        self.assertEqual((self.mine.pinyin, self.mine.initials), ("ouyangna", "oyn"))
        for query in ("zengwei", "zeng", "zw", "Zeng Wei", "曾"):
            self.assertContains(self.client.get("/party/members/", {"q": query}), self.zeng.get_absolute_url())
        self.assertNotContains(self.client.get("/party/members/", {"q": "cengwei"}), self.zeng.get_absolute_url())

    def test_list_filter_posts_and_redirects_to_a_token(self) -> None:
        form = self.client.get("/party/members/").content.decode()
        self.assertRegex(form, r'<form method="post" action="/party/members/"')
        response = self.client.post("/party/members/", {"q": f" {self.number.lower()} ", "status": ""})
        self.assertEqual(response.status_code, 302)
        location = response["Location"]
        self.assert_no_number(location)
        self.assertRegex(location, r"^/party/members/\?idh=[0-9a-f]{64}$")
        page = self.client.get(location)
        self.assertContains(page, self.mine.get_absolute_url())
        self.assertNotContains(page, self.zeng.get_absolute_url())
        self.assertContains(page, 'data-testid="searched-by-id"')
        self.assert_no_number(page.content.decode())  # export, pages and sorting links carry the token only
        # The token stays while other filters change; a new plain search replaces it.
        token = location.rsplit("=", 1)[1]
        again = self.client.post("/party/members/", {"idh": token, "status": "full"})
        self.assertIn(f"idh={token}", again["Location"])
        self.assertContains(self.client.get(again["Location"]), self.mine.get_absolute_url())
        plain = self.client.post("/party/members/", {"idh": token, "q": "曾伟"})
        self.assertNotIn("idh", plain["Location"])
        # Live results (htmx): answered at once, the address pushed holds the token.
        live = self.client.post(
            "/party/members/", {"q": self.number}, headers={"HX-Request": "true", "HX-Target": "results"}
        )
        self.assertEqual(live.status_code, 200)
        self.assertContains(live, self.mine.get_absolute_url())
        self.assert_no_number(live["HX-Push-Url"])
        self.assertIn("idh=", live["HX-Push-Url"])
        # The export of the filtered list follows the token.
        export = self.client.get(location.replace("/party/members/", "/party/members/export/"))
        names = {str(c) for row in xlsx_rows(streamed(export) if export.streaming else export.content) for c in row}
        self.assertIn("欧阳娜", names)
        self.assertNotIn("曾伟", names)
        # Another street's officer with the same token finds nothing; a forged token breaks nothing.
        self.login(self.world.officer_b)
        self.assertNotContains(self.client.get(location), self.mine.get_absolute_url())
        self.assertEqual(self.client.get("/party/members/?idh=zz").status_code, 200)
        # No right to view members: the post answers 404 like the list.
        self.login(self.world.nobody)
        self.assertEqual(self.client.post("/party/members/", {"q": self.number}).status_code, 404)

    def sql_for(self, url: str) -> list[str]:
        with CaptureQueriesContext(connection) as queries:
            self.assertEqual(self.client.get(url).status_code, 200)
        return [q["sql"] for q in queries.captured_queries if 'FROM "party_partymember"' in q["sql"]]

    def test_each_kind_of_value_searches_only_its_column(self) -> None:
        def likes(sql: list[str]) -> set[str]:
            return {m for s in sql for m in re.findall(r'"(name|pinyin|initials)"[^,]*?LIKE', s)}

        location = self.client.post("/party/members/", {"q": self.number})["Location"]
        by_number = self.sql_for(location)
        self.assertTrue(by_number)
        self.assertEqual(likes(by_number), set())
        self.assertEqual(likes(self.sql_for("/party/members/?q=oyn")), {"pinyin", "initials"})
        self.assertEqual(likes(self.sql_for("/party/members/?q=%E6%AC%A7%E9%98%B3")), {"name"})
        self.assertEqual(likes(self.sql_for("/party/members/?q=4201")), set())
        self.assertNotContains(
            self.client.get("/party/members/", {"q": self.number[:10]}), self.mine.get_absolute_url()
        )
        for query in ("oyn", "ouyang na", "欧阳娜"):
            page = self.client.get("/party/members/", {"q": query})
            self.assertContains(page, self.mine.get_absolute_url())
            self.assertNotContains(page, self.theirs.get_absolute_url())  # another street

    def test_get_with_the_number_still_answers_and_the_api_finds_it(self) -> None:
        self.assertContains(self.client.get("/party/members/", {"q": self.number}), self.mine.get_absolute_url())
        api = self.client.get("/api/v1/party/members/", {"q": self.number})
        self.assertEqual(api.status_code, 200)
        self.assertEqual([item["id"] for item in api.json()["items"]], [self.mine.pk])
        self.assertEqual(self.client.get("/api/v1/party/members/", {"q": "zw"}).json()["items"][0]["id"], self.zeng.pk)

    def test_global_search_finds_members_by_token(self) -> None:
        location = self.client.post("/search/", {"q": self.number})["Location"]
        self.assertRegex(location, r"^/search/\?idh=[0-9a-f]{64}$")
        self.assertContains(self.client.get(location), self.mine.get_absolute_url())

    def test_member_picker_posts_what_is_typed(self) -> None:
        self.login(self.world.admin)
        record = actions.do_register_applicant(
            acting_user=self.world.admin,
            organization=self.tree.branch_a,
            name="申请人",
            applied_on=date(2024, 1, 1),
            id_number=make_id(date(1995, 1, 1), seq=732),
        )
        form = self.client.get(f"/party/development/{record.pk}/activist/").content.decode()
        self.assertRegex(form, r'hx-post="/party/pick/members/\?[^"]*field=contact_1')
        self.assertNotRegex(form, r'hx-get="/party/pick/members/')
        found = self.client.post("/party/pick/members/?field=contact_1", {"contact_1__q": self.number})
        self.assertContains(found, f'data-pick-id="{self.mine.pk}"')
        self.assertNotContains(found, f'data-pick-id="{self.zeng.pk}"')
        by_name = self.client.post("/party/pick/members/?field=contact_1", {"contact_1__q": "zw"})
        self.assertContains(by_name, f'data-pick-id="{self.zeng.pk}"')


class DevelopmentSearchTests(WorldTestCase):
    def test_development_list_posts_and_finds_by_token(self) -> None:
        tree = PartyTree(self.world)
        number = make_id(date(1996, 2, 2), "M", seq=741)
        record = actions.do_register_applicant(
            acting_user=self.world.admin,
            organization=tree.branch_a,
            name="单磊",
            applied_on=date(2024, 5, 1),
            id_number=number,
        )
        self.assertEqual(DevelopmentRecord.objects.get(pk=record.pk).pinyin, "shanlei")
        self.login(self.world.officer_a)
        self.assertRegex(self.client.get("/party/development/").content.decode(), r'<form method="post"')
        location = self.client.post("/party/development/", {"q": number})["Location"]
        self.assertNotIn(number, location)
        self.assertRegex(location, r"idh=[0-9a-f]{64}")
        self.assertContains(self.client.get(location), record.get_absolute_url())
        self.assertContains(self.client.get("/party/development/", {"q": "sl"}), record.get_absolute_url())
