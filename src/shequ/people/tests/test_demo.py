"""The demo city's residents: realistic, consistent, deterministic, and bulk-inserted."""

from __future__ import annotations

from collections import Counter

from django.db import connection
from django.test import TestCase
from django.test.utils import CaptureQueriesContext

from shequ.people.demo import STANDARD_TAGS, seed_people
from shequ.people.identity import parse_identity, parse_phone
from shequ.people.models import CareTag, Household, Relation, Resident
from shequ.territory.demo import SCALES, build_demo_territory


class DemoTests(TestCase):
    def seed(self, seed: int = 1) -> dict[str, int]:
        city = build_demo_territory(SCALES["small"], seed=seed)
        with CaptureQueriesContext(connection) as queries:
            summary = seed_people(city, "small", seed)
        # Bulk inserts: a few dozen rows per statement (SQLite's parameter limit), never one per row.
        self.assertLess(len(queries), summary["residents"] / 10, "the residents are not inserted in bulk")
        return summary

    def test_no_under_age_party_member(self) -> None:
        """A member joins at 18 at the earliest (the party app's rule): no resident under 18 is a member or
        a probationary member, and a full member has had a year of probation."""
        from datetime import date

        self.seed()
        today = date.today()
        for status, minimum in (("probationary", 18), ("party_member", 19)):
            members = list(Resident.objects.filter(political_status=status).values_list("name", "birth_date"))
            self.assertTrue(members, status)
            for name, born in members:
                age = today.year - born.year - ((today.month, today.day) < (born.month, born.day))
                self.assertGreaterEqual(age, minimum, f"{name}, {age}, is a {status}")

    def test_small_city(self) -> None:
        summary = self.seed()
        self.assertTrue(1900 <= summary["residents"] <= 2100, summary)
        self.assertEqual(Resident.objects.count(), summary["residents"])
        self.assertEqual(set(CareTag.objects.values_list("name", flat=True)), {name for _c, name, _d in STANDARD_TAGS})
        people = list(Resident.objects.select_related("node", "household"))
        ids = set()
        for person in people:
            identity = parse_identity(person.id_number)
            self.assertEqual((identity.gender, identity.birth_date), (person.gender, person.birth_date))
            self.assertTrue(
                person.id_number.startswith("4201"), person.id_number
            ) if person.residence_type != "floating" else None
            self.assertEqual(person.id_masked, person.id_number[:6] + "********" + person.id_number[-4:])
            self.assertEqual(person.path, person.node.path)
            self.assertEqual(person.node.kind, "unit")
            if person.phone:
                self.assertEqual(parse_phone(person.phone), person.phone)
            self.assertTrue(2 <= len(person.name) <= 4, person.name)
            ids.add(person.id_number)
        self.assertEqual(len(ids), len(people))
        # Households of one to five, each with its head, all at one place.
        sizes = Counter(p.household_id for p in people)
        self.assertTrue(set(sizes.values()) <= {1, 2, 3, 4, 5})
        for household in Household.objects.all():
            head = Resident.objects.get(pk=household.head_id)
            self.assertEqual(
                (head.household_id, head.relation, head.node_id), (household.pk, Relation.HEAD, household.node_id)
            )
        # Some Party members, some tags, elderly living alone are alone.
        statuses = Counter(p.political_status for p in people)
        self.assertGreater(statuses["party_member"], len(people) * 0.04)
        alone = Resident.objects.filter(tags__code="elderly_alone")
        self.assertGreater(alone.count(), 10)
        for person in alone:
            self.assertEqual(sizes[person.household_id], 1)
            self.assertGreaterEqual(person.age or 0, 65)
        # Surnames follow their frequency: 王, 李, 张 lead.
        surnames = Counter(p.name[0] for p in people)
        self.assertTrue({"王", "李", "张"} <= {s for s, _n in surnames.most_common(6)}, surnames.most_common(6))

    def test_deterministic(self) -> None:
        from django.db import transaction

        runs = []
        for _ in range(2):
            with transaction.atomic():
                self.seed(7)
                runs.append(
                    list(
                        Resident.objects.order_by("name", "birth_date").values_list(
                            "name", "id_hash", "phone", "node__name"
                        )
                    )
                )
                transaction.set_rollback(True)
        self.assertEqual(runs[0], runs[1])
        self.assertGreater(len(runs[0]), 1000)

    def test_seed_command(self) -> None:
        import io
        import json

        from django.core.management import call_command

        out = io.StringIO()
        call_command("seed", "--scale", "tiny", "--json", "--password", "demo-pass-12345", stdout=out)
        summary = json.loads(out.getvalue())
        self.assertEqual(summary["residents"], Resident.objects.count())
        self.assertGreater(summary["residents"], 150)
