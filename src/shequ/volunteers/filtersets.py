from __future__ import annotations

from typing import Any

import django_filters
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from shequ.core.filtersets import FilterSet, PickerFilter, SearchFilterSet, WithinFilter
from shequ.orgs.models import OrgKind
from shequ.orgs.widgets import OrganizationPickerWidget

from .forms import VolunteerPickerWidget
from .models import (
    Activity,
    ActivityStatus,
    HoursSource,
    HoursStatus,
    ServiceHours,
    SignUp,
    SignUpStatus,
    Skill,
    TeamMembership,
    Volunteer,
    VolunteerStatus,
)


def person_q(prefix: str, value: str) -> Q:
    """A person by the beginning of the name, pinyin or initials (indexed prefixes)."""
    value = value.strip()
    letters = value.replace(" ", "").lower()
    if letters.isascii() and letters.isalpha():
        return Q(**{f"{prefix}pinyin__startswith": letters}) | Q(**{f"{prefix}initials__startswith": letters})
    if letters.isdigit():
        return Q(pk__in=[])
    return Q(**{f"{prefix}name__startswith": value})


class TeamFilter(PickerFilter):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("label", _("Volunteer team"))
        kwargs.setdefault("widget", OrganizationPickerWidget(kinds=[OrgKind.VOLUNTEER_TEAM]))
        super().__init__(*args, **kwargs)


class SkillFilterSet(SearchFilterSet):
    class Meta:
        model = Skill
        fields = ["q", "active"]


class VolunteerFilterSet(SearchFilterSet):
    status = django_filters.ChoiceFilter(choices=VolunteerStatus.choices, label=_("Status"))
    within = WithinFilter()
    team = TeamFilter(method="filter_team", label=_("Member of the team"))
    skill = django_filters.ModelChoiceFilter(queryset=Skill.objects.all(), field_name="skills", label=_("Skill"))
    stars = django_filters.NumberFilter(field_name="stars", lookup_expr="gte", label=_("At least this many stars"))
    weekdays = django_filters.BooleanFilter(label=_("Available on weekdays"))
    evenings = django_filters.BooleanFilter(label=_("Available in the evenings"))
    weekends = django_filters.BooleanFilter(label=_("Available at weekends"))

    class Meta:
        model = Volunteer
        fields = ["q", "status", "within", "team", "skill", "stars", "weekdays", "evenings", "weekends"]

    def search(self, queryset: Any, name: str, value: str) -> Any:
        return queryset.filter(person_q("resident__", value)) if value.strip() else queryset

    def filter_team(self, queryset: Any, name: str, value: Any) -> Any:
        members = TeamMembership.objects.filter(team_id=value, ended_on__isnull=True).values("volunteer_id")
        return queryset.filter(pk__in=members)


class TeamMembershipFilterSet(SearchFilterSet):
    team = TeamFilter(field_name="team_id")
    current = django_filters.BooleanFilter(method="filter_current", label=_("Member now"))
    within = WithinFilter()

    class Meta:
        model = TeamMembership
        fields = ["q", "team", "current", "within"]

    def search(self, queryset: Any, name: str, value: str) -> Any:
        return queryset.filter(person_q("volunteer__resident__", value)) if value.strip() else queryset

    def filter_current(self, queryset: Any, name: str, value: Any) -> Any:
        if value is None:
            return queryset
        today = timezone.localdate()
        current = Q(ended_on__isnull=True) | Q(ended_on__gt=today)
        return queryset.filter(current) if value else queryset.exclude(current)


class ActivityFilterSet(SearchFilterSet):
    team = TeamFilter(field_name="team_id")
    status = django_filters.ChoiceFilter(choices=ActivityStatus.choices, label=_("Status"))
    upcoming = django_filters.BooleanFilter(method="filter_upcoming", label=_("Still to come"))
    within = WithinFilter()

    class Meta:
        model = Activity
        fields = ["q", "team", "status", "upcoming", "within"]

    def filter_upcoming(self, queryset: Any, name: str, value: Any) -> Any:
        if value is None:
            return queryset
        now = timezone.now()
        return queryset.filter(ends_at__gt=now) if value else queryset.filter(ends_at__lte=now)


class ServiceHoursFilterSet(SearchFilterSet):
    status = django_filters.ChoiceFilter(choices=HoursStatus.choices, label=_("Status"))
    source = django_filters.ChoiceFilter(choices=HoursSource.choices, label=_("Source"))
    team = TeamFilter(field_name="team_id")
    volunteer = PickerFilter(field_name="volunteer_id", label=_("Volunteer"), widget=VolunteerPickerWidget())
    year = django_filters.NumberFilter(field_name="served_on", lookup_expr="year", label=_("Year"))
    within = WithinFilter()

    class Meta:
        model = ServiceHours
        fields = ["q", "status", "source", "team", "volunteer", "year", "within"]

    def search(self, queryset: Any, name: str, value: str) -> Any:
        return queryset.filter(person_q("volunteer__resident__", value)) if value.strip() else queryset


class SignUpFilterSet(FilterSet):
    activity = django_filters.NumberFilter(field_name="activity_id", label=_("Activity"))
    volunteer = PickerFilter(field_name="volunteer_id", label=_("Volunteer"), widget=VolunteerPickerWidget())
    status = django_filters.ChoiceFilter(choices=SignUpStatus.choices, label=_("Status"))

    class Meta:
        model = SignUp
        fields = ["activity", "volunteer", "status"]
