"""``shequ import`` / ``shequ export`` of residents and households: the inherited set, and what is theirs
(all or nothing with a report of the rejected rows, identity numbers masked by role)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import CommandError
from django.utils.translation import gettext as _

from shequ.core.models import Job
from shequ.core.testing import CommandTestMixin, WorldTestCase, xlsx_rows
from shequ.people.models import Resident
from shequ.people.tests.helpers import community_worker, make_id, resident
from shequ.people.tests.test_views import HouseholdData, ResidentData

COMMUNITY = "990101001001"  # 和平社区, street A


class ResidentCommandTests(ResidentData, CommandTestMixin, WorldTestCase):
    command_kind = "residents"

    def round_trip_user(self) -> Any:
        return community_worker(self.world)  # who may see the full identity numbers, so the file imports back

    def export_extra_headers(self) -> list[str]:
        return [_("Archived")]

    def test_import_all_or_nothing_with_a_report(self) -> None:
        rows = [
            ["姓名", "身份证号", "地址"],
            ["命令甲", make_id(seq=950), "第1网格"],
            ["命令乙", make_id(seq=951), "第1网格"],
        ]
        done = self.command("import", "residents", self.sheet(rows), "--node", COMMUNITY, "--user", "officer_a")
        self.assertEqual((done["created"], done["applied"]), (2, True))
        again = self.command("import", "residents", self.sheet(rows), "--node", COMMUNITY)  # as the superuser
        self.assertEqual((again["created"], again["unchanged"]), (0, 2))
        bad = self.sheet([*rows, ["命令丙", "1.10101E+17", "第1网格"]])
        result = self.command("import", "residents", bad, "--node", COMMUNITY, "--mode", "all")
        self.assertEqual((result["rejected"], result["applied"]), (1, False))
        self.assertTrue(Path(result["report"]).exists())
        self.assertFalse(Resident.objects.filter(name="命令丙").exists())
        job = Job.objects.filter(params__command=True).latest("pk")
        self.assertEqual((job.result["rejected"], len(job.params["sha256"])), (1, 64))

    def test_rows_of_another_street_by_code(self) -> None:
        rows = [["姓名", "身份证号", "地址"], ["越界", make_id(seq=960), "第1网格"]]
        result = self.command("import", "residents", self.sheet(rows), "--node", "990101002001", "--user", "officer_b")
        self.assertEqual(result["created"], 1)
        rows = [["姓名", "身份证号", "地区编码", "地址"], ["越界2", make_id(seq=961), COMMUNITY, "第1网格"]]
        result = self.command("import", "residents", self.sheet(rows), "--user", "officer_b")
        self.assertEqual(result["rejected"], 1)

    def test_export_masks_identity_numbers_by_role(self) -> None:
        number = make_id(seq=970)
        resident(self.world, self.world.grid_a, name="导出甲", id_number=number)
        resident(self.world, self.world.grid_b, name="导出乙", id_number=make_id(seq=971))
        target = self.sheet([["x"]], "out.xlsx")
        result = self.command("export", "residents", "--node", COMMUNITY, "-o", target, "--user", "officer_a")
        self.assertEqual(result["exported"], 1)
        rows = xlsx_rows(Path(target).read_bytes())
        self.assertEqual(rows[1][:2], ["导出甲", number[:6] + "********" + number[-4:]])
        self.command("export", "residents", "--node", COMMUNITY, "-o", target)  # the superuser sees numbers in full
        self.assertEqual(xlsx_rows(Path(target).read_bytes())[1][1], number)
        with self.assertRaisesMessage(CommandError, "No place with the code '990101009' in the area of officer_a"):
            self.command("export", "residents", "--node", "990101009", "-o", target, "--user", "officer_a")


class HouseholdCommandTests(HouseholdData, CommandTestMixin, WorldTestCase):
    command_kind = "households"

    def export_extra_headers(self) -> list[str]:
        return ["户主", _("Dissolved")]
