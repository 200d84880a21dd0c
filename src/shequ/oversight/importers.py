"""Co-construction commitments from spreadsheets (the paper lists the resident units hand in): each row names the
unit and the year of its agreement, the kind of commitment, what it is, its measurable target and what has been
done so far.  A row that matches a commitment of the agreement (same kind and description) updates its target and
what has been achieved; a new one is added."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from shequ.core.cells import amount_cell, choice_cell, text_cell
from shequ.core.importing import Column, Importer, ImportResult, Row, RowError
from shequ.core.text import normalize

from .actions import COMMITMENTS, checked
from .models import MAX_YEAR, MIN_YEAR, Agreement, Commitment, CommitmentKind


def year_cell(value: Any) -> int | None:
    if value is None or value == "":
        return None
    text = normalize(str(value)).strip().removesuffix("年")
    try:
        year = int(float(text))
    except ValueError:
        raise RowError(_("“%(value)s” is not a year.") % {"value": value}, code="bad_year") from None
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise RowError(_("“%(value)s” is not a year.") % {"value": value}, code="bad_year")
    return year


class CommitmentImporter(Importer):
    model = Commitment
    sheet_name = "commitments"
    columns = [
        Column(
            "unit",
            "驻区单位",
            ("单位", "单位名称", "unit"),
            required=True,
            example="和平社区驻区单位1",
            meaning=gettext_lazy("The resident unit, by its name: it has signed this year's agreement."),
        ),
        Column(
            "year",
            "年度",
            ("年份", "year"),
            required=True,
            parse=year_cell,
            example=2026,
            meaning=gettext_lazy("The year of the agreement."),
        ),
        Column(
            "kind",
            "承诺类型",
            ("类型", "kind"),
            required=True,
            parse=choice_cell(CommitmentKind),
            repeats=True,
            example="志愿服务时长",
            meaning=gettext_lazy("What is committed: resources, places, volunteer hours, funds or jobs."),
        ),
        Column(
            "description",
            "承诺内容",
            ("内容", "description"),
            required=True,
            example="开放单位食堂供老年人用餐",
            meaning=gettext_lazy("The commitment, in words."),
        ),
        Column(
            "target",
            "目标",
            ("目标值", "target"),
            required=True,
            parse=amount_cell,
            example="200",
            meaning=gettext_lazy("The measurable target (a positive number)."),
        ),
        Column(
            "unit_label",
            "计量单位",
            ("单位（计量）", "unit of measure"),
            required=True,
            example="小时",
            meaning=gettext_lazy("What the target counts: hours, yuan, places …"),
        ),
        Column(
            "achieved",
            "已完成",
            ("完成值", "achieved"),
            parse=amount_cell,
            example="0",
            meaning=gettext_lazy("What has been done so far (empty: nothing yet, or unchanged)."),
        ),
    ]

    def sample(self) -> dict[str, Any]:
        row = super().sample()
        agreement = (
            Agreement.objects.restrict(self.user, "add", perm_model=Commitment)
            .select_related("unit")
            .order_by("-year", "path", "pk")
            .first()
        )
        if agreement is not None:
            row.update(unit=agreement.unit.name, year=agreement.year)
        return row

    def validate(self, rows: list[Row]) -> None:
        agreements = Agreement.objects.restrict(self.user, "add", perm_model=Commitment).select_related("unit", "node")
        self.cache: dict[tuple[str, int], list[Agreement]] = {}
        seen: set[tuple[int, str, str]] = set()
        for row in rows:
            try:
                v = row.values
                unit, year = text_cell(v["unit"]), v["year"]
                key = (unit, year)
                if key not in self.cache:
                    self.cache[key] = list(agreements.filter(unit__name=unit, year=year)[:2])
                found = self.cache[key]
                if not found:
                    raise RowError(
                        _("No agreement of %(unit)s for %(year)s in your area: record the agreement first.")
                        % {"unit": unit, "year": year},
                        code="no_agreement",
                    )
                if len(found) > 1:
                    raise RowError(
                        _("%(unit)s has agreements with several communities for %(year)s: enter this one by hand.")
                        % {"unit": unit, "year": year},
                        code="ambiguous_agreement",
                    )
                agreement = found[0]
                description = text_cell(v["description"])
                mark = (agreement.pk, v["kind"], description)
                if mark in seen:
                    raise RowError(_("The same commitment is listed twice in the file."), code="duplicate")
                seen.add(mark)
                existing = Commitment.objects.filter(
                    agreement=agreement, kind=v["kind"], description=description
                ).first()
                commitment = existing or Commitment(agreement=agreement, node=agreement.node, kind=v["kind"])
                commitment.description = description
                commitment.target = v["target"]
                commitment.unit_label = text_cell(v["unit_label"])
                if v.get("achieved") is not None:
                    commitment.achieved = v["achieved"]
                commitment.node = agreement.node
                try:
                    checked(commitment)
                except Exception as exc:  # FieldErrors: the model's bounds, named
                    raise RowError("；".join(getattr(exc, "messages", [str(exc)])), code="invalid") from None
                changed = existing is not None and (
                    (existing.target, existing.unit_label, existing.achieved)
                    != tuple(
                        Commitment.objects.filter(pk=existing.pk).values_list("target", "unit_label", "achieved")[0]
                    )
                )
                row.cleaned = (commitment, existing, changed)
            except RowError as exc:
                row.reject(exc, exc.code)

    def preview(self, rows: list[Row], result: ImportResult) -> None:
        for row in rows:
            result.count(row.cleaned[1], bool, row.cleaned[2])

    def apply(self, rows: list[Row], result: ImportResult) -> None:
        from shequ.core.indicators import mark_dirty

        nodes = set()
        for row in rows:
            commitment, existing, changed = row.cleaned
            if existing is not None and not changed:
                result.unchanged += 1
                continue
            commitment.save()
            nodes.add(commitment.node)
            if existing is None:
                result.created += 1
            else:
                result.updated += 1
        for node in nodes:
            mark_dirty(COMMITMENTS, node)
