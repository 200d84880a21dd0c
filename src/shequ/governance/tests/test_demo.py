"""The demo data of ``shequ seed``: a list in force, decisions through the meetings on the boards, one community
overdue with its finances, matters with and without funds — and the figures of the targets page agree."""

from __future__ import annotations

from typing import ClassVar

from django.test import TestCase
from django.urls import reverse
from django.utils import timezone

from shequ.accounts.models import User
from shequ.core import indicators
from shequ.governance.demo import seed_governance
from shequ.governance.indicators import DECISIONS_TAKEN, HANDOVERS_FUNDED
from shequ.governance.models import AccessList, Decision, DecisionStatus, Disclosure, Handover, ListStatus
from shequ.territory.demo import SCALES, build_demo_territory
from shequ.territory.models import Node


class DemoTests(TestCase):
    city: ClassVar[Node]
    counts: ClassVar[dict[str, int]]

    @classmethod
    def setUpTestData(cls) -> None:
        cls.city = build_demo_territory(SCALES["tiny"], seed=3)
        User.objects.create_superuser("admin", password="admin-pass-123", node=cls.city)
        cls.counts = seed_governance(cls.city, "tiny", 3)
        indicators.refresh()

    def test_the_demo_has_each_part(self) -> None:
        self.assertEqual(AccessList.objects.filter(status=ListStatus.IN_FORCE).count(), 1)
        self.assertTrue(Decision.objects.filter(status=DecisionStatus.DECIDED).exists())
        self.assertTrue(Decision.objects.filter(status=DecisionStatus.DONE).exists())
        self.assertTrue(Decision.objects.filter(status=DecisionStatus.DISCUSSED).exists())
        self.assertEqual(self.counts["decisions"], Decision.objects.count())
        community = Disclosure.objects.filter(kind="resolution").first().node  # type: ignore[union-attr]
        board = self.client.get(reverse("governance:board", args=[community.pk]))
        self.assertContains(board, "加装电梯")

    def test_the_figures_agree_with_the_records(self) -> None:
        year = timezone.localdate().year
        found = indicators.figures(self.city, year, indicators.ordered([HANDOVERS_FUNDED, DECISIONS_TAKEN]))
        handed = Handover.objects.filter(year=year)
        self.assertEqual(
            (found[HANDOVERS_FUNDED].numerator, found[HANDOVERS_FUNDED].denominator),
            (handed.filter(funds_transferred_on__isnull=False).count(), handed.count()),
        )
        self.assertEqual(found[DECISIONS_TAKEN].numerator, Decision.objects.filter(decided_on__year=year).count())
