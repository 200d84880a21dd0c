from __future__ import annotations

from typing import Any

import django_filters
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from shequ.core.filtersets import SearchFilterSet, WithinFilter
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


def category_choices() -> list[tuple[int, str]]:
    """The catalogue as the category filter offers it: each category, then its sub-categories indented
    (a top-level category finds its sub-categories' requests too).  Plain values: no model instances."""
    rows = list(ServiceCategory.objects.order_by("order", "code").values_list("pk", "name", "parent_id"))
    children: dict[int | None, list[tuple[int, str]]] = {}
    for pk, name, parent in rows:
        children.setdefault(parent, []).append((pk, name))
    choices: list[tuple[int, str]] = []
    for pk, name in children.get(None, []):
        choices.append((pk, name))
        choices.extend((child, f"\u3000{child_name}") for child, child_name in children.get(pk, []))
    return choices


class ServiceRequestFilterSet(SearchFilterSet):
    status = django_filters.MultipleChoiceFilter(choices=Status.choices, label=_("Status"))
    channel = django_filters.MultipleChoiceFilter(choices=Channel.choices, label=_("Channel"))
    category = django_filters.ChoiceFilter(choices=category_choices, method="filter_category", label=_("Category"))
    organization = django_filters.NumberFilter(
        field_name="organization_id", label=_("Responsible organization"), widget=OrganizationPickerWidget()
    )
    within = WithinFilter()
    open = django_filters.BooleanFilter(field_name="is_open", label=_("Open"))
    overdue = django_filters.BooleanFilter(method="filter_overdue", label=_("Overdue"))

    class Meta:
        model = ServiceRequest
        fields = ["q", "status", "channel", "category", "organization", "within", "open", "overdue"]

    def filter_category(self, queryset: Any, name: str, value: Any) -> Any:
        return queryset.filter(
            category_id__in=[value, *ServiceCategory.objects.filter(parent_id=value).values_list("pk", flat=True)]
        )

    def filter_overdue(self, queryset: Any, name: str, value: Any) -> Any:
        if value is None:
            return queryset
        now = timezone.now()
        if value:
            return queryset.filter(is_open=True, deadline__lt=now)
        return queryset.exclude(is_open=True, deadline__lt=now)


class SubTaskFilterSet(SearchFilterSet):
    status = django_filters.MultipleChoiceFilter(choices=SubTaskStatus.choices, label=_("Status"))

    class Meta:
        model = SubTask
        fields = ["q", "status"]


class ServiceCategoryFilterSet(SearchFilterSet):
    active = django_filters.BooleanFilter(label=_("Active"))

    class Meta:
        model = ServiceCategory
        fields = ["q", "active"]


class DeadlineTierFilterSet(SearchFilterSet):
    class Meta:
        model = DeadlineTier
        fields = ["q"]


def one_category_filter() -> django_filters.ChoiceFilter:
    """The catalogue's category select (indented as on the request list) matching that category only: the
    filter of the catalogue's own lists (routing rules, attributes), where a rule is a category's own."""
    return django_filters.ChoiceFilter(choices=category_choices, field_name="category_id", label=_("Category"))


class RoutingRuleFilterSet(SearchFilterSet):
    category = one_category_filter()

    class Meta:
        model = RoutingRule
        fields = ["q", "category"]


class ServiceAttributeFilterSet(SearchFilterSet):
    category = one_category_filter()

    class Meta:
        model = ServiceAttribute
        fields = ["category"]
