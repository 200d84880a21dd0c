"""/api/v1/oversight/: supervision notes, joint meetings, action items, alliances' joint activities — within
scope, through the ``do_*`` actions of ``actions_meetings``."""

from __future__ import annotations

from datetime import date
from typing import Any

from ninja import Field, Schema

from shequ.core.actions import do_delete_object, fetch
from shequ.core.api import crud_router

from . import actions_meetings as actions
from .actions import _place
from .filtersets_meetings import (
    ActionItemFilterSet,
    JointActivityFilterSet,
    JointMeetingFilterSet,
    SupervisionNoteFilterSet,
)
from .models import ActionItem, JointActivity, JointMeeting, SupervisionNote, Supervisor


def _org(user: Any, pk: int) -> Any:
    from shequ.orgs.models import Organization

    return fetch(Organization.objects.select_related("node"), user, "view", pk)


def _delete(user: Any, obj: Any) -> None:
    do_delete_object(obj, acting_user=user)


# -- supervision notes -------------------------------------------------------------------------------------------


class NoteOut(Schema):
    id: int
    node_id: int
    company_id: int
    supervisor: str
    author: str
    noted_on: date
    finding: str
    follow_up: bool
    follow_up_done_on: date | None


class NoteIn(Schema):
    estate_id: int
    company_id: int
    supervisor: Supervisor
    author: str = Field(..., min_length=1, max_length=50)
    noted_on: date
    finding: str = Field(..., min_length=1, max_length=2000)
    follow_up: bool = False
    follow_up_done_on: date | None = None


class NotePatch(Schema):
    follow_up_done_on: date | None


def _note(user: Any, p: NoteIn) -> SupervisionNote:
    node = _place(user, p.estate_id, SupervisionNote, ("estate",))
    obj = SupervisionNote(
        node=node,
        company=_org(user, p.company_id),
        supervisor=p.supervisor.value,
        author=p.author,
        noted_on=p.noted_on,
        finding=p.finding,
        follow_up=p.follow_up,
        follow_up_done_on=p.follow_up_done_on,
    )
    return actions.do_save_note(obj, acting_user=user)


def _note_done(user: Any, obj: SupervisionNote, p: NotePatch) -> SupervisionNote:
    obj.follow_up_done_on = p.follow_up_done_on
    return actions.do_save_note(obj, acting_user=user, action="change")


notes = crud_router(
    model=SupervisionNote,
    out_schema=NoteOut,
    filterset=SupervisionNoteFilterSet,
    create_schema=NoteIn,
    create=_note,
    update_schema=NotePatch,
    update=_note_done,
    delete=_delete,
    tags=["oversight"],
)


# -- joint meetings ----------------------------------------------------------------------------------------------


class MeetingOut(Schema):
    id: int
    node_id: int
    held_on: date
    place: str
    subject: str
    unit_ids: list[int]
    attendees: str
    minutes: str
    decisions: str

    @staticmethod
    def resolve_unit_ids(obj: Any) -> list[int]:
        return [unit.pk for unit in obj.units.all()]


class MeetingIn(Schema):
    community_id: int
    held_on: date
    place: str = Field(..., min_length=1, max_length=200)
    subject: str = Field(..., min_length=1, max_length=200)
    unit_ids: list[int] = Field(default_factory=list, max_length=200)
    attendees: str = Field(..., min_length=1, max_length=2000)
    minutes: str = Field("", max_length=10000)
    decisions: str = Field("", max_length=5000)


class MeetingPatch(Schema):
    minutes: str = Field(..., max_length=10000)
    decisions: str = Field(..., max_length=5000)


def _meeting(user: Any, p: MeetingIn) -> JointMeeting:
    node = _place(user, p.community_id, JointMeeting, ("community",))
    units = [_org(user, pk) for pk in dict.fromkeys(p.unit_ids)]
    obj = JointMeeting(node=node, **p.dict(exclude={"community_id", "unit_ids"}))
    return actions.do_save_meeting(obj, units=units, acting_user=user)


def _meeting_minutes(user: Any, obj: JointMeeting, p: MeetingPatch) -> JointMeeting:
    obj.minutes, obj.decisions = p.minutes, p.decisions
    return actions.do_save_meeting(obj, units=None, acting_user=user, action="change")


meetings = crud_router(
    model=JointMeeting,
    out_schema=MeetingOut,
    filterset=JointMeetingFilterSet,
    create_schema=MeetingIn,
    create=_meeting,
    update_schema=MeetingPatch,
    update=_meeting_minutes,
    delete=_delete,
    tags=["oversight"],
)


# -- action items ------------------------------------------------------------------------------------------------


class ItemOut(Schema):
    id: int
    meeting_id: int
    unit_id: int | None
    person: str
    task: str
    due_on: date
    done_on: date | None


class ItemIn(Schema):
    meeting_id: int
    unit_id: int | None = None
    person: str = Field("", max_length=50)
    task: str = Field(..., min_length=1, max_length=300)
    due_on: date
    done_on: date | None = None


class ItemPatch(Schema):
    done_on: date | None


def _item(user: Any, p: ItemIn) -> ActionItem:
    meeting = fetch(JointMeeting.objects.all(), user, "change", p.meeting_id)
    obj = ActionItem(
        meeting=meeting,
        node=meeting.node,
        unit=_org(user, p.unit_id) if p.unit_id else None,
        person=p.person,
        task=p.task,
        due_on=p.due_on,
        done_on=p.done_on,
    )
    return actions.do_save_action_item(obj, acting_user=user)


def _item_done(user: Any, obj: ActionItem, p: ItemPatch) -> ActionItem:
    obj.done_on = p.done_on
    return actions.do_save_action_item(obj, acting_user=user, action="change")


items = crud_router(
    model=ActionItem,
    out_schema=ItemOut,
    filterset=ActionItemFilterSet,
    create_schema=ItemIn,
    create=_item,
    update_schema=ItemPatch,
    update=_item_done,
    delete=_delete,
    select_related=("meeting",),
    tags=["oversight"],
)


# -- alliances' joint activities ---------------------------------------------------------------------------------


class ActivityOut(Schema):
    id: int
    alliance_id: int
    held_on: date
    title: str
    unit_ids: list[int]
    participants: int
    description: str

    @staticmethod
    def resolve_unit_ids(obj: Any) -> list[int]:
        return [unit.pk for unit in obj.units.all()]


class ActivityIn(Schema):
    alliance_id: int
    held_on: date
    title: str = Field(..., min_length=1, max_length=200)
    unit_ids: list[int] = Field(default_factory=list, max_length=200)
    participants: int = Field(..., ge=0, le=100_000)
    description: str = Field("", max_length=5000)


class ActivityPatch(Schema):
    participants: int = Field(..., ge=0, le=100_000)
    description: str = Field(..., max_length=5000)


def _activity(user: Any, p: ActivityIn) -> JointActivity:
    from shequ.orgs.models import Organization

    alliance = fetch(Organization.objects.select_related("node"), user, "change", p.alliance_id)
    units = [_org(user, pk) for pk in dict.fromkeys(p.unit_ids)]
    obj = JointActivity(alliance=alliance, node=alliance.node, **p.dict(exclude={"alliance_id", "unit_ids"}))
    return actions.do_save_joint_activity(obj, units=units, acting_user=user)


def _activity_change(user: Any, obj: JointActivity, p: ActivityPatch) -> JointActivity:
    obj.participants, obj.description = p.participants, p.description
    return actions.do_save_joint_activity(obj, units=None, acting_user=user, action="change")


activities = crud_router(
    model=JointActivity,
    out_schema=ActivityOut,
    filterset=JointActivityFilterSet,
    create_schema=ActivityIn,
    create=_activity,
    update_schema=ActivityPatch,
    update=_activity_change,
    delete=_delete,
    select_related=("alliance",),
    tags=["oversight"],
)


def add_routes(router: Any) -> None:
    router.add_router("/supervision-notes", notes)
    router.add_router("/meetings", meetings)
    router.add_router("/action-items", items)
    router.add_router("/joint-activities", activities)
