"""The district's work access list from its spreadsheet: into the draft version only, messy cells read, bad rows
refused with their reason and nothing of them written."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.urls import reverse

from shequ.core.models import Job
from shequ.core.testing import WorldTestCase, _file, xlsx_bytes
from shequ.core.testing_files import streamed, xlsx_rows
from shequ.governance import actions
from shequ.governance.models import AccessItem, ListStatus

from .helpers import access_list

HEADER = ["部门", "事项 ", "法律依据", "经费"]


class AccessListImport(WorldTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.officer = self.world.user("district_x", "district_officer", self.world.district)
        self.in_force = access_list(self.world)

    def run_import(self, rows: list[list[Any]], mode: str = "valid") -> Job:
        with self.captureOnCommitCallbacks(execute=True):
            response = self.client.post(reverse("governance:accessitem_import"), {"file": _file(xlsx_bytes(rows))})
        self.assertEqual(response.status_code, 302)
        preview = Job.objects.latest("pk")
        self.assertEqual(preview.status, Job.Status.DONE, preview.message)
        with self.captureOnCommitCallbacks(execute=True):
            self.client.post(reverse("core:job_apply", args=[preview.pk]), {"mode": mode})
        return Job.objects.latest("pk")

    def test_only_into_a_draft(self) -> None:
        self.login(self.officer)
        job = self.run_import([HEADER, ["区民政局", "养老服务需求摸底", "《老年人权益保障法》", "10000"]])
        self.assertEqual([e["code"] for e in job.result["errors"]], ["no_draft"])
        self.assertEqual(self.in_force.items.count(), 1, "a list in force is never changed")

    def test_messy_rows_into_the_draft(self) -> None:
        draft = actions.do_new_access_list(acting_user=self.officer, node=self.world.district, reference="修订")
        self.login(self.officer)
        job = self.run_import(
            [
                HEADER,
                ["  区民政局 ", "养老服务需求摸底", "《老年人权益保障法》", "１０，０００元"],
                [None, None, None, None],  # a blank row
                ["区退役军人事务局", "退役军人服务", "《退役军人保障法》", "20000"],  # on the list: updated
                ["区民政局", "养老服务需求摸底", "《条例》", "5"],  # the same matter twice
                ["区卫健委", "健康档案", "", "3000"],  # no legal basis
                ["区司法局", "普法宣传", "《宪法》", "-1"],  # a negative amount
                ["区司法局", "法律援助", "《法律援助法》", "abc"],
            ]
        )
        self.assertEqual(job.result["created"], 1, job.result)
        self.assertEqual(job.result["updated"], 1, job.result)
        reasons = {e["row"]: e["code"] for e in job.result["errors"]}
        self.assertEqual(reasons[5], "duplicate")
        self.assertEqual(sorted(reasons), [5, 6, 7, 8])
        added = draft.items.get(department="区民政局")
        self.assertEqual((added.matter, added.funds_per_year), ("养老服务需求摸底", Decimal("10000.00")))
        self.assertEqual(draft.items.get(department="区退役军人事务局").funds_per_year, Decimal("20000.00"))
        self.assertFalse(AccessItem.objects.filter(department__in=("区卫健委", "区司法局")).exists())
        self.assertEqual(self.in_force.items.get().funds_per_year, Decimal("15000.00"), "the version in force holds")
        # Imported again: nothing changes.
        again = self.run_import([HEADER, ["区民政局", "养老服务需求摸底", "《老年人权益保障法》", "10000"]])
        self.assertEqual((again.result["created"], again.result["updated"], again.result["unchanged"]), (0, 0, 1))
        actions.do_put_in_force(draft, acting_user=self.officer)
        self.assertEqual(draft.items.count(), 2)
        self.assertEqual(type(draft).objects.get(pk=draft.pk).status, ListStatus.IN_FORCE)

    def test_a_street_officer_reaches_no_district_list(self) -> None:
        actions.do_new_access_list(acting_user=self.officer, node=self.world.district, reference="修订")
        self.login(self.world.officer_a)
        job = self.run_import([HEADER, ["区民政局", "养老", "《条例》", "1"]])
        self.assertEqual([e["code"] for e in job.result["errors"]], ["no_draft"])
        self.assertFalse(AccessItem.objects.filter(matter="养老").exists())

    def test_the_template_imports_cleanly(self) -> None:
        draft = actions.do_new_access_list(acting_user=self.officer, node=self.world.district, reference="修订")
        self.login(self.officer)
        template = self.client.get(reverse("governance:accessitem_import_template"))
        self.assertEqual(template.status_code, 200)
        rows = xlsx_rows(streamed(template))
        self.assertEqual(rows[1][0], "东区")
        job = self.run_import(rows)
        self.assertEqual((job.result["created"], job.result["errors"]), (1, []))
        self.assertEqual(draft.items.count(), 2)
