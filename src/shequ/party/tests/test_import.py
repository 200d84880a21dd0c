"""Members' spreadsheets with the residents' pitfalls (issue 4 §7): numbers damaged by Excel, masks,
dates as offices write them, duplicates in the file, re-importing, empty cells, archives outside the area,
a change of organization (a transfer, not an import), the Party's rules, a branch secretary's branch."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, ClassVar

from shequ.accounts.actions import do_grant
from shequ.accounts.models import User
from shequ.core.importing import ImportResult
from shequ.core.testing import WorldTestCase, spreadsheet_file
from shequ.party.importers import PartyMemberImporter
from shequ.party.models import Category, MemberStatus, PartyMember
from shequ.people.identity import mask_id
from shequ.people.models import Education
from shequ.people.tests.helpers import make_id
from shequ.people.tests.test_import import xlsx_with_title

from .helpers import PartyTree, member

HEADER = ["党员姓名", "公民身份号码", "所在支部", "入党时间", "转正时间", "人员类别", "文化程度", "手机号码"]


class MemberImportTests(WorldTestCase):
    tree: ClassVar[PartyTree]

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.tree = PartyTree(cls.world)

    def run_rows(
        self, rows: list[list[Any]], user: Any = None, numbers: dict[tuple[int, int], float] | None = None
    ) -> ImportResult:
        content = xlsx_with_title([HEADER, *rows], "党员花名册", numbers)
        path, report = spreadsheet_file(self, content, ".xlsx")
        return PartyMemberImporter(user or self.world.officer_a, None).run(
            path, "members.xlsx", dry_run=False, mode="valid", report_path=report
        )

    def codes(self, result: ImportResult) -> dict[int, str]:
        return {e["row"]: e.get("code", "") for e in result.errors}

    def test_offices_spreadsheet_and_reimport(self) -> None:
        branch = self.tree.branch_a.name
        rows: list[list[Any]] = [
            ["甲", make_id(born=date(1970, 1, 1), seq=811), branch, "1995年7月1日", "1996.7.1", "退休", "大专", ""],
            [
                "乙",
                make_id(born=date(1985, 1, 1), seq=812),
                branch,
                datetime(2010, 7, 1),
                "",
                "在职",
                "本科",
                "13812345678",
            ],
            ["丙", None, branch, "2012-07-01", "2013-07-01", "在职", "本科", ""],  # a number Excel kept as a number
            ["丁", mask_id(make_id(seq=813)), branch, "2012-07-01", "2013-07-01", "在职", "本科", ""],  # masked
            ["戊", make_id(born=date(1985, 1, 1), seq=812), branch, "2012-07-01", "2013-07-01", "在职", "", ""],
            ["己", make_id(born=date(1980, 1, 1), seq=814), "不存在的党支部", "2012-07-01", "", "", "", ""],
            # Converted three years after joining: not on time, nor after an extension of at most a year.
            ["庚", make_id(born=date(1980, 1, 1), seq=815), branch, "2012-07-01", "2015-07-01", "在职", "", ""],
        ]
        result = self.run_rows(rows, numbers={(4, 1): float(make_id(born=date(1980, 1, 1), seq=816))})
        self.assertEqual(result.created, 2, result.errors)
        self.assertEqual(
            self.codes(result),
            {5: "id_excel_number", 6: "id_masked", 7: "duplicate_row", 8: "unknown_org", 9: "conversion_date"},
        )
        first = PartyMember.objects.get(name="甲")
        self.assertEqual(
            (first.status, first.category, first.education, first.joined_on, first.converted_on),
            (MemberStatus.FULL, Category.RETIRED, Education.COLLEGE, date(1995, 7, 1), date(1996, 7, 1)),
        )
        second = PartyMember.objects.get(name="乙")
        self.assertEqual((second.status, second.probation_ends), (MemberStatus.PROBATIONARY, date(2011, 7, 1)))
        # The same file again changes nothing; empty cells never erase what is recorded.
        again = self.run_rows(rows[:2])
        self.assertEqual((again.created, again.updated, again.unchanged), (0, 0, 2))
        rows[1][7] = ""
        rows[1][6] = "硕士"
        changed = self.run_rows(rows[:2])
        self.assertEqual((changed.updated, changed.unchanged), (1, 1))
        second.refresh_from_db()
        self.assertEqual((second.phone, second.education), ("13812345678", Education.MASTER))

    def test_scope_and_transfers(self) -> None:
        outside = member(self.world, self.tree.branch_b, name="外街党员")
        here = member(self.world, self.tree.branch_a, name="本街党员")
        rows: list[list[Any]] = [
            ["外街党员", outside.id_number, self.tree.branch_a.name, "2010-07-01", "2011-07-01", "在职", "", ""],
            ["本街党员", here.id_number, self.tree.grid_branch_a.name, "2010-07-01", "2011-07-01", "在职", "", ""],
            ["新党员", make_id(born=date(1980, 1, 1), seq=821), self.tree.branch_b.name, "2010-07-01", "", "", "", ""],
        ]
        result = self.run_rows(rows)
        self.assertEqual(self.codes(result), {3: "out_of_scope", 4: "transfer_needed", 5: "unknown_org"})
        self.assertNotIn(self.tree.branch_b.name, result.errors[0]["message"])  # whose archive is not said
        here.refresh_from_db()
        self.assertEqual(here.organization, self.tree.branch_a)

    def test_branch_secretary_imports_into_their_branch_only(self) -> None:
        secretary = User.objects.create_user("import_secretary", password="x-pass-123", node=self.world.community_a)
        do_grant(secretary, "branch_secretary", None, acting_user=self.world.admin, organization=self.tree.branch_a)
        rows: list[list[Any]] = [
            ["本支部", make_id(born=date(1980, 1, 1), seq=831), self.tree.branch_a.name, "2010-07-01", "", "", "", ""],
            [
                "网格支部",
                make_id(born=date(1980, 1, 1), seq=832),
                self.tree.grid_branch_a.name,
                "2010-07-01",
                "",
                "",
                "",
                "",
            ],
        ]
        result = self.run_rows(rows, user=secretary)
        self.assertEqual((result.created, self.codes(result)), (1, {4: "unknown_org"}))

    def test_same_name_in_two_places_needs_the_place_code(self) -> None:
        from .helpers import org

        org(self.world.community_b, "branch", self.tree.branch_a.name, self.tree.committee_b)
        rows: list[list[Any]] = [
            ["重名", make_id(born=date(1980, 1, 1), seq=841), self.tree.branch_a.name, "2010-07-01", "", "", "", ""],
        ]
        result = self.run_rows(rows, user=self.world.admin)
        self.assertEqual(self.codes(result), {3: "ambiguous_org"})
