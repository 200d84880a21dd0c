from __future__ import annotations

from typing import Any

import django_filters
from django.utils.translation import gettext_lazy as _

from shequ.core.filtersets import SearchFilterSet
from shequ.territory.models import Node

from .fields import id_hash_of
from .identity import normalize_id
from .models import CareTag, Education, Employment, Gender, Household, PoliticalStatus, ResidenceType, Resident

STATUS_CHOICES = [("active", _("current residents")), ("archived", _("archived")), ("all", _("all"))]


def _within(request: Any, queryset: Any, value: Any) -> Any:
    # The anchor itself must be visible: a forged id outside scope finds nothing.
    anchor = Node.objects.restrict(getattr(request, "user", None), "view").filter(pk=value).first()
    if anchor is None:
        return queryset.none()
    return queryset.within(anchor.path)


class ResidentFilterSet(SearchFilterSet):
    """``q`` matches the name, its pinyin or initials, or the full identity number (by its blind index)."""

    status = django_filters.ChoiceFilter(
        choices=STATUS_CHOICES, method="filter_status", label=_("Status"), empty_label=None
    )
    within = django_filters.NumberFilter(method="filter_within", label=_("Within (node id)"))
    id_number = django_filters.CharFilter(method="filter_id_number", label=_("Identity number"))
    gender = django_filters.ChoiceFilter(choices=Gender.choices, label=_("Gender"))
    residence_type = django_filters.ChoiceFilter(choices=ResidenceType.choices, label=_("Residence type"))
    political_status = django_filters.ChoiceFilter(choices=PoliticalStatus.choices, label=_("Political status"))
    education = django_filters.ChoiceFilter(choices=Education.choices, label=_("Education"))
    employment = django_filters.ChoiceFilter(choices=Employment.choices, label=_("Employment status"))
    tag = django_filters.ModelChoiceFilter(
        field_name="tags", queryset=CareTag.objects.filter(active=True), label=_("Special-care tag")
    )
    household = django_filters.NumberFilter(field_name="household_id", label=_("Household (id)"))

    class Meta:
        model = Resident
        fields = [
            "q",
            "status",
            "within",
            "id_number",
            "gender",
            "residence_type",
            "political_status",
            "education",
            "employment",
            "tag",
            "household",
        ]

    def __init__(self, data: Any = None, queryset: Any = None, *, request: Any = None, **kwargs: Any) -> None:
        # Current residents unless asked otherwise, also when the form is not submitted at all.
        status = (data or {}).get("status") or "active"
        if queryset is not None and status == "active":
            queryset = queryset.filter(archived=False)
        elif queryset is not None and status == "archived":
            queryset = queryset.filter(archived=True)
        super().__init__(data, queryset, request=request, **kwargs)

    def filter_status(self, queryset: Any, name: str, value: Any) -> Any:
        return queryset  # applied in __init__

    def search(self, queryset: Any, name: str, value: str) -> Any:
        # A full identity number is looked up by its blind index alone: OR-ing it with the name
        # patterns would make the database scan every resident instead of using the index.
        number = normalize_id(value)
        if len(number) == 18 and number[:17].isdigit():
            return queryset.filter(id_hash=id_hash_of(number))
        return super().search(queryset, name, value)

    def filter_within(self, queryset: Any, name: str, value: Any) -> Any:
        return _within(self.request, queryset, value)

    def filter_id_number(self, queryset: Any, name: str, value: str) -> Any:
        number = normalize_id(value)
        if len(number) != 18:
            return queryset.none()
        return queryset.filter(id_hash=id_hash_of(number))

    def filter_queryset(self, queryset: Any) -> Any:
        return super().filter_queryset(queryset).select_related("node__parent").prefetch_related("tags")


class HouseholdFilterSet(SearchFilterSet):
    within = django_filters.NumberFilter(method="filter_within", label=_("Within (node id)"))
    number = django_filters.CharFilter(label=_("Household number"))
    dissolved = django_filters.BooleanFilter(label=_("Dissolved"))

    class Meta:
        model = Household
        fields = ["q", "within", "number", "dissolved"]

    def search(self, queryset: Any, name: str, value: str) -> Any:
        from django.db.models import Q

        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(number__startswith=value)
            | Q(address__icontains=value)
            | Q(head__name__icontains=value)
            | Q(head__pinyin__startswith=value.lower().replace(" ", ""))
        )

    def filter_within(self, queryset: Any, name: str, value: Any) -> Any:
        return _within(self.request, queryset, value)

    def filter_queryset(self, queryset: Any) -> Any:
        return super().filter_queryset(queryset).select_related("node__parent", "head")


class CareTagFilterSet(SearchFilterSet):
    active = django_filters.BooleanFilter(label=_("Active"))

    class Meta:
        model = CareTag
        fields = ["q", "active"]
