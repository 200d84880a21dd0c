from __future__ import annotations

from datetime import date
from typing import Any

import django_filters
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from shequ.core.filtersets import SearchFilterSet, WithinFilter

from .models import (
    Assessment,
    AssessmentStatus,
    Cadre,
    Course,
    CourseKind,
    Level,
    PayGrade,
    PayTable,
    PostCategory,
    Qualification,
    Result,
    Sanction,
    SanctionKind,
    Source,
    TrainingRecord,
)


class CadreFilterSet(SearchFilterSet):
    source = django_filters.ChoiceFilter(choices=Source.choices, label=_("Source"))
    reserve = django_filters.BooleanFilter(label=_("Reserve cadre"))
    active = django_filters.BooleanFilter(label=_("In service"))
    exam_due = django_filters.BooleanFilter(method="filter_exam_due", label=_("Due for the physical examination"))
    uninsured = django_filters.BooleanFilter(method="filter_uninsured", label=_("Missing a social insurance"))
    within = WithinFilter()

    class Meta:
        model = Cadre
        fields = ["q", "source", "reserve", "active", "exam_due", "uninsured", "within"]

    def filter_uninsured(self, queryset: Any, name: str, value: Any) -> Any:
        if value is None:
            return queryset
        missing = Q(pension=False) | Q(medical=False) | Q(unemployment=False) | Q(injury=False) | Q(maternity=False)
        return queryset.filter(missing) if value else queryset.exclude(missing)

    def filter_exam_due(self, queryset: Any, name: str, value: Any) -> Any:
        if value is None:
            return queryset
        due = Q(last_exam_on__isnull=True) | Q(last_exam_on__lt=date(timezone.localdate().year, 1, 1))
        return queryset.filter(due, active=True) if value else queryset.exclude(due)


class CourseFilterSet(SearchFilterSet):
    kind = django_filters.ChoiceFilter(choices=CourseKind.choices, label=_("Kind"))
    year = django_filters.NumberFilter(field_name="starts_on", lookup_expr="year", label=_("Year"))
    within = WithinFilter()

    class Meta:
        model = Course
        fields = ["q", "kind", "year", "within"]


class TrainingRecordFilterSet(SearchFilterSet):
    cadre = django_filters.NumberFilter(field_name="cadre_id", label=_("Community worker"))
    course = django_filters.NumberFilter(field_name="course_id", label=_("Course"))
    year = django_filters.NumberFilter(field_name="attended_on", lookup_expr="year", label=_("Year"))
    within = WithinFilter()

    class Meta:
        model = TrainingRecord
        fields = ["q", "cadre", "course", "year", "within"]

    def search(self, queryset: Any, name: str, value: str) -> Any:
        value = value.strip()
        return (
            queryset.filter(Q(cadre__name__icontains=value) | Q(course__title__icontains=value)) if value else queryset
        )


class QualificationFilterSet(SearchFilterSet):
    level = django_filters.ChoiceFilter(choices=Level.choices, label=_("Level"))
    cadre = django_filters.NumberFilter(field_name="cadre_id", label=_("Community worker"))
    within = WithinFilter()

    class Meta:
        model = Qualification
        fields = ["q", "level", "cadre", "within"]

    def search(self, queryset: Any, name: str, value: str) -> Any:
        value = value.strip()
        return (
            queryset.filter(Q(cadre__name__icontains=value) | Q(certificate_no__icontains=value)) if value else queryset
        )


class PayTableFilterSet(SearchFilterSet):
    year = django_filters.NumberFilter(label=_("Year"))
    within = WithinFilter()

    class Meta:
        model = PayTable
        fields = ["year", "within"]

    def search(self, queryset: Any, name: str, value: str) -> Any:
        return queryset.filter(node__name__icontains=value.strip()) if value.strip() else queryset


class PayGradeFilterSet(SearchFilterSet):
    category = django_filters.ChoiceFilter(choices=PostCategory.choices, label=_("Post category"))
    cadre = django_filters.NumberFilter(field_name="cadre_id", label=_("Community worker"))
    within = WithinFilter()

    class Meta:
        model = PayGrade
        fields = ["q", "category", "cadre", "within"]

    def search(self, queryset: Any, name: str, value: str) -> Any:
        return queryset.filter(cadre__name__icontains=value.strip()) if value.strip() else queryset


class AssessmentFilterSet(SearchFilterSet):
    year = django_filters.NumberFilter(label=_("Year"))
    result = django_filters.ChoiceFilter(choices=Result.choices, label=_("Result"))
    status = django_filters.ChoiceFilter(choices=AssessmentStatus.choices, label=_("Status"))
    is_open = django_filters.BooleanFilter(label=_("To confirm"))
    within = WithinFilter()

    class Meta:
        model = Assessment
        fields = ["q", "year", "result", "status", "is_open", "within"]

    def search(self, queryset: Any, name: str, value: str) -> Any:
        value = value.strip()
        return (
            queryset.filter(Q(cadre__name__icontains=value) | Q(organization__name__icontains=value))
            if value
            else queryset
        )


class SanctionFilterSet(SearchFilterSet):
    kind = django_filters.ChoiceFilter(choices=SanctionKind.choices, label=_("Kind"))
    within = WithinFilter()

    class Meta:
        model = Sanction
        fields = ["q", "kind", "within"]

    def search(self, queryset: Any, name: str, value: str) -> Any:
        value = value.strip()
        return (
            queryset.filter(
                Q(cadre__name__icontains=value) | Q(organization__name__icontains=value) | Q(title__icontains=value)
            )
            if value
            else queryset
        )
