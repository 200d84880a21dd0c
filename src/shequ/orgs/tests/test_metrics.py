"""Cross-posting, "one shoulder" and double coverage on a constructed example, with exact numbers."""

from __future__ import annotations

from datetime import date

from django.db import connection
from django.test.utils import CaptureQueriesContext

from shequ.core.testing import WorldTestCase
from shequ.orgs.metrics import compute
from shequ.orgs.models import OrgKind, Title
from shequ.territory.actions import do_create_node
from shequ.territory.models import Kind

from .helpers import community_set, org, post, resident

ON = date(2025, 6, 1)
PAST = date(2023, 1, 1)


def build_example(world) -> dict:  # type: ignore[no-untyped-def]
    """Street A: 和平社区 (3 of 5 cross-posted, one shoulder) and 和平二社区 (1 of 2, not one shoulder);
    street B: 胜利社区 (1 of 1)."""
    w = world
    a2 = do_create_node(acting_user=w.admin, parent=w.street_a, kind=Kind.COMMUNITY, name="和平二社区")
    street_committee = org(w.street_a, OrgKind.STREET_COMMITTEE, "和平街道党工委")
    a = community_set(w, w.community_a, street_committee)
    zhang = resident(w.community_a, "张三")
    li = resident(w.community_a, "李四")
    zhao = resident(w.community_a, "赵六")
    # Party committee: 5 current members (and one who left).
    post(a["party"], Title.SECRETARY, zhang)
    post(a["party"], Title.DEPUTY_SECRETARY, li)
    post(a["party"], Title.MEMBER, name="王五")
    post(a["party"], Title.MEMBER, zhao)
    post(a["party"], Title.PART_TIME_MEMBER, name="孙七")
    post(a["party"], Title.MEMBER, name="吴九", start=PAST, end=date(2024, 1, 1))
    # Residents' committee: 张三 (typed by name only), 李四, 王五 sit on both; 赵六 only as a grid worker.
    post(a["rc"], Title.DIRECTOR, name="张三")
    post(a["rc"], Title.MEMBER, li)
    post(a["rc"], Title.MEMBER, name="王五")
    post(a["rc"], Title.DEPUTY_DIRECTOR, name="周八")
    post(a["rc"], Title.GRID_WORKER, zhao)
    post(a["rc"], Title.MEMBER, name="孙七", start=date(2099, 1, 1))  # not yet on it
    post(a["station"], Title.STATION_HEAD, zhang)
    # 和平二社区: a general branch (and a lesser branch on the same place), 1 of 2 cross-posted: 50 % fails.
    general = org(a2, OrgKind.GENERAL_BRANCH, "和平二社区党总支", parent=street_committee)
    retirees = org(a2, OrgKind.BRANCH, "离退休党支部", parent=general)
    rc2 = org(a2, OrgKind.RESIDENTS_COMMITTEE, "和平二社区居委会")
    station2 = org(a2, OrgKind.SERVICE_STATION, "和平二社区服务站")
    post(general, Title.SECRETARY, name="钱一")
    post(general, Title.MEMBER, name="钱二")
    post(retirees, Title.SECRETARY, name="钱三")
    post(rc2, Title.MEMBER, name="钱二")
    post(rc2, Title.DIRECTOR, name="钱三")
    post(station2, Title.STATION_HEAD, name="钱一")
    # Street B.
    b = community_set(w, w.community_b)
    post(b["party"], Title.SECRETARY, name="冯十")
    post(b["rc"], Title.DIRECTOR, name="冯十")
    # "Two new" organizations: three in 和平社区 (one on a grid), one in 胜利社区.
    org(w.community_a, OrgKind.NONPUBLIC_ENTERPRISE, "甲公司", has_party_org=True, party_work_carried_out=True)
    org(w.community_a, OrgKind.NEW_SOCIAL_ORG, "乙协会", has_party_org=True)
    org(w.grid_a, OrgKind.NONPUBLIC_ENTERPRISE, "丙公司")
    dissolved = org(w.grid_a, OrgKind.NONPUBLIC_ENTERPRISE, "丁公司")
    dissolved.active = False
    dissolved.dissolved_on = date(2025, 1, 1)
    dissolved.save()
    org(w.community_b, OrgKind.NONPUBLIC_ENTERPRISE, "戊公司", has_party_org=True, party_work_carried_out=True)
    return {"a2": a2}


class MetricsTests(WorldTestCase):
    def setUp(self) -> None:
        self.example = build_example(self.world)

    def test_exact_rates_per_community(self) -> None:
        w = self.world
        report = compute(w.street_a, w.officer_a, on=ON)
        by_name = {c.name: c for c in report.communities}
        self.assertEqual(set(by_name), {"和平社区", "和平二社区"})
        a, a2 = by_name["和平社区"], by_name["和平二社区"]
        self.assertEqual((a.committee_members, a.cross_posted), (5, 3))
        self.assertAlmostEqual(a.cross_posting_rate or 0, 0.6)
        self.assertIs(a.cross_posting_ok, True)
        self.assertIs(a.one_shoulder, True)
        self.assertEqual(a.secretary, "张三")
        self.assertEqual((a2.committee_members, a2.cross_posted), (2, 1))
        self.assertEqual(a2.cross_posting_rate, 0.5)
        self.assertIs(a2.cross_posting_ok, False)  # the target is *more* than half
        self.assertIs(a2.one_shoulder, False)
        self.assertEqual(a2.party_org, "和平二社区党总支")
        self.assertEqual([c.name for c in report.communities], ["和平社区", "和平二社区"])
        self.assertEqual([c.rank for c in report.communities], [1, 2])
        # Double coverage in 和平社区: 2 of 3 with a party organization, 1 of 3 with party work.
        self.assertEqual((a.two_new, a.two_new_with_party_org, a.two_new_with_party_work), (3, 2, 1))
        self.assertAlmostEqual(a.party_org_coverage or 0, 2 / 3)
        self.assertAlmostEqual(a.party_work_coverage or 0, 1 / 3)
        self.assertIs(a.party_org_coverage_ok, False)
        self.assertIs(a.double_coverage_ok, False)
        self.assertIsNone(a2.double_coverage_ok)
        total = report.total
        self.assertEqual((total.communities, total.committee_members, total.cross_posted), (2, 7, 4))
        self.assertEqual((total.passing, total.one_shoulder), (1, 1))
        self.assertEqual((total.passing_share, total.one_shoulder_share), (0.5, 0.5))
        self.assertEqual((total.two_new, total.two_new_with_party_org, total.two_new_with_party_work), (3, 2, 1))

    def test_areas_are_ranked_and_the_scope_is_respected(self) -> None:
        w = self.world
        report = compute(w.district, w.admin, on=ON)
        self.assertEqual([(a.name, a.rank) for a in report.areas], [("胜利街道", 1), ("和平街道", 2)])
        self.assertAlmostEqual(report.areas[1].cross_posting_rate or 0, 4 / 7)
        self.assertEqual(report.total.communities, 3)
        self.assertEqual(report.total.two_new_with_party_work, 2)
        self.assertEqual(report.total.double_coverage_ok, False)
        b = next(c for c in report.communities if c.name == "胜利社区")
        self.assertEqual((b.party_org_coverage_ok, b.party_work_coverage_ok, b.double_coverage_ok), (True, True, True))
        # A street officer computing over the district sees only their street's communities.
        mine = compute(w.district, w.officer_a, on=ON)
        self.assertEqual({c.name for c in mine.communities}, {"和平社区", "和平二社区"})
        self.assertEqual([a.name for a in mine.areas], ["和平街道"])

    def test_a_fixed_number_of_queries(self) -> None:
        w = self.world
        compute(w.district, w.officer_a, on=ON)  # the user's grants are read once, then cached
        with CaptureQueriesContext(connection) as few:
            compute(w.district, w.officer_a, on=ON)
        for i in range(4):
            community = do_create_node(acting_user=w.admin, parent=w.street_a, kind=Kind.COMMUNITY, name=f"新{i}社区")
            s = community_set(w, community)
            post(s["party"], Title.SECRETARY, name=f"新书记{i}")
            post(s["rc"], Title.DIRECTOR, name=f"新书记{i}")
            org(community, OrgKind.NEW_SOCIAL_ORG, f"新协会{i}", has_party_org=True)
        with CaptureQueriesContext(connection) as many:
            report = compute(w.district, w.officer_a, on=ON)
        self.assertEqual(report.total.communities, 6)
        self.assertEqual(len(few), len(many))
        self.assertLessEqual(len(many), 6)


class IndicatorTests(WorldTestCase):
    """The same example through the policy indicators (core.indicators): the targets page's figures match the
    hand counts above, for a community, a street and the district (pooled, not a mean of rates)."""

    def setUp(self) -> None:
        self.example = build_example(self.world)

    def test_cross_posting_and_double_coverage_by_hand(self) -> None:
        from shequ.core import indicators
        from shequ.orgs.indicators import CROSS_POSTING, PARTY_ORG_COVERAGE, PARTY_WORK_COVERAGE

        w = self.world
        year = indicators.this_year()
        indicators.refresh([CROSS_POSTING, PARTY_ORG_COVERAGE, PARTY_WORK_COVERAGE])
        cross = indicators.INDICATORS[CROSS_POSTING]
        self.assertEqual(indicators.figure(cross, w.community_a, year).value, 60.0)  # 3 of 5
        self.assertTrue(indicators.figure(cross, w.community_a, year).met)
        self.assertEqual(indicators.figure(cross, self.example["a2"], year).value, 50.0)
        self.assertFalse(indicators.figure(cross, self.example["a2"], year).met)  # more than half
        street = indicators.figure(cross, w.street_a, year)
        self.assertEqual((street.numerator, street.denominator), (4, 7))
        district = indicators.figure(cross, w.district, year)
        self.assertEqual((district.numerator, district.denominator), (5, 8))
        org_cover = indicators.figure(indicators.INDICATORS[PARTY_ORG_COVERAGE], w.district, year)
        work_cover = indicators.figure(indicators.INDICATORS[PARTY_WORK_COVERAGE], w.district, year)
        self.assertEqual((org_cover.numerator, org_cover.denominator), (3, 4))
        self.assertEqual((work_cover.numerator, work_cover.denominator), (2, 4))
        ranking = indicators.ranking(cross, w.district, year, [w.street_a, w.street_b])
        self.assertEqual([f.node.name for f in ranking], ["胜利街道", "和平街道"])

    def test_ending_a_post_recomputes_its_community(self) -> None:
        from shequ.core import indicators
        from shequ.core.models import IndicatorValue
        from shequ.orgs.actions import do_end_post
        from shequ.orgs.indicators import CROSS_POSTING
        from shequ.orgs.models import Post

        w = self.world
        indicators.refresh([CROSS_POSTING])
        li = Post.objects.get(person__name="李四", organization__kind=OrgKind.RESIDENTS_COMMITTEE)
        with self.captureOnCommitCallbacks(execute=True):
            do_end_post(li, acting_user=w.admin)
        row = IndicatorValue.objects.get(code=CROSS_POSTING, node=w.community_a, year=indicators.this_year())
        self.assertEqual((row.numerator, row.denominator), (2, 5))
