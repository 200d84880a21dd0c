from __future__ import annotations

from typing import Any

import django_filters
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from shequ.core.filtersets import SearchFilterSet, WithinFilter

from .models import (
    AWAITING_DECISION,
    AccessItem,
    AccessList,
    Decision,
    DecisionKind,
    DecisionStatus,
    Disclosure,
    DisclosureKind,
    DisclosureRequirement,
    Frequency,
    GovernanceRules,
    Handover,
    ListStatus,
)


class DecisionFilterSet(SearchFilterSet):
    kind = django_filters.ChoiceFilter(choices=DecisionKind.choices, label=_("Kind"))
    status = django_filters.ChoiceFilter(choices=DecisionStatus.choices, label=_("Status"))
    is_open = django_filters.BooleanFilter(label=_("Open"))
    awaiting = django_filters.BooleanFilter(method="filter_awaiting", label=_("Awaiting a meeting"))
    decided_year = django_filters.NumberFilter(field_name="decided_on", lookup_expr="year", label=_("Decided in"))
    within = WithinFilter()

    class Meta:
        model = Decision
        fields = ["q", "kind", "status", "is_open", "awaiting", "decided_year", "within"]

    def filter_awaiting(self, queryset: Any, name: str, value: Any) -> Any:
        """Open and not yet decided: a meeting (or a step before it) is still to come (the home page's count)."""
        if value is None:
            return queryset
        waiting = Q(status__in=AWAITING_DECISION)
        return queryset.filter(waiting) if value else queryset.exclude(waiting)

    def search(self, queryset: Any, name: str, value: str) -> Any:
        return queryset.filter(title__icontains=value.strip()) if value.strip() else queryset


class DisclosureFilterSet(SearchFilterSet):
    kind = django_filters.ChoiceFilter(choices=DisclosureKind.choices, label=_("Kind"))
    current = django_filters.BooleanFilter(method="filter_current", label=_("On the board now"))
    within = WithinFilter()

    class Meta:
        model = Disclosure
        fields = ["q", "kind", "current", "within"]

    def search(self, queryset: Any, name: str, value: str) -> Any:
        return queryset.filter(title__icontains=value.strip()) if value.strip() else queryset

    def filter_current(self, queryset: Any, name: str, value: Any) -> Any:
        if value is None:
            return queryset
        today = timezone.localdate()
        now = {"published_on__lte": today, "expires_on__gte": today}
        return queryset.filter(**now) if value else queryset.exclude(**now)


class RequirementFilterSet(SearchFilterSet):
    kind = django_filters.ChoiceFilter(choices=DisclosureKind.choices, label=_("Kind"))
    frequency = django_filters.ChoiceFilter(choices=Frequency.choices, label=_("How often"))
    overdue = django_filters.BooleanFilter(method="filter_overdue", label=_("Overdue"))
    within = WithinFilter()

    class Meta:
        model = DisclosureRequirement
        fields = ["q", "kind", "frequency", "overdue", "within"]

    def search(self, queryset: Any, name: str, value: str) -> Any:
        return queryset.filter(node__name__icontains=value.strip()) if value.strip() else queryset

    def filter_overdue(self, queryset: Any, name: str, value: Any) -> Any:
        if value is None:
            return queryset
        late = {"next_due__lt": timezone.localdate()}
        return queryset.filter(**late) if value else queryset.exclude(**late)


class RulesFilterSet(SearchFilterSet):
    within = WithinFilter()

    class Meta:
        model = GovernanceRules
        fields = ["q", "within"]

    def search(self, queryset: Any, name: str, value: str) -> Any:
        return queryset.filter(node__name__icontains=value.strip()) if value.strip() else queryset


class AccessListFilterSet(SearchFilterSet):
    status = django_filters.ChoiceFilter(choices=ListStatus.choices, label=_("Status"))
    within = WithinFilter()

    class Meta:
        model = AccessList
        fields = ["q", "status", "within"]

    def search(self, queryset: Any, name: str, value: str) -> Any:
        return queryset.filter(reference__icontains=value.strip()) if value.strip() else queryset


class AccessItemFilterSet(SearchFilterSet):
    access_list = django_filters.NumberFilter(field_name="access_list_id", label=_("List"))
    in_force = django_filters.BooleanFilter(method="filter_in_force", label=_("On the list in force"))

    class Meta:
        model = AccessItem
        fields = ["q", "access_list", "in_force"]

    def search(self, queryset: Any, name: str, value: str) -> Any:
        from django.db.models import Q

        v = value.strip()
        return queryset.filter(Q(matter__icontains=v) | Q(department__icontains=v)) if v else queryset

    def filter_in_force(self, queryset: Any, name: str, value: Any) -> Any:
        if value is None:
            return queryset
        now = {"access_list__status": ListStatus.IN_FORCE}
        return queryset.filter(**now) if value else queryset.exclude(**now)


class HandoverFilterSet(SearchFilterSet):
    year = django_filters.NumberFilter(label=_("Year"))
    funded = django_filters.BooleanFilter(
        field_name="funds_transferred_on", lookup_expr="isnull", exclude=True, label=_("Funds transferred")
    )
    within = WithinFilter()

    class Meta:
        model = Handover
        fields = ["q", "year", "funded", "within"]

    def search(self, queryset: Any, name: str, value: str) -> Any:
        return queryset.filter(item__matter__icontains=value.strip()) if value.strip() else queryset
