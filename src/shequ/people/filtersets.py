from __future__ import annotations

from typing import Any

import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _

from shequ.core.filtersets import SearchFilterSet, WithinFilter

from .fields import id_hash_of
from .identity import normalize_id
from .models import CareTag, Education, Employment, Gender, Household, PoliticalStatus, ResidenceType, Resident

STATUS_CHOICES = [("active", _("current residents")), ("archived", _("archived")), ("all", _("all"))]


class ResidentFilterSet(SearchFilterSet):
    """``q`` matches the name, its pinyin or initials, or the full identity number (by its blind index
    alone: see ``Resident.search_condition``)."""

    status = django_filters.ChoiceFilter(
        choices=STATUS_CHOICES, method="filter_status", label=_("Status"), empty_label=None
    )
    within = WithinFilter()
    id_number = django_filters.CharFilter(method="filter_id_number", label=_("Identity number"))
    # A full identity number typed in the search form travels as its keyed hash (``idh``), never itself.
    idh = django_filters.CharFilter(method="filter_token", widget=forms.HiddenInput, label=_("Identity number"))
    token_fields = ("q", "id_number")
    gender = django_filters.ChoiceFilter(choices=Gender.choices, label=_("Gender"))
    residence_type = django_filters.ChoiceFilter(choices=ResidenceType.choices, label=_("Residence type"))
    political_status = django_filters.ChoiceFilter(choices=PoliticalStatus.choices, label=_("Political status"))
    education = django_filters.ChoiceFilter(choices=Education.choices, label=_("Education"))
    employment = django_filters.ChoiceFilter(choices=Employment.choices, label=_("Employment status"))
    tag = django_filters.ModelChoiceFilter(
        field_name="tags", queryset=CareTag.objects.filter(active=True), label=_("Special-care tag")
    )
    household = django_filters.NumberFilter(field_name="household_id", label=_("Household"), widget=forms.HiddenInput)

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
            "idh",
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

    @classmethod
    def tokenize(cls, field: str, value: str) -> str | None:
        # Whatever is typed in the identity-number box stays out of URLs, valid or not.
        if field == "id_number":
            return id_hash_of(normalize_id(value))
        return super().tokenize(field, value)

    def filter_id_number(self, queryset: Any, name: str, value: str) -> Any:
        number = normalize_id(value)
        if len(number) != 18:
            return queryset.none()
        return queryset.filter(id_hash=id_hash_of(number))

    def filter_queryset(self, queryset: Any) -> Any:
        return super().filter_queryset(queryset).select_related("node__parent").prefetch_related("tags")


class HouseholdFilterSet(SearchFilterSet):
    within = WithinFilter()
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

    def filter_queryset(self, queryset: Any) -> Any:
        return super().filter_queryset(queryset).select_related("node__parent", "head")


class CareTagFilterSet(SearchFilterSet):
    active = django_filters.BooleanFilter(label=_("Active"))

    class Meta:
        model = CareTag
        fields = ["q", "active"]
