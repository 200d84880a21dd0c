"""Filters of supervision notes, joint meetings, action items and alliances' joint activities."""

from __future__ import annotations

from typing import Any

import django_filters
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .filtersets import _Base
from .models import ActionItem, JointActivity, JointMeeting, SupervisionNote, Supervisor


class SupervisionNoteFilterSet(_Base):
    text_field = "finding"
    supervisor = django_filters.ChoiceFilter(choices=Supervisor.choices, label=_("Noted by"))
    company = django_filters.NumberFilter(field_name="company_id", label=_("Property company"))
    open_follow_up = django_filters.BooleanFilter(method="filter_open", label=_("Follow-up open"))

    class Meta:
        model = SupervisionNote
        fields = ["q", "supervisor", "company", "open_follow_up", "within"]

    def filter_open(self, queryset: Any, name: str, value: Any) -> Any:
        if value is None:
            return queryset
        if value:
            return queryset.filter(follow_up=True, follow_up_done_on__isnull=True)
        return queryset.exclude(follow_up=True, follow_up_done_on__isnull=True)


class JointMeetingFilterSet(_Base):
    text_field = "subject"
    unit = django_filters.NumberFilter(field_name="units", label=_("Unit attending"))

    class Meta:
        model = JointMeeting
        fields = ["q", "unit", "within"]


class ActionItemFilterSet(_Base):
    text_field = "task"
    meeting = django_filters.NumberFilter(field_name="meeting_id", label=_("Meeting"))
    unit = django_filters.NumberFilter(field_name="unit_id", label=_("Unit"))
    overdue = django_filters.BooleanFilter(method="filter_overdue", label=_("Overdue"))

    class Meta:
        model = ActionItem
        fields = ["q", "meeting", "unit", "overdue", "within"]

    def filter_overdue(self, queryset: Any, name: str, value: Any) -> Any:
        if value is None:
            return queryset
        late = {"done_on__isnull": True, "due_on__lt": timezone.localdate()}
        return queryset.filter(**late) if value else queryset.exclude(**late)


class JointActivityFilterSet(_Base):
    text_field = "title"
    alliance = django_filters.NumberFilter(field_name="alliance_id", label=_("Alliance"))

    class Meta:
        model = JointActivity
        fields = ["q", "alliance", "within"]
