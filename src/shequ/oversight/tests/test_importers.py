"""Commitments from a messy paper list: blank rows, full-width digits, trailing spaces, a commitment listed twice,
a unit without an agreement and one of another street — each bad row rejected with its reason, nothing written
for it; the good rows written once (a second run changes nothing)."""

from __future__ import annotations

from typing import Any

from django.urls import reverse

from shequ.core.testing import _file, xlsx_bytes
from shequ.oversight import actions
from shequ.oversight.models import Agreement, Commitment

from .helpers import OversightCase

HEADER = ["驻区单位", "年度", "承诺类型", "承诺内容", "目标", "计量单位", "已完成"]


class CommitmentImportTests(OversightCase):
    def url(self) -> str:
        return reverse("oversight:commitment_import")

    def run_sheet(self, rows: list[list[Any]], mode: str = "valid") -> Any:
        from shequ.core.models import Job

        with self.captureOnCommitCallbacks(execute=True):
            response = self.client.post(self.url(), {"file": _file(xlsx_bytes(rows))})
        self.assertEqual(response.status_code, 302)
        preview = Job.objects.latest("pk")
        self.assertEqual(preview.status, Job.Status.DONE, preview.message)
        with self.captureOnCommitCallbacks(execute=True):
            self.client.post(reverse("core:job_apply", args=[preview.pk]), {"mode": mode})
        return preview, Job.objects.latest("pk")

    def test_a_messy_sheet(self) -> None:
        unit_a, unit_b = self.a.units[0], self.b.units[0]
        actions.do_save_agreement(
            Agreement(node=self.a.community, unit=unit_a, year=2026, signed_on="2026-01-10"),
            acting_user=self.world.admin,
        )
        actions.do_save_agreement(
            Agreement(node=self.b.community, unit=unit_b, year=2026, signed_on="2026-01-10"),
            acting_user=self.world.admin,
        )
        rows: list[list[Any]] = [
            HEADER,
            [f"{unit_a.name}  ", "２０２６", "志愿服务时长", "组织职工进社区服务 ", "２００", "小时 ", "３５"],
            [None, None, None, None, None, None, None],
            [unit_a.name, 2026, "资金", "捐建健身器材", "50,000", "元", ""],
            [unit_a.name, 2026, "志愿服务时长", "组织职工进社区服务", "200", "小时", "40"],  # listed twice
            ["不存在的单位", 2026, "资金", "捐款", "100", "元", ""],
            [unit_b.name, 2026, "资金", "捐款", "100", "元", ""],  # another street's unit
            [unit_a.name, 2026, "就业岗位", "提供就业岗位", "-3", "个", ""],
            [unit_a.name, 2026, "其他", "看不懂的类型", "1", "个", ""],
            ["", "", "", "", "", "", ""],
        ]
        self.client.force_login(self.world.officer_a)
        preview, applied = self.run_sheet(rows)
        result = applied.result
        self.assertEqual((result["created"], result["rejected"]), (2, 5), result["errors"])
        messages = " ".join(str(e) for e in result["errors"])
        for text in ("两次", "协议", "超出范围", "可选值"):
            self.assertIn(text, messages)
        made = {c.description: c for c in Commitment.objects.filter(agreement__unit=unit_a)}
        self.assertEqual(set(made), {"组织职工进社区服务", "捐建健身器材"})
        hours = made["组织职工进社区服务"]
        self.assertEqual((str(hours.target), str(hours.achieved), hours.unit_label), ("200.00", "35.00", "小时"))
        self.assertEqual(str(made["捐建健身器材"].target), "50000.00")
        self.assertFalse(Commitment.objects.filter(agreement__unit=unit_b).exists())
        # The same sheet again: nothing new; a changed figure updates the commitment.
        _preview, again = self.run_sheet(rows)
        self.assertEqual((again.result["created"], again.result["unchanged"]), (0, 2), again.result)
        rows[1][6] = "８０"
        _preview, updated = self.run_sheet(rows)
        self.assertEqual(updated.result["updated"], 1, updated.result)
        hours.refresh_from_db()
        self.assertEqual(str(hours.achieved), "80.00")
        self.assertEqual(Commitment.objects.count(), 2)

    def test_without_the_right_no_import(self) -> None:
        self.client.force_login(self.tree.grid_worker_a)
        response = self.client.post(self.url(), {"file": _file(xlsx_bytes([HEADER]))})
        self.assertIn(response.status_code, (403, 404))
