from __future__ import annotations

from typing import Any

import django_tables2 as tables
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from shequ.core.tables import SelectableTable

from .models import Activity, ServiceHours, Skill, TeamMembership, Volunteer


class SkillTable(SelectableTable):
    name = tables.Column(linkify=True, verbose_name=_("Name"))
    active = tables.BooleanColumn(verbose_name=_("Active"))

    class Meta(SelectableTable.Meta):
        model = Skill
        fields = ("pk", "name", "active")


class VolunteerTable(SelectableTable):
    name = tables.Column(
        verbose_name=_("Name"), accessor="resident__name", linkify=lambda record: record.get_absolute_url()
    )
    node = tables.Column(verbose_name=_("Community"), order_by=("path",))
    phone = tables.Column(verbose_name=_("Phone"))
    status = tables.Column(verbose_name=_("Status"))
    total_hours = tables.Column(verbose_name=_("Confirmed hours"))
    stars = tables.Column(verbose_name=_("Star level"))
    registered_on = tables.DateColumn(verbose_name=_("Registered on"), format="Y-m-d")

    class Meta(SelectableTable.Meta):
        model = Volunteer
        fields = ("pk", "name", "node", "phone", "status", "total_hours", "stars", "registered_on")

    def render_stars(self, record: Volunteer) -> Any:
        return format_html('<span class="text-yellow" title="{}">{}</span>', record.stars, record.star_display or "—")


class TeamMembershipTable(SelectableTable):
    volunteer = tables.Column(
        verbose_name=_("Volunteer"),
        accessor="volunteer__resident__name",
        linkify=lambda record: record.get_absolute_url(),
    )
    team = tables.Column(verbose_name=_("Volunteer team"), linkify=True)
    started_on = tables.DateColumn(verbose_name=_("From"), format="Y-m-d")
    ended_on = tables.DateColumn(verbose_name=_("To"), format="Y-m-d")

    class Meta(SelectableTable.Meta):
        model = TeamMembership
        fields = ("pk", "volunteer", "team", "started_on", "ended_on")


class ActivityTable(SelectableTable):
    title = tables.Column(verbose_name=_("Title"), linkify=True)
    team = tables.Column(verbose_name=_("Volunteer team"))
    starts_at = tables.DateTimeColumn(verbose_name=_("Starts at"), format="Y-m-d H:i")
    place = tables.Column(verbose_name=_("Place"))
    taken = tables.Column(verbose_name=_("Places taken"), empty_values=())
    status = tables.Column(verbose_name=_("Status"))

    class Meta(SelectableTable.Meta):
        model = Activity
        fields = ("pk", "title", "team", "starts_at", "place", "taken", "status")

    def render_taken(self, record: Activity) -> str:
        return f"{record.taken} / {record.places}"


class ServiceHoursTable(SelectableTable):
    volunteer = tables.Column(
        verbose_name=_("Volunteer"),
        accessor="volunteer__resident__name",
        linkify=lambda record: record.get_absolute_url(),
    )
    team = tables.Column(verbose_name=_("Volunteer team"))
    served_on = tables.DateColumn(verbose_name=_("Date"), format="Y-m-d")
    hours = tables.Column(verbose_name=_("Hours"))
    source = tables.Column(verbose_name=_("Source"))
    status = tables.Column(verbose_name=_("Status"))

    class Meta(SelectableTable.Meta):
        model = ServiceHours
        fields = ("pk", "volunteer", "team", "served_on", "hours", "source", "status")
