from __future__ import annotations

import django_filters
from django.utils.translation import gettext_lazy as _

from shequ.core.filtersets import PlaceFilter, SearchFilterSet, WithinFilter

from .models import Kind, Node


class NodeFilterSet(SearchFilterSet):
    kind = django_filters.MultipleChoiceFilter(choices=Kind.choices, label=_("Kind"))
    within = WithinFilter()
    parent = PlaceFilter(field_name="parent_id", label=_("Parent"))
    code = django_filters.CharFilter(lookup_expr="startswith", label=_("Code"))
    retired = django_filters.BooleanFilter(label=_("Retired"))

    class Meta:
        model = Node
        fields = ["q", "kind", "within", "parent", "code", "retired"]
