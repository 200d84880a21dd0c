"""Query counts: the staff request list, the API list and single read, and the portal's progress page do
not grow with the number of rows (1 row against 10) and stay under a stated bound."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import timedelta
from typing import Any, ClassVar

from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from shequ.accounts.models import APIToken
from shequ.core.testing import WorldTestCase
from shequ.services import actions
from shequ.services.models import ServiceRequest

from .helpers import ServicesTree, file, org

# Session, user, grants, capped count, page (with its category, place and organization joined), the
# catalogue the category filter offers, and the unread notifications (the bell).
LIST_BOUND = 7
# Token with its user, grants, the page's capped count, the page (with its category).
API_LIST_BOUND = 4
# Token with its user, grants, the request (with its category).
API_READ_BOUND = 3
# The request (with its category), its public case-file entries, the session kept for rating.
PORTAL_BOUND = 6


class QueryCountTests(WorldTestCase):
    tree: ClassVar[ServicesTree]

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.tree = ServicesTree(cls.world)

    def setUp(self) -> None:
        cache.clear()
        self.addCleanup(cache.clear)

    def file_more(self, count: int) -> list[ServiceRequest]:
        """*count* requests in community A, each handed to a different organization (so a per-row lookup of
        the organization, the place or the category would show)."""
        filed = []
        for n in range(count):
            code = ("property-fees", "noise", "garbage")[n % 3]
            r = file(self.world, node=self.world.grid_a if n % 2 else self.world.community_a, code=code, accept=True)
            if n % 2:
                other = org(self.world.community_a, "other", f"物业公司{n}")
                r = actions.do_assign(r, acting_user=self.world.admin, organization=other)
            filed.append(r)
        return filed

    def queries(self, call: Callable[[], Any]) -> int:
        call()  # warm: the first request of a test may load more (content types, translations)
        with CaptureQueriesContext(connection) as ctx:
            response = call()
        self.assertEqual(response.status_code, 200, getattr(response, "content", b"")[:300])
        return len(ctx.captured_queries)

    def assert_constant(self, call: Callable[[], Any], bound: int, more: Callable[[], Any]) -> None:
        few = self.queries(call)
        more()
        many = self.queries(call)
        self.assertEqual(few, many, "the number of queries grows with the number of rows")
        self.assertLessEqual(many, bound)

    def api_client(self) -> Client:
        _token, key = APIToken.issue(self.tree.worker_a)
        return Client(HTTP_AUTHORIZATION=f"Bearer {key}")

    def test_staff_request_list(self) -> None:
        self.file_more(1)
        self.client.force_login(self.tree.worker_a)
        url = reverse("services:servicerequest_list")

        def rows() -> int:
            return len(set(re.findall(rb'href="/services/requests/(\d+)/"', self.client.get(url).content)))

        few = self.queries(lambda: self.client.get(url))
        self.assertEqual(rows(), 1)
        self.file_more(9)
        many = self.queries(lambda: self.client.get(url))
        self.assertEqual(rows(), 10)
        self.assertEqual(few, many, "the number of queries grows with the number of rows")
        self.assertLessEqual(many, LIST_BOUND)

    def test_api_request_list(self) -> None:
        self.file_more(1)
        client = self.api_client()
        url = "/api/v1/services/requests/"
        self.assert_constant(lambda: client.get(url), API_LIST_BOUND, lambda: self.file_more(9))
        self.assertEqual(client.get(url).json()["count"], 10)

    def test_api_single_request(self) -> None:
        client = self.api_client()
        first = self.file_more(1)[0]
        url = f"/api/v1/services/requests/{first.pk}"

        def more() -> None:
            self.file_more(9)
            for n in range(9):  # a longer case file, too
                actions.do_comment(first, acting_user=self.world.admin, text=f"记录{n}", public=bool(n % 2))

        self.assert_constant(lambda: client.get(url), API_READ_BOUND, more)
        self.assertEqual(client.get(url).json()["code"], first.code)

    def test_portal_progress_page(self) -> None:
        r = file(self.world, phone="13900001234")
        url = reverse("services:portal_track")

        def track() -> Any:
            cache.clear()  # the rate limit is not what is measured
            return Client().post(url, {"code": r.code, "last4": "1234"})

        def more() -> None:
            for n in range(9):
                actions.do_comment(r, acting_user=self.world.admin, text=f"公开进展{n}", public=True)

        self.assert_constant(track, PORTAL_BOUND, more)
        response = track()
        self.assertContains(response, 'data-testid="progress"')
        self.assertContains(response, "公开进展8")


class RequestListRowsTests(WorldTestCase):
    """The list's rows are written by ServiceRequestTable.tbody_html: the same cells as the columns."""

    tree: ClassVar[ServicesTree]

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.tree = ServicesTree(cls.world)

    def rows(self, **params: Any) -> list[list[str]]:
        self.client.force_login(self.tree.worker_a)
        html = self.client.get(reverse("services:servicerequest_list"), params).content.decode()
        body = html[html.index("<tbody") : html.index("</tbody>")]
        return [re.findall(r"<td>(.*?)</td>", row, re.S) for row in re.findall(r"<tr[^>]*>(.*?)</tr>", body, re.S)]

    def test_cells(self) -> None:
        submitted = file(self.world, node=self.world.grid_a, code="noise")  # routed, no deadline yet
        late = file(self.world, code="garbage", accept=True)
        odd = org(self.world.community_a, "other", "<b>物业</b>&公司")
        late = actions.do_assign(late, acting_user=self.world.admin, organization=odd)
        ServiceRequest.objects.filter(pk=late.pk).update(deadline=timezone.now() - timedelta(days=3))
        late.refresh_from_db()
        rows = {cells[0]: cells for cells in self.rows()}
        when = timezone.localtime(late.deadline).strftime("%Y-%m-%d %H:%M")
        self.assertEqual(
            rows[f'<a href="{late.get_absolute_url()}">{late.code}</a>'],
            [
                f'<a href="{late.get_absolute_url()}">{late.code}</a>',
                late.category.name,
                self.world.community_a.name,
                late.get_channel_display(),
                late.get_status_display(),
                "&lt;b&gt;物业&lt;/b&gt;&amp;公司",
                timezone.localtime(late.created).strftime("%Y-%m-%d %H:%M"),
                f'<span class="badge bg-red-lt">{_("overdue")}</span> {when}',
            ],
        )
        first = rows[f'<a href="{submitted.get_absolute_url()}">{submitted.code}</a>']
        expected = (self.world.grid_a.name, "已提交", self.tree.committee_a.name, "—")
        self.assertEqual((first[2], first[4], first[5], first[7]), expected)
        # Sorting is still django-tables2's.
        by_category = [cells[1] for cells in self.rows(sort="category")]
        self.assertEqual(len(by_category), 2)

    def test_empty(self) -> None:
        self.assertEqual(self.rows(), [])
