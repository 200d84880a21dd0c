from __future__ import annotations

from typing import Any

import django_filters
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from shequ.core.filtersets import PickerFilter, SearchFilterSet, WithinFilter
from shequ.volunteers.filtersets import person_q

from .forms import HouseholdPickerWidget, MemberPickerWidget
from .models import ArrivalReason, HouseholdLink, MustArriveTask, TaskStatus, Visit, VisitKind, VisitRule


class VisitRuleFilterSet(SearchFilterSet):
    within = WithinFilter()

    class Meta:
        model = VisitRule
        fields = ["within"]

    def search(self, queryset: Any, name: str, value: str) -> Any:
        return queryset.filter(tag__name__icontains=value.strip()) if value.strip() else queryset


class HouseholdLinkFilterSet(SearchFilterSet):
    member = PickerFilter(field_name="member_id", label=_("Committee member"), widget=MemberPickerWidget())
    household = PickerFilter(field_name="household_id", label=_("Household"), widget=HouseholdPickerWidget())
    current = django_filters.BooleanFilter(field_name="ended_on", lookup_expr="isnull", label=_("Holds now"))
    within = WithinFilter()

    class Meta:
        model = HouseholdLink
        fields = ["q", "member", "household", "current", "within"]

    def search(self, queryset: Any, name: str, value: str) -> Any:
        return queryset.filter(person_q("member__", value)) if value.strip() else queryset


class MustArriveTaskFilterSet(SearchFilterSet):
    status = django_filters.ChoiceFilter(choices=TaskStatus.choices, label=_("Status"))
    reason = django_filters.ChoiceFilter(choices=ArrivalReason.choices, label=_("Reason"))
    is_open = django_filters.BooleanFilter(label=_("Open"))
    overdue = django_filters.BooleanFilter(method="filter_overdue", label=_("Overdue"))
    member = PickerFilter(field_name="member_id", label=_("Committee member"), widget=MemberPickerWidget())
    within = WithinFilter()

    class Meta:
        model = MustArriveTask
        fields = ["q", "status", "reason", "is_open", "overdue", "member", "within"]

    def search(self, queryset: Any, name: str, value: str) -> Any:
        return queryset.filter(description__icontains=value.strip()) if value.strip() else queryset

    def filter_overdue(self, queryset: Any, name: str, value: Any) -> Any:
        if value is None:
            return queryset
        late = {"is_open": True, "deadline__lt": timezone.now()}
        return queryset.filter(**late) if value else queryset.exclude(**late)


class VisitFilterSet(SearchFilterSet):
    kind = django_filters.ChoiceFilter(choices=VisitKind.choices, label=_("Kind"))
    member = PickerFilter(field_name="member_id", label=_("Committee member"), widget=MemberPickerWidget())
    household = PickerFilter(field_name="household_id", label=_("Household"), widget=HouseholdPickerWidget())
    since = django_filters.DateFilter(field_name="visited_at", lookup_expr="date__gte", label=_("From"))
    until = django_filters.DateFilter(field_name="visited_at", lookup_expr="date__lte", label=_("To"))
    within = WithinFilter()

    class Meta:
        model = Visit
        fields = ["q", "kind", "member", "household", "since", "until", "within"]

    def search(self, queryset: Any, name: str, value: str) -> Any:
        return queryset.filter(findings__icontains=value.strip()) if value.strip() else queryset
