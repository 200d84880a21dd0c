from __future__ import annotations

from typing import Any

import django_filters
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from shequ.core.filtersets import SearchFilterSet, WithinFilter

from .models import Background, CaseStatus, Category, MediationCase, Mediator, Risk


class MediatorFilterSet(SearchFilterSet):
    committee = django_filters.NumberFilter(field_name="committee_id", label=_("Mediation committee"))
    background = django_filters.ChoiceFilter(choices=Background.choices, label=_("Background"))
    available = django_filters.BooleanFilter(label=_("Available"))
    within = WithinFilter()

    class Meta:
        model = Mediator
        fields = ["q", "committee", "background", "available", "within"]

    def search(self, queryset: Any, name: str, value: str) -> Any:
        value = value.strip()
        return queryset.filter(Q(name__icontains=value) | Q(specialities__icontains=value)) if value else queryset


class MediationCaseFilterSet(SearchFilterSet):
    status = django_filters.ChoiceFilter(choices=CaseStatus.choices, label=_("Status"))
    category = django_filters.ChoiceFilter(choices=Category.choices, label=_("Kind of dispute"))
    risk = django_filters.ChoiceFilter(choices=Risk.choices, label=_("Risk level"))
    is_open = django_filters.BooleanFilter(label=_("Open"))
    overdue = django_filters.BooleanFilter(method="filter_overdue", label=_("Overdue"))
    follow_up_due = django_filters.BooleanFilter(method="filter_follow_up_due", label=_("Follow-up due"))
    committee = django_filters.NumberFilter(field_name="committee_id", label=_("Mediation committee"))
    since = django_filters.DateFilter(field_name="registered_at", lookup_expr="date__gte", label=_("From"))
    until = django_filters.DateFilter(field_name="registered_at", lookup_expr="date__lte", label=_("To"))
    within = WithinFilter()

    class Meta:
        model = MediationCase
        fields = [
            "q",
            "status",
            "category",
            "risk",
            "is_open",
            "overdue",
            "follow_up_due",
            "committee",
            "since",
            "until",
            "within",
        ]

    def search(self, queryset: Any, name: str, value: str) -> Any:
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(Q(code__iexact=value) | Q(summary__icontains=value) | Q(parties__name=value)).distinct()

    def filter_overdue(self, queryset: Any, name: str, value: Any) -> Any:
        if value is None:
            return queryset
        late = {"is_open": True, "deadline__lt": timezone.now()}
        return queryset.filter(**late) if value else queryset.exclude(**late)

    def filter_follow_up_due(self, queryset: Any, name: str, value: Any) -> Any:
        """Agreements whose follow-up is due today or before (the home page's count)."""
        if value is None:
            return queryset
        due = Q(status=CaseStatus.AGREED, follow_up_due__lte=timezone.localdate())
        return queryset.filter(due) if value else queryset.exclude(due)
