"""The demo city's positions and funds: each figure of the targets page against a hand count of the records
(areas summed, distances measured, allocations added up here, not through the rollups)."""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal
from typing import ClassVar

from django.test import TestCase
from django.utils import timezone

from shequ.core import indicators
from shequ.orgs.demo import seed_organizations
from shequ.party.demo import seed_party
from shequ.party.models import MemberStatus, PartyMember
from shequ.people.demo import seed_people
from shequ.positions import geo
from shequ.positions.demo import seed_positions
from shequ.positions.indicators import (
    AREA_CLASS,
    CLASS_BOUTIQUE,
    CLASS_DEMONSTRATION,
    CLASS_STANDARD,
    COVERAGE,
    PARTY_FUNDS,
    SIX_HAVES,
    WORK_FUNDS,
)
from shequ.positions.models import (
    Book,
    EntryKind,
    EntryStatus,
    Facility,
    FacilityKind,
    FundAccount,
    LedgerEntry,
    StandardCheck,
    Statement,
)
from shequ.territory.demo import SCALES, build_demo_territory
from shequ.territory.models import Kind, Node


class DemoFigureTests(TestCase):
    city: ClassVar[Node]
    communities: ClassVar[list[Node]]

    @classmethod
    def setUpTestData(cls) -> None:
        city = build_demo_territory(SCALES["small"], seed=5)
        for seeder in (seed_people, seed_organizations, seed_party, seed_positions):
            seeder(city, "small", 5)
        cls.city = city
        cls.communities = list(Node.objects.filter(kind=Kind.COMMUNITY))

    def figure(self, code: str, node: Node | None = None) -> tuple[float, float]:
        found = indicators.figures(node or self.city, timezone.localdate().year, indicators.ordered([code]))[code]
        return found.numerator, found.denominator

    def test_six_haves(self) -> None:
        year = timezone.localdate().year
        full = [c for c in StandardCheck.objects.filter(year=year) if all(getattr(c, n) for n in StandardCheck.HAVES)]
        self.assertTrue(0 < len(full) < len(self.communities))
        self.assertEqual(self.figure(SIX_HAVES), (len(full), len(self.communities)))

    def test_area_classes(self) -> None:
        areas: dict[int, Decimal] = defaultdict(Decimal)
        for f in Facility.objects.filter(kind=FacilityKind.SERVICE_CENTRE, active=True):
            areas[f.node_id] += f.area
        at_least = sum(1 for c in self.communities if areas[c.pk] >= 300)
        self.assertTrue(0 < at_least < len(self.communities))
        self.assertEqual(self.figure(AREA_CLASS), (at_least, len(self.communities)))
        self.client.force_login(self._admin())
        page = self.client.get("/positions/standards/", {"node": self.city.pk})
        demonstration = sum(1 for c in self.communities if areas[c.pk] >= 1000)
        share = round(100 * demonstration / len(self.communities), 1)
        self.assertContains(page, f"{share}%")

    def test_class_shares_at_every_level(self) -> None:
        areas: dict[int, Decimal] = defaultdict(Decimal)
        for f in Facility.objects.filter(kind=FacilityKind.SERVICE_CENTRE, active=True):
            areas[f.node_id] += f.area
        bands = {
            CLASS_STANDARD: (Decimal(300), Decimal(500)),
            CLASS_BOUTIQUE: (Decimal(500), Decimal(1000)),
            CLASS_DEMONSTRATION: (Decimal(1000), Decimal(10**9)),
        }
        community = self.communities[0]
        street = Node.objects.get(children=community)
        district = Node.objects.get(children=street)
        for node in (self.city, district, street, community):
            under = [c for c in self.communities if c.path.startswith(node.path)]
            for code, (low, high) in bands.items():
                with self.subTest(node=node.kind, code=code):
                    count = sum(1 for c in under if low <= areas[c.pk] < high)
                    self.assertEqual(self.figure(code, node), (count, len(under)))
        # The demo city has communities in every class, so no share is trivially 0 or 100 %.
        for low, high in bands.values():
            self.assertTrue(0 < sum(1 for c in self.communities if low <= areas[c.pk] < high) < len(self.communities))
        self.assertEqual([indicators.INDICATORS[c].target for c in bands], [30, 30, 40])

    def test_coverage(self) -> None:
        squares = list(Facility.objects.filter(kind=FacilityKind.LEISURE_SQUARE, active=True))
        paths = list(Facility.objects.filter(kind=FacilityKind.FITNESS_PATH, active=True))
        covered = 0
        for c in self.communities:
            lat, lng = float(c.latitude or 0), float(c.longitude or 0)
            near_square = any(
                geo.haversine_m(lat, lng, float(s.latitude or 0), float(s.longitude or 0)) <= 2000 for s in squares
            )
            near_path = any((geo.distance_m(lat, lng, p.latitude, p.longitude, p.line) or 1e9) <= 1000 for p in paths)
            covered += near_square and near_path
        self.assertTrue(0 < covered < len(self.communities))
        self.assertEqual(self.figure(COVERAGE), (covered, len(self.communities)))

    def test_funds(self) -> None:
        year = timezone.localdate().year
        approved = LedgerEntry.objects.filter(status=EntryStatus.APPROVED, occurred_on__year=year)
        work = sum(e.amount for e in approved.filter(book=Book.WORK, kind=EntryKind.ALLOCATION))
        self.assertEqual(self.figure(WORK_FUNDS), (float(work), len(self.communities)))
        party = sum(e.amount for e in approved.filter(book=Book.PARTY, kind=EntryKind.ALLOCATION))
        active = PartyMember.objects.filter(status__in=(MemberStatus.PROBATIONARY, MemberStatus.FULL))
        members = sum(1 for m in active if any(m.path.startswith(c.path) for c in self.communities))
        self.assertGreater(members, 0)
        self.assertEqual(self.figure(PARTY_FUNDS), (float(party), members))
        self.assertGreater(party / members, 40)
        # Each account's balance is the sum of its approved entries; the statement closes on it.
        for account in FundAccount.objects.all():
            for book in Book.values:
                total = sum(e.amount for e in approved.filter(account=account, book=book))
                self.assertEqual(account.balance(book), total)
                statement = Statement.objects.get(node=account.node_id)
                self.assertEqual(Decimal(statement.totals[book]["closing"]), total)

    def _admin(self):  # type: ignore[no-untyped-def]
        from shequ.accounts.models import User

        return User.objects.create_superuser("demo-admin", password="demo-admin-pass-1")
