"""Tables of supervision notes, joint meetings, action items and alliances' joint activities."""

from __future__ import annotations

import django_tables2 as tables
from django.utils.translation import gettext_lazy as _

from shequ.core.tables import SelectableTable

from .models import ActionItem, JointActivity, JointMeeting, SupervisionNote
from .tables import _link


class SupervisionNoteTable(SelectableTable):
    noted_on = tables.DateColumn(verbose_name=_("When"), format="Y-m-d", linkify=_link)
    company = tables.Column(verbose_name=_("Property company"))
    node = tables.Column(verbose_name=_("Residential area"), order_by=("path",))
    supervisor = tables.Column(verbose_name=_("Noted by"))
    author = tables.Column(verbose_name=_("Who"))
    follow_up = tables.BooleanColumn(verbose_name=_("Follow-up required"))
    follow_up_done_on = tables.DateColumn(verbose_name=_("Follow-up done on"), format="Y-m-d", default="—")

    class Meta(SelectableTable.Meta):
        model = SupervisionNote
        fields = ("pk", "noted_on", "company", "node", "supervisor", "author", "follow_up", "follow_up_done_on")


class JointMeetingTable(SelectableTable):
    held_on = tables.DateColumn(verbose_name=_("Date"), format="Y-m-d")
    subject = tables.Column(verbose_name=_("Subject"), linkify=_link)
    place = tables.Column(verbose_name=_("Place"))
    node = tables.Column(verbose_name=_("Community"), order_by=("path",))

    class Meta(SelectableTable.Meta):
        model = JointMeeting
        fields = ("pk", "held_on", "subject", "place", "node")


class ActionItemTable(SelectableTable):
    task = tables.Column(verbose_name=_("Task"), linkify=_link)
    unit = tables.Column(verbose_name=_("Unit"), default="—")
    person = tables.Column(verbose_name=_("Person"), default="—")
    due_on = tables.DateColumn(verbose_name=_("Due by"), format="Y-m-d")
    done_on = tables.DateColumn(verbose_name=_("Done on"), format="Y-m-d", default="—")
    meeting = tables.Column(verbose_name=_("Meeting"))

    class Meta(SelectableTable.Meta):
        model = ActionItem
        fields = ("pk", "task", "unit", "person", "due_on", "done_on", "meeting")


class JointActivityTable(SelectableTable):
    held_on = tables.DateColumn(verbose_name=_("Date"), format="Y-m-d")
    title = tables.Column(verbose_name=_("Title"), linkify=_link)
    alliance = tables.Column(verbose_name=_("Alliance"))
    participants = tables.Column(verbose_name=_("Participants"))

    class Meta(SelectableTable.Meta):
        model = JointActivity
        fields = ("pk", "held_on", "title", "alliance", "participants")
