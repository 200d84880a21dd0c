"""What a worker is paid: the rate of their post category and grade in the pay table that applies to their place
and year (the nearest one up the tree), plus the allowance of their highest social-work qualification; checked
against the local average wage of the previous year (000 §16).  Read-only: the lists, the salary sheet."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from shequ.core.fields import path_ids

from .models import ALLOWANCE_PERCENT, Cadre, PayGrade, PayRate, PayTable, Qualification

CENT = Decimal("0.01")


@dataclass
class Pay:
    cadre: Cadre
    grade: PayGrade | None
    table: PayTable | None
    base: Decimal | None
    allowance_percent: int
    allowance: Decimal
    monthly: Decimal | None
    city_part: Decimal | None
    district_part: Decimal | None

    @property
    def yearly(self) -> Decimal | None:
        return None if self.monthly is None else (self.monthly * 12).quantize(CENT)

    @property
    def average_wage(self) -> Decimal | None:
        return self.table.average_wage if self.table is not None else None

    @property
    def below_average(self) -> bool:
        return self.yearly is not None and self.average_wage is not None and self.yearly < self.average_wage

    @property
    def shortfall(self) -> Decimal | None:
        if not self.below_average or self.yearly is None or self.average_wage is None:
            return None
        return self.average_wage - self.yearly


def grade_on(grades: Sequence[PayGrade], day: date) -> PayGrade | None:
    """The grade in force on *day* (grades of one worker, newest first)."""
    for grade in grades:
        if grade.since <= day:
            return grade
    return None


def tables_for(cadres: Sequence[Cadre], year: int) -> dict[int, PayTable]:
    """The pay table of *year* applying to each worker: the nearest one up their place's path."""
    ancestors = {pk for c in cadres for pk in path_ids(c.path)}
    found = {t.node_id: t for t in PayTable.objects.filter(year=year, node_id__in=ancestors).select_related("node")}
    result = {}
    for cadre in cadres:
        for pk in reversed(path_ids(cadre.path)):
            if pk in found:
                result[cadre.pk] = found[pk]
                break
    return result


def pay_of(cadres: Iterable[Cadre], day: date) -> list[Pay]:
    """Each worker's pay for the month of *day*, in a handful of queries whatever their number."""
    cadres = list(cadres)
    ids = [c.pk for c in cadres]
    grades: dict[int, list[PayGrade]] = {}
    for g in PayGrade.objects.filter(cadre_id__in=ids, since__lte=day).order_by("cadre_id", "-since", "-id"):
        grades.setdefault(g.cadre_id, []).append(g)
    allowances: dict[int, int] = {}
    for cadre_id, level in (
        Qualification.objects.filter(cadre_id__in=ids, obtained_on__lte=day)
        .exclude(certificate_no="")
        .values_list("cadre_id", "level")
    ):
        allowances[cadre_id] = max(allowances.get(cadre_id, 0), ALLOWANCE_PERCENT.get(level, 0))
    tables = tables_for(cadres, day.year)
    rates = {
        (r.table_id, r.category, r.grade): r.amount
        for r in PayRate.objects.filter(table_id__in={t.pk for t in tables.values()})
    }
    result = []
    for cadre in cadres:
        grade = grade_on(grades.get(cadre.pk, []), day)
        table = tables.get(cadre.pk)
        base = rates.get((table.pk, grade.category, grade.grade)) if table and grade else None
        percent = allowances.get(cadre.pk, 0)
        allowance = (base * percent / 100).quantize(CENT, ROUND_HALF_UP) if base is not None else Decimal(0)
        monthly = base + allowance if base is not None else None
        city = (
            (monthly * table.city_share / 100).quantize(CENT, ROUND_HALF_UP) if monthly is not None and table else None
        )
        result.append(
            Pay(
                cadre=cadre,
                grade=grade,
                table=table,
                base=base,
                allowance_percent=percent,
                allowance=allowance,
                monthly=monthly,
                city_part=city,
                district_part=(monthly - city) if monthly is not None and city is not None else None,
            )
        )
    return result


def below_average(cadres: Iterable[Cadre], day: date) -> list[Pay]:
    """The workers whose yearly pay is under the local average wage of the previous year."""
    return [p for p in pay_of(cadres, day) if p.below_average]


def salary_rows(pays: Sequence[Pay]) -> list[list[Any]]:
    """The salary sheet's rows: one per worker."""
    rows = []
    for p in pays:
        rows.append(
            [
                p.cadre.number,
                p.cadre.name,
                p.cadre.node.name,
                p.grade.get_category_display() if p.grade else "",
                p.grade.grade if p.grade else "",
                p.base if p.base is not None else "",
                p.allowance_percent,
                p.allowance if p.base is not None else "",
                p.monthly if p.monthly is not None else "",
                p.city_part if p.city_part is not None else "",
                p.district_part if p.district_part is not None else "",
            ]
        )
    return rows
