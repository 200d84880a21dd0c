"""On-the-job members and their home communities: the reporting rate per community with who has not
reported, and the yearly selection of outstanding on-the-job members; scoped, in the menu, exportable."""

from __future__ import annotations

import re
from datetime import date
from typing import Any, ClassVar

from django.urls import reverse
from django.utils import timezone

from shequ.core.testing import WorldTestCase, streamed, xlsx_rows
from shequ.party import actions
from shequ.party.models import Category, CommunityReport, MemberStatus, PartyMember
from shequ.party.summaries import selection_period
from shequ.people.models import Resident
from shequ.people.tests.helpers import make_id, resident

from .helpers import PartyTree, member


def cells(response: Any) -> list[list[Any]]:
    return xlsx_rows(streamed(response))


def figure(page: Any, testid: str) -> str:
    found = re.search(rf'data-testid="{testid}">.*?<div class="h1 mb-0">([^<]*)<', page.content.decode(), re.S)
    assert found is not None, testid
    return found.group(1).strip()


class OnTheJobData:
    world: Any
    tree: ClassVar[PartyTree]
    people: ClassVar[dict[str, Resident]]
    members: ClassVar[dict[str, PartyMember]]
    reports: ClassVar[dict[str, CommunityReport]]

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()  # type: ignore[misc]
        w = cls.world
        cls.tree = t = PartyTree(w)
        cls.people, cls.members, cls.reports = {}, {}, {}

        def living(key: str, grid: Any, org: Any, seq: int, **fields: Any) -> PartyMember:
            number = make_id(date(1980, 1, 1), seq=seq)
            person = resident(w, grid, name=f"住户{key}", id_number=number)
            cls.people[key] = person
            fields.setdefault("category", Category.ON_THE_JOB)
            cls.members[key] = found = member(
                w, org, name=f"党员{key}", id_number=number, resident=person.pk, born=date(1980, 1, 1), **fields
            )
            return found

        # Community A: two live there and work elsewhere (one reported), one belongs to the community
        # itself, one is retired, one lost contact; one more reports without living there by the register.
        living("甲", w.grid_a, t.street_a, 801)
        living("乙", w.grid_a, t.committee_b, 802)
        living("丙", w.grid_a, t.grid_branch_a, 803)
        living("丁", w.grid_a, t.street_a, 804, category=Category.RETIRED)
        lost = living("戊", w.grid_a, t.street_a, 805)
        actions.do_change_status(lost, acting_user=w.admin, status=MemberStatus.LOST_CONTACT, on=date(2020, 1, 1))
        cls.members["己"] = member(w, t.committee_b, name="党员己", category=Category.ON_THE_JOB)
        # Community B: one lives there and works in street A, not reported.
        living("庚", w.grid_b, t.street_a, 806)
        for key in ("甲", "己"):
            cls.reports[key] = actions.do_register_report(
                acting_user=w.admin,
                member=cls.members[key],
                community=w.community_a,
                branch=t.grid_branch_a,
                registered_on=date(2019, 3, 1),
            )


class ReportingRateTests(OnTheJobData, WorldTestCase):
    def test_rate_per_community_and_who_has_not_reported(self) -> None:
        w = self.world
        self.login(w.officer_a)
        page = self.client.get(reverse("party:reporting"))
        self.assertEqual(page.status_code, 200)
        # 甲 and 乙 should report, 己 reported anyway: 2 of 3.
        self.assertEqual((figure(page, "expected"), figure(page, "reported"), figure(page, "rate")), ("3", "2", "67 %"))
        self.assertContains(page, f'data-community="{w.community_a.pk}"')
        self.assertNotContains(page, f'data-community="{w.community_b.pk}"')  # another street
        self.assertNotContains(page, 'data-testid="missing"')
        listed = self.client.get(reverse("party:reporting"), {"community": w.community_a.pk})
        missing = listed.content.decode().split('data-testid="missing"')[1]
        self.assertIn("党员乙", missing)
        for key in ("甲", "丙", "丁", "戊", "己"):
            self.assertNotIn(f"党员{key}", missing, key)
        self.assertIn(reverse("people:resident_detail", args=[self.people["乙"].pk]), missing)
        # Street B's officer: their community only; A's list is not theirs to see.
        self.login(w.officer_b)
        page = self.client.get(reverse("party:reporting"))
        self.assertEqual((figure(page, "expected"), figure(page, "reported"), figure(page, "rate")), ("1", "0", "0 %"))
        other = self.client.get(reverse("party:reporting"), {"community": w.community_a.pk})
        self.assertNotContains(other, "党员乙")
        self.assertEqual(self.client.get(reverse("party:reporting"), {"node": w.street_a.pk}).status_code, 404)
        self.assertEqual(self.client.get(reverse("party:reporting_export"), {"node": w.street_a.pk}).status_code, 404)
        self.login(w.nobody)
        self.assertEqual(self.client.get(reverse("party:reporting")).status_code, 404)

    def test_the_reporting_indicator_matches_the_page_and_follows_the_actions(self) -> None:
        from shequ.core import indicators
        from shequ.party.indicators import REPORTING

        w = self.world
        indicators.refresh([REPORTING])
        rate = indicators.INDICATORS[REPORTING]
        year = indicators.this_year()
        a = indicators.figure(rate, w.community_a, year)
        self.assertEqual((a.numerator, a.denominator), (2, 3))  # as the page: 2 of 3
        district = indicators.figure(rate, w.district, year)
        self.assertEqual((district.numerator, district.denominator), (2, 4))
        with self.captureOnCommitCallbacks(execute=True):
            actions.do_register_report(acting_user=w.admin, member=self.members["乙"], community=w.community_a)
        a = indicators.figure(rate, w.community_a, year)
        self.assertEqual((a.numerator, a.denominator), (3, 3))

    def test_a_grid_shows_the_part_of_its_community(self) -> None:
        self.login(self.world.admin)
        page = self.client.get(reverse("party:reporting"), {"node": self.world.grid_a.pk})
        # 甲 and 乙 live in the grid; 己 lives elsewhere by the register.
        self.assertEqual((figure(page, "expected"), figure(page, "reported")), ("2", "1"))

    def test_ending_a_report_or_reporting_changes_the_rate(self) -> None:
        w = self.world
        actions.do_register_report(acting_user=w.admin, member=self.members["乙"], community=w.community_a)
        actions.do_end_report(self.reports["甲"], acting_user=w.admin, on=timezone.localdate())
        self.login(w.officer_a)
        page = self.client.get(reverse("party:reporting"), {"community": w.community_a.pk})
        self.assertEqual((figure(page, "expected"), figure(page, "reported")), ("3", "2"))
        self.assertIn("党员甲", page.content.decode().split('data-testid="missing"')[1])

    def test_export(self) -> None:
        self.login(self.world.officer_a)
        rows = cells(self.client.get(reverse("party:reporting_export")))
        community = next(r for r in rows if r[0] == self.world.community_a.name)
        self.assertEqual(community[2:6], [3, 2, 66.7, 1])
        names = {r[1] for r in rows[1:]}
        self.assertIn("党员乙", names)
        self.assertNotIn("党员甲", names)
        self.assertNotIn("党员庚", names)  # lives in street B

    def test_api(self) -> None:
        w = self.world
        self.login(w.officer_a)
        data = self.client.get("/api/v1/party/reporting").json()
        self.assertEqual((data["expected"], data["reported"], data["node_id"]), (3, 2, w.street_a.pk))
        row = next(r for r in data["communities"] if r["node_id"] == w.community_a.pk)
        self.assertEqual((row["expected"], row["reported"], row["not_reported"]), (3, 2, 1))
        self.assertEqual(self.client.get("/api/v1/party/reporting", {"node": w.street_b.pk}).status_code, 404)


class OutstandingTests(OnTheJobData, WorldTestCase):
    year: ClassVar[int]

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        w = cls.world
        cls.year = timezone.localdate().year
        start, _end = selection_period(cls.year)
        for report, on, hours in (
            (cls.reports["甲"], start.replace(month=8), "6"),
            (cls.reports["甲"], start.replace(month=12), "4"),
            (cls.reports["甲"], date(cls.year - 2, 12, 1), "5"),  # the period before
            (cls.reports["己"], start.replace(month=9), "3"),
        ):
            actions.do_record_activity(report, acting_user=w.admin, on=on, title="清洁家园", hours=hours)
        actions.do_select_outstanding(cls.reports["甲"], acting_user=w.admin, year=cls.year, citation="热心服务")

    def test_candidates_by_hours_and_the_selected(self) -> None:
        w = self.world
        self.login(w.officer_a)
        page = self.client.get(reverse("party:outstanding"))
        self.assertEqual(page.status_code, 200)
        html = page.content.decode()
        candidates = html.split('data-testid="candidates"')[1]
        rows = re.findall(r'data-report="(\d+)".*?</tr>', candidates, re.S)
        self.assertEqual(rows, [str(self.reports["甲"].pk), str(self.reports["己"].pk)])
        self.assertIn("10.0", candidates)
        self.assertIn("data-selected", candidates.split(f'data-report="{self.reports["己"].pk}"')[0])
        selected = html.split('data-testid="selected"')[1].split('data-testid="candidates"')[0]
        self.assertIn("党员甲", selected)
        self.assertIn("热心服务", selected)
        self.assertNotIn("党员己", selected)
        self.assertContains(page, f"{reverse('party:report_select', args=[self.reports['己'].pk])}?year={self.year}")
        # The year before: the service of that period, nobody selected.
        before = self.client.get(reverse("party:outstanding"), {"year": self.year - 1})
        rows = re.findall(r'data-report="(\d+)"', before.content.decode())
        self.assertEqual(rows, [str(self.reports["甲"].pk)])
        self.assertNotContains(before, "data-selected")
        # Another street sees none of it.
        self.login(w.officer_b)
        theirs = self.client.get(reverse("party:outstanding"))
        self.assertNotContains(theirs, "党员甲")
        self.assertEqual(self.client.get(reverse("party:outstanding"), {"node": w.street_a.pk}).status_code, 404)

    def test_select_from_the_page_and_export(self) -> None:
        self.login(self.world.officer_a)
        url = f"{reverse('party:report_select', args=[self.reports['己'].pk])}?year={self.year}"
        self.assertContains(self.client.get(url), f'value="{self.year}"')
        done = self.client.post(url, {"year": self.year, "citation": "积极参与"})
        self.assertEqual(done.status_code, 302)
        rows = cells(self.client.get(reverse("party:outstanding_export"), {"year": self.year}))
        ranked = [r for r in rows[1:] if r and isinstance(r[0], float)]
        self.assertEqual([(r[0], r[1], r[4]) for r in ranked], [(1, "党员甲", 10), (2, "党员己", 3)])
        self.assertEqual({r[6] for r in ranked}, {"是"})  # both selected now

    def test_api(self) -> None:
        self.login(self.world.officer_a)
        data = self.client.get("/api/v1/party/outstanding").json()
        self.assertEqual(data["year"], self.year)
        self.assertEqual(
            [(c["name"], float(c["hours"]), c["selected"]) for c in data["candidates"]],
            [("党员甲", 10.0, True), ("党员己", 3.0, False)],
        )
        self.login(self.world.officer_b)
        self.assertEqual(self.client.get("/api/v1/party/outstanding").json()["candidates"], [])

    def test_menu(self) -> None:
        from shequ.core.menu import menu_for

        urls = {url for _section, items in menu_for(self.world.officer_a) for _item, url in items}
        self.assertTrue({reverse("party:reporting"), reverse("party:outstanding")} <= urls)
        nobody = {url for _section, items in menu_for(self.world.nobody) for _item, url in items}
        self.assertNotIn(reverse("party:reporting"), nobody)
