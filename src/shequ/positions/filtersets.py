from __future__ import annotations

import django_filters
from django.utils.translation import gettext_lazy as _

from shequ.core.filtersets import SearchFilterSet, WithinFilter

from .models import (
    Book,
    CulturalBrand,
    CulturalEvent,
    EntryKind,
    EntryStatus,
    Facility,
    FacilityKind,
    FundAccount,
    LedgerEntry,
    StandardCheck,
    Statement,
)


class FacilityFilterSet(SearchFilterSet):
    kind = django_filters.ChoiceFilter(choices=FacilityKind.choices, label=_("Kind"))
    within = WithinFilter()

    class Meta:
        model = Facility
        fields = ["q", "kind", "within"]


class StandardCheckFilterSet(SearchFilterSet):
    year = django_filters.NumberFilter(label=_("Year"))
    within = WithinFilter()

    class Meta:
        model = StandardCheck
        fields = ["q", "year", "within"]

    def search(self, queryset, name, value):  # type: ignore[no-untyped-def]
        return queryset.filter(node__name__icontains=value.strip()) if value.strip() else queryset


class BrandFilterSet(SearchFilterSet):
    within = WithinFilter()

    class Meta:
        model = CulturalBrand
        fields = ["q", "within"]


class EventFilterSet(SearchFilterSet):
    within = WithinFilter()

    class Meta:
        model = CulturalEvent
        fields = ["q", "within"]


class AccountFilterSet(SearchFilterSet):
    within = WithinFilter()

    class Meta:
        model = FundAccount
        fields = ["q", "within"]


class EntryFilterSet(SearchFilterSet):
    status = django_filters.ChoiceFilter(choices=EntryStatus.choices, label=_("Status"))
    book = django_filters.ChoiceFilter(choices=Book.choices, label=_("Book"))
    kind = django_filters.ChoiceFilter(choices=EntryKind.choices, label=_("Kind"))
    account = django_filters.NumberFilter(field_name="account_id", label=_("Account"))
    within = WithinFilter()

    class Meta:
        model = LedgerEntry
        fields = ["q", "status", "book", "kind", "account", "within"]


class StatementFilterSet(SearchFilterSet):
    year = django_filters.NumberFilter(label=_("Year"))
    within = WithinFilter()

    class Meta:
        model = Statement
        fields = ["q", "year", "within"]

    def search(self, queryset, name, value):  # type: ignore[no-untyped-def]
        return queryset.filter(node__name__icontains=value.strip()) if value.strip() else queryset
