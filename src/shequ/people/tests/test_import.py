"""Residents' and households' spreadsheets: every pitfall of issue 3 §5, the upsert, scope and the bulk path."""

from __future__ import annotations

import io
import json
from datetime import date, datetime
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.test import override_settings
from django.urls import reverse

from shequ.core.importing import ImportResult
from shequ.core.models import AuditEntry, Job
from shequ.core.testing import WorldTestCase, spreadsheet_file, streamed, xlsx_bytes, xlsx_rows
from shequ.people.importers import HouseholdImporter, ResidentImporter
from shequ.people.models import Household, Relation, Resident, ResidentMove
from shequ.people.tests.helpers import community_worker, make_id, resident

COMMUNITY = "990101001001"  # 和平社区, street A
HEADER = ["姓名", "身份证号", "地区编码", "地址"]


def xlsx_with_title(rows: list[list[Any]], title: str, numbers: dict[tuple[int, int], float] | None = None) -> bytes:
    """A sheet with a merged title row above the header, as offices make them; *numbers* are numeric cells."""
    import xlsxwriter

    buffer = io.BytesIO()
    workbook = xlsxwriter.Workbook(buffer, {"in_memory": True})
    sheet = workbook.add_worksheet()
    sheet.merge_range(0, 0, 0, max(len(r) for r in rows) - 1, title)
    for r, row in enumerate(rows, start=1):
        for c, value in enumerate(row):
            if (r, c) in (numbers or {}):
                sheet.write_number(r, c, (numbers or {})[(r, c)])
            elif isinstance(value, datetime):
                sheet.write_datetime(r, c, value, workbook.add_format({"num_format": "yyyy-mm-dd"}))
            elif value is not None:
                sheet.write(r, c, value)
    workbook.close()
    return buffer.getvalue()


class ImportCase(WorldTestCase):
    def run_file(
        self,
        content: bytes,
        name: str = "residents.xlsx",
        user: Any = None,
        dry_run: bool = False,
        mode: str = "valid",
        node: Any = None,
        importer: type = ResidentImporter,
    ) -> ImportResult:
        path, report = spreadsheet_file(self, content, name)
        return importer(user or self.world.officer_a, node).run(
            path, name, dry_run=dry_run, mode=mode, report_path=report
        )

    def codes(self, result: ImportResult) -> dict[int, str]:
        return {e["row"]: e.get("code", "") for e in result.errors}


class ResidentImportPitfallTests(ImportCase):
    def test_numbers_stored_by_excel_as_numbers_are_rejected_with_the_reason(self) -> None:
        good = make_id(seq=501)
        damaged = make_id(seq=502)
        rows: list[list[Any]] = [HEADER, ["甲", good, COMMUNITY, "第1网格"], ["乙", None, COMMUNITY, "第1网格"]]
        # 乙's number as Excel keeps it when the column is not formatted as text:
        content = xlsx_with_title(rows, "居民花名册", numbers={(3, 1): float(damaged)})
        result = self.run_file(content)
        self.assertEqual((result.created, result.rejected), (1, 1), result.errors)
        self.assertEqual(self.codes(result), {4: "id_excel_number"})
        self.assertIn(f"{float(damaged):.5E}", result.errors[0]["message"])  # e.g. 4.20102E+17, as Excel shows it
        # The report has the row as it was, with the reason last.
        with open(result.report, "rb") as fh:
            report = xlsx_rows(fh.read())
        self.assertEqual(report[1][0], 4)
        self.assertEqual(report[1][1], "乙")
        self.assertAlmostEqual(float(report[1][2]), float(damaged))
        self.assertEqual(report[1][-1], result.errors[0]["message"])

    def test_scientific_notation_in_a_csv(self) -> None:
        text = "姓名,身份证号,地区编码,地址\n甲,1.10101E+17,990101001001,第1网格\n"
        result = self.run_file(text.encode("utf-8-sig"), "r.csv")
        self.assertEqual(self.codes(result), {2: "id_excel_number"})
        self.assertIn("Excel", result.errors[0]["message"])

    def test_lower_case_x_and_full_width_digits(self) -> None:
        with_x = next(n for n in (make_id(seq=s) for s in range(520, 800)) if n.endswith("X"))
        wide = make_id(seq=503)
        wide_text = "".join(chr(ord(c) + 0xFEE0) for c in wide)
        rows = [
            HEADER,
            ["甲", with_x.lower(), COMMUNITY, "第1网格"],
            ["乙", wide_text, "９９０１０１００１００１", "第１网格"],
        ]
        result = self.run_file(xlsx_bytes(rows))
        self.assertEqual(result.created, 2, result.errors)
        self.assertTrue(Resident.objects.filter(name="甲", id_masked__endswith="X").exists())
        self.assertEqual(Resident.objects.get(name="乙").id_number, wide)

    def test_dates_in_every_form_offices_use(self) -> None:
        born = date(1985, 3, 2)
        forms: list[Any] = [
            31108,
            datetime(1985, 3, 2),
            "1985年3月2日",
            "1985.3.2",
            "1985-03-02",
            "19850302",
            "1985/3/2",
        ]
        rows: list[list[Any]] = [[*HEADER, "出生日期"]]
        for i, value in enumerate(forms):
            rows.append([f"日期{i}", make_id(born, seq=600 + i), COMMUNITY, "第1网格", value])
        rows.append(["不符", make_id(born, seq=650), COMMUNITY, "第1网格", "1985年3月3日"])
        rows.append(["无此日", make_id(born, seq=651), COMMUNITY, "第1网格", "1985-02-30"])
        result = self.run_file(xlsx_bytes(rows))
        self.assertEqual(result.created, len(forms), result.errors)
        self.assertEqual(
            set(Resident.objects.filter(name__startswith="日期").values_list("birth_date", flat=True)), {born}
        )
        codes = self.codes(result)
        self.assertEqual(codes[len(forms) + 2], "birth_date_mismatch")
        self.assertEqual(codes[len(forms) + 3], "bad_date")

    def test_title_rows_header_synonyms_blank_and_repeated_rows(self) -> None:
        number = make_id(seq=504)
        rows: list[list[Any]] = [
            [None, None, None, None, None],
            [" 姓 名 ", "公民身份号码（必填）", "社区编码", "住址", "联系电话"],
            ["甲", number, COMMUNITY, "第1网格", "138 1234 5678"],
            [None, None, None, None, None],
            ["甲", number, COMMUNITY, "第1网格", "138 1234 5678"],
            ["乙", make_id(seq=505), COMMUNITY, "和平社区/第1网格", "027-87654321"],
        ]
        result = self.run_file(xlsx_with_title(rows, "和平社区居民信息登记表（2026年）"))
        self.assertEqual((result.created, result.rejected, result.duplicates), (2, 0, 1), result.errors)
        self.assertEqual(Resident.objects.get(name="甲").phone, "13812345678")
        self.assertEqual(Resident.objects.get(name="乙").phone, "02787654321")

    def test_same_number_twice_in_the_file_and_mismatched_gender(self) -> None:
        number = make_id(seq=506, gender="F")
        rows = [
            [*HEADER, "性别"],
            ["甲", number, COMMUNITY, "第1网格", "女"],
            ["甲二", number, COMMUNITY, "第1网格", ""],
        ]
        rows.append(["丙", make_id(seq=507, gender="F"), COMMUNITY, "第1网格", "男"])
        result = self.run_file(xlsx_bytes(rows))
        self.assertEqual(result.created, 1)
        self.assertEqual(self.codes(result), {3: "duplicate_in_file", 4: "gender_mismatch"})

    def test_every_rejection_has_a_reason(self) -> None:
        rows = [
            [*HEADER, "政治面貌", "特殊人群"],
            ["", make_id(seq=510), COMMUNITY, "第1网格", "", ""],
            ["短号", "1234", COMMUNITY, "第1网格", "", ""],
            ["无地", make_id(seq=511), "990199999999", "", "", ""],
            ["无楼", make_id(seq=512), COMMUNITY, "第9网格", "", ""],
            ["街道", make_id(seq=513), "990101001", "", "", ""],
            ["党派", make_id(seq=514), COMMUNITY, "第1网格", "火星党", ""],
            ["标签", make_id(seq=515), COMMUNITY, "第1网格", "", "外星人"],
            ["遮挡", "110101********1234", COMMUNITY, "第1网格", "", ""],
        ]
        result = self.run_file(xlsx_bytes(rows))
        self.assertEqual(result.created, 0)
        self.assertEqual(
            self.codes(result),
            {
                2: "required",
                3: "id_length",
                4: "unknown_place",
                5: "unknown_place",
                6: "invalid_node",
                7: "bad_choice",
                8: "invalid_tag",
                9: "id_masked",
            },
        )
        self.assertTrue(all(e["message"] for e in result.errors))

    def test_cells_out_of_the_fields_bounds_are_rejected_by_name(self) -> None:
        """A name longer than the field holds, a note with a NUL character: each row rejected naming the column,
        nothing written; a name of exactly the field's length is imported."""
        rows = [
            [*HEADER, "备注"],
            ["长" * 51, make_id(seq=520), COMMUNITY, "第1网格", ""],
            ["空字", make_id(seq=521), COMMUNITY, "第1网格", "a\x00b"],
            ["满" * 50, make_id(seq=522), COMMUNITY, "第1网格", "备注"],
        ]
        result = self.run_file(xlsx_bytes(rows))
        self.assertEqual(result.created, 1)
        self.assertEqual(self.codes(result), {2: "max_length", 3: "null_characters_not_allowed"})
        messages = {e["row"]: e["message"] for e in result.errors}
        self.assertTrue(messages[2].startswith("姓名："), messages[2])
        self.assertIn("50", messages[2])
        self.assertTrue(messages[3].startswith("备注："), messages[3])
        self.assertEqual(list(Resident.objects.filter(name__in=["长" * 51, "空字"])), [])
        self.assertTrue(Resident.objects.filter(name="满" * 50).exists())

    def test_csv_in_gb18030_and_utf8_bom(self) -> None:
        for i, encoding in enumerate(("gb18030", "utf-8-sig")):
            text = f"姓名,身份证号,地区编码,地址\n编码{i},{make_id(seq=520 + i)},{COMMUNITY},第1网格\n"
            result = self.run_file(text.encode(encoding), "r.csv")
            self.assertEqual(result.created, 1, (encoding, result.errors))
        self.assertEqual(Resident.objects.filter(name__startswith="编码").count(), 2)


class ResidentUpsertTests(ImportCase):
    def rows(self) -> list[list[Any]]:
        return [
            [*HEADER, "联系电话", "政治面貌", "户号", "与户主关系", "特殊人群"],
            [
                "户主甲",
                make_id(date(1950, 1, 1), seq=701),
                COMMUNITY,
                "第1网格",
                "13812345678",
                "中共党员",
                "U1",
                "户主",
                "独居老人",
            ],
            ["配偶乙", make_id(date(1952, 1, 1), "F", seq=702), COMMUNITY, "第1网格", "", "群众", "U1", "配偶", ""],
            [
                "独居丙",
                make_id(date(1940, 1, 1), "F", seq=703),
                COMMUNITY,
                "第1网格",
                "",
                "",
                "",
                "",
                "独居老人、残疾人",
            ],
        ]

    def test_reimport_changes_nothing_and_a_changed_cell_updates(self) -> None:
        rows = self.rows()
        preview = self.run_file(xlsx_bytes(rows), dry_run=True)
        self.assertEqual((preview.created, preview.applied), (3, False))
        self.assertEqual(Resident.objects.count(), 0)
        first = self.run_file(xlsx_bytes(rows))
        self.assertEqual((first.created, first.updated, first.unchanged, first.applied), (3, 0, 0, True))
        head = Resident.objects.get(name="户主甲")
        home = Household.objects.get(number="U1")
        self.assertEqual((home.head_id, home.node_id), (head.pk, self.world.grid_a.pk))
        self.assertEqual(Resident.objects.get(name="配偶乙").relation, Relation.SPOUSE)
        self.assertEqual(
            set(Resident.objects.get(name="独居丙").tags.values_list("code", flat=True)), {"elderly_alone", "disabled"}
        )
        self.assertEqual((head.political_status, head.gender, head.birth_date), ("party_member", "M", date(1950, 1, 1)))
        audits = AuditEntry.objects.count()
        again = self.run_file(xlsx_bytes(rows))
        self.assertEqual((again.created, again.updated, again.unchanged), (0, 0, 3))
        self.assertEqual(AuditEntry.objects.count(), audits)
        # A changed phone updates; an emptied cell does not erase.
        rows[1][4] = "13900001111"
        rows[1][5] = ""
        changed = self.run_file(xlsx_bytes(rows))
        self.assertEqual((changed.created, changed.updated, changed.unchanged), (0, 1, 2))
        head.refresh_from_db()
        self.assertEqual((head.phone, head.political_status), ("13900001111", "party_member"))
        entry = AuditEntry.objects.filter(object_pk=str(head.pk), action=AuditEntry.Action.UPDATE).latest("pk")
        self.assertEqual(entry.changes, {"phone": ["13812345678", "13900001111"]})
        self.assertEqual((entry.actor, entry.path), (self.world.officer_a, head.path))

    def test_a_new_head_in_the_file_replaces_the_old_one(self) -> None:
        rows = self.rows()
        self.run_file(xlsx_bytes(rows))
        rows[1][7], rows[2][7] = "配偶", "户主"
        result = self.run_file(xlsx_bytes(rows))
        self.assertEqual((result.updated, result.rejected), (2, 0), result.errors)
        home = Household.objects.get(number="U1")
        spouse, head = Resident.objects.get(name="配偶乙"), Resident.objects.get(name="户主甲")
        self.assertEqual((home.head_id, spouse.relation, head.relation), (spouse.pk, "head", "spouse"))

    def test_a_new_place_is_a_move_kept_in_the_history(self) -> None:
        self.run_file(xlsx_bytes(self.rows()))
        from shequ.territory.actions import do_create_node

        do_create_node(acting_user=self.world.admin, parent=self.world.community_a, kind="grid", name="第2网格")
        rows = [HEADER, ["独居丙", self.rows()[3][1], COMMUNITY, "第2网格"]]
        result = self.run_file(xlsx_bytes(rows))
        self.assertEqual(result.updated, 1, result.errors)
        person = Resident.objects.get(name="独居丙")
        self.assertEqual(person.node.name, "第2网格")
        move = ResidentMove.objects.get(resident=person)
        self.assertEqual(
            (move.from_node_id, move.to_node_id, move.recorded_by),
            (self.world.grid_a.pk, person.node_id, self.world.officer_a),
        )

    def test_all_or_nothing(self) -> None:
        rows = self.rows()
        rows.append(["坏", "1.10101E+17", COMMUNITY, "第1网格", "", "", "", "", ""])
        result = self.run_file(xlsx_bytes(rows), mode="all")
        self.assertFalse(result.applied)
        self.assertEqual(result.rejected, 1)
        self.assertEqual(
            (
                Resident.objects.count(),
                Household.objects.count(),
                AuditEntry.objects.filter(additional_data__event="import").count(),
            ),
            (0, 0, 0),
        )
        valid = self.run_file(xlsx_bytes(rows), mode="valid")
        self.assertTrue(valid.applied)
        self.assertEqual((valid.created, valid.rejected), (3, 1))

    def test_all_or_nothing_across_chunks(self) -> None:
        class Small(ResidentImporter):
            chunk_size = 2

        rows = self.rows()
        rows.append(["坏", "1.10101E+17", COMMUNITY, "第1网格", "", "", "", "", ""])
        result = self.run_file(xlsx_bytes(rows), mode="all", importer=Small)
        self.assertFalse(result.applied)
        self.assertEqual(Resident.objects.count(), 0)
        result = self.run_file(xlsx_bytes(rows[:-1]), importer=Small)
        self.assertEqual(result.created, 3, result.errors)
        self.assertEqual(Household.objects.filter(number="U1").count(), 1)  # named in two chunks, created once
        rows.append(["户主甲重复", rows[1][1], COMMUNITY, "第1网格", "", "", "", "", ""])
        again = self.run_file(xlsx_bytes(rows), importer=Small)
        self.assertEqual((again.unchanged, again.rejected), (3, 2))
        self.assertEqual(self.codes(again)[6], "duplicate_in_file")

    def test_outside_the_importers_scope(self) -> None:
        self.run_file(xlsx_bytes(self.rows()))
        # Street B's officer: street A's place and street A's residents are out of reach.
        result = self.run_file(xlsx_bytes(self.rows()), user=self.world.officer_b)
        self.assertEqual(result.rejected, 3)
        self.assertEqual(set(self.codes(result).values()), {"out_of_scope"})
        other_street = [HEADER, ["新人", make_id(seq=720), "990101002001", "第1网格"]]
        result = self.run_file(xlsx_bytes(other_street))
        self.assertEqual(self.codes(result), {2: "out_of_scope"})
        self.assertFalse(Resident.objects.filter(name="新人").exists())
        # No right to import at all (the auditor): every row is out of scope.
        result = self.run_file(xlsx_bytes(self.rows()), user=self.world.auditor_a)
        self.assertEqual(result.rejected, 3)

    def test_archived_residents_are_left_alone(self) -> None:
        from shequ.people.actions import do_archive_resident

        self.run_file(xlsx_bytes(self.rows()))
        do_archive_resident(Resident.objects.get(name="独居丙"), acting_user=self.world.admin, reason="deceased")
        result = self.run_file(xlsx_bytes(self.rows()))
        self.assertEqual(self.codes(result), {4: "archived"})

    def test_import_is_one_batch_record_and_one_audit_entry_scoped_like_the_import(self) -> None:
        rows = self.rows()
        self.run_file(xlsx_bytes(rows), node=self.world.community_a)
        resident_type = ContentType.objects.get_for_model(Resident)
        # Created rows carry no entry each: they point to the import's record (who, when, file checksum, counts).
        self.assertFalse(AuditEntry.objects.filter(content_type=resident_type).exclude(object_pk="").exists())
        residents = Resident.objects.filter(name__in=[r[0] for r in rows[1:]])
        self.assertEqual(residents.count(), 3)
        job = Job.objects.get(pk=residents[0].import_job_id)
        self.assertEqual({r.import_job_id for r in residents}, {job.pk})
        self.assertEqual((job.user, job.kind, job.status), (self.world.officer_a, "import", Job.Status.DONE))
        self.assertEqual(len(job.params["sha256"]), 64)
        self.assertEqual(job.result["created"], 3)
        entry = AuditEntry.objects.get(content_type=resident_type, additional_data__event="import")
        self.assertEqual(
            (entry.actor, entry.path, entry.changes["created"]),
            (self.world.officer_a, self.world.community_a.path, [None, 3]),
        )
        self.assertNotIn(rows[1][1], json.dumps(entry.changes))
        # The officer's audit list shows it; street B's does not.
        self.assertTrue(AuditEntry.objects.restrict(self.world.officer_a, "view").filter(pk=entry.pk).exists())
        self.assertFalse(AuditEntry.objects.restrict(self.world.officer_b, "view").filter(pk=entry.pk).exists())
        # A resident's history names the import it came from.
        self.client.force_login(self.world.officer_a)
        page = self.client.get(reverse("people:resident_history", args=[residents[0].pk]))
        self.assertContains(page, "residents.xlsx")
        self.assertContains(page, job.params["sha256"][:10])
        # Changing a resident by a second import is recorded field by field, without the number.
        old_name, rows[1][0] = rows[1][0], "改名字"
        self.run_file(xlsx_bytes(rows), node=self.world.community_a)
        changed = AuditEntry.objects.get(content_type=resident_type, action=AuditEntry.Action.UPDATE)
        self.assertEqual((changed.changes["name"], changed.actor), ([old_name, "改名字"], self.world.officer_a))
        self.assertNotIn(rows[1][1], json.dumps(changed.changes))

    def test_job_results_hold_no_number(self) -> None:
        rows = self.rows()
        rows.append(["重复", rows[1][1], COMMUNITY, "第1网格", "", "", "", "", ""])
        rows.append(
            [
                "错号",
                rows[2][1][:-1] + ("1" if rows[2][1][-1] != "1" else "2"),
                COMMUNITY,
                "第1网格",
                "",
                "",
                "",
                "",
                "",
            ]
        )
        result = self.run_file(xlsx_bytes(rows))
        text = json.dumps(result.as_dict(), ensure_ascii=False)
        for row in rows[1:]:
            self.assertNotIn(row[1][:14], text)


class HouseholdImportTests(ImportCase):
    def test_households_with_their_head_and_reimport(self) -> None:
        head = resident(self.world, self.world.grid_a, name="老户主", id_number=make_id(seq=801))
        rows = [
            ["户号", "地区编码", "地址", "门牌", "户主身份证号"],
            ["HH1", COMMUNITY, "第1网格", "402", head.id_number.lower()],
            ["HH2", COMMUNITY, "第1网格", "403", None],
            ["HH3", COMMUNITY, "第1网格", "404", make_id(seq=899)],
            ["HH4", "990101002001", "第1网格", "405", None],
        ]
        result = self.run_file(xlsx_bytes(rows), "households.xlsx", importer=HouseholdImporter)
        self.assertEqual((result.created, result.rejected), (2, 2), result.errors)
        self.assertEqual(self.codes(result), {4: "unknown_head", 5: "out_of_scope"})
        home = Household.objects.get(number="HH1")
        head.refresh_from_db()
        self.assertEqual(
            (home.head_id, home.address, head.household_id, head.relation), (head.pk, "402", home.pk, "head")
        )
        again = self.run_file(xlsx_bytes(rows[:3]), "households.xlsx", importer=HouseholdImporter)
        self.assertEqual((again.created, again.updated, again.unchanged), (0, 0, 2))
        rows[2][3] = "503"
        changed = self.run_file(xlsx_bytes(rows[:3]), "households.xlsx", importer=HouseholdImporter)
        self.assertEqual(changed.updated, 1)
        self.assertEqual(Household.objects.get(number="HH2").address, "503")

    def test_export_round_trip(self) -> None:
        head = resident(self.world, self.world.grid_a, name="导出户主", id_number=make_id(seq=802))
        self.run_file(
            xlsx_bytes(
                [
                    ["户号", "地区编码", "地址", "门牌", "户主身份证号"],
                    ["RT1", COMMUNITY, "第1网格", "1", head.id_number],
                ]
            ),
            "h.xlsx",
            importer=HouseholdImporter,
        )
        self.login(community_worker(self.world))
        rows = xlsx_rows(streamed(self.client.get("/people/households/export/")))
        self.assertEqual(rows[0][:6], ["户号", "地区编码", "地址", "门牌", "户主身份证号", "户主"])
        again = self.run_file(xlsx_bytes(rows), "h.xlsx", importer=HouseholdImporter)
        self.assertEqual((again.created, again.updated, again.unchanged, again.rejected), (0, 0, 1, 0), again.errors)


class ExportRoundTripTests(ImportCase):
    def test_export_reimports_unchanged_and_masked_numbers_say_why(self) -> None:
        rows = [
            [
                *HEADER,
                "出生日期",
                "联系电话",
                "民族",
                "文化程度",
                "政治面貌",
                "就业状况",
                "人员类型",
                "户号",
                "与户主关系",
                "特殊人群",
                "备注",
            ],
            [
                "往返",
                make_id(seq=901),
                COMMUNITY,
                "第1网格",
                "",
                "13812345678",
                "回族",
                "本科",
                "共青团员",
                "在职",
                "流动人口",
                "RT",
                "户主",
                "残疾人",
                "备注一",
            ],
        ]
        self.assertEqual(self.run_file(xlsx_bytes(rows)).created, 1)
        worker = community_worker(self.world)
        self.login(worker)
        exported = xlsx_rows(streamed(self.client.get("/people/residents/export/")))
        result = self.run_file(xlsx_bytes(exported), user=worker)
        self.assertEqual((result.unchanged, result.updated, result.rejected), (1, 0, 0), result.errors)
        self.login(self.world.officer_a)
        masked = xlsx_rows(streamed(self.client.get("/people/residents/export/")))
        result = self.run_file(xlsx_bytes(masked))
        self.assertEqual(self.codes(result), {2: "id_masked"})

    def test_template(self) -> None:
        self.login(self.world.officer_a)
        header = xlsx_rows(streamed(self.client.get("/people/residents/import/template/")))[0]
        self.assertEqual(header[:4], ["姓名*", "身份证号*", "性别", "出生日期"])
        self.assertIn("与户主关系", header)


class PlaintextTests(ImportCase):
    """The identity number is nowhere in the database in plaintext, nor in the logs."""

    def test_not_in_any_column_of_the_database(self) -> None:
        number = make_id(seq=980)
        person = resident(self.world, self.world.grid_a, name="明文", id_number=number)
        rows = [HEADER, ["导入明文", make_id(seq=981), COMMUNITY, "第1网格"]]
        self.run_file(xlsx_bytes(rows))
        imported = Resident.objects.get(name="导入明文")
        with connection.cursor() as cursor:
            cursor.execute("SELECT id_number, id_hash FROM people_resident WHERE id = %s", [person.pk])
            stored, stored_hash = cursor.fetchone()
            self.assertTrue(stored.startswith("v1:"))
            self.assertNotIn(number, stored)
            self.assertNotIn(number, stored_hash)
            # Every text column of every table.
            for needle in (number, imported.id_number, number[6:14] + number[14:]):
                for table in connection.introspection.table_names(cursor):
                    columns = [c.name for c in connection.introspection.get_table_description(cursor, table)]
                    where = " OR ".join(f'CAST("{c}" AS TEXT) LIKE %s' for c in columns)
                    cursor.execute(f'SELECT COUNT(*) FROM "{table}" WHERE {where}', [f"%{needle}%"] * len(columns))
                    self.assertEqual(cursor.fetchone()[0], 0, (table, needle[:6]))

    def test_not_in_the_logs(self) -> None:
        import logging

        number = make_id(seq=982)
        rows = [HEADER, ["日志", number, COMMUNITY, "第1网格"], ["日志二", number, COMMUNITY, "第1网格"]]
        with self.assertLogs(level="DEBUG") as logs:
            logging.getLogger("shequ").info("start")
            self.run_file(xlsx_bytes(rows))
            self.login(self.world.officer_a)
            self.client.get("/people/residents/", {"q": number})
            self.client.get("/api/v1/people/residents/", {"id_number": number})
            self.client.post(
                "/people/residents/add/",
                {"name": "日志三", "id_number": number[:-1] + "0", "node": self.world.grid_a.pk},
            )
            # A job that fails on a file holding numbers logs its traceback: no number in it either.
            from shequ.core.tasks import import_handler

            class Broken(ResidentImporter):
                def validate(self, rows: list[Any]) -> None:
                    raise RuntimeError(f"cannot check {rows[0].cells}")

            job = Job.objects.create(kind="import", title="x", user=self.world.officer_a, params={})
            from shequ.core import files

            path = files.storage_dir("imports") / "x.xlsx.enc"
            files.store_chunks(path, [xlsx_bytes(rows)])  # uploads are stored encrypted
            job.params = {"model": "people.resident", "path": str(path), "filename": "x.xlsx", "dry_run": True}
            from shequ.core.registry import IMPORTERS

            IMPORTERS["people.resident"], saved = Broken, IMPORTERS["people.resident"]
            try:
                import_handler(job)
            except RuntimeError:
                logging.getLogger("shequ.core.tasks").exception("job %s failed", job.pk)  # as run_job does
            finally:
                IMPORTERS["people.resident"] = saved
        our_records = [r for r in logs.records if not r.name.startswith("py.warnings")]
        failure = next(r for r in our_records if r.name == "shequ.core.tasks")
        self.assertIn(
            number, logging.Formatter().formatException(failure.exc_info or (None, None, None))
        )  # the test can fail
        # What reaches the log handler of the settings (with the masking filter) never holds the number.
        from shequ.core.logging import MaskPersonalDataFilter

        masking = MaskPersonalDataFilter()
        for record in our_records:
            masking.filter(record)
            text = record.getMessage() + (record.exc_text or "")
            self.assertNotIn(number, text)


# The same pitfalls and upserts, with the file read in a separate process (as files over 1 MiB are).
@override_settings(SHEQU_PARALLEL_IMPORT_BYTES=0)
class ParallelReaderPitfallTests(ResidentImportPitfallTests):
    pass


@override_settings(SHEQU_PARALLEL_IMPORT_BYTES=0)
class ParallelReaderUpsertTests(ResidentUpsertTests):
    def test_the_reader_runs_in_another_process(self) -> None:
        importer = ResidentImporter(self.world.officer_a, None)
        self.assertTrue(importer.parallel_reader(__file__))
        with self.settings(SHEQU_PARALLEL_IMPORT_BYTES=None):
            self.assertFalse(importer.parallel_reader(__file__))

    def test_the_reader_is_forked_only_while_cores_sit_idle(self) -> None:
        from unittest import mock

        from shequ.core import parallelread

        importer = ResidentImporter(self.world.officer_a, None)
        with self.settings(SHEQU_PARALLEL_IMPORT_BYTES=1), mock.patch("os.sched_getaffinity", return_value={0, 1}):
            for idle, forked in ((1.9, True), (1.0, False), (0.1, False)):
                with mock.patch.object(parallelread, "_idle_cores", return_value=idle):
                    self.assertEqual(importer.parallel_reader(__file__), forked, idle)
            with mock.patch("os.sched_getaffinity", return_value={0}):  # a single core: never
                with mock.patch.object(parallelread, "_idle_cores", return_value=1.9):
                    self.assertFalse(importer.parallel_reader(__file__))
        self.assertIsNotNone(parallelread._idle_cores(0.01))  # Linux's counters are readable

    def test_an_unreadable_file_says_so(self) -> None:
        from shequ.core.exceptions import ActionError

        with self.assertRaises(ActionError) as caught:
            self.run_file(b"PK\x03\x04 not really a workbook")
        self.assertEqual(caught.exception.code, "unreadable")
        with self.assertRaises(ActionError) as caught:
            self.run_file(xlsx_bytes([["列一", "列二"], ["a", "b"]]))
        self.assertEqual(caught.exception.code, "no_header")


@override_settings(SHEQU_STREAM_XLSX_BYTES=0)
class StreamedResidentImportPitfallTests(ResidentImportPitfallTests):
    """The same files through the streaming .xlsx reader, which files from 10 MB on go through."""


@override_settings(SHEQU_STREAM_XLSX_BYTES=0)
class StreamedResidentUpsertTests(ResidentUpsertTests):
    """The same files through the streaming .xlsx reader, which files from 10 MB on go through."""
