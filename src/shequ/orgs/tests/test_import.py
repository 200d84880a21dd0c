"""Organizations and posts from the spreadsheets community offices really produce, and back out again."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.utils.translation import gettext as _
from stdnum.cn import ric

from shequ.core.importing import ImportResult, RowError
from shequ.core.testing import WorldTestCase, spreadsheet_file, streamed, xlsx_bytes, xlsx_rows
from shequ.orgs.cells import date_cell, kind_cell, title_cell
from shequ.orgs.importers import OrganizationImporter, PostImporter
from shequ.orgs.models import Organization, OrgKind, Post, Registration, Title
from shequ.people.cells import id_number_cell
from shequ.territory.actions import do_create_node
from shequ.territory.models import Kind

from .helpers import make_uscc, org, post, resident


def make_id(birth: str = "19800101", seq: str = "123", region: str = "110101") -> str:
    body = region + birth + seq
    return body + ric.calc_check_digit(body + "0")  # (it expects a placeholder check digit)


class ImportCase(WorldTestCase):
    importer: Any = OrganizationImporter

    def setUp(self) -> None:
        w = self.world
        self.estate1 = do_create_node(acting_user=w.admin, parent=w.grid_a, kind=Kind.ESTATE, name="阳光小区")
        self.estate2 = do_create_node(acting_user=w.admin, parent=w.grid_a, kind=Kind.ESTATE, name="翠湖花园")
        self.building = do_create_node(acting_user=w.admin, parent=self.estate1, kind=Kind.BUILDING, name="1号楼")

    def run_file(
        self, rows: list[list[Any]], user: Any = None, dry_run: bool = False, mode: str = "valid", name: str = "f.xlsx"
    ) -> ImportResult:
        content = (
            xlsx_bytes(rows)
            if name.endswith(".xlsx")
            else "\n".join(",".join("" if c is None else str(c) for c in r) for r in rows).encode("gb18030")
        )
        path, report = spreadsheet_file(self, content, name)
        importer = self.importer(user or self.world.officer_a)
        return importer.run(path, name, dry_run=dry_run, mode=mode, report_path=report)

    def reasons(self, result: ImportResult) -> dict[int, str]:
        return {e["row"]: e["message"] for e in result.errors}


class CellTests(WorldTestCase):
    def test_dates(self) -> None:
        for raw in (
            "2024-03-01",
            "2024/3/1",
            "2024.3.1",
            "2024年3月1日",
            "２０２４年３月１日",
            "20240301",
            45352,
            45352.0,
        ):
            self.assertEqual(date_cell(raw), date(2024, 3, 1), raw)
        self.assertEqual(date_cell("2024年3月"), date(2024, 3, 1))
        self.assertEqual(date_cell("2024-03-01 00:00:00"), date(2024, 3, 1))
        self.assertIsNone(date_cell("至今"))
        for raw in ("2024-02-30", "三月", 2024):
            with self.assertRaises(RowError, msg=raw):
                date_cell(raw)

    def test_identity_numbers(self) -> None:
        number = make_id(seq="002")
        self.assertEqual(id_number_cell(" " + number.lower() + " "), number)
        full_width = number.translate({ord(c): ord(c) + 0xFEE0 for c in "0123456789"})
        self.assertEqual(id_number_cell(full_width), number)
        for raw in (
            1.10101198001011e17,
            "1.10101E+17",
            110101198001011000,
            number[:-1] + "0" if number[-1] != "0" else number[:-1] + "1",
            "110101800101123",
            "11010119801301123",
        ):
            with self.assertRaises(RowError, msg=raw):
                id_number_cell(raw)
        with_x = next(make_id(seq=f"{i:03d}") for i in range(1000) if make_id(seq=f"{i:03d}").endswith("X"))
        self.assertEqual(id_number_cell(with_x.lower()), with_x)

    def test_kinds_and_titles_by_chinese_names(self) -> None:
        self.assertEqual(kind_cell("街道党（工）委"), OrgKind.STREET_COMMITTEE)
        self.assertEqual(kind_cell(" 社区居民委员会 "), OrgKind.RESIDENTS_COMMITTEE)
        self.assertEqual(kind_cell("物业服务企业"), OrgKind.PROPERTY_COMPANY)
        self.assertEqual(kind_cell("两新组织（非公企业）"), OrgKind.NONPUBLIC_ENTERPRISE)
        self.assertEqual(kind_cell("branch"), OrgKind.BRANCH)
        with self.assertRaises(RowError):
            kind_cell("生产大队")
        self.assertEqual(title_cell("党委书记"), (Title.SECRETARY, ""))
        self.assertEqual(title_cell("居委会主任"), (Title.DIRECTOR, ""))
        self.assertEqual(title_cell("楼长"), (Title.BUILDING_HEAD, ""))
        self.assertEqual(title_cell("宣传委员"), (Title.OTHER, "宣传委员"))


class OrganizationImportTests(ImportCase):
    HEADER = ["名称", "类型", "所在地编码", "所在地", "上级组织"]

    def test_a_whole_tree_with_title_rows_synonyms_and_parents_in_the_file(self) -> None:
        rows: list[list[Any]] = [
            ["和平街道组织名册（2025年）", None, None, None, None],
            [None, None, None, None, None],
            [" 组织名称 ", "组织类型", "所在地代码", "所在地", "隶属"],
            ["和平街道党工委", "街道党（工）委", "９９０１０１００１", None, None],
            ["和平社区党委", "党委", "990101001001", None, "和平街道党工委"],
            ["阳光小区党支部", "小区党支部", None, "和平社区/第1网格/阳光小区", "和平社区党委"],
            [None, None, None, None, None],
            ["1号楼党小组", "楼栋党小组", None, "阳光小区/1号楼", "和平街道党工委/和平社区党委/阳光小区党支部"],
            ["1号楼党小组", "楼栋党小组", None, "阳光小区/1号楼", "和平街道党工委/和平社区党委/阳光小区党支部"],
            ["和平社区居委会", "社区居民委员会", "990101001001", None, None],
        ]
        result = self.run_file(rows)
        self.assertEqual((result.created, result.rejected, result.duplicates), (5, 0, 1), result.errors)
        group = Organization.objects.get(name="1号楼党小组")
        self.assertEqual(group.node, self.building)
        self.assertEqual(group.parent and group.parent.name, "阳光小区党支部")
        self.assertEqual(group.parent.parent.parent.name, "和平街道党工委")  # type: ignore[union-attr]
        # The same file again changes nothing; an edited cell is an update.
        again = self.run_file(rows)
        self.assertEqual((again.created, again.updated, again.unchanged), (0, 0, 5), again.errors)
        rows[9] = ["和平社区居委会", "居委会", "990101001001", None, None]
        rows[3] = ["和平街道党工委", "街道党工委", "990101001", None, None]
        rows.append(["新支部", "党支部", "990101001001", None, "和平社区党委"])
        third = self.run_file(rows)
        self.assertEqual((third.created, third.updated, third.unchanged), (1, 0, 5), third.errors)

    def test_rejections_say_why(self) -> None:
        org(self.world.street_a, OrgKind.STREET_COMMITTEE, "和平街道党工委")
        rows: list[list[Any]] = [
            [*self.HEADER, "统一社会信用代码"],
            ["好单位", "驻区单位", "990101001001", None, None, make_uscc(1)],
            ["坏类型", "生产大队", "990101001001", None, None, None],
            ["越界单位", "驻区单位", "990101002001", None, None, None],
            ["错层级", "党小组", "990101001001", None, "和平街道党工委", None],
            ["错位置", "居委会", None, "阳光小区", None, None],
            ["坏代码", "驻区单位", "990101001001", None, None, "91420100000000001X"],
            ["无处", "驻区单位", None, None, None, None],
            ["无上级", "党支部", "990101001001", None, "不存在的党委", None],
            ["非党上级", "志愿服务队", "990101001001", None, "和平街道党工委", None],
            ["子组织", "党小组", None, "阳光小区/1号楼", "无上级", None],
        ]
        result = self.run_file(rows)
        self.assertEqual(result.created, 1, result.errors)
        reasons = self.reasons(result)
        self.assertEqual(set(reasons), set(range(3, 12)))
        self.assertIn("生产大队", reasons[3])
        self.assertIn("990101002001", reasons[4])
        self.assertIn("和平街道党工委", reasons[5])
        self.assertIn("阳光小区", reasons[6])
        self.assertIn("统一社会信用代码", reasons[7])
        self.assertIn("所在地", reasons[8])
        self.assertIn("不存在的党委", reasons[9])
        self.assertIn("和平街道党工委", reasons[10])
        self.assertIn("无上级", reasons[11])  # its parent (row 9) was rejected, so it is not found
        # The rejected rows come back as a spreadsheet with their cells and the reason.
        report = xlsx_rows(open(result.report, "rb").read())
        self.assertEqual(len(report), 1 + 9)
        self.assertEqual(report[1][1], "坏类型")
        self.assertIn("生产大队", report[1][-1])

    def test_all_or_nothing_writes_nothing_when_a_row_is_bad(self) -> None:
        rows: list[list[Any]] = [
            self.HEADER,
            ["好单位", "驻区单位", "990101001001", None, None],
            ["坏", "大队", "990101001001", None, None],
        ]
        result = self.run_file(rows, mode="all")
        self.assertFalse(result.applied)
        self.assertFalse(Organization.objects.filter(name="好单位").exists())

    def test_property_company_alliance_two_new_and_social_columns(self) -> None:
        w = self.world
        existing_unit = org(w.community_a, OrgKind.RESIDENT_UNIT, "市第一医院")
        rows: list[list[Any]] = [
            [
                "名称",
                "类型",
                "所在地编码",
                "服务小区",
                "合同开始日期",
                "合同到期日期",
                "成员单位",
                "是否建立党组织",
                "开展党的工作",
                "登记状态",
                "备案日期",
                "统一社会信用代码",
            ],
            [
                "安居物业",
                "物业公司",
                "990101001001",
                "阳光小区、翠湖花园",
                "2024年1月1日",
                45658,
                None,
                None,
                None,
                None,
                None,
                make_uscc(2),
            ],
            [
                "和平党建联盟",
                "党建联盟",
                "990101001001",
                None,
                None,
                None,
                "市第一医院，安居物业",
                None,
                None,
                None,
                None,
                None,
            ],
            ["甲科技公司", "非公企业", "990101001001", None, None, None, None, "是", "否", None, None, None],
            ["书画协会", "社会组织", "990101001001", None, None, None, None, None, None, "备案", "2023.5.1", None],
            ["错配小区", "驻区单位", "990101001001", "阳光小区", None, None, None, None, None, None, None, None],
        ]
        result = self.run_file(rows)
        self.assertEqual((result.created, result.rejected), (4, 1), result.errors)
        self.assertEqual(self.reasons(result)[6], str(_("Only property companies serve residential areas.")))
        company = Organization.objects.get(name="安居物业")
        self.assertEqual({e.name for e in company.estates.all()}, {"阳光小区", "翠湖花园"})
        self.assertEqual((company.contract_start, company.contract_end), (date(2024, 1, 1), date(2025, 1, 1)))
        alliance = Organization.objects.get(name="和平党建联盟")
        self.assertEqual({m.name for m in alliance.members.all()}, {"市第一医院", "安居物业"})
        self.assertIn(existing_unit, alliance.members.all())
        tech = Organization.objects.get(name="甲科技公司")
        self.assertEqual((tech.has_party_org, tech.party_work_carried_out), (True, False))
        social = Organization.objects.get(name="书画协会")
        self.assertEqual((social.registration, social.filed_on), (Registration.FILED, date(2023, 5, 1)))
        # Re-importing changes nothing; dropping a member unit is an update.
        again = self.run_file(rows[:-1])
        self.assertEqual((again.created, again.updated, again.unchanged), (0, 0, 4), again.errors)
        rows[2][6] = "安居物业"
        third = self.run_file(rows[:-1])
        self.assertEqual((third.updated, third.unchanged), (1, 3), third.errors)
        self.assertEqual([m.name for m in alliance.members.all()], ["安居物业"])

    def test_csv_in_gb18030_and_a_dissolution(self) -> None:
        team = org(self.world.community_a, OrgKind.VOLUNTEER_TEAM, "志愿服务队")
        held = post(team, Title.CAPTAIN, name="王队长")
        rows = [
            ["名称", "类型", "所在地编码", "状态", "撤销日期"],
            ["志愿服务队", "志愿服务队", "990101001001", "已撤销", "2025-03-01"],
        ]
        result = self.run_file(rows, name="teams.csv")
        self.assertEqual(result.updated, 1, result.errors)
        team.refresh_from_db()
        held.refresh_from_db()
        self.assertEqual((team.active, team.dissolved_on, held.end_date), (False, date(2025, 3, 1), date(2025, 3, 1)))
        self.assertEqual(self.run_file(rows, name="teams.csv").unchanged, 1)

    def test_export_imports_back_unchanged_and_the_template_has_the_headers(self) -> None:
        w = self.world
        sc = org(w.street_a, OrgKind.STREET_COMMITTEE, "和平街道党工委")
        party = org(w.community_a, OrgKind.COMMUNITY_COMMITTEE, "和平社区党委", parent=sc)
        org(self.estate1, OrgKind.BRANCH, "阳光小区党支部", parent=party)
        company = org(
            w.community_a, OrgKind.PROPERTY_COMPANY, "安居物业", code=make_uscc(3), contract_end=date(2026, 1, 1)
        )
        company.estates.set([self.estate1])
        alliance = org(w.community_a, OrgKind.ALLIANCE, "联盟")
        alliance.members.set([company])
        org(w.community_a, OrgKind.NEW_SOCIAL_ORG, "乙协会", has_party_org=True)
        org(w.community_b, OrgKind.RESIDENT_UNIT, "胜利中学")
        self.login(w.officer_a)
        response = self.client.get("/orgs/organizations/export/")
        self.assertEqual(response.status_code, 200)
        exported = xlsx_rows(streamed(response))
        self.assertEqual(exported[0][:5], ["名称", "类型", "所在地编码", "所在地", "上级组织"])
        names = [r[0] for r in exported[1:]]
        self.assertNotIn("胜利中学", names)
        self.assertEqual(len(names), 6)
        result = self.run_file(exported)
        self.assertEqual((result.created, result.updated, result.unchanged), (0, 0, 6), result.errors)
        template = xlsx_rows(streamed(self.client.get("/orgs/organizations/import/template/")))
        self.assertEqual(template[0][:3], ["名称*", "类型*", "所在地编码"])


class PostImportTests(ImportCase):
    importer = PostImporter
    HEADER = ["姓名", "身份证号", "组织", "组织所在地", "职务", "任职开始日期", "任职结束日期"]

    def setUp(self) -> None:
        super().setUp()
        w = self.world
        self.party = org(w.community_a, OrgKind.COMMUNITY_COMMITTEE, "和平社区党委")
        self.rc = org(w.community_a, OrgKind.RESIDENTS_COMMITTEE, "和平社区居委会")
        self.branch1 = org(self.estate1, OrgKind.BRANCH, "第一党支部", parent=self.party)
        self.branch2 = org(self.estate2, OrgKind.BRANCH, "第一党支部", parent=self.party)
        self.zhang_id = make_id(seq="011")
        self.zhang = resident(w.community_a, "张三", self.zhang_id)
        self.li_id = next(make_id(seq=f"{i:03d}") for i in range(100, 999) if make_id(seq=f"{i:03d}").endswith("X"))
        self.li = resident(w.community_a, "李四", self.li_id)
        self.far_id = make_id(seq="021")
        resident(w.community_b, "赵六", self.far_id)

    def test_identity_numbers_dates_titles_and_names(self) -> None:
        rows: list[list[Any]] = [
            ["任职情况登记表", None, None, None, None, None, None],
            self.HEADER,
            ["张三", self.zhang_id, "和平社区党委", None, "党委书记", 44348, None],
            ["李四", self.li_id.lower(), "和平社区居委会", None, "居委会副主任", "2021.6.1", "至今"],
            ["王五", None, "和平社区党委", None, "宣传委员", "2021年6月1日", None],
            ["张三", self.zhang_id, "和平社区居委会", None, "主任", "2021-06-01", None],
            ["甲", 1.10101198001011e17, "和平社区党委", None, "委员", "2021-06-01", None],
            ["乙", "1.10101E+17", "和平社区党委", None, "委员", "2021-06-01", None],
            [
                "丙",
                self.zhang_id[:-1] + ("0" if self.zhang_id[-1] != "0" else "1"),
                "和平社区党委",
                None,
                "委员",
                "2021-06-01",
                None,
            ],
            ["李四", self.zhang_id, "和平社区党委", None, "委员", "2021-06-01", None],
            ["赵六", self.far_id, "和平社区党委", None, "委员", "2021-06-01", None],
            ["丁", None, "第一党支部", None, "书记", "2021-06-01", None],
            ["丁", None, "第一党支部", "阳光小区", "书记", "2021-06-01", None],
            ["戊", None, "和平社区党委", None, "委员", "2021-06-01", "2020-01-01"],
            ["己", None, "胜利社区党委", None, "委员", "2021-06-01", None],
            ["庚", None, "和平社区党委", None, "委员", "明年", None],
        ]
        result = self.run_file(rows)
        self.assertEqual(result.created, 5, result.errors)
        reasons = self.reasons(result)
        self.assertEqual(set(reasons), {7, 8, 9, 10, 11, 12, 14, 15, 16})
        self.assertIn("1.10101E+17", reasons[7])
        self.assertIn("1.10101E+17", reasons[8])
        self.assertIn("张三", reasons[10])
        self.assertNotIn(self.far_id, reasons[11])  # never the full number in a message
        self.assertIn("组织所在地", reasons[12])
        self.assertIn("胜利社区党委", reasons[15])
        self.assertIn("明年", reasons[16])
        secretary = Post.objects.get(organization=self.party, title=Title.SECRETARY)
        self.assertEqual(
            (secretary.person, secretary.start_date, secretary.end_date), (self.zhang, date(2021, 6, 1), None)
        )
        deputy = Post.objects.get(organization=self.rc, title=Title.DEPUTY_DIRECTOR)
        self.assertEqual((deputy.person, deputy.start_date), (self.li, date(2021, 6, 1)))
        other = Post.objects.get(person_name="王五")
        self.assertEqual((other.title, other.title_other), (Title.OTHER, "宣传委员"))
        self.assertEqual(Post.objects.get(person_name="丁").organization, self.branch1)
        again = self.run_file(rows)
        self.assertEqual((again.created, again.unchanged), (0, 5))

    def test_overlaps_in_the_file_and_with_the_record_and_a_new_term(self) -> None:
        post(self.party, Title.SECRETARY, self.zhang, start=date(2018, 1, 1))
        rows: list[list[Any]] = [
            self.HEADER,
            ["张三", self.zhang_id, "和平社区党委", None, "书记", "2020-01-01", None],
            ["王五", None, "和平社区党委", None, "委员", "2020-01-01", "2022-12-31"],
            ["王五", None, "和平社区党委", None, "委员", "2022-06-01", None],
        ]
        result = self.run_file(rows)
        reasons = self.reasons(result)
        self.assertEqual(set(reasons), {2, 4}, result.errors)
        self.assertIn("2018-01-01", reasons[2])
        self.assertIn("3", reasons[4])
        # Closing the current term and opening the next one in the same file is fine.
        rows = [
            self.HEADER,
            ["张三", self.zhang_id, "和平社区党委", None, "书记", "2018-01-01", "2023-01-01"],
            ["张三", self.zhang_id, "和平社区党委", None, "书记", "2023-01-01", None],
        ]
        result = self.run_file(rows)
        self.assertEqual((result.created, result.updated, result.rejected), (1, 1, 0), result.errors)
        terms = list(Post.objects.filter(person=self.zhang, title=Title.SECRETARY).order_by("start_date"))
        self.assertEqual(
            [(t.start_date, t.end_date) for t in terms],
            [(date(2018, 1, 1), date(2023, 1, 1)), (date(2023, 1, 1), None)],
        )

    def test_export_is_masked_and_imports_back_unchanged(self) -> None:
        post(self.party, Title.SECRETARY, self.zhang, start=date(2021, 6, 1))
        post(self.branch2, Title.SECRETARY, name="丁", start=date(2021, 6, 1))
        post(self.rc, Title.OTHER, name="王五", start=date(2021, 6, 1), other="宣传委员")
        self.login(self.world.officer_a)
        exported = xlsx_rows(streamed(self.client.get("/orgs/posts/export/")))
        self.assertEqual(
            exported[0], ["姓名", "身份证号", "组织", "组织所在地", "职务", "任职开始日期", "任职结束日期", "备注"]
        )
        zhang = next(r for r in exported if r[0] == "张三")
        self.assertIn("*", zhang[1])
        self.assertNotIn(self.zhang_id, str(exported))
        self.assertIn("宣传委员", [r[4] for r in exported])
        result = self.run_file(exported)
        self.assertEqual((result.created, result.updated, result.unchanged), (0, 0, 3), result.errors)
