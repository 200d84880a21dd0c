"""The rules of issue 16: bounds of facilities, the standards (classes, housing, coverage, six haves) against
hand counts, the ledger's invariants, the quarterly statement."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import ClassVar

from django.test import TestCase
from django.urls import reverse
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase as HypothesisTestCase

from shequ.core import indicators as core_indicators
from shequ.core.exceptions import ActionError, FieldErrors
from shequ.core.testing import World, WorldTestCase
from shequ.positions import actions, geo
from shequ.positions.indicators import AREA_CLASS, COVERAGE, PARTY_FUNDS, SIX_HAVES, WORK_FUNDS, WORK_FUNDS_HOUSEHOLDS
from shequ.positions.models import (
    AreaClass,
    Book,
    CommunityStandard,
    EntryKind,
    EntryStatus,
    Facility,
    FacilityKind,
    FundYear,
    LedgerEntry,
    StandardCheck,
    area_class,
    housing_required,
)

from .helpers import account, entry, facility, place_communities


def figure(code: str, node: object, year: int | None = None) -> float | None:
    year = year or timezone.localdate().year
    core_indicators.refresh([code], year=year)
    return core_indicators.figure(core_indicators.INDICATORS[code], node, year).value


class GeoTests(TestCase):
    def test_haversine_of_one_degree_of_latitude(self) -> None:
        self.assertAlmostEqual(geo.haversine_m(30, 114, 31, 114), 111_195, delta=5)

    def test_distance_to_a_path_is_to_its_nearest_segment(self) -> None:
        line = {"type": "LineString", "coordinates": [[114.0, 30.0], [114.0, 30.02]]}
        # 0.005° of longitude east of the middle of a north-south path at 30.01°N: about 481 m.
        self.assertAlmostEqual(geo.distance_m(30.01, 114.005, None, None, line) or 0, 481.6, delta=2)

    def test_contains(self) -> None:
        from .helpers import square

        self.assertTrue(geo.contains(square(30, 114), 30.005, 114.005))
        self.assertFalse(geo.contains(square(30, 114), 30.02, 114.0))
        self.assertIsNone(geo.contains(None, 30, 114))


class StandardsTests(WorldTestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        place_communities(cls.world)

    def test_classes_and_housing(self) -> None:
        self.assertEqual(area_class(299.9), AreaClass.NONE)
        self.assertEqual(area_class(300), AreaClass.STANDARD)
        self.assertEqual(area_class(500), AreaClass.BOUTIQUE)
        self.assertEqual(area_class(1000), AreaClass.DEMONSTRATION)
        self.assertEqual(housing_required(300), Decimal(100))  # at least 100 m²
        self.assertEqual(housing_required(1500), Decimal(250))  # 25 m² per 150 households
        self.assertEqual(housing_required(1500, county=True), Decimal(300))  # 20 m² per 100

    def test_service_housing_follows_the_county_flag(self) -> None:
        from shequ.people.models import Household
        from shequ.positions.views import community_rows
        from shequ.territory.forms import NodeForm
        from shequ.territory.models import Node

        w = self.world
        a = w.community_a
        Household.objects.bulk_create(Household(node=a, path=a.path, number=f"H{i:04d}") for i in range(900))
        facility(w, a, area="400", housing_area="160")
        year = timezone.localdate().year

        def rows() -> dict[int, tuple[Decimal, bool]]:
            return {r["node"].pk: (r["housing_need"], r["housing_ok"]) for r in community_rows(w.district, year)}

        # A city district: 900 households need 25 m² per 150 = 150 m²; community B (no households) the floor.
        self.assertEqual(rows(), {a.pk: (Decimal(150), True), w.community_b.pk: (Decimal(100), False)})
        # The district is a county: 20 m² per 100 = 180 m², more than the 160 m² it has.
        form = NodeForm(data={"name": w.district.name, "is_county": "on"}, instance=w.district, user=w.admin)
        self.assertTrue(form.is_valid(), form.errors)
        form.save()
        self.assertEqual(rows(), {a.pk: (Decimal(180), False), w.community_b.pk: (Decimal(100), False)})
        self.client.force_login(w.admin)
        page = self.client.get(reverse("positions:standards"), {"node": w.street_a.pk})
        self.assertContains(page, "180.0")
        # Only a district can be a county.
        street = NodeForm(data={"name": w.street_a.name, "is_county": "on"}, instance=w.street_a, user=w.admin)
        self.assertFalse(street.is_valid())
        self.assertIn("is_county", street.errors)
        self.assertFalse(Node.objects.get(pk=w.street_a.pk).is_county)

    def test_negative_area_is_refused(self) -> None:
        with self.assertRaises(FieldErrors) as caught:
            facility(self.world, self.world.community_a, area="-5")
        self.assertEqual(caught.exception.details[0]["field"], "area")
        self.assertFalse(Facility.objects.exists())

    def test_facility_outside_its_community_is_refused(self) -> None:
        with self.assertRaises(FieldErrors) as caught:
            facility(self.world, self.world.community_a, offset=(0.05, 0))
        self.assertIn("和平社区", caught.exception.details[0]["message"])
        self.assertFalse(Facility.objects.exists())

    def test_area_class_counts(self) -> None:
        w = self.world
        facility(w, w.community_a, area="200", name="中心一")
        facility(w, w.community_a, area="150", name="中心二")  # 350 m² together: standard
        facility(w, w.community_b, area="280")
        row = CommunityStandard.objects.get(node=w.community_a)
        self.assertEqual(row.service_area, Decimal("350.0"))
        self.assertEqual(row.area_class, AreaClass.STANDARD)
        self.assertEqual(CommunityStandard.objects.get(node=w.community_b).area_class, AreaClass.NONE)
        self.assertEqual(figure(AREA_CLASS, w.district), 50.0)
        self.assertEqual(figure(AREA_CLASS, w.street_a), 100.0)

    def test_coverage(self) -> None:
        w = self.world
        # A square 1.5 km north of community A's point, a path 0.8 km east: covered.
        facility(w, w.community_a, FacilityKind.LEISURE_SQUARE, area="0", offset=(0.0090, 0), name="广场")
        line = {"type": "LineString", "coordinates": [[114.3083, 30.495], [114.3083, 30.505]]}
        facility(w, w.community_a, FacilityKind.FITNESS_PATH, area="0", line=line, offset=(0, 0.0083), name="步道")
        row = CommunityStandard.objects.get(node=w.community_a)
        self.assertAlmostEqual(row.square_m or 0, 1000, delta=10)
        self.assertAlmostEqual(row.path_m or 0, 796, delta=10)
        self.assertTrue(row.covered)
        # Community B has neither near: a gap.
        self.assertEqual(figure(COVERAGE, w.district), 50.0)
        # Moving the path away (still inside A) opens a gap.
        path = Facility.objects.get(kind=FacilityKind.FITNESS_PATH)
        path.line = {"type": "LineString", "coordinates": [[114.2995, 30.4995], [114.2995, 30.4993]]}
        path.latitude = path.longitude = None
        actions.do_save_facility(path, acting_user=w.admin)
        self.assertTrue(CommunityStandard.objects.get(node=w.community_a).covered)
        path.line = None
        path.latitude, path.longitude = 30.509, 114.309
        actions.do_save_facility(path, acting_user=w.admin)
        self.assertFalse(CommunityStandard.objects.get(node=w.community_a).covered)

    def test_six_haves(self) -> None:
        w = self.world
        year = timezone.localdate().year
        full = {name: True for name in StandardCheck.HAVES}
        actions.do_save_check(
            StandardCheck(node=w.community_a, year=year, checked_on=timezone.localdate(), **full), acting_user=w.admin
        )
        partial = full | {"archives": False}
        check = actions.do_save_check(
            StandardCheck(node=w.community_b, year=year, checked_on=timezone.localdate(), **partial),
            acting_user=w.admin,
        )
        self.assertEqual(check.missing(), [str(StandardCheck._meta.get_field("archives").verbose_name)])
        self.assertEqual(figure(SIX_HAVES, w.city), 50.0)
        with self.assertRaises(FieldErrors):
            actions.do_save_check(
                StandardCheck(node=w.community_b, year=year, checked_on=timezone.localdate()), acting_user=w.admin
            )


class LedgerTests(WorldTestCase):
    def test_spending_beyond_the_balance_is_refused(self) -> None:
        w = self.world
        entry(w, w.community_a, "1000", approve=True)
        with self.assertRaises(ActionError) as caught:
            entry(w, w.community_a, "1000.01", kind=EntryKind.SPENDING)
        self.assertEqual(caught.exception.code, "negative_balance")
        self.assertEqual(LedgerEntry.objects.count(), 1)
        # Two pending spendings each within the balance: the second approval is refused.
        one = entry(w, w.community_a, "600", kind=EntryKind.SPENDING)
        two = entry(w, w.community_a, "600", kind=EntryKind.SPENDING)
        actions.do_approve_entry(one, acting_user=w.admin)
        with self.assertRaises(ActionError):
            actions.do_approve_entry(two, acting_user=w.admin)
        self.assertEqual(account(w, w.community_a).work_balance, Decimal("400.00"))
        two.refresh_from_db()
        self.assertEqual(two.status, EntryStatus.PENDING)

    def test_the_balance_is_read_afresh(self) -> None:
        w = self.world
        acct = account(w, w.community_a)
        made = actions.do_record_entry(
            acting_user=w.admin,
            account=acct,
            book=Book.WORK,
            kind=EntryKind.ALLOCATION,
            category="city",
            amount=Decimal(500),
            occurred_on=timezone.localdate(),
        )
        actions.do_approve_entry(made, acting_user=w.admin)
        # The same (now stale) account object: the spending is measured against the approved balance.
        spent = actions.do_record_entry(
            acting_user=w.admin,
            account=acct,
            book=Book.WORK,
            kind=EntryKind.SPENDING,
            category="office",
            amount=Decimal(300),
            occurred_on=timezone.localdate(),
        )
        self.assertEqual(spent.amount, Decimal(-300))

    def test_approved_entry_never_changes_and_is_reversed(self) -> None:
        w = self.world
        made = entry(w, w.community_a, "50000", approve=True)
        made.amount = Decimal("5000")
        with self.assertRaises(ActionError):
            actions.do_update_entry(made, acting_user=w.admin)
        with self.assertRaises(ActionError):
            made.save()
        made.refresh_from_db()
        self.assertEqual(made.amount, Decimal("50000.00"))
        reversal = actions.do_reverse_entry(made, acting_user=w.admin, reason="重复入账")
        self.assertEqual(reversal.amount, Decimal("-50000.00"))
        self.assertEqual(account(w, w.community_a).work_balance, Decimal(0))
        self.assertEqual(FundYear.objects.get(node=w.community_a, book=Book.WORK).allocated, Decimal(0))
        with self.assertRaises(ActionError):
            actions.do_reverse_entry(made, acting_user=w.admin, reason="again")

    def test_reversal_that_would_go_negative_is_refused(self) -> None:
        w = self.world
        allocation = entry(w, w.community_a, "1000", approve=True)
        entry(w, w.community_a, "800", kind=EntryKind.SPENDING, approve=True)
        with self.assertRaises(ActionError):
            actions.do_reverse_entry(allocation, acting_user=w.admin, reason="错账")
        self.assertEqual(LedgerEntry.objects.count(), 2)

    def test_upkeep_is_kept_apart(self) -> None:
        w = self.world
        entry(w, w.community_a, "9000", approve=True)
        with self.assertRaises(FieldErrors):
            entry(w, w.community_a, "100", kind=EntryKind.SPENDING, category="heating")  # from the work book
        entry(w, w.community_a, "3000", book=Book.UPKEEP, approve=True)
        entry(w, w.community_a, "2000", kind=EntryKind.SPENDING, book=Book.UPKEEP, approve=True)
        acct = account(w, w.community_a)
        self.assertEqual((acct.work_balance, acct.upkeep_balance), (Decimal("9000.00"), Decimal("1000.00")))

    def test_funds_figures(self) -> None:
        from shequ.party.models import PartyMember

        w = self.world
        year = timezone.localdate().year
        entry(w, w.community_a, "60000", approve=True)
        entry(w, w.community_b, "30000", approve=True)
        entry(w, w.community_b, "10000", approve=False)  # pending: does not count
        self.assertEqual(figure(WORK_FUNDS, w.district, year), 45000.0)
        self.assertEqual(figure(WORK_FUNDS, w.street_a, year), 60000.0)
        # 003: per thousand households (no household yet: no figure; 3 households: 60,000 / 0.003).
        self.assertIsNone(figure(WORK_FUNDS_HOUSEHOLDS, w.street_a, year))
        from shequ.people.tests.helpers import household

        for _ in range(3):
            household(w)  # in community a's grid
        entry(w, w.community_a, "1", approve=True)  # any approved entry refreshes the community's figures
        self.assertAlmostEqual(figure(WORK_FUNDS_HOUSEHOLDS, w.street_a, year) or 0, 60001 / 0.003)
        self.assertAlmostEqual(figure(WORK_FUNDS_HOUSEHOLDS, w.district, year) or 0, (60001 + 30000) / 0.003)
        entry(w, w.community_a, "200", book=Book.PARTY, approve=True)
        self.assertTrue(PartyMember._meta.get_field("status"))
        self.assertIsNone(figure(PARTY_FUNDS, w.street_a, year))  # no members yet: no figure

    def test_statement(self) -> None:
        w = self.world
        today = timezone.localdate()
        quarter = (today.month - 1) // 3 + 1
        entry(w, w.community_a, "60000", approve=True)
        entry(w, w.community_a, "1200.50", kind=EntryKind.SPENDING, approve=True)
        entry(w, w.community_a, "99", kind=EntryKind.SPENDING)  # pending: not published
        statement = actions.do_publish_statement(
            acting_user=w.officer_a, node=w.community_a, year=today.year, quarter=quarter
        )
        work = statement.totals["work"]
        self.assertEqual((work["in"], work["out"], work["closing"]), ("60000.00", "1200.50", "58799.50"))
        self.assertEqual(statement.masked_number, "**** 5678")
        # On the community's public board too, as a finance disclosure linking to the statement.
        from shequ.governance.models import Disclosure

        board = Disclosure.objects.get(node=w.community_a, kind="finance")
        self.assertIn("60000.00", board.body)
        self.assertIn(reverse("positions:portal_statement", args=[statement.pk]), board.body)
        self.assertContains(self.client.get(reverse("governance:board", args=[w.community_a.pk])), "58799.50")
        with self.assertRaises(FieldErrors):
            actions.do_publish_statement(acting_user=w.officer_a, node=w.community_a, year=today.year + 1, quarter=1)
        from shequ.core.exceptions import NotFound

        with self.assertRaises(NotFound):
            actions.do_publish_statement(acting_user=w.officer_b, node=w.community_a, year=today.year, quarter=quarter)


OPS = st.lists(
    st.tuples(
        st.sampled_from(["allocate", "spend", "reverse", "approve"]),
        st.decimals(min_value=Decimal("0.01"), max_value=Decimal("99999"), places=2),
        st.integers(min_value=0, max_value=50),
    ),
    max_size=25,
)


class LedgerPropertyTests(HypothesisTestCase):
    world: ClassVar[World]

    @classmethod
    def setUpTestData(cls) -> None:
        cls.world = World()

    @settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(OPS)
    def test_any_sequence_keeps_the_books_balanced(self, ops: list[tuple[str, Decimal, int]]) -> None:
        w = self.world
        acct = account(w, w.community_a)
        for op, amount, pick in ops:
            try:
                if op == "allocate":
                    entry(w, w.community_a, str(amount), approve=pick % 2 == 0)
                elif op == "spend":
                    entry(w, w.community_a, str(amount), kind=EntryKind.SPENDING, approve=pick % 2 == 0)
                else:
                    status = EntryStatus.APPROVED if op == "reverse" else EntryStatus.PENDING
                    candidates = list(LedgerEntry.objects.filter(status=status).order_by("pk"))
                    if candidates:
                        chosen = candidates[pick % len(candidates)]
                        if op == "reverse":
                            actions.do_reverse_entry(chosen, acting_user=w.admin, reason="更正")
                        else:
                            actions.do_approve_entry(chosen, acting_user=w.admin)
            except ActionError:
                pass
            acct.refresh_from_db()
            approved = LedgerEntry.objects.filter(account=acct, status=EntryStatus.APPROVED)
            total = sum((e.amount for e in approved), Decimal(0))
            self.assertEqual(total, acct.work_balance)
            self.assertGreaterEqual(acct.work_balance, 0)
            year = FundYear.objects.filter(node=w.community_a).first()
            if year is not None:
                self.assertEqual(year.allocated - year.spent, acct.work_balance)
        # Approved entries kept their amounts: each reversal is the exact opposite of its original.
        for reversal in LedgerEntry.objects.filter(kind=EntryKind.REVERSAL).select_related("reverses"):
            assert reversal.reverses is not None
            self.assertEqual(reversal.amount, -reversal.reverses.amount)
            self.assertEqual(reversal.reverses.status, EntryStatus.APPROVED)

    def test_dates(self) -> None:
        self.assertEqual(actions.funds.quarter_bounds(2026, 4), (date(2026, 10, 1), date(2027, 1, 1)))
