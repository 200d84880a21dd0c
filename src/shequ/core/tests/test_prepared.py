"""One object by its key through the statement compiled once (``core.prepared``): the same answer as compiling
it each time, for every user, key and action; nothing compiled on the second read; revocations still at once."""

from __future__ import annotations

import re
import unittest
from unittest import mock

from django.db import connection
from django.db.models import Count
from django.test import override_settings
from django.test.utils import CaptureQueriesContext

from shequ.accounts import authcache
from shequ.accounts.models import Grant
from shequ.core import prepared
from shequ.core.actions import fetch
from shequ.core.exceptions import NotFound
from shequ.core.testing import WorldTestCase
from shequ.territory.models import Node


def answer(queryset, user, action, pk):  # type: ignore[no-untyped-def]
    try:
        return fetch(queryset, user, action, pk)
    except NotFound:
        return None


class PreparedFetchTests(WorldTestCase):
    def users(self) -> list:  # type: ignore[type-arg]
        w = self.world
        return [w.admin, w.officer_a, w.officer_b, w.auditor_a, w.nobody]

    def test_the_remembered_statement_answers_as_compiling_each_time(self) -> None:
        keys = [*Node.objects.values_list("pk", flat=True), 0, -1, 10**6, "x", 2**40]
        for action in ("view", "change", "delete"):
            for user in self.users():
                authcache.forget_local()
                compiled = [answer(Node.objects.select_related("parent"), user, action, k) for k in keys]
                with mock.patch.object(prepared, "rows", return_value=None):
                    each_time = [answer(Node.objects.select_related("parent"), user, action, k) for k in keys]
                self.assertEqual(compiled, each_time, (user, action))
                self.assertTrue(any(compiled) or action != "view" or user == self.world.nobody)
        # The joined row comes back too, without a query of its own.
        node = fetch(Node.objects.select_related("parent"), self.world.officer_a, "view", self.world.grid_a.pk)
        with CaptureQueriesContext(connection) as queries:
            self.assertEqual(node.parent, self.world.community_a)
        self.assertEqual(len(queries), 0)

    def test_the_second_read_compiles_nothing(self) -> None:
        user = self.world.officer_a
        fetch(Node.objects.all(), user, "view", self.world.grid_a.pk)
        with mock.patch.object(prepared, "_compile", wraps=prepared._compile) as compiled:
            with CaptureQueriesContext(connection) as queries:
                self.assertEqual(fetch(Node.objects.all(), user, "view", self.world.grid_a.pk), self.world.grid_a)
                with self.assertRaises(NotFound):
                    fetch(Node.objects.all(), user, "view", self.world.grid_b.pk)  # the other street's
        self.assertEqual(compiled.call_count, 0)
        self.assertEqual(len(queries), 2)

    def test_a_base_with_conditions_of_its_own_is_compiled_each_time(self) -> None:
        """Its parameters (a date, a name) are not the user's: it is never remembered."""
        self.assertIsNone(prepared.shape(Node.objects.filter(name="东区")))
        self.assertIsNone(prepared.shape(Node.objects.order_by("name")))
        self.assertIsNone(prepared.shape(Node.objects.select_for_update()))
        self.assertIsNone(prepared.shape(Node.objects.annotate(n=Count("children"))))
        self.assertIsNotNone(prepared.shape(Node.objects.select_related("parent")))
        user = self.world.officer_a
        for _ in range(2):
            with mock.patch.object(prepared, "_compile") as compiled:
                self.assertIsNone(answer(Node.objects.filter(name="东区"), user, "view", self.world.district.pk))
            self.assertEqual(compiled.call_count, 0)

    def test_a_new_grant_is_seen_at_once(self) -> None:
        user = self.world.officer_a
        self.assertIsNone(answer(Node.objects.all(), user, "view", self.world.grid_b.pk))
        Grant.objects.create(user=user, role="street_officer", node=self.world.street_b)
        user = type(user).objects.get(pk=user.pk)  # the next request's user (a request keeps its grants)
        self.assertEqual(answer(Node.objects.all(), user, "view", self.world.grid_b.pk), self.world.grid_b)


class PreparedListTests(WorldTestCase):
    """An API list with no filter: its page and count through statements compiled once per user."""

    def pages(self, user, query: str = "") -> list:  # type: ignore[no-untyped-def, type-arg]
        self.login(user)
        return [self.client.get(f"/api/v1/nodes/?page_size=3&page={n}{query}").json() for n in (1, 2, 3, 9)]

    def test_the_remembered_page_answers_as_building_the_list_each_time(self) -> None:
        for user in (self.world.admin, self.world.officer_a, self.world.officer_b, self.world.auditor_a):
            authcache.forget_local()
            remembered = self.pages(user)
            with mock.patch.object(prepared, "listing", return_value=None):
                built = self.pages(user)
            self.assertEqual(remembered, built, user)
            self.assertGreater(remembered[0]["count"], 0)
        self.assertEqual(self.pages(self.world.nobody)[0]["count"], 0)  # sees nothing: an empty page

    def test_the_second_request_compiles_nothing(self) -> None:
        self.pages(self.world.officer_a)
        with mock.patch.object(prepared, "_compile_listing", wraps=prepared._compile_listing) as compiled:
            with CaptureQueriesContext(connection) as queries:
                again = self.client.get("/api/v1/nodes/?page_size=3").json()
        statements = [q["sql"] for q in queries.captured_queries]  # read now: the next request clears them
        self.assertEqual(compiled.call_count, 0)
        self.assertEqual(again["items"], self.pages(self.world.officer_a)[0]["items"])
        # The page and its count (on PostgreSQL the page is its prepared statement: ServerStatementTests).
        self.assertEqual(sum("territory_node" in sql or sql.startswith("EXECUTE shequ_list_") for sql in statements), 2)

    def test_a_filter_builds_the_list(self) -> None:
        with mock.patch.object(prepared, "_compile_listing") as compiled:
            found = self.pages(self.world.officer_a, "&kind=grid")
        self.assertEqual(compiled.call_count, 0)
        self.assertEqual([n["kind"] for n in found[0]["items"]], ["grid"])

    def test_a_new_grant_is_seen_at_once(self) -> None:
        user = self.world.officer_a
        before = self.pages(user)[0]["count"]
        Grant.objects.create(user=user, role="street_officer", node=self.world.street_b)
        self.assertGreater(self.pages(user)[0]["count"], before)


class PreparedListPageTests(WorldTestCase):
    """A list page with no filter and no sorting: its page and count through statements compiled once per user."""

    URL = "/territory/nodes/"

    def results(self, query: str = "") -> str:
        response = self.client.get(self.URL + query)
        if response.status_code != 200:
            return str(response.status_code)
        html = re.sub(r'name="csrfmiddlewaretoken" value="\w+"', "", response.content.decode())
        return html[html.index('<div id="results">') :]

    def test_the_remembered_page_shows_what_building_the_list_shows(self) -> None:
        from shequ.territory.actions import do_create_node
        from shequ.territory.models import Kind

        for n in range(15):
            do_create_node(acting_user=self.world.admin, parent=self.world.grid_a, kind=Kind.ESTATE, name=f"小区{n}")
        queries = ["", "?page=2&per_page=10", "?per_page=10&page=2", "?page=99&per_page=10", "?sort=name", "?q=街道"]
        for user in (self.world.admin, self.world.officer_a, self.world.auditor_a, self.world.nobody):
            self.login(user)
            authcache.forget_local()
            for query in queries:
                remembered = self.results(query)
                with mock.patch("shequ.core.pagination._prepared_page", return_value=False):
                    built = self.results(query)
                self.assertEqual(remembered, built, (user, query))
        self.login(self.world.admin)
        self.assertIn('href="?per_page=10&amp;page=2"', self.results("?per_page=10"))  # more than one page

    def test_the_second_view_compiles_nothing_and_sorting_builds_the_list(self) -> None:
        self.login(self.world.officer_a)
        first = self.results()
        with mock.patch.object(prepared, "_compile_listing", wraps=prepared._compile_listing) as compiled:
            self.assertEqual(self.results(), first)
            self.assertEqual(compiled.call_count, 0)
            self.results("?sort=-name")
            self.assertEqual(compiled.call_count, 0)


class TimeTests(WorldTestCase):
    def test_sql_that_changes_by_itself_is_never_remembered(self) -> None:
        import datetime

        from django.utils import timezone

        recent = Node.objects.filter(created__gte=timezone.now() - datetime.timedelta(days=1))
        self.assertTrue(prepared.depends_on_time(*recent.query.sql_with_params()))  # a datetime, or text on SQLite
        self.assertTrue(prepared.depends_on_time('SELECT 1 WHERE "x" < NOW()', ()))
        self.assertFalse(prepared.depends_on_time(*Node.objects.filter(name="东区").query.sql_with_params()))
        listed = prepared.listing(lambda: recent.order_by("pk"), ("recent",), self.world.admin, 0, 10, 100)
        self.assertIsNone(listed)  # the caller builds the list each time


class BoundTests(WorldTestCase):
    def test_a_process_remembers_a_bounded_number_of_entries(self) -> None:
        authcache.forget_local()
        authcache.get("probe", 0)  # reads the generation
        with mock.patch.object(authcache, "MAX_ENTRIES", 100):
            for i in range(1_000):
                authcache.put("probe", i, i)
            self.assertLessEqual(len(authcache._entries), 100)
            self.assertEqual(authcache.get("probe", 999), 999)  # the newest stay
            self.assertIsNone(authcache.get("probe", 0))


@unittest.skipUnless(connection.vendor == "postgresql", "PostgreSQL's prepared statements")
class ServerStatementTests(WorldTestCase):
    """On PostgreSQL a list's page statement is prepared once per connection (``prepared.server_statement``)."""

    def page(self, path: str = "/api/v1/nodes/?page_size=3") -> tuple[list, list[str]]:  # type: ignore[type-arg]
        with CaptureQueriesContext(connection) as queries:
            answer = self.client.get(path).json()
        return answer["items"], [q["sql"] for q in queries.captured_queries]

    def test_the_page_is_planned_once_and_answers_as_before(self) -> None:
        for user in (self.world.admin, self.world.officer_a, self.world.officer_b):
            with self.subTest(user=user.username):
                self.login(user)
                first, _sql = self.page()
                again, statements = self.page()
                self.assertEqual(sum(sql.startswith("EXECUTE shequ_list_") for sql in statements), 1)
                self.assertFalse(any(sql.startswith("PREPARE") for sql in statements))
                with override_settings(SHEQU_PG_PREPARE=False):
                    planned, statements = self.page()
                self.assertFalse(any(sql.startswith(("EXECUTE", "PREPARE")) for sql in statements))
                self.assertEqual(first, planned)
                self.assertEqual(again, planned)

    def test_one_object_is_read_through_one_statement_with_its_key_as_parameter(self) -> None:
        w = self.world
        keys = [w.grid_a.pk, w.community_a.pk, w.street_a.pk, w.grid_b.pk, w.city.pk, 10**6, 2**40]
        for user in (w.admin, w.officer_a, w.officer_b):
            self.login(user)
            with override_settings(SHEQU_PG_PREPARE=False):
                planned = [self.client.get(f"/api/v1/nodes/{pk}").json() for pk in keys]
            with CaptureQueriesContext(connection) as queries:
                answers = [self.client.get(f"/api/v1/nodes/{pk}").json() for pk in keys]
            statements = [q["sql"] for q in queries.captured_queries]
            with self.subTest(user=user.username):
                self.assertEqual(answers, planned)
                self.assertEqual(sum(sql.startswith("PREPARE shequ_read_") for sql in statements), 1)
                executed = [sql for sql in statements if sql.startswith("EXECUTE shequ_read_")]
                self.assertEqual(len(executed), len(keys) - 1)  # past 32 bits: the ORM's own range check answers
        self.assertTrue(any("$1" in row[0] for row in self.prepared_statements()))

    def prepared_statements(self) -> list[tuple[str]]:
        with connection.cursor() as cursor:
            cursor.execute("SELECT statement FROM pg_prepared_statements WHERE name LIKE 'shequ_read_%%'")
            return cursor.fetchall()

    def test_a_new_row_shows_through_the_prepared_statement(self) -> None:
        self.login(self.world.admin)
        self.page("/api/v1/nodes/?page_size=50")
        self.page("/api/v1/nodes/?page_size=50")
        Node.objects.filter(pk=self.world.grid_b.pk).update(name="新名字网格")
        items, statements = self.page("/api/v1/nodes/?page_size=50")
        self.assertTrue(any(sql.startswith("EXECUTE shequ_list_") for sql in statements))
        self.assertIn("新名字网格", [item["name"] for item in items])

    def test_past_the_bound_lists_are_planned_each_time(self) -> None:
        self.login(self.world.officer_a)
        with mock.patch.object(prepared, "MAX_SERVER_STATEMENTS", 0):
            prepared._SERVER_STATEMENTS.clear()
            items, statements = self.page()
            items_again, statements = self.page()
        self.assertFalse(any(sql.startswith(("EXECUTE", "PREPARE")) for sql in statements))
        self.assertEqual(items, items_again)

    def test_server_side_binding_plans_each_time(self) -> None:
        self.login(self.world.officer_a)
        with mock.patch.dict(connection.settings_dict["OPTIONS"], {"server_side_binding": True}):
            items, _sql = self.page()
            again, statements = self.page()
        self.assertFalse(any(sql.startswith(("EXECUTE", "PREPARE")) for sql in statements))
        self.assertEqual(items, again)
