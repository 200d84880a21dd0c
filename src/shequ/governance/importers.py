"""A district's work access list (准入清单) from the spreadsheet the district's office keeps: one row per matter,
into the district's draft version (a list in force is never changed: make a new version first)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from shequ.core.cells import amount_cell
from shequ.core.exceptions import ActionError, NotFound
from shequ.core.importing import Column, Importer, ImportResult, Row, RowError

from . import actions
from .models import AccessItem, AccessList, ListStatus


class AccessItemImporter(Importer):
    model = AccessItem
    sheet_name = "access list"
    columns = [
        Column(
            "district",
            "区",
            ("区县", "所属区", "district"),
            example="东区",
            meaning=gettext_lazy(
                "The district whose draft list the matter goes on (needed only when you keep several)."
            ),
        ),
        Column(
            "department",
            "部门",
            ("职能部门", "交办部门", "department"),
            required=True,
            example="区民政局",
            meaning=gettext_lazy("The department that hands the matter to communities."),
        ),
        Column(
            "matter",
            "事项",
            ("准入事项", "事项名称", "matter"),
            required=True,
            example="养老服务需求摸底",
            meaning=gettext_lazy("The matter, as departments will name it when they hand it over."),
        ),
        Column(
            "legal_basis",
            "依据",
            ("法律依据", "政策依据", "legal basis"),
            required=True,
            example="《老年人权益保障法》",
            meaning=gettext_lazy("The law or policy that allows the matter."),
        ),
        Column(
            "funds_per_year",
            "每社区每年经费",
            ("经费", "工作经费", "每年经费", "funds"),
            parse=amount_cell,
            example="10000",
            meaning=gettext_lazy("The funds that come with the matter, per community and year (0 when none)."),
        ),
    ]

    def drafts(self) -> list[AccessList]:
        if not hasattr(self, "_drafts"):
            self._drafts = list(
                AccessList.objects.restrict(self.user, "change").filter(status=ListStatus.DRAFT).select_related("node")
            )
        return self._drafts

    def sample(self) -> dict[str, Any]:
        row = super().sample()
        drafts = self.drafts()
        row["district"] = drafts[0].node.name if len(drafts) == 1 else ""
        return row

    def draft_for(self, name: str) -> AccessList:
        drafts = self.drafts()
        if not drafts:
            raise RowError(
                _("You have no draft of a work access list: make a new version of the district's list first."),
                code="no_draft",
            )
        if not name:
            if len(drafts) == 1:
                return drafts[0]
            raise RowError(_("Name the district: you keep the lists of several districts."), code="no_district")
        found = [d for d in drafts if d.node.name == name]
        if len(found) != 1:
            raise RowError(
                _("No draft list of a district named “%(name)s” that you may change.") % {"name": name},
                code="no_district",
            )
        return found[0]

    def validate(self, rows: list[Row]) -> None:
        seen: dict[tuple[int, str, str], int] = {}
        for row in rows:
            try:
                v = row.values
                draft = self.draft_for(v.get("district") or "")
                key = (draft.pk, v["department"], v["matter"])
                if key in seen:
                    raise RowError(_("The same matter as row %(row)d.") % {"row": seen[key]}, code="duplicate")
                seen[key] = row.number
                existing = AccessItem.objects.filter(
                    access_list=draft, department=v["department"], matter=v["matter"]
                ).first()
                row.cleaned = (draft, existing)
            except RowError as exc:
                row.reject(exc, exc.code)

    @staticmethod
    def _changes(item: AccessItem, values: dict[str, Any]) -> bool:
        funds = values.get("funds_per_year")
        return item.legal_basis != values["legal_basis"] or (funds is not None and item.funds_per_year != funds)

    def preview(self, rows: list[Row], result: ImportResult) -> None:
        for row in rows:
            existing = row.cleaned[1]
            result.count(existing, self._changes, existing, row.values)

    def apply(self, rows: list[Row], result: ImportResult) -> None:
        for row in rows:
            draft, existing = row.cleaned
            v = row.values
            if existing is not None and not self._changes(existing, v):
                result.unchanged += 1
                continue
            item = existing or AccessItem(access_list=draft, department=v["department"], matter=v["matter"])
            item.legal_basis = v["legal_basis"]
            if v.get("funds_per_year") is not None:
                item.funds_per_year = v["funds_per_year"]
            elif existing is None:
                item.funds_per_year = Decimal("0")
            try:
                actions.do_save_item(item, acting_user=self.user)
            except NotFound:
                row.reject(_("You may not change this list."), "not_found")
                continue
            except ActionError as exc:
                row.reject("；".join(exc.messages), exc.code or "invalid")
                continue
            if existing is None:
                result.created += 1
            else:
                result.updated += 1
