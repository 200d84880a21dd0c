from __future__ import annotations

from typing import Any

import django_filters
from django.utils.translation import gettext_lazy as _

from shequ.core.filtersets import SearchFilterSet

from .models import Kind, Node


class NodeFilterSet(SearchFilterSet):
    kind = django_filters.MultipleChoiceFilter(choices=Kind.choices, label=_("Kind"))
    within = django_filters.NumberFilter(method="filter_within", label=_("Within (node id)"))
    parent = django_filters.NumberFilter(field_name="parent_id", label=_("Parent (node id)"))
    code = django_filters.CharFilter(lookup_expr="startswith", label=_("Code"))
    retired = django_filters.BooleanFilter(label=_("Retired"))

    class Meta:
        model = Node
        fields = ["q", "kind", "within", "parent", "code", "retired"]

    def filter_within(self, queryset: Any, name: str, value: Any) -> Any:
        # The anchor itself must be visible: a forged id outside scope finds nothing.
        anchor = Node.objects.restrict(getattr(self.request, "user", None), "view").filter(pk=value).first()
        if anchor is None:
            return queryset.none()
        return queryset.within(anchor.path)
