"""Statistics of issue 4 §6 for any node's subtree: by status, category, age band, education and year of
joining; members developed this year per community against the target; the party-organization tree with
member counts — the same from the rollup and from the members, on the page, in the .xlsx and in the API."""

from __future__ import annotations

from datetime import date
from typing import Any, ClassVar

from django.urls import reverse
from django.utils import timezone

from shequ.accounts.actions import do_grant
from shequ.accounts.models import APIToken, User
from shequ.core.testing import WorldTestCase, streamed, xlsx_rows
from shequ.party import actions
from shequ.party.models import Category, MemberStatus, PartyMember
from shequ.party.stats import AGE_BANDS, Stats, age_band, compute
from shequ.people.models import Education

from .helpers import PartyTree, member


class StatisticsTests(WorldTestCase):
    tree: ClassVar[PartyTree]
    veteran: ClassVar[PartyMember]
    newcomer: ClassVar[PartyMember]
    deceased: ClassVar[PartyMember]

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        w = cls.world
        cls.tree = PartyTree(w)
        cls.today = timezone.localdate()
        cls.veteran = member(
            w, cls.tree.branch_a, born=date(1980, 5, 4), joined_on=date(2010, 7, 1), education=Education.BACHELOR
        )
        # Developed this year: admitted as a probationary member in the grid's branch of 和平社区.
        cls.newcomer = member(
            w,
            cls.tree.grid_branch_a,
            status=MemberStatus.PROBATIONARY,
            born=date(2000, 1, 1),
            joined_on=date(cls.today.year, 1, 1),
            category=Category.STUDENT,
        )
        cls.deceased = member(
            w, cls.tree.branch_a, born=date(1940, 3, 3), joined_on=date(1965, 7, 1), category=Category.RETIRED
        )
        actions.do_change_status(cls.deceased, acting_user=w.admin, status=MemberStatus.DECEASED, on=date(2020, 1, 1))
        member(w, cls.tree.branch_b, name="外街党员")  # street B: never in street A's figures

    today: ClassVar[date]

    def check(self, stats: Stats) -> None:
        self.assertEqual(stats.total, 2)  # active members only
        by_status = dict(stats.by_status)
        self.assertEqual(by_status[str(MemberStatus.FULL.label)], 1)
        self.assertEqual(by_status[str(MemberStatus.PROBATIONARY.label)], 1)
        self.assertEqual(by_status[str(MemberStatus.DECEASED.label)], 1)
        by_category = dict(stats.by_category)
        self.assertEqual(by_category[str(Category.ON_THE_JOB.label)], 1)
        self.assertEqual(by_category[str(Category.STUDENT.label)], 1)
        self.assertEqual(by_category[str(Category.RETIRED.label)], 0)  # the deceased member is not counted
        self.assertEqual(dict(stats.by_education)[str(Education.BACHELOR.label)], 1)
        ages = dict(stats.by_age)
        self.assertEqual(ages[age_band(self.today.year - 1980)], 1)
        self.assertEqual(ages[age_band(self.today.year - 2000)], 1)
        self.assertEqual(sum(ages.values()), 2)
        self.assertEqual(stats.by_year, [(2010, 1), (self.today.year, 1)])

    def test_every_dimension_from_the_rollup_and_from_the_members(self) -> None:
        for anchor in (self.world.street_a, self.world.community_a):
            with self.subTest(anchor=anchor.name):
                self.check(compute(anchor, self.world.officer_a))
                self.check(compute(anchor, self.world.officer_a, rollup=False))
        grid = compute(self.world.grid_a, self.world.officer_a)  # below a community: counted from the members
        self.assertEqual((grid.total, grid.by_year), (1, [(self.today.year, 1)]))

    def test_charts_leave_out_empty_slices_and_show_every_year(self) -> None:
        import json

        stats = compute(self.world.street_a, self.world.officer_a)
        charts = stats.charts()
        category, status, _age, education, years = (json.loads(chart.option) for chart in charts)
        slices = {d["name"]: d["value"] for d in status["series"][0]["data"]}
        # The deceased member is a slice; nobody has left: no empty slice crowding the labels.
        self.assertEqual(slices[str(MemberStatus.DECEASED.label)], 1)
        self.assertNotIn(str(MemberStatus.LEFT.label), slices)
        self.assertNotIn(0, [d["value"] for d in category["series"][0]["data"]])
        # Every slice in the legend, with its count and share.
        self.assertEqual([(r.name, r.value) for r in charts[1].legend], list(slices.items()))
        self.assertAlmostEqual(sum(float(r.share.rstrip("%")) for r in charts[1].legend), 100, delta=0.3)
        # Every education level is named on the axis (none skipped, none cut), and a year nobody joined is a 0 bar.
        self.assertEqual(education["yAxis"]["axisLabel"]["interval"], 0)
        self.assertEqual(education["yAxis"]["axisLabel"]["overflow"], "break")
        self.assertEqual(years["xAxis"]["data"][:2], ["2010", "2011"])
        self.assertEqual(years["xAxis"]["data"][-1], str(self.today.year))
        self.assertEqual(years["series"][0]["data"][:2], [1, 0])
        self.assertEqual(sum(years["series"][0]["data"]), 2)

    def test_age_bands(self) -> None:
        self.assertEqual([age_band(a) for a in (0, 29, 30, 59, 60, 69, 70, 101)][:3], ["0-29", "0-29", "30-39"])
        self.assertEqual(age_band(69), "60-69")
        self.assertEqual(age_band(70), f"≥{AGE_BANDS[-1][0]}")

    def test_the_developed_indicator_counts_communities_meeting_the_target(self) -> None:
        from shequ.core import indicators
        from shequ.party.indicators import DEVELOPED

        indicators.refresh([DEVELOPED])
        developed = indicators.INDICATORS[DEVELOPED]
        year = indicators.this_year()
        district = indicators.figure(developed, self.world.district, year)
        self.assertEqual((district.numerator, district.denominator, district.value), (1, 2, 50.0))
        self.assertTrue(indicators.figure(developed, self.world.community_a, year).met)
        self.assertFalse(indicators.figure(developed, self.world.community_b, year).met)

    def test_developed_this_year_per_community_against_the_target(self) -> None:
        rows = {row["node"].pk: row for row in compute(self.world.district, self.world.admin).communities}
        self.assertEqual(
            (rows[self.world.community_a.pk]["developed"], rows[self.world.community_a.pk]["ok"]), (1, True)
        )
        self.assertEqual(
            (rows[self.world.community_b.pk]["developed"], rows[self.world.community_b.pk]["ok"]), (0, False)
        )
        # A street officer sees their street's communities only.
        mine = {row["node"].pk for row in compute(self.world.street_a, self.world.officer_a).communities}
        self.assertEqual(mine, {self.world.community_a.pk})

    def test_organization_tree_with_member_counts(self) -> None:
        t = self.tree
        for rollup in (True, False):
            stats = compute(self.world.street_a, self.world.officer_a, rollup=rollup)
            rows = {org.pk: (depth, own, below) for depth, org, own, below in stats.tree}
            with self.subTest(rollup=rollup):
                self.assertEqual(rows[t.street_a.pk], (0, 0, 2))
                self.assertEqual(rows[t.committee_a.pk], (1, 0, 2))
                self.assertEqual(rows[t.branch_a.pk], (2, 1, 1))
                self.assertEqual(rows[t.grid_branch_a.pk], (2, 1, 1))
                self.assertNotIn(t.branch_b.pk, rows)

    def test_page_export_and_api(self) -> None:
        self.login(self.world.officer_a)
        page = self.client.get(reverse("party:stats"), {"node": self.world.street_a.pk})
        self.assertEqual(page.status_code, 200)
        self.assertContains(page, "data-echarts", count=5)  # category, status, age, education, year
        self.assertContains(page, self.tree.grid_branch_a.name)
        export = self.client.get(reverse("party:stats_export"), {"node": self.world.street_a.pk})
        rows = [[str(c).strip("　") for c in row] for row in xlsx_rows(streamed(export))]
        self.assertIn(self.world.community_a.name, {row[0] for row in rows if row})
        community = next(row for row in rows if row and row[0] == self.world.community_a.name)
        self.assertEqual([float(c) for c in community[2:4]], [1, 1])  # developed, target
        branch = next(row for row in rows if row and row[0] == self.tree.branch_a.name)
        self.assertEqual([float(c) for c in branch[2:4]], [1, 1])  # own members, in it and below
        self.assertEqual(
            self.client.get(reverse("party:stats_export"), {"node": self.world.street_b.pk}).status_code, 404
        )

        headers = {"Authorization": f"Bearer {APIToken.issue(self.world.officer_a)[1]}"}
        data = self.client.get("/api/v1/party/statistics", {"node": self.world.street_a.pk}, headers=headers).json()
        self.assertEqual(data["total"], 2)
        self.assertEqual({r["label"]: r["count"] for r in data["by_year"]}, {"2010": 1, str(self.today.year): 1})
        self.assertEqual([c["developed"] for c in data["communities"]], [1])
        tree = {r["organization_id"]: r for r in data["tree"]}
        self.assertEqual(
            (tree[self.tree.committee_a.pk]["members"], tree[self.tree.committee_a.pk]["members_below"]), (0, 2)
        )
        self.assertEqual(tree[self.tree.branch_a.pk]["parent_id"], self.tree.committee_a.pk)
        self.assertNotIn(self.tree.branch_b.pk, tree)
        other = self.client.get("/api/v1/party/statistics", {"node": self.world.street_b.pk}, headers=headers)
        self.assertEqual(other.status_code, 404)

    def test_branch_secretary_sees_their_branch_in_the_tree(self) -> None:
        secretary = User.objects.create_user("stats_secretary", password="x-pass-123", node=self.world.community_a)
        do_grant(secretary, "branch_secretary", None, acting_user=self.world.admin, organization=self.tree.branch_a)
        headers = {"Authorization": f"Bearer {APIToken.issue(secretary)[1]}"}
        data = self.client.get("/api/v1/party/statistics", headers=headers).json()
        self.assertEqual(data["total"], 1)
        self.assertEqual([r["organization_id"] for r in data["tree"]], [self.tree.branch_a.pk])
        self.assertEqual(data["tree"][0]["members"], 1)

    def test_nobody_sees_nothing(self) -> None:
        self.login(self.world.nobody)
        self.assertEqual(self.client.get(reverse("party:stats")).status_code, 404)
        self.assertEqual(self.client.get(reverse("party:stats_export")).status_code, 404)
        headers: dict[str, Any] = {"Authorization": f"Bearer {APIToken.issue(self.world.nobody)[1]}"}
        self.assertEqual(self.client.get("/api/v1/party/statistics", headers=headers).status_code, 404)
