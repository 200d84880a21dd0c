from __future__ import annotations

from typing import Any

import django_filters
from django.utils.translation import gettext_lazy as _

from shequ.core.filtersets import SearchFilterSet, WithinFilter

from .models import (
    Agreement,
    Campaign,
    CampaignStatus,
    Commitment,
    CommitmentKind,
    ConsentKind,
    ConsentRequest,
    ConsentStatus,
    EntryApplication,
    EntryStatus,
    Hearing,
    SubjectKind,
    TerminationCase,
    TerminationStatus,
)


class _Base(SearchFilterSet):
    within = WithinFilter()
    text_field = "name"

    def search(self, queryset: Any, name: str, value: str) -> Any:
        value = value.strip()
        return queryset.filter(**{f"{self.text_field}__icontains": value}) if value else queryset


class EntryApplicationFilterSet(_Base):
    text_field = "company__name"
    status = django_filters.ChoiceFilter(choices=EntryStatus.choices, label=_("Status"))
    is_open = django_filters.BooleanFilter(label=_("Open"))

    class Meta:
        model = EntryApplication
        fields = ["q", "status", "is_open", "within"]


class CampaignFilterSet(_Base):
    text_field = "subject__name"
    year = django_filters.NumberFilter(label=_("Year"))
    subject_kind = django_filters.ChoiceFilter(choices=SubjectKind.choices, label=_("Subject kind"))
    status = django_filters.ChoiceFilter(choices=CampaignStatus.choices, label=_("Status"))
    subject = django_filters.NumberFilter(field_name="subject_id", label=_("Evaluated"))

    class Meta:
        model = Campaign
        fields = ["q", "year", "subject_kind", "status", "subject", "within"]


class TerminationCaseFilterSet(_Base):
    text_field = "company__name"
    status = django_filters.ChoiceFilter(choices=TerminationStatus.choices, label=_("Status"))
    is_open = django_filters.BooleanFilter(label=_("Open"))
    company = django_filters.NumberFilter(field_name="company_id", label=_("Property company"))

    class Meta:
        model = TerminationCase
        fields = ["q", "status", "is_open", "company", "within"]


class AgreementFilterSet(_Base):
    text_field = "unit__name"
    year = django_filters.NumberFilter(label=_("Year"))
    unit = django_filters.NumberFilter(field_name="unit_id", label=_("Resident unit"))

    class Meta:
        model = Agreement
        fields = ["q", "year", "unit", "within"]


class CommitmentFilterSet(_Base):
    text_field = "description"
    kind = django_filters.ChoiceFilter(choices=CommitmentKind.choices, label=_("Kind"))
    agreement = django_filters.NumberFilter(field_name="agreement_id", label=_("Agreement"))
    year = django_filters.NumberFilter(field_name="agreement__year", label=_("Year"))

    class Meta:
        model = Commitment
        fields = ["q", "kind", "agreement", "year", "within"]


class HearingFilterSet(_Base):
    text_field = "topic"
    since = django_filters.DateFilter(field_name="held_on", lookup_expr="gte", label=_("From"))
    until = django_filters.DateFilter(field_name="held_on", lookup_expr="lte", label=_("To"))

    class Meta:
        model = Hearing
        fields = ["q", "since", "until", "within"]


class ConsentRequestFilterSet(_Base):
    text_field = "title"
    kind = django_filters.ChoiceFilter(choices=ConsentKind.choices, label=_("Kind"))
    status = django_filters.ChoiceFilter(choices=ConsentStatus.choices, label=_("Status"))
    is_open = django_filters.BooleanFilter(label=_("Open"))

    class Meta:
        model = ConsentRequest
        fields = ["q", "kind", "status", "is_open", "within"]
