"""Policy indicators (core.indicators): a figure for any node summed from the communities' rollups, against its
goal, ranked across the node's children; kept current by the actions; the targets page, its export and API."""

from __future__ import annotations

from typing import Any, ClassVar

from django.db import transaction
from django.urls import reverse

from shequ.core import indicators
from shequ.core.models import IndicatorValue
from shequ.core.testing import WorldTestCase, pdf_text, streamed, xlsx_rows
from shequ.services import actions
from shequ.services.indicators import ON_TIME, SATISFACTION
from shequ.services.tests.helpers import ServicesTree, file


class IndicatorTests(WorldTestCase):
    tree: ClassVar[ServicesTree]

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.tree = ServicesTree(cls.world)

    def rate(self, node: Any, stars: int) -> None:
        a = self.world.admin
        r = file(self.world, node=node, acting_user=a, accept=True)
        r = actions.do_start(actions.do_assign(r, acting_user=a), acting_user=a)
        r = actions.do_resolve(r, acting_user=a, note="已处理")
        actions.do_rate(r, acting_user=a, rating=stars)

    def test_actions_keep_the_rollup_and_any_node_sums_its_communities(self) -> None:
        with self.captureOnCommitCallbacks(execute=True):
            self.rate(self.world.community_a, 5)
        with self.captureOnCommitCallbacks(execute=True):
            self.rate(self.world.community_a, 1)  # reopened: not satisfied
        with self.captureOnCommitCallbacks(execute=True):
            self.rate(self.world.community_b, 4)
        year = indicators.this_year()
        row = IndicatorValue.objects.get(code=SATISFACTION, node=self.world.community_a, year=year)
        self.assertEqual((row.numerator, row.denominator), (1, 2))
        satisfaction = indicators.INDICATORS[SATISFACTION]
        self.assertEqual(indicators.figure(satisfaction, self.world.community_a, year).value, 50.0)
        district = indicators.figure(satisfaction, self.world.district, year)
        self.assertEqual((district.numerator, district.denominator), (2, 3))
        self.assertAlmostEqual(district.value or 0, 200 / 3)
        self.assertFalse(district.met)  # target 90 %
        ranking = indicators.ranking(
            satisfaction, self.world.district, year, [self.world.street_a, self.world.street_b]
        )
        self.assertEqual(
            [(f.node, f.rank, f.value) for f in ranking],
            [(self.world.street_b, 1, 100.0), (self.world.street_a, 2, 50.0)],
        )

    def test_what_a_rolled_back_transaction_marked_is_forgotten(self) -> None:
        # A failed action marks a figure and rolls back: the next transaction to commit must not recompute it
        # (before, the mark stayed on the connection and leaked into whatever committed next).
        try:
            with transaction.atomic():
                indicators.mark_dirty(ON_TIME, self.world.community_b)
                raise RuntimeError("refused")
        except RuntimeError:
            pass
        with self.captureOnCommitCallbacks(execute=True):
            indicators.mark_dirty(SATISFACTION, self.world.community_a)
        self.assertEqual(
            set(IndicatorValue.objects.values_list("code", "node")), {(SATISFACTION, self.world.community_a.pk)}
        )

    def test_nightly_refresh_equals_the_kept_rollup(self) -> None:
        with self.captureOnCommitCallbacks(execute=True):
            self.rate(self.world.community_a, 5)
        kept = list(
            IndicatorValue.objects.order_by("code", "node").values_list("code", "node", "numerator", "denominator")
        )
        IndicatorValue.objects.all().delete()
        indicators.refresh([ON_TIME, SATISFACTION])
        fresh = IndicatorValue.objects.filter(numerator__gt=0)
        self.assertEqual(
            sorted(fresh.values_list("code", "node", "numerator", "denominator")),
            sorted(k for k in kept if k[2] > 0),
        )

    def test_every_figure_leads_to_the_records_behind_it(self) -> None:
        year = indicators.this_year()
        self.login(self.world.admin)
        for indicator in indicators.ordered():
            with self.subTest(indicator.code):
                self.assertIsNotNone(indicator.drill, "an indicator says which list is behind its figure")
                assert indicator.drill is not None
                url = indicator.drill(self.world.street_a, year)
                self.assertEqual(self.client.get(url).status_code, 200, url)
                detail = self.client.get(
                    reverse("core:target_detail", args=[indicator.code]), {"node": self.world.street_a.pk}
                )
                self.assertContains(detail, url.replace("&", "&amp;"))

    def test_one_page_pdf_report_of_a_place_within_scope(self) -> None:
        from unittest import mock

        from reportlab import rl_config

        with self.captureOnCommitCallbacks(execute=True):
            self.rate(self.world.community_a, 1)
        url = reverse("core:targets_pdf")
        self.login(self.world.officer_a)
        self.assertContains(self.client.get(reverse("core:targets")), 'data-testid="report-pdf"')
        with mock.patch.object(rl_config, "pageCompression", 0):  # readable text, to look for it
            response = self.client.get(url, {"node": self.world.community_a.pk})
        self.assertEqual(response["Content-Type"], "application/pdf")
        pdf = streamed(response)
        self.assertTrue(pdf.startswith(b"%PDF"))
        self.assertIn(b"/Count 1", pdf)  # one page
        text = pdf_text(pdf)
        title = f"{self.world.community_a.name}目标考核，{indicators.this_year()}年"
        for words in (title, "居民满意率", "未达标", "0.0%"):
            self.assertIn(words, text)
        self.assertEqual(self.client.get(url, {"node": self.world.community_b.pk}).status_code, 404)
        self.login(None)
        self.assertEqual(self.client.get(url).status_code, 302)

    def test_page_export_and_api_within_scope(self) -> None:
        with self.captureOnCommitCallbacks(execute=True):
            self.rate(self.world.community_a, 5)
        self.login(self.world.officer_a)
        page = self.client.get(reverse("core:targets"))
        self.assertEqual(page.context["anchor"], self.world.street_a)  # the widest place of the user's area
        self.assertContains(page, f'data-indicator="{SATISFACTION}"')
        self.assertContains(page, "100.0%")
        # Another street is outside the area.
        self.assertEqual(self.client.get(reverse("core:targets"), {"node": self.world.street_b.pk}).status_code, 404)
        self.assertEqual(self.client.get(reverse("core:targets"), {"node": "x"}).status_code, 404)
        detail = self.client.get(reverse("core:target_detail", args=[SATISFACTION]))
        self.assertContains(detail, 'data-testid="value"')
        rows = xlsx_rows(streamed(self.client.get(reverse("core:targets_export"))))
        self.assertIn("100.0%", [cell for row in rows for cell in row])
        self.login(self.world.admin)
        response = self.client.get(f"/api/v1/targets/{SATISFACTION}", {"node": self.world.district.pk})
        body = response.json()
        self.assertEqual((body["value"], [r["name"] for r in body["ranking"]]), (100.0, ["和平街道", "胜利街道"]))
        self.assertEqual(self.client.get("/api/v1/targets/nope").status_code, 404)

    def test_an_indicator_is_shown_only_with_the_right_on_its_model(self) -> None:
        nobody = self.world.nobody
        self.assertNotIn(indicators.INDICATORS[SATISFACTION], indicators.visible(nobody))
        self.assertIn(indicators.INDICATORS[SATISFACTION], indicators.visible(self.world.auditor_a))


class TargetTextTests(WorldTestCase):
    """The goal as the targets page, the export and the PDF write it."""

    def test_numbers_keep_their_digits(self) -> None:
        from shequ.core.views.targets import target_text

        def goal(target: float, places: int, unit: str = "%", comparison: str = ">=") -> str:
            return target_text(
                indicators.Indicator(
                    code="x.y",
                    name="x",
                    compute=lambda p, y: {},
                    target=target,
                    places=places,
                    unit=unit,
                    comparison=comparison,
                )
            )

        self.assertEqual(goal(50_000, 0, "yuan"), "≥ 50,000 元")
        self.assertEqual(goal(10, 1), "≥ 10%")
        self.assertEqual(goal(2.5, 2, "h"), "≥ 2.5 小时")
        self.assertEqual(goal(0, 0, "", "<="), "≤ 0")
