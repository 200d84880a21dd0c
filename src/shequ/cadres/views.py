"""Screens of the community workers: the registry's declared view sets, the training-hours and pay-check lists,
the social-work professionals per community, the monthly salary sheet, and the worker's own page."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from shequ.accounts.scope import can
from shequ.core.exceptions import NotFound
from shequ.core.permissions import requires
from shequ.core.views import ViewSet
from shequ.territory.models import Kind, Node

from . import actions, forms
from .filtersets import (
    AssessmentFilterSet,
    CadreFilterSet,
    CourseFilterSet,
    PayGradeFilterSet,
    PayTableFilterSet,
    QualificationFilterSet,
    SanctionFilterSet,
    TrainingRecordFilterSet,
)
from .importers import CadreImporter, PayTableImporter, TrainingImporter
from .indicators import MIN_DEGREES, MIN_PROFESSIONALS, hours_by_cadre
from .models import (
    HOURS_TARGET,
    Assessment,
    Cadre,
    Course,
    PayGrade,
    PayRate,
    PayTable,
    PostCategory,
    Qualification,
    Sanction,
    TrainingRecord,
)
from .pay import pay_of, salary_rows
from .tables import (
    AssessmentTable,
    CadreTable,
    CourseTable,
    PayGradeTable,
    PayTableTable,
    QualificationTable,
    SanctionTable,
    TrainingRecordTable,
)


class CadresViewSet(ViewSet):
    namespace = "cadres"


class CadreViewSet(CadresViewSet):
    model = Cadre
    filterset = CadreFilterSet
    table = CadreTable
    form = forms.CadreForm
    importer = CadreImporter
    select_related = ("node",)
    detail_template = "cadres/cadre_detail.html"
    detail_fields = (
        "number", "name", "node", "gender", "birth_date", "phone", "resident", "source", "employer",
        "contract_start", "contract_end", "service_start", "education", "political_status", "degree", "reserve",
        "reserve_for", "pension", "medical", "unemployment", "injury", "maternity", "housing_fund", "last_exam_on",
        "active", "left_on",
    )  # fmt: skip
    export_fields = (
        "number", "name", "node", "gender", "phone", "source", "employer", "contract_start", "contract_end",
        "education", "political_status", "degree", "reserve", "reserve_for", "last_exam_on", "active",
    )  # fmt: skip

    def create(self, form: Any) -> Cadre:
        return actions.do_save_cadre(form.save(commit=False), acting_user=self.user)

    def update(self, form: Any, obj: Cadre) -> Cadre:
        return actions.do_save_cadre(form.save(commit=False), acting_user=self.user)

    def detail_context(self, obj: Cadre) -> dict[str, Any]:
        return cadre_context(self.user, obj, own=False)


def cadre_context(user: Any, obj: Cadre, *, own: bool) -> dict[str, Any]:
    """What a worker's page shows besides the file: posts held, training, qualifications; the pay, grades,
    assessments and rewards only to the organization departments (or on the worker's own page)."""
    from shequ.orgs.models import Post

    year = timezone.localdate().year
    posts = Post.objects.none()
    if obj.resident_id:
        posts = Post.objects.filter(person_id=obj.resident_id).select_related("organization").order_by("-start_date")
    ctx: dict[str, Any] = {
        "posts": list(posts[:50]),
        "year": year,
        "hours": hours_by_cadre([obj.pk], year).get(obj.pk, 0.0),
        "hours_target": HOURS_TARGET,
        "qualifications": list(obj.qualifications.all()),
        "training": list(obj.training.select_related("course").order_by("-attended_on")[:20]),
    }
    confidential = own or can(user, PayGrade, "view", obj.path)
    if confidential:
        ctx.update(
            show_pay=True,
            pay=pay_of([obj], timezone.localdate())[0],
            grades=list(obj.grades.all()),
            assessments=list(obj.assessments.order_by("-year")),
            sanctions=list(obj.sanctions.order_by("-decided_on")),
        )
    return ctx


class CourseViewSet(CadresViewSet):
    model = Course
    filterset = CourseFilterSet
    table = CourseTable
    form = forms.CourseForm
    select_related = ("node",)
    detail_fields = ("title", "organiser", "kind", "node", "starts_on", "ends_on", "hours")
    actions = ("list", "detail", "add", "edit", "delete", "bulk_delete", "export", "history")

    def create(self, form: Any) -> Course:
        return actions.do_save_course(form.save(commit=False), acting_user=self.user)

    def update(self, form: Any, obj: Course) -> Course:
        return actions.do_save_course(form.save(commit=False), acting_user=self.user)


class TrainingRecordViewSet(CadresViewSet):
    model = TrainingRecord
    filterset = TrainingRecordFilterSet
    table = TrainingRecordTable
    form = forms.TrainingRecordForm
    importer = TrainingImporter
    select_related = ("cadre", "course")
    detail_fields = ("cadre", "course", "attended_on", "hours")
    export_fields = ("cadre__number", "cadre__name", "course__title", "course__organiser", "attended_on", "hours")

    def create(self, form: Any) -> TrainingRecord:
        d = form.cleaned_data
        return actions.do_record_training(
            acting_user=self.user, cadre=d["cadre"], course=d["course"], attended_on=d["attended_on"], hours=d["hours"]
        )

    def update(self, form: Any, obj: TrainingRecord) -> TrainingRecord:
        d = form.cleaned_data
        stored = self.get_object(obj.pk, "change")  # as stored: the form has set its values on *obj*
        return actions.do_record_training(
            acting_user=self.user,
            cadre=d["cadre"],
            course=d["course"],
            attended_on=d["attended_on"],
            hours=d["hours"],
            record=stored,
        )


class QualificationViewSet(CadresViewSet):
    model = Qualification
    filterset = QualificationFilterSet
    table = QualificationTable
    form = forms.QualificationForm
    select_related = ("cadre",)
    detail_fields = ("cadre", "level", "certificate_no", "obtained_on")
    actions = ("list", "detail", "add", "edit", "delete", "bulk_delete", "export", "history")

    def create(self, form: Any) -> Qualification:
        return actions.do_save_qualification(form.save(commit=False), acting_user=self.user)

    def update(self, form: Any, obj: Qualification) -> Qualification:
        return actions.do_save_qualification(form.save(commit=False), acting_user=self.user)


class PayTableViewSet(CadresViewSet):
    model = PayTable
    filterset = PayTableFilterSet
    table = PayTableTable
    form = forms.PayTableForm
    importer = PayTableImporter
    select_related = ("node",)
    detail_template = "cadres/paytable_detail.html"
    detail_fields = ("node", "year", "average_wage", "city_share")

    def detail_context(self, obj: PayTable) -> dict[str, Any]:
        rates = {(r.category, r.grade): r.amount for r in PayRate.objects.filter(table=obj)}
        grades = range(1, 19)
        return {
            "rate_rows": [(label, [rates.get((value, g)) for g in grades]) for value, label in PostCategory.choices],
            "grades": list(grades),
        }


class PayGradeViewSet(CadresViewSet):
    model = PayGrade
    filterset = PayGradeFilterSet
    table = PayGradeTable
    form = forms.PayGradeForm
    select_related = ("cadre",)
    detail_fields = ("cadre", "category", "grade", "since", "reason")
    actions = ("list", "detail", "add", "edit", "delete", "bulk_delete", "export", "history")

    def create(self, form: Any) -> PayGrade:
        d = form.cleaned_data
        return actions.do_set_grade(
            acting_user=self.user,
            cadre=d["cadre"],
            category=d["category"],
            grade=d["grade"],
            since=d["since"],
            reason=d["reason"],
        )

    def update(self, form: Any, obj: PayGrade) -> PayGrade:
        d = form.cleaned_data
        return actions.do_set_grade(
            acting_user=self.user,
            cadre=d["cadre"],
            category=d["category"],
            grade=d["grade"],
            since=d["since"],
            reason=d["reason"],
            grade_obj=self.get_object(obj.pk, "change"),
        )


class AssessmentViewSet(CadresViewSet):
    model = Assessment
    workflow = actions.WORKFLOW
    filterset = AssessmentFilterSet
    table = AssessmentTable
    form = forms.AssessmentForm
    select_related = ("cadre", "organization", "node")
    detail_fields = ("year", "cadre", "organization", "result", "use", "note", "status")
    export_fields = ("year", "subject", "result", "use", "status")
    actions = ("list", "detail", "add", "export", "history")

    def create(self, form: Any) -> Assessment:
        d = form.cleaned_data
        return actions.do_record_assessment(
            acting_user=self.user,
            year=d["year"],
            result=d["result"],
            cadre=d.get("cadre"),
            organization=d.get("organization"),
            note=d.get("note") or "",
        )


class SanctionViewSet(CadresViewSet):
    model = Sanction
    filterset = SanctionFilterSet
    table = SanctionTable
    form = forms.SanctionForm
    select_related = ("cadre", "organization")
    detail_fields = ("kind", "cadre", "organization", "title", "document_no", "decided_on", "decided_by", "assessment")
    actions = ("list", "detail", "add", "edit", "delete", "bulk_delete", "export", "history")

    def create(self, form: Any) -> Sanction:
        return actions.do_save_sanction(form.save(commit=False), acting_user=self.user)

    def update(self, form: Any, obj: Sanction) -> Sanction:
        return actions.do_save_sanction(form.save(commit=False), acting_user=self.user)


# -- pages ----------------------------------------------------------------------------------------------------------


def _anchor(user: Any, node_id: Any, model: Any) -> Node:
    nodes = Node.objects.restrict(user, "view", perm_model=model).filter(retired=False)
    anchor = None
    if node_id not in (None, ""):
        try:
            anchor = nodes.filter(pk=int(node_id)).first()
        except (TypeError, ValueError):
            anchor = None
    else:
        anchor = (
            nodes.filter(kind__in=[Kind.CITY, Kind.DISTRICT, Kind.STREET, Kind.COMMUNITY])
            .order_by("depth", "path")
            .first()
        )
    if anchor is None:
        raise NotFound()
    return anchor


def _up(user: Any, anchor: Node, model: Any) -> Node | None:
    """The place above *anchor*, when the user may look there."""
    if not anchor.parent_id:
        return None
    return Node.objects.restrict(user, "view", perm_model=model).filter(pk=anchor.parent_id).first()


def _year(request: HttpRequest) -> int:
    try:
        year = int(request.GET.get("year") or timezone.localdate().year)
    except ValueError:
        raise NotFound() from None
    if not 2000 <= year <= 2100:
        raise NotFound()
    return year


def _workers(user: Any, anchor: Node, model: Any) -> Any:
    return (
        Cadre.objects.restrict(user, "view")
        .filter(active=True, path__within=anchor.path)
        .select_related("node")
        .order_by("path", "name")
    )


@requires("cadres.trainingrecord")
def training_hours(request: HttpRequest) -> HttpResponse:
    """Each worker's training hours in the year against 160, those who miss it first."""
    anchor, year = _anchor(request.user, request.GET.get("node"), TrainingRecord), _year(request)
    workers = list(_workers(request.user, anchor, TrainingRecord))
    hours = hours_by_cadre([w.pk for w in workers], year)
    rows = sorted(((w, hours.get(w.pk, 0.0)) for w in workers), key=lambda r: (r[1] >= HOURS_TARGET, r[1]))
    missing = [r for r in rows if r[1] < HOURS_TARGET]
    only = request.GET.get("all") != "1"
    return render(
        request,
        "cadres/training_hours.html",
        {
            "anchor": anchor,
            "up": _up(request.user, anchor, TrainingRecord),
            "year": year,
            "rows": missing if only else rows,
            "only_missing": only,
            "missing": len(missing),
            "total": len(rows),
            "target": HOURS_TARGET,
        },
    )


@requires("cadres.paytable")
def below_average(request: HttpRequest) -> HttpResponse:
    """The workers paid below the local average wage of the previous year (confidential)."""
    anchor, year = _anchor(request.user, request.GET.get("node"), PayTable), _year(request)
    day = timezone.localdate() if year == timezone.localdate().year else date(year, 12, 1)
    pays = pay_of(_workers(request.user, anchor, PayTable), day)
    below = [p for p in pays if p.below_average]
    unknown = [p for p in pays if p.yearly is None or p.average_wage is None]
    return render(
        request,
        "cadres/below_average.html",
        {
            "anchor": anchor,
            "up": _up(request.user, anchor, PayTable),
            "year": year,
            "below": below,
            "unknown": unknown,
            "total": len(pays),
        },
    )


@requires("cadres.qualification")
def professionals(request: HttpRequest) -> HttpResponse:
    """Per community: qualified social workers (≥ 1) and workers with social-work degrees (≥ 3)."""
    from django.db.models import Count

    anchor = _anchor(request.user, request.GET.get("node"), Qualification)
    places = list(
        Node.objects.restrict(request.user, "view", perm_model=Qualification)
        .filter(kind=Kind.COMMUNITY, path__within=anchor.path, retired=False)
        .order_by("path")
    )
    workers = Cadre.objects.restrict(request.user, "view").filter(active=True, path__within=anchor.path)
    from shequ.core.indicators import per_community

    degrees = per_community(workers.exclude(degree=""), places, n=Count("pk"))
    qualified = per_community(
        Qualification.objects.restrict(request.user, "view").filter(path__within=anchor.path, cadre__active=True),
        places,
        n=Count("cadre", distinct=True),
    )
    rows = []
    for place in places:
        q = qualified.get(place.pk, {}).get("n") or 0
        d = degrees.get(place.pk, {}).get("n") or 0
        rows.append((place, q, d, q >= MIN_PROFESSIONALS and d >= MIN_DEGREES))
    rows.sort(key=lambda r: (r[3], r[1] + r[2]))
    return render(
        request,
        "cadres/professionals.html",
        {
            "anchor": anchor,
            "up": _up(request.user, anchor, Qualification),
            "rows": rows,
            "min_professionals": MIN_PROFESSIONALS,
            "min_degrees": MIN_DEGREES,
        },
    )


@login_required
def salary_sheet(request: HttpRequest) -> HttpResponseBase:
    """The salary sheet of a month (``?year=&month=``) as .xlsx: every worker of the area (confidential)."""
    from shequ.core.spreadsheets import XlsxWriter

    if not can(request.user, PayTable, "export"):
        raise NotFound()
    anchor, year = _anchor(request.user, request.GET.get("node"), PayTable), _year(request)
    try:
        month = int(request.GET.get("month") or timezone.localdate().month)
    except ValueError:
        raise NotFound() from None
    if not 1 <= month <= 12:
        raise NotFound()
    pays = pay_of(
        Cadre.objects.restrict(request.user, "view")
        .filter(active=True, path__within=anchor.path)
        .select_related("node")
        .order_by("path", "number"),
        date(year, month, 1),
    )
    import io

    buffer = io.BytesIO()
    writer = XlsxWriter(buffer, f"{year}-{month:02d}")
    writer.header(
        [
            _("Worker number"),
            _("Name"),
            _("Works at"),
            _("Post category"),
            _("Grade"),
            _("Base pay"),
            _("Allowance (%)"),
            _("Qualification allowance"),
            _("Monthly pay"),
            _("City pays"),
            _("District pays"),
        ]
    )
    for row in salary_rows(pays):
        writer.write([float(c) if isinstance(c, Decimal) else c for c in row])
    writer.close()
    response = HttpResponse(
        buffer.getvalue(), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = f'attachment; filename="salary-{year}-{month:02d}.xlsx"'
    return response


@requires("cadres.paygrade")
def seniority(request: HttpRequest) -> HttpResponse:
    """The workers due for a grade rise by years of service (two full years at a grade, assessments competent or
    better); a POST raises them all, from today."""
    from django.contrib import messages
    from django.http import HttpResponseRedirect

    anchor = _anchor(request.user, request.GET.get("node"), PayGrade)
    workers = _workers(request.user, anchor, PayGrade)
    if request.method == "POST":
        if not can(request.user, PayGrade, "add", anchor.path):
            raise NotFound()
        rises = actions.do_seniority_rises(acting_user=request.user, cadres=workers)
        messages.success(request, _("%(n)d workers rose a grade.") % {"n": len(rises)})
        return HttpResponseRedirect(f"{request.path}?node={anchor.pk}")
    due = actions.seniority_due(workers, timezone.localdate())
    return render(
        request,
        "cadres/seniority.html",
        {
            "anchor": anchor,
            "up": _up(request.user, anchor, PayGrade),
            "due": due,
            "years": actions.SENIORITY_YEARS,
            "can_raise": can(request.user, PayGrade, "add", anchor.path),
        },
    )


@login_required
def mine(request: HttpRequest) -> HttpResponse:
    """The worker's own file: their training, qualifications, pay, assessments and rewards."""
    found = list(Cadre.objects.filter(user_id=int(request.user.pk or 0)).select_related("node")[:1])
    if not found:
        raise NotFound()
    obj = found[0]
    return render(request, "cadres/mine.html", {"object": obj, **cadre_context(request.user, obj, own=True)})
