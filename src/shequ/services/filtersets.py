from __future__ import annotations

from typing import Any

import django_filters
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from shequ.core.filtersets import PickerFilter, SearchFilterSet, WithinFilter
from shequ.orgs.widgets import OrganizationPickerWidget

from .models import (
    Channel,
    DeadlineTier,
    RoutingRule,
    ServiceAttribute,
    ServiceCategory,
    ServiceRequest,
    Status,
    SubTask,
    SubTaskStatus,
)
from .pickers import CategoryFilter


class ServiceRequestFilterSet(SearchFilterSet):
    status = django_filters.MultipleChoiceFilter(choices=Status.choices, label=_("Status"))
    channel = django_filters.MultipleChoiceFilter(choices=Channel.choices, label=_("Channel"))
    category = CategoryFilter(method="filter_category")
    organization = PickerFilter(
        field_name="organization_id", label=_("Responsible organization"), widget=OrganizationPickerWidget()
    )
    within = WithinFilter()
    open = django_filters.BooleanFilter(field_name="is_open", label=_("Open"))
    overdue = django_filters.BooleanFilter(method="filter_overdue", label=_("Overdue"))

    class Meta:
        model = ServiceRequest
        fields = ["q", "status", "channel", "category", "organization", "within", "open", "overdue"]

    def filter_category(self, queryset: Any, name: str, value: Any) -> Any:
        """A top-level category finds its sub-categories' requests too."""
        if value is None:
            return queryset
        children = ServiceCategory.objects.filter(parent_id=value.pk).values_list("pk", flat=True)
        return queryset.filter(category_id__in=[value.pk, *children])

    def filter_overdue(self, queryset: Any, name: str, value: Any) -> Any:
        if value is None:
            return queryset
        now = timezone.now()
        if value:
            return queryset.filter(is_open=True, deadline__lt=now)
        return queryset.exclude(is_open=True, deadline__lt=now)


class SubTaskFilterSet(SearchFilterSet):
    status = django_filters.MultipleChoiceFilter(choices=SubTaskStatus.choices, label=_("Status"))
    to_us = django_filters.BooleanFilter(method="filter_to_us", label=_("Assigned to us"))
    overdue = django_filters.BooleanFilter(method="filter_overdue", label=_("Overdue"))

    class Meta:
        model = SubTask
        fields = ["q", "status", "to_us", "overdue"]

    def filter_to_us(self, queryset: Any, name: str, value: Any) -> Any:
        """Handed to an organization of the user's working area (to do), rather than sent out by it."""
        user = getattr(self.request, "user", None)
        if value is None or user is None:
            return queryset
        if value:
            return queryset.assigned_to(user)
        return queryset.exclude(pk__in=SubTask.objects.assigned_to(user).values("pk"))

    def filter_overdue(self, queryset: Any, name: str, value: Any) -> Any:
        """Open past its due time."""
        if value is None:
            return queryset
        late = Q(status=SubTaskStatus.OPEN, due__lt=timezone.now())
        return queryset.filter(late) if value else queryset.exclude(late)


class ServiceCategoryFilterSet(SearchFilterSet):
    active = django_filters.BooleanFilter(label=_("Active"))
    public = django_filters.BooleanFilter(label=_("Public"))

    class Meta:
        model = ServiceCategory
        fields = ["q", "active", "public"]


class DeadlineTierFilterSet(SearchFilterSet):
    class Meta:
        model = DeadlineTier
        fields = ["q"]


class RoutingRuleFilterSet(SearchFilterSet):
    category = CategoryFilter()  # a rule is a category's own: a top-level category finds its rules only

    class Meta:
        model = RoutingRule
        fields = ["q", "category"]


class ServiceAttributeFilterSet(SearchFilterSet):
    category = CategoryFilter()

    class Meta:
        model = ServiceAttribute
        fields = ["category"]
