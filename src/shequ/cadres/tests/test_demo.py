"""The demo city's community workers: seeded fast, and the figures of the targets page match a hand count."""

from __future__ import annotations

from typing import ClassVar

from django.test import TestCase
from django.utils import timezone

from shequ.cadres.demo import demo_logins, seed_cadres
from shequ.cadres.indicators import PAY, TRAINING
from shequ.cadres.models import HOURS_TARGET, Cadre, TrainingRecord
from shequ.cadres.pay import pay_of
from shequ.core import indicators
from shequ.territory.demo import SCALES, build_demo_territory
from shequ.territory.models import Node


class DemoTests(TestCase):
    city: ClassVar[Node]
    summary: ClassVar[dict]

    @classmethod
    def setUpTestData(cls) -> None:
        cls.city = build_demo_territory(SCALES["tiny"], seed=3)
        cls.summary = seed_cadres(cls.city, "tiny", 3)
        indicators.refresh([TRAINING, PAY])

    def test_figures_match_the_records(self) -> None:
        from django.db.models import Sum

        year = timezone.localdate().year
        workers = list(Cadre.objects.filter(active=True))
        self.assertEqual(self.summary["community workers"], len(workers))
        hours = dict(
            TrainingRecord.objects.filter(attended_on__year=year).values_list("cadre_id").annotate(h=Sum("hours"))
        )
        reached = sum(1 for w in workers if (hours.get(w.pk) or 0) >= HOURS_TARGET)
        figure = indicators.figure(indicators.INDICATORS[TRAINING], self.city, year)
        self.assertEqual((figure.numerator, figure.denominator), (reached, len(workers)))
        self.assertLess(reached, len(workers), "the demo shows someone below 160 hours")
        pays = pay_of(workers, timezone.localdate())
        paid = indicators.figure(indicators.INDICATORS[PAY], self.city, year)
        self.assertEqual(paid.numerator, sum(1 for p in pays if not p.below_average))
        self.assertTrue(any(p.below_average for p in pays), "the demo shows someone paid below the average")
        self.assertEqual(seed_cadres(self.city, "tiny", 3), {}, "seeding twice adds nothing")
        self.assertEqual([row[1] for row in demo_logins(self.city)], ["organization_officer"])
