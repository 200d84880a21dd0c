from __future__ import annotations

from typing import Any

import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .models import AUDIT_ACTIONS, AuditEntry, Job


class SearchFilterSet(django_filters.FilterSet):
    """A FilterSet with a free-text ``q`` over the model's ``search_fields`` lookups."""

    q = django_filters.CharFilter(method="search", label=_("Search"))

    def search(self, queryset: Any, name: str, value: str) -> Any:
        return queryset.filter(search_q(queryset.model, value))


def search_q(model: Any, value: str) -> Q:
    value = value.strip()
    condition = Q()
    if not value:
        return condition
    for lookup in getattr(model, "search_fields", ()):
        term = value.lower() if lookup.split("__")[0] in ("pinyin", "initials") else value
        if lookup.split("__")[0] in ("pinyin", "initials"):
            term = term.replace(" ", "")
        condition |= Q(**{lookup: term})
    return condition


class AuditEntryFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(field_name="object_repr", lookup_expr="icontains", label=_("Object"))
    action = django_filters.ChoiceFilter(choices=AUDIT_ACTIONS, label=_("Action"))
    actor = django_filters.CharFilter(field_name="actor__username", label=_("Actor (user name)"))
    since = django_filters.DateFilter(field_name="timestamp", lookup_expr="date__gte", label=_("From"))
    until = django_filters.DateFilter(field_name="timestamp", lookup_expr="date__lte", label=_("To"))

    class Meta:
        model = AuditEntry
        fields = ["q", "action", "actor", "since", "until"]


class JobFilterSet(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=Job.Status.choices, label=_("Status"))

    class Meta:
        model = Job
        fields = ["status"]
