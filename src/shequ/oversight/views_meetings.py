"""Screens of supervision notes, joint meetings with their action items, and alliances' joint activities."""

from __future__ import annotations

from typing import Any

from shequ.accounts.scope import can

from . import actions_meetings as actions
from . import forms_meetings as forms
from .filtersets_meetings import (
    ActionItemFilterSet,
    JointActivityFilterSet,
    JointMeetingFilterSet,
    SupervisionNoteFilterSet,
)
from .models import ActionItem, JointActivity, JointMeeting, SupervisionNote
from .tables_meetings import ActionItemTable, JointActivityTable, JointMeetingTable, SupervisionNoteTable
from .views import OversightViewSet

RECORD_ACTIONS = ("list", "detail", "add", "edit", "delete", "bulk_delete", "export", "history")


def _unit_names(obj: Any) -> str:
    return "、".join(unit.name for unit in obj.units.all())


class SupervisionNoteViewSet(OversightViewSet):
    model = SupervisionNote
    filterset = SupervisionNoteFilterSet
    table = SupervisionNoteTable
    form = forms.SupervisionNoteForm
    select_related = ("company", "node")
    actions = RECORD_ACTIONS
    detail_fields = (
        "company",
        "node",
        "supervisor",
        "author",
        "noted_on",
        "finding",
        "follow_up",
        "follow_up_done_on",
    )

    def create(self, form: Any) -> SupervisionNote:
        return actions.do_save_note(form.save(commit=False), acting_user=self.user)

    def update(self, form: Any, obj: SupervisionNote) -> SupervisionNote:
        return actions.do_save_note(form.save(commit=False), acting_user=self.user, action="change")


class _WithUnits(OversightViewSet):
    units_label: Any = ""

    def export_columns(self) -> list[Any]:
        return [*super().export_columns(), (str(self.units_label), _unit_names)]

    def detail_rows(self, obj: Any) -> list[tuple[str, Any]]:
        return [*super().detail_rows(obj), (str(self.units_label), _unit_names(obj) or "—")]


class JointMeetingViewSet(_WithUnits):
    model = JointMeeting
    filterset = JointMeetingFilterSet
    table = JointMeetingTable
    form = forms.JointMeetingForm
    select_related = ("node",)
    actions = RECORD_ACTIONS
    detail_template = "oversight/jointmeeting_detail.html"
    detail_fields = ("held_on", "place", "subject", "node", "attendees", "minutes", "decisions")
    units_label = JointMeeting._meta.get_field("units").verbose_name

    def detail_context(self, obj: JointMeeting) -> dict[str, Any]:
        return {
            "action_items": list(obj.action_items.select_related("unit")),
            "can_add_item": can(self.user, ActionItem, "add", obj.path),
        }

    def create(self, form: Any) -> JointMeeting:
        return actions.do_save_meeting(
            form.save(commit=False), units=form.cleaned_data.get("units") or [], acting_user=self.user
        )

    def update(self, form: Any, obj: JointMeeting) -> JointMeeting:
        return actions.do_save_meeting(
            form.save(commit=False),
            units=form.cleaned_data.get("units") or [],
            acting_user=self.user,
            action="change",
        )


class ActionItemViewSet(OversightViewSet):
    model = ActionItem
    filterset = ActionItemFilterSet
    table = ActionItemTable
    form = forms.ActionItemForm
    select_related = ("meeting", "unit", "node")
    actions = RECORD_ACTIONS
    detail_fields = ("meeting", "unit", "person", "task", "due_on", "done_on")

    def create(self, form: Any) -> ActionItem:
        return actions.do_save_action_item(form.save(commit=False), acting_user=self.user)

    def update(self, form: Any, obj: ActionItem) -> ActionItem:
        return actions.do_save_action_item(form.save(commit=False), acting_user=self.user, action="change")


class JointActivityViewSet(_WithUnits):
    model = JointActivity
    filterset = JointActivityFilterSet
    table = JointActivityTable
    form = forms.JointActivityForm
    select_related = ("alliance", "node")
    actions = RECORD_ACTIONS
    detail_fields = ("alliance", "held_on", "title", "participants", "description")
    units_label = JointActivity._meta.get_field("units").verbose_name

    def create(self, form: Any) -> JointActivity:
        return actions.do_save_joint_activity(
            form.save(commit=False), units=form.cleaned_data.get("units") or [], acting_user=self.user
        )

    def update(self, form: Any, obj: JointActivity) -> JointActivity:
        return actions.do_save_joint_activity(
            form.save(commit=False),
            units=form.cleaned_data.get("units") or [],
            acting_user=self.user,
            action="change",
        )
