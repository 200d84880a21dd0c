"""Dashboard charts (issue 10, 15): every slice with its count and share, nothing cut short with "…"."""

from __future__ import annotations

import json

from django.test import SimpleTestCase
from django.utils import translation

from shequ.core import charts


class ChartTests(SimpleTestCase):
    def test_a_pie_names_every_slice_with_its_count_and_share(self) -> None:
        rows = [("物业管理", 12), ("没有的", 0), ("政策咨询", 1), ("供水", 6), ("a" * 40, 1)]
        chart = charts.pie("按类别", rows)
        legend = [(r.name, r.value, r.share) for r in chart.legend]
        self.assertEqual(
            legend, [("物业管理", 12, "60.0%"), ("政策咨询", 1, "5.0%"), ("供水", 6, "30.0%"), ("a" * 40, 1, "5.0%")]
        )
        with translation.override("zh-hans"):
            self.assertEqual(chart.legend[0].figure, "12（60.0%）")
        with translation.override("en"):
            self.assertEqual(chart.legend[0].figure, "12 (60.0%)")
        # No two slices share a colour, even with a dozen of them.
        many = charts.pie("t", [(f"类别{i}", i + 1) for i in range(14)])
        self.assertEqual(len({r.color for r in many.legend}), 14)
        option = json.loads(chart.option)
        self.assertEqual(option["series"][0]["label"]["formatter"], "{d}%")
        self.assertEqual(option["series"][0]["percentPrecision"], 1)  # as in the legend
        self.assertFalse(charts.pie("t", [("x", 0)]).legend)
        self.assertTrue(charts.pie("t", []).empty)

    def test_bars_carry_their_figures_and_long_names_wrap(self) -> None:
        with translation.override("zh-hans"):
            short = json.loads(charts.bars("按年龄", [("0-29", 1), ("30-39", 3)]).option)
            long = charts.bars("By education", [("senior secondary or vocational", 3), ("bachelor", 1)])
        self.assertEqual(short["xAxis"]["type"], "category")
        self.assertEqual(short["series"][0]["data"][1]["label"]["formatter"], "3（75.0%）")
        option = json.loads(long.option)
        self.assertEqual(option["yAxis"]["type"], "category")  # lying down: the names wrap at the left
        self.assertEqual(option["yAxis"]["axisLabel"]["overflow"], "break")
        self.assertEqual(option["yAxis"]["axisLabel"]["interval"], 0)
        self.assertGreaterEqual(long.height, 40 + 34 * 2)
        many = json.loads(charts.bars("t", [(str(i), i) for i in range(8)]).option)
        self.assertEqual(many["yAxis"]["type"], "category")
        years = json.loads(charts.bars("t", [(str(1950 + i), i) for i in range(70)], shares=False, dense=True).option)
        self.assertFalse(years["series"][0]["label"]["show"])

    def test_nothing_is_ever_cut_short(self) -> None:
        options = [
            charts.pie("t", [("x" * 50, 1), ("y", 2)]).option,
            charts.bars("t", [("x" * 50, 1), ("y", 2)]).option,
            charts.bars("t", [("1", 1)]).option,
            charts.lines("t", ["09-14"], [("登记", [1])]).option,
        ]
        for option in options:
            self.assertNotIn("truncate", option)
            self.assertNotIn("…", option)
