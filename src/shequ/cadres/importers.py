"""Spreadsheets of the community workers: the training organiser's attendance sheet and the pay table (a row per
post category with the monthly pay of its 18 grades)."""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from shequ.accounts.scope import can
from shequ.core.exceptions import ActionError
from shequ.core.importing import (
    Column,
    Importer,
    ImportResult,
    Row,
    RowError,
    bool_cell,
    choice_cell,
    date_cell,
    float_cell,
    phone_cell,
)
from shequ.people.cells import EDUCATION_WORDS, GENDER_WORDS, POLITICAL_WORDS
from shequ.people.models import Education, Gender, PoliticalStatus

from . import actions
from .models import (
    MAX_GRADE,
    MAX_HOURS_A_DAY,
    Cadre,
    Course,
    CourseKind,
    Degree,
    PayRate,
    PayTable,
    PostCategory,
    Source,
    TrainingRecord,
)

CN_NUMBERS = "一二三四五六七八九十"
KIND_WORDS: dict[str, tuple[str, ...]] = {
    CourseKind.ROTATION: ("年度轮训", "轮训"),
    CourseKind.ONLINE: ("网络培训", "线上培训"),
    CourseKind.SOCIAL_WORK: ("社会工作继续教育", "继续教育"),
    CourseKind.OTHER: ("其他",),
}


def _decimal(value: Any, places: str = "0.1") -> Decimal:
    try:
        return Decimal(str(value)).quantize(Decimal(places))
    except (InvalidOperation, ValueError):
        raise RowError(_("“%(value)s” is not a number.") % {"value": value}, code="not_a_number") from None


def _cadres_for(user: Any, model: Any, action: str) -> Any:
    return Cadre.objects.restrict(user, "view").filter(active=True)


class TrainingImporter(Importer):
    """The organiser's attendance sheet: one row per worker and day, with the hours."""

    model = TrainingRecord
    sheet_name = "training"
    columns = [
        Column(
            "number",
            "工号",
            ("社工编号", "编号", "worker number"),
            required=True,
            example="SG0001",
            meaning=gettext_lazy("The community worker's number on their file."),
        ),
        Column(
            "name",
            "姓名",
            ("学员姓名", "name"),
            required=True,
            example="张三",
            meaning=gettext_lazy("The worker's name, checked against the number."),
        ),
        Column(
            "course",
            "课程名称",
            ("培训班名称", "课程", "course"),
            required=True,
            example="社区工作者年度轮训",
            meaning=gettext_lazy("The course; a new course is added when none of that name runs that year."),
        ),
        Column(
            "organiser",
            "主办单位",
            ("举办单位", "organiser"),
            example="区委组织部",
            meaning=gettext_lazy("Who organises the course (for a new course)."),
        ),
        Column(
            "kind",
            "培训类型",
            ("类型", "kind"),
            parse=choice_cell(CourseKind, KIND_WORDS),
            repeats=True,
            example="年度轮训",
            meaning=gettext_lazy("Annual rotation, online, social-work continuing education or other."),
        ),
        Column(
            "attended_on",
            "日期",
            ("培训日期", "参训日期", "date"),
            required=True,
            parse=date_cell,
            repeats=True,
            example="2024-03-01",
            meaning=gettext_lazy("The day attended."),
        ),
        Column(
            "hours",
            "学时",
            ("时长", "小时", "hours"),
            required=True,
            parse=float_cell,
            example=8,
            meaning=gettext_lazy("Hours attended that day (at most 24)."),
        ),
    ]

    def sample(self) -> dict[str, Any]:
        row = super().sample()
        cadre = _cadres_for(self.user, TrainingRecord, "import").order_by("path", "pk").first()
        if cadre is not None:
            row.update(number=cadre.number, name=cadre.name)
        row["attended_on"] = timezone.localdate().isoformat()
        row["kind"] = KIND_WORDS[CourseKind.ROTATION][0]
        return row

    def validate(self, rows: list[Row]) -> None:
        numbers = {r.values.get("number") for r in rows}
        cadres = {
            c.number: c
            for c in _cadres_for(self.user, TrainingRecord, "import").filter(number__in=numbers).select_related("node")
        }
        titles = {r.values.get("course") for r in rows}
        courses = {
            (c.title, c.starts_on.year): c
            for c in Course.objects.restrict(self.user, "view").filter(title__in=titles).order_by("-starts_on")
        }
        day_totals: dict[tuple[int, date], Decimal] = defaultdict(Decimal)
        seen: dict[tuple[int, str, date], int] = {}
        for row in rows:
            try:
                v = row.values
                cadre = cadres.get(v["number"])
                if cadre is None or not can(self.user, TrainingRecord, "import", cadre.path):
                    raise RowError(
                        _("No community worker numbered “%(n)s” in your area.") % {"n": v["number"]}, code="no_cadre"
                    )
                if cadre.name != v["name"]:
                    raise RowError(
                        _("Worker %(n)s is %(name)s, not %(given)s.")
                        % {"n": cadre.number, "name": cadre.name, "given": v["name"]},
                        code="name_mismatch",
                    )
                hours = _decimal(v["hours"])
                if hours > MAX_HOURS_A_DAY:
                    raise RowError(
                        _("%(hours)s hours in one day: at most 24.") % {"hours": hours}, code="over_24_hours"
                    )
                if hours <= 0:
                    raise RowError(_("Hours must be more than 0."), code="invalid_hours")
                day = v["attended_on"]
                if day > timezone.localdate():
                    raise RowError(_("The day lies in the future."), code="date_in_future")
                key = (cadre.pk, v["course"], day)
                if key in seen:
                    raise RowError(_("The same attendance as row %(row)d.") % {"row": seen[key]}, code="duplicate")
                seen[key] = row.number
                course = courses.get((v["course"], day.year))
                existing = None
                if course is not None:
                    if not course.starts_on <= day <= course.ends_on:
                        raise RowError(
                            _("%(course)s runs from %(start)s to %(end)s.")
                            % {"course": course.title, "start": course.starts_on, "end": course.ends_on},
                            code="outside_course",
                        )
                    existing = TrainingRecord.objects.filter(cadre=cadre, course=course, attended_on=day).first()
                other = TrainingRecord.objects.filter(cadre=cadre, attended_on=day).exclude(
                    pk=getattr(existing, "pk", None)
                )
                taken = sum((r.hours for r in other), Decimal(0)) + day_totals[(cadre.pk, day)]
                if taken + hours > MAX_HOURS_A_DAY:
                    raise RowError(
                        _("%(name)s would have %(hours)s training hours on %(day)s: more than 24 hours a day.")
                        % {"name": cadre.name, "hours": taken + hours, "day": day.isoformat()},
                        code="over_24_hours",
                    )
                day_totals[(cadre.pk, day)] += hours
                row.cleaned = (cadre, course, hours, existing)
            except RowError as exc:
                row.reject(exc, exc.code)

    def preview(self, rows: list[Row], result: ImportResult) -> None:
        for row in rows:
            existing = row.cleaned[3]
            result.count(existing, lambda e, h: e.hours != h, existing, row.cleaned[2])

    def _course(self, title: str, year: int, rows: list[Row]) -> Course:
        """The course of *title* in *year*, added from the sheet when there is none (dates and hours from the rows)."""
        found = Course.objects.restrict(self.user, "view").filter(title=title, starts_on__year=year).first()
        if found is not None:
            return found
        mine = [r for r in rows if r.values["course"] == title and r.values["attended_on"].year == year]
        per_cadre: dict[int, Decimal] = defaultdict(Decimal)
        for r in mine:
            per_cadre[r.cleaned[0].pk] += r.cleaned[2]
        first = mine[0].values
        node = self.node or getattr(self.user, "node", None) or mine[0].cleaned[0].node
        course = Course(
            title=title,
            organiser=first.get("organiser") or "",
            kind=first.get("kind") or CourseKind.ROTATION,
            starts_on=min(r.values["attended_on"] for r in mine),
            ends_on=max(r.values["attended_on"] for r in mine),
            hours=max(per_cadre.values()),
            node=node,
        )
        return actions.do_save_course(course, acting_user=self.user)

    def apply(self, rows: list[Row], result: ImportResult) -> None:
        courses: dict[tuple[str, int], Course] = {}
        for row in rows:
            cadre, course, hours, existing = row.cleaned
            v = row.values
            try:
                if course is None:
                    key = (v["course"], v["attended_on"].year)
                    if key not in courses:
                        courses[key] = self._course(key[0], key[1], rows)
                    course = courses[key]
                if existing is not None and existing.hours == hours:
                    result.unchanged += 1
                    continue
                actions.do_record_training(
                    acting_user=self.user,
                    cadre=cadre,
                    course=course,
                    attended_on=v["attended_on"],
                    hours=hours,
                    import_job=self.job,
                    record=existing,
                )
                if existing is None:
                    result.created += 1
                else:
                    result.updated += 1
            except ActionError as exc:
                row.reject("；".join(exc.messages), exc.code or "invalid")


def grade_header(grade: int) -> str:
    return f"{grade}级"


class PayTableImporter(Importer):
    """The pay table of a year: one row per post category with the monthly base pay of its 18 grades (a missing
    grade refuses the row), the local average wage of the previous year and the city's share."""

    model = PayTable
    sheet_name = "pay table"
    columns = [
        Column(
            "code",
            "地区编码",
            ("区划代码", "code"),
            example="",
            meaning=gettext_lazy("The place the table is for, by its code (default: your own place)."),
        ),
        Column(
            "year",
            "年度",
            ("年份", "year"),
            required=True,
            parse=float_cell,
            example=2024,
            meaning=gettext_lazy("The year the table applies to."),
        ),
        Column(
            "category",
            "岗位类别",
            ("岗位", "category"),
            required=True,
            parse=choice_cell(
                PostCategory,
                {
                    PostCategory.HEAD: ("书记、主任", "正职"),
                    PostCategory.DEPUTY: ("副职",),
                    PostCategory.OTHER: ("其他社区工作者", "其他"),
                },
            ),
            example="书记、主任",
            meaning=gettext_lazy("Secretary or director, deputy, or other community worker."),
        ),
        *[
            Column(
                f"grade_{g}",
                grade_header(g),
                (f"{CN_NUMBERS[g - 1] if g <= 10 else '十' + CN_NUMBERS[g - 11]}级",),
                required=True,
                parse=float_cell,
                example=3000 + 100 * g,
                meaning=gettext_lazy("Monthly base pay of this grade, in yuan."),
            )
            for g in range(1, MAX_GRADE + 1)
        ],
        Column(
            "average_wage",
            "上年度当地平均工资",
            ("上年度平均工资", "社会平均工资", "average wage"),
            parse=float_cell,
            example=60000,
            meaning=gettext_lazy("The local average wage of the previous year, in yuan a year."),
        ),
        Column(
            "city_share",
            "市级承担比例",
            ("市级比例", "city share"),
            parse=float_cell,
            example=50,
            meaning=gettext_lazy("The city's share of the pay in %; the district pays the rest."),
        ),
    ]

    def sample(self) -> dict[str, Any]:
        from shequ.territory.samples import places

        row = super().sample()
        node = getattr(self.user, "node", None) or places(self.user, PayTable).order_by("path").first()
        row["code"] = getattr(node, "code", "") or ""
        row["year"] = timezone.localdate().year
        return row

    def validate(self, rows: list[Row]) -> None:
        from shequ.territory.models import Node

        own = getattr(self.user, "node", None) or self.node
        seen: dict[tuple[int, int, str], int] = {}
        for row in rows:
            try:
                v = row.values
                if v.get("code"):
                    node = (
                        Node.objects.restrict(self.user, "import", perm_model=PayTable).filter(code=v["code"]).first()
                    )
                    if node is None:
                        raise RowError(
                            _("No place with the code %(code)s in your area.") % {"code": v["code"]}, code="no_place"
                        )
                else:
                    node = own
                if node is None or not can(self.user, PayTable, "import", node.path):
                    raise RowError(_("Give the code of the place the table is for."), code="no_place")
                year = int(v["year"])
                if not 2000 <= year <= 2100:
                    raise RowError(_("The year %(year)d is out of range.") % {"year": year}, code="bad_year")
                amounts: dict[int, Decimal] = {}
                missing = []
                for g in range(1, MAX_GRADE + 1):
                    value = v.get(f"grade_{g}")
                    if value in (None, ""):
                        missing.append(str(g))
                        continue
                    amount = _decimal(value, "0.01")
                    if amount <= 0:
                        raise RowError(_("Grade %(g)d: the pay must be more than 0.") % {"g": g}, code="bad_amount")
                    amounts[g] = amount
                if missing:
                    raise RowError(
                        _("Grade %(grades)s missing: a pay table gives all 18 grades.")
                        % {"grades": "、".join(missing)},
                        code="grade_missing",
                    )
                share = v.get("city_share")
                if share is not None and not 0 <= share <= 100:
                    raise RowError(_("The city's share is a percentage from 0 to 100."), code="bad_share")
                wage = v.get("average_wage")
                if wage is not None and wage < 0:
                    raise RowError(_("The average wage cannot be negative."), code="bad_amount")
                key = (node.pk, year, v["category"])
                if key in seen:
                    raise RowError(_("The same category as row %(row)d.") % {"row": seen[key]}, code="duplicate")
                seen[key] = row.number
                row.cleaned = (
                    node,
                    year,
                    v["category"],
                    amounts,
                    _decimal(wage, "0.01") if wage is not None else None,
                    int(share) if share is not None else None,
                )
            except RowError as exc:
                row.reject(exc, exc.code)

    def preview(self, rows: list[Row], result: ImportResult) -> None:
        for row in rows:
            node, year, category, amounts, wage, share = row.cleaned
            table = PayTable.objects.filter(node=node, year=year).first()
            if table is None:
                result.created += 1
                continue
            stored = dict(PayRate.objects.filter(table=table, category=category).values_list("grade", "amount"))
            same = (
                stored == amounts
                and (wage is None or wage == table.average_wage)
                and (share is None or share == table.city_share)
            )
            if same:
                result.unchanged += 1
            else:
                result.updated += 1

    def apply(self, rows: list[Row], result: ImportResult) -> None:
        for row in rows:
            node, year, category, amounts, wage, share = row.cleaned
            try:
                existed = PayTable.objects.filter(node=node, year=year, rates__category=category).exists()
                _table, changed = actions.do_save_pay_table(
                    acting_user=self.user,
                    node=node,
                    year=year,
                    average_wage=wage,
                    city_share=share,
                    rates={category: amounts},
                    import_job=self.job,
                )
                if not existed:
                    result.created += 1
                elif changed:
                    result.updated += 1
                else:
                    result.unchanged += 1
            except ActionError as exc:
                row.reject("；".join(exc.messages), exc.code or "invalid")


SOURCE_WORDS: dict[str, tuple[str, ...]] = {
    "elected": ("选任", "选举产生"),
    "recruited": ("公开招聘", "招聘"),
    "sent_down": ("下派",),
    "first_secretary": ("第一书记",),
    "graduate": ("高校毕业生", "大学生"),
    "veteran": ("退役军人",),
    "other": ("其他",),
}
DEGREE_WORDS: dict[str, tuple[str, ...]] = {
    "college": ("社会工作专科", "专科"),
    "bachelor": ("社会工作本科", "本科"),
    "master": ("社会工作硕士", "硕士"),
}
CADRE_FIELDS = (
    "name", "gender", "birth_date", "phone", "source", "employer", "contract_start", "contract_end", "education",
    "political_status", "degree", "reserve", "reserve_for",
)  # fmt: skip


class CadreImporter(Importer):
    """Worker files: one row per worker, matched by the worker number (new or updated)."""

    model = Cadre
    sheet_name = "community workers"

    columns = [
            Column("number", "工号", ("编号", "worker number"), required=True, example="SG0100",
                   meaning=gettext_lazy("The number on the worker's file (a new number adds a worker).")),
            Column("name", "姓名", ("name",), required=True, example="王芳",
                   meaning=gettext_lazy("The worker's name.")),
            Column("code", "地区编码", ("社区编码", "区划代码", "code"), required=True, repeats=True,
                   meaning=gettext_lazy("The community (or street) where they work, by its code.")),
            Column("source", "来源", ("人员来源", "source"), required=True, repeats=True,
                   parse=choice_cell(Source, SOURCE_WORDS), example="公开招聘",
                   meaning=gettext_lazy("Selected by election, publicly recruited, sent down, first secretary, "
                                        "university graduate, veteran or other.")),
            Column("gender", "性别", ("gender",), parse=choice_cell(Gender, GENDER_WORDS), repeats=True, example="女",
                   meaning=gettext_lazy("Male or female.")),
            Column("birth_date", "出生日期", ("birth date",), parse=date_cell, example="1990-05-01",
                   meaning=gettext_lazy("Date of birth.")),
            Column("phone", "联系电话", ("手机", "phone"), parse=phone_cell, example="13800138000",
                   meaning=gettext_lazy("A phone number.")),
            Column("employer", "用人单位", ("employer",), example="和平社区居委会",
                   meaning=gettext_lazy("Who employs the worker.")),
            Column("contract_start", "合同起始日期", ("contract from",), parse=date_cell, example="2024-01-01",
                   meaning=gettext_lazy("The contract's first day.")),
            Column("contract_end", "合同终止日期", ("contract to",), parse=date_cell, example="2026-12-31",
                   meaning=gettext_lazy("The contract's last day.")),
            Column("education", "学历", ("文化程度", "education"), parse=choice_cell(Education, EDUCATION_WORDS),
                   repeats=True, example="本科", meaning=gettext_lazy("Highest education.")),
            Column("political_status", "政治面貌", ("political status",),
                   parse=choice_cell(PoliticalStatus, POLITICAL_WORDS), repeats=True, example="中共党员",
                   meaning=gettext_lazy("Political status.")),
            Column("degree", "社会工作专业学历", ("社工学历", "degree"), parse=choice_cell(Degree, DEGREE_WORDS),
                   repeats=True, meaning=gettext_lazy("A degree in social work, if any.")),
            Column("reserve", "后备干部", ("是否后备干部", "reserve"), parse=bool_cell, example="否",
                   meaning=gettext_lazy("Whether the worker is in the reserve-cadre pool.")),
            Column("reserve_for", "拟任职务", ("reserve for",),
                   meaning=gettext_lazy("The post a reserve cadre prepares for.")),
    ]  # fmt: skip

    def sample(self) -> dict[str, Any]:
        from shequ.territory.models import Kind
        from shequ.territory.samples import first_of

        row = super().sample()
        place = first_of(self.user, Cadre, (Kind.COMMUNITY, Kind.STREET))
        row["code"] = getattr(place, "code", "") or ""
        row["employer"] = f"{place.name}居委会" if place is not None else ""
        n = Cadre.objects.count() + 100
        while Cadre.objects.filter(number=f"SG{n:04d}").exists():
            n += 1
        row["number"] = f"SG{n:04d}"
        return row

    def validate(self, rows: list[Row]) -> None:
        from shequ.territory.models import Node

        places = Node.objects.restrict(self.user, "import", perm_model=Cadre)
        found = {c.number: c for c in Cadre.objects.filter(number__in={r.values["number"] for r in rows})}
        visible = set(
            Cadre.objects.restrict(self.user, "change").filter(number__in=list(found)).values_list("pk", flat=True)
        )
        seen: dict[str, int] = {}
        for row in rows:
            try:
                v = row.values
                node = places.filter(code=v["code"]).first()
                if node is None:
                    raise RowError(
                        _("No place with the code %(code)s in your area.") % {"code": v["code"]}, code="no_place"
                    )
                if v["number"] in seen:
                    raise RowError(
                        _("The same worker number as row %(row)d.") % {"row": seen[v["number"]]}, code="duplicate"
                    )
                seen[v["number"]] = row.number
                existing = found.get(v["number"])
                if existing is not None and existing.pk not in visible:
                    raise RowError(
                        _("The number %(n)s belongs to a worker outside your area.") % {"n": v["number"]},
                        code="outside_scope",
                    )
                target = Cadre.objects.get(pk=existing.pk) if existing is not None else Cadre()
                before = {f: getattr(target, f) for f in (*CADRE_FIELDS, "node_id")} if existing is not None else None
                target.number, target.node = v["number"], node
                for f in CADRE_FIELDS:
                    value = v.get(f)
                    if f == "reserve":
                        value = bool(value)
                    elif value is None:
                        value = None if f in ("birth_date", "contract_start", "contract_end") else ""
                    setattr(target, f, value)
                try:
                    target.full_clean(
                        exclude=["node", "resident", "user", "number"],
                        validate_unique=False,
                        validate_constraints=False,
                    )
                except Exception as exc:  # the model's own bounds: the row and the reason
                    messages = getattr(exc, "messages", [str(exc)])
                    raise RowError("；".join(messages), code="invalid") from exc
                after = {f: getattr(target, f) for f in (*CADRE_FIELDS, "node_id")}
                row.cleaned = (target, existing, before != after)
            except RowError as exc:
                row.reject(exc, exc.code)

    def preview(self, rows: list[Row], result: ImportResult) -> None:
        for row in rows:
            _target, existing, changed = row.cleaned
            result.count(existing, lambda c: c, changed)

    def apply(self, rows: list[Row], result: ImportResult) -> None:
        for row in rows:
            target, existing, changed = row.cleaned
            if existing is not None and not changed:
                result.unchanged += 1
                continue
            try:
                actions.do_save_cadre(target, acting_user=self.user)
            except ActionError as exc:
                row.reject("；".join(exc.messages), exc.code or "invalid")
                continue
            if existing is None:
                result.created += 1
            else:
                result.updated += 1
