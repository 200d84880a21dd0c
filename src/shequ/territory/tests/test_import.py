"""The tree import: the pitfalls of real community spreadsheets."""

from __future__ import annotations

import io
from typing import Any

from django.test import override_settings

from shequ.core.importing import ImportResult
from shequ.core.testing import WorldTestCase, spreadsheet_file, streamed, xlsx_bytes, xlsx_rows
from shequ.territory.importers import NodeImporter
from shequ.territory.models import Node


class ImportTests(WorldTestCase):
    def run_file(
        self, content: bytes, name: str, user: Any = None, dry_run: bool = False, mode: str = "valid", node: Any = None
    ) -> ImportResult:
        path, report = spreadsheet_file(self, content, name)
        importer = NodeImporter(user or self.world.officer_a, node)
        return importer.run(path, name, dry_run=dry_run, mode=mode, report_path=report)

    def test_title_rows_synonyms_fullwidth_and_blank_or_repeated_rows(self) -> None:
        rows: list[list[Any]] = [
            ["和平街道网格划分表（2026年）", None, None],
            [None, None, None],
            [" 名 称 ", "层级", "上级代码"],  # stray spaces, synonyms
            ["一网格", "网格", "９９０１０１００１００１"],  # full-width digits
            [None, None, None],
            ["一网格", "网格", "９９０１０１００１００１"],  # repeated row
            ["二网格", "grid", "990101001001"],
        ]
        result = self.run_file(xlsx_bytes(rows), "grids.xlsx")
        self.assertEqual((result.created, result.rejected, result.duplicates), (2, 0, 1), result.errors)
        self.assertEqual(Node.objects.filter(parent=self.world.community_a, name__endswith="一网格").count(), 1)

    def test_csv_in_gb18030_and_utf8_bom(self) -> None:
        text = "名称,类型,上级编码\n甲网格,网格,990101001001\n"
        for encoding, name in (("gb18030", "甲网格"), ("utf-8-sig", "乙网格")):
            content = text.replace("甲网格", name).encode(encoding)
            result = self.run_file(content, "grids.csv")
            self.assertEqual(result.created, 1, (encoding, result.errors))
        self.assertTrue(Node.objects.filter(name="乙网格").exists())

    def test_parents_inside_the_file_and_by_path_of_names(self) -> None:
        rows: list[list[Any]] = [
            ["名称", "类型", "编码", "上级编码", "上级"],
            ["新社区", "社区", "990101001009", "990101001", None],
            ["新社区一网格", "网格", None, "990101001009", None],
            ["路径网格", "网格", None, None, "测试市/东区/和平街道/和平社区"],
        ]
        result = self.run_file(xlsx_bytes(rows), "tree.xlsx")
        self.assertEqual(result.created, 3, result.errors)
        grid = Node.objects.get(name="新社区一网格")
        self.assertEqual(grid.parent and grid.parent.code, "990101001009")
        self.assertEqual(Node.objects.get(name="路径网格").parent_id, self.world.community_a.pk)

    def test_rejections_have_reasons_and_come_back_as_a_spreadsheet(self) -> None:
        rows: list[list[Any]] = [
            ["名称", "类型", "编码", "上级编码"],
            ["好网格", "网格", None, "990101001001"],
            ["坏类型", "大队", None, "990101001001"],
            ["越界网格", "网格", None, "990101002001"],  # street B's community
            ["错层级", "街道", None, "990101001001"],
            ["", "网格", None, "990101001001"],
            ["子网格", "网格", None, "990101001099"],
        ]
        result = self.run_file(xlsx_bytes(rows), "bad.xlsx")
        self.assertEqual(result.created, 1)
        self.assertEqual(result.rejected, 5)
        reasons = {e["row"]: e["message"] for e in result.errors}
        self.assertIn("大队", reasons[3])
        self.assertIn("990101002001", reasons[4])
        self.assertIn("和平社区", reasons[5])
        self.assertIn("名称", reasons[6])
        with open(result.report, "rb") as fh:
            report = xlsx_rows(fh.read())
        self.assertEqual(len(report), 6)  # header + 5 rejected rows, original cells and the reason
        self.assertEqual(report[1][1], "坏类型")
        self.assertEqual(report[1][-1], reasons[3])
        self.assertFalse(Node.objects.filter(name="越界网格").exists())

    def test_cells_out_of_the_model_bounds_are_refused_naming_the_column(self) -> None:
        """The model's bounds hold on imports too: latitude −90…90, longitude −180…180, the name's length."""
        rows: list[list[Any]] = [
            ["名称", "类型", "上级编码", "纬度", "经度"],
            ["好网格", "网格", "990101001001", 39.9, 116.4],
            ["北极外", "网格", "990101001001", 3.768e16, 116.4],
            ["西边外", "网格", "990101001001", 39.9, -180.5],
            ["长" * 101, "网格", "990101001001", None, None],
        ]
        result = self.run_file(xlsx_bytes(rows), "bounds.xlsx")
        self.assertEqual((result.created, result.rejected), (1, 3), result.errors)
        reasons = {e["row"]: e["message"] for e in result.errors}
        self.assertTrue(reasons[3].startswith("纬度："), reasons[3])
        self.assertTrue(reasons[4].startswith("经度："), reasons[4])
        self.assertTrue(reasons[5].startswith("名称："), reasons[5])
        self.assertFalse(Node.objects.filter(name__in=["北极外", "西边外"]).exists())

    def test_all_or_nothing_writes_nothing_when_a_row_is_bad(self) -> None:
        rows = [["名称", "类型", "上级编码"], ["甲", "网格", "990101001001"], ["乙", "火星", "990101001001"]]
        result = self.run_file(xlsx_bytes(rows), "x.xlsx", mode="all")
        self.assertFalse(result.applied)
        self.assertFalse(Node.objects.filter(name="甲").exists())

    def test_dry_run_writes_nothing_and_reimport_is_unchanged(self) -> None:
        rows = [["名称", "类型", "编码", "上级编码"], ["丙社区", "社区", "990101001010", "990101001"]]
        preview = self.run_file(xlsx_bytes(rows), "x.xlsx", dry_run=True)
        self.assertEqual(preview.created, 1)
        self.assertFalse(Node.objects.filter(name="丙社区").exists())
        self.run_file(xlsx_bytes(rows), "x.xlsx")
        again = self.run_file(xlsx_bytes(rows), "x.xlsx")
        self.assertEqual((again.created, again.updated, again.unchanged), (0, 0, 1))
        # A changed name for the same code is an update (upsert keyed by code).
        rows[1][0] = "丙社区（新）"
        changed = self.run_file(xlsx_bytes(rows), "x.xlsx")
        self.assertEqual(changed.updated, 1)
        self.assertEqual(Node.objects.get(code="990101001010").name, "丙社区（新）")

    def test_unreadable_and_unsupported_files_are_refused_clearly(self) -> None:
        from shequ.core.exceptions import ActionError

        with self.assertRaises(ActionError) as ctx:
            self.run_file(b"not a spreadsheet", "x.xlsx")
        self.assertEqual(ctx.exception.code, "unreadable")
        with self.assertRaises(ActionError) as ctx:
            self.run_file(b"whatever", "x.pdf")
        self.assertEqual(ctx.exception.code, "bad_file_type")
        with self.assertRaises(ActionError) as ctx:
            self.run_file(xlsx_bytes([["甲", "乙"], ["1", "2"]]), "x.xlsx")
        self.assertEqual(ctx.exception.code, "no_header")

    def test_template_download_and_round_trip_of_an_export(self) -> None:
        self.login(self.world.officer_a)
        response = self.client.get("/territory/nodes/import/template/")
        header = xlsx_rows(streamed(response))[0]
        self.assertIn("名称*", header)
        export = self.client.get("/territory/nodes/export/", {"within": self.world.street_a.pk})
        rows = xlsx_rows(streamed(export))
        self.assertEqual(rows[0][:4], ["名称", "类型", "编码", "上级编码"])
        # Re-importing the export changes nothing (the street itself is above the officer's add scope: rejected).
        result = self.run_file(xlsx_bytes([r[:7] for r in rows]), "export.xlsx")
        self.assertEqual(result.created, 0, result.errors)

    @override_settings(SHEQU_MAX_UPLOAD_BYTES=10)
    def test_upload_too_large_is_refused_in_the_form(self) -> None:
        self.login(self.world.officer_a)
        upload = io.BytesIO(xlsx_bytes([["名称"], ["x"]]))
        upload.name = "big.xlsx"
        response = self.client.post("/territory/nodes/import/", {"file": upload})
        self.assertEqual(response.status_code, 400)
