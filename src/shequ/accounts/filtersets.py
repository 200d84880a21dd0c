from __future__ import annotations

import django_filters
from django.utils.translation import gettext_lazy as _

from shequ.core.filtersets import FilterSet, SearchFilterSet

from .models import Grant, User
from .roles import ROLE_CHOICES


class UserFilterSet(SearchFilterSet):
    is_active = django_filters.BooleanFilter(label=_("Active"))

    class Meta:
        model = User
        fields = ["q", "is_active"]


class GrantFilterSet(FilterSet):
    role = django_filters.ChoiceFilter(choices=ROLE_CHOICES, label=_("Role"))
    user = django_filters.CharFilter(field_name="user__username", lookup_expr="icontains", label=_("User"))

    class Meta:
        model = Grant
        fields = ["role", "user"]
