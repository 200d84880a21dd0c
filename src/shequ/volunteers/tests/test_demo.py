"""The demo city's volunteers and visits: the figures of the targets page match a hand count of the records,
and the rollups match the ledger."""

from __future__ import annotations

from collections import Counter, defaultdict
from decimal import Decimal
from typing import ClassVar

from django.test import TestCase
from django.utils import timezone

from shequ.core import indicators
from shequ.orgs.demo import seed_organizations
from shequ.party.demo import seed_party
from shequ.people.demo import seed_people
from shequ.people.models import Resident
from shequ.services.demo import seed_services
from shequ.territory.demo import SCALES, build_demo_territory
from shequ.territory.models import Kind, Node
from shequ.visits.demo import seed_visits
from shequ.visits.indicators import LINK_COVERAGE, VISITS_ON_TIME
from shequ.visits.lists import committee_posts
from shequ.visits.models import MAX_LINKS, MIN_LINKS, HouseholdLink
from shequ.volunteers.demo import seed_volunteers
from shequ.volunteers.indicators import HOURS_PER_VOLUNTEER, REGISTRATION_RATE
from shequ.volunteers.models import ServiceHours, Volunteer, VolunteerYear


class DemoFigureTests(TestCase):
    city: ClassVar[Node]

    @classmethod
    def setUpTestData(cls) -> None:
        city = build_demo_territory(SCALES["tiny"], seed=3)
        for seeder in (seed_people, seed_organizations, seed_party, seed_services, seed_volunteers, seed_visits):
            seeder(city, "tiny", 3)
        cls.city = city
        indicators.refresh()

    def figure(self, code: str) -> tuple[float, float]:
        found = indicators.figures(self.city, timezone.localdate().year, indicators.ordered([code]))[code]
        return found.numerator, found.denominator

    def test_registration_rate_and_hours_per_volunteer(self) -> None:
        active = Volunteer.objects.filter(status="active")
        self.assertGreater(active.count(), 0)
        self.assertEqual(
            self.figure(REGISTRATION_RATE), (active.count(), Resident.objects.filter(archived=False).count())
        )
        hours = sum(
            (
                e.hours
                for e in ServiceHours.objects.filter(status="confirmed", served_on__year=timezone.localdate().year)
            ),
            Decimal(0),
        )
        self.assertEqual(self.figure(HOURS_PER_VOLUNTEER), (float(hours), active.count()))

    def test_link_coverage(self) -> None:
        communities = list(Node.objects.filter(kind=Kind.COMMUNITY))
        members = set(committee_posts(communities).values_list("organization__node_id", "person_id"))
        loads = Counter(HouseholdLink.objects.filter(ended_on__isnull=True).values_list("community_id", "member_id"))
        good = sum(1 for key in members if MIN_LINKS <= loads.get(key, 0) <= MAX_LINKS)
        self.assertEqual(self.figure(LINK_COVERAGE), (good, len(members)))
        self.assertGreater(len(members), 0)

    def test_visits_on_time_against_the_records(self) -> None:
        from datetime import timedelta

        from shequ.visits.models import DEFAULT_INTERVALS, Visit

        today = timezone.localdate()
        interval: dict[int, int] = {}
        for resident in Resident.objects.filter(archived=False, household__isnull=False).prefetch_related("tags"):
            for tag in resident.tags.all():
                if tag.code in DEFAULT_INTERVALS:
                    days = DEFAULT_INTERVALS[tag.code]
                    interval[resident.household_id] = min(interval.get(resident.household_id, days), days)
        last: dict[int, object] = defaultdict(lambda: None)
        for visit in Visit.objects.filter(household_id__in=list(interval)):
            seen = last[visit.household_id]
            if seen is None or visit.visited_at > seen:  # type: ignore[operator]
                last[visit.household_id] = visit.visited_at
        done = len(
            [
                household
                for household, days in interval.items()
                if last[household] is not None
                and timezone.localtime(last[household]).date() + timedelta(days=days) >= today  # type: ignore[arg-type]
            ]
        )
        self.assertEqual(self.figure(VISITS_ON_TIME), (done, len(interval)))

    def test_rollups_equal_the_ledger(self) -> None:
        totals: dict[int, Decimal] = defaultdict(Decimal)
        for entry in ServiceHours.objects.filter(status="confirmed"):
            totals[entry.volunteer_id] += entry.hours
        for volunteer in Volunteer.objects.all():
            self.assertEqual(volunteer.total_hours, totals.get(volunteer.pk, Decimal(0)))
        self.assertEqual(
            sum((y.hours for y in VolunteerYear.objects.all()), Decimal(0)), sum(totals.values(), Decimal(0))
        )
