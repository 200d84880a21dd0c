from __future__ import annotations

from datetime import timedelta
from typing import Any

import django_filters
from django import forms
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from shequ.core.filtersets import FilterSet, PickerFilter, PlaceFilter, SearchFilterSet, WithinFilter
from shequ.core.widgets import NodePickerWidget

from .models import PARTY_KINDS, TWO_NEW_KINDS, Organization, OrgKind, Post, Registration, Title
from .widgets import OrganizationPickerWidget, ResidentPickerWidget


class OrganizationFilterSet(SearchFilterSet):
    kind = django_filters.MultipleChoiceFilter(choices=OrgKind.choices, label=_("Kind"))
    group = django_filters.ChoiceFilter(
        method="filter_group",
        label=_("Group"),
        choices=[("party", _("party organizations")), ("two_new", _("“two new” organizations"))],
    )
    within = WithinFilter()
    node = PlaceFilter(field_name="node_id", label=_("Place"))
    parent = PickerFilter(field_name="parent_id", label=_("Parent organization"), widget=OrganizationPickerWidget())
    active = django_filters.BooleanFilter(label=_("Active"))
    registration = django_filters.ChoiceFilter(choices=Registration.choices, label=_("Registration"))
    has_party_org = django_filters.BooleanFilter(label=_("Has a party organization"))
    party_work_carried_out = django_filters.BooleanFilter(label=_("Party work carried out"))
    contract_ends_within = django_filters.NumberFilter(
        method="filter_contract_ends", label=_("Contract ends within (days)")
    )
    estate = PlaceFilter(
        field_name="estates", label=_("Serves the residential area"), widget=NodePickerWidget(kinds=["estate"])
    )
    alliance = django_filters.NumberFilter(
        field_name="alliances", label=_("Member of the alliance"), widget=forms.HiddenInput
    )

    class Meta:
        model = Organization
        fields = [
            "q",
            "kind",
            "group",
            "within",
            "node",
            "parent",
            "active",
            "registration",
            "has_party_org",
            "party_work_carried_out",
            "contract_ends_within",
            "estate",
            "alliance",
        ]

    def filter_group(self, queryset: Any, name: str, value: str) -> Any:
        kinds = PARTY_KINDS if value == "party" else TWO_NEW_KINDS
        return queryset.filter(kind__in=kinds)

    def filter_contract_ends(self, queryset: Any, name: str, value: Any) -> Any:
        today = timezone.localdate()
        return queryset.filter(contract_end__gte=today, contract_end__lte=today + timedelta(days=int(value)))


class PostFilterSet(FilterSet):
    q = django_filters.CharFilter(method="search", label=_("Search"))
    organization = PickerFilter(
        field_name="organization_id", label=_("Organization"), widget=OrganizationPickerWidget()
    )
    person = PickerFilter(field_name="person_id", label=_("Resident"), widget=ResidentPickerWidget())
    title = django_filters.MultipleChoiceFilter(choices=Title.choices, label=_("Post"))
    kind = django_filters.MultipleChoiceFilter(
        field_name="organization__kind", choices=OrgKind.choices, label=_("Kind of organization")
    )
    current = django_filters.BooleanFilter(method="filter_current", label=_("Held now"))
    within = WithinFilter()

    class Meta:
        model = Post
        fields = ["q", "organization", "person", "title", "kind", "current", "within"]

    def search(self, queryset: Any, name: str, value: str) -> Any:
        value = value.strip()
        if not value:
            return queryset
        term = value.lower().replace(" ", "")
        return queryset.filter(
            Q(person__name__icontains=value)
            | Q(person__pinyin__startswith=term)
            | Q(person__initials__startswith=term)
            | Q(person_name__icontains=value)
            | Q(organization__name__icontains=value)
        )

    def filter_current(self, queryset: Any, name: str, value: Any) -> Any:
        if value is None:
            return queryset
        current = Post.objects.current().values("pk")
        return queryset.filter(pk__in=current) if value else queryset.exclude(pk__in=current)
