from __future__ import annotations

from typing import Any

import django_filters
from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from shequ.accounts.scope import Reach, can, reaches
from shequ.core.filtersets import FilterSet, PickerFilter, SearchFilterSet, WithinFilter
from shequ.people.models import Education

from .models import (
    Category,
    CommunityReport,
    DevelopmentRecord,
    DuesPayment,
    MemberStatus,
    PartyMember,
    RelationTransfer,
    Stage,
    TransferKind,
    TransferStatus,
)
from .widgets import MemberPickerWidget, PartyOrgPickerWidget


def actionable(queryset: Any, user: Any) -> Any:
    """What is due is due for those who may act on it: a user with rights to change the model sees the rows within
    their working area (the rows the home page counts), anyone else the rows they may see."""
    if user is None or not can(user, queryset.model, "change"):
        return queryset
    return queryset.restrict(user, "change")


class PartyMemberFilterSet(SearchFilterSet):
    status = django_filters.MultipleChoiceFilter(choices=MemberStatus.choices, label=_("Status"))
    category = django_filters.MultipleChoiceFilter(choices=Category.choices, label=_("Category"))
    education = django_filters.MultipleChoiceFilter(choices=Education.choices, label=_("Education"))
    organization = PickerFilter(
        field_name="organization_id", label=_("Party organization"), widget=PartyOrgPickerWidget()
    )
    within = WithinFilter()
    joined_year = django_filters.NumberFilter(field_name="joined_on__year", label=_("Year of joining"))
    probation_ended = django_filters.BooleanFilter(
        method="filter_probation_ended", label=_("Probation ended, awaiting a decision")
    )
    # A full identity number typed in the search form travels as its keyed hash (``idh``), never itself.
    idh = django_filters.CharFilter(method="filter_token", widget=forms.HiddenInput, label=_("Identity number"))

    class Meta:
        model = PartyMember
        fields = [
            "q",
            "status",
            "category",
            "education",
            "organization",
            "within",
            "joined_year",
            "probation_ended",
            "idh",
        ]

    def filter_probation_ended(self, queryset: Any, name: str, value: Any) -> Any:
        if value is None:
            return queryset
        ended = actionable(queryset, getattr(self.request, "user", None)).probation_ended()
        return ended if value else queryset.exclude(pk__in=ended.values("pk"))


class DevelopmentRecordFilterSet(SearchFilterSet):
    stage = django_filters.MultipleChoiceFilter(choices=Stage.choices, label=_("Stage"))
    organization = PickerFilter(
        field_name="organization_id", label=_("Party organization"), widget=PartyOrgPickerWidget()
    )
    within = WithinFilter()
    due = django_filters.BooleanFilter(method="filter_due", label=_("Next step due"))
    idh = django_filters.CharFilter(method="filter_token", widget=forms.HiddenInput, label=_("Identity number"))

    class Meta:
        model = DevelopmentRecord
        fields = ["q", "stage", "organization", "within", "due", "idh"]

    def filter_due(self, queryset: Any, name: str, value: Any) -> Any:
        if value is None:
            return queryset
        due = actionable(queryset, getattr(self.request, "user", None)).due()
        return due if value else queryset.exclude(pk__in=due.values("pk"))


class RelationTransferFilterSet(SearchFilterSet):
    box = django_filters.ChoiceFilter(
        method="filter_box",
        label=_("Box"),
        choices=[("inbox", _("inbox: coming to us")), ("outbox", _("outbox: leaving us"))],
    )
    status = django_filters.MultipleChoiceFilter(choices=TransferStatus.choices, label=_("Status"))
    kind = django_filters.ChoiceFilter(choices=TransferKind.choices, label=_("Kind"))
    is_open = django_filters.BooleanFilter(label=_("Open"))
    overdue = django_filters.BooleanFilter(method="filter_overdue", label=_("Overdue"))

    class Meta:
        model = RelationTransfer
        fields = ["q", "box", "status", "kind", "is_open", "overdue"]

    def filter_box(self, queryset: Any, name: str, value: str) -> Any:
        """Open transfers coming to (inbox) or leaving (outbox) the user's area."""
        found = reaches(getattr(self.request, "user", None), RelationTransfer, "view")
        if found is None:
            found = [Reach("")]
        condition = Q()
        for reach in found:
            if value == "inbox":
                inbox = Q(to_path__within=reach.path) | Q(kind=TransferKind.INCOMING, path__within=reach.path)
                condition |= inbox if reach.orgs is None else inbox & Q(to_org__in=sorted(reach.orgs))
            else:
                outbox = Q(path__within=reach.path) & ~Q(kind=TransferKind.INCOMING)
                condition |= outbox if reach.orgs is None else outbox & Q(from_org__in=sorted(reach.orgs))
        return queryset.filter(condition, is_open=True)

    def filter_overdue(self, queryset: Any, name: str, value: Any) -> Any:
        if value is None:
            return queryset
        overdue = RelationTransfer.objects.overdue().values("pk")
        return queryset.filter(pk__in=overdue) if value else queryset.exclude(pk__in=overdue)


class CommunityReportFilterSet(FilterSet):
    q = django_filters.CharFilter(method="search", label=_("Search"))
    current = django_filters.BooleanFilter(field_name="ended_on", lookup_expr="isnull", label=_("Current"))
    within = WithinFilter()

    class Meta:
        model = CommunityReport
        fields = ["q", "current", "within"]

    def search(self, queryset: Any, name: str, value: str) -> Any:
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(member__name__icontains=value) | Q(member__pinyin__startswith=value.lower().replace(" ", ""))
        )


class DuesPaymentFilterSet(FilterSet):
    q = django_filters.CharFilter(method="search", label=_("Search"))
    year = django_filters.NumberFilter(field_name="month__year", label=_("Year"))
    member = PickerFilter(field_name="member_id", label=_("Party member"), widget=MemberPickerWidget())
    within = WithinFilter()

    class Meta:
        model = DuesPayment
        fields = ["q", "year", "member", "within"]

    def search(self, queryset: Any, name: str, value: str) -> Any:
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(member__name__icontains=value) | Q(member__pinyin__startswith=value.lower().replace(" ", ""))
        )
