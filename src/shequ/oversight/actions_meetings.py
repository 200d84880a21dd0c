"""The writes of supervision notes, joint meetings, action items and alliances' joint activities: bounds and
rules checked (a refusal names its field), scope ensured, the figures marked."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db import transaction

from shequ.core.actions import acting_as, ensure_in_scope
from shequ.core.exceptions import FieldErrors
from shequ.core.indicators import mark_dirty

from .actions import checked

NOTES_OPEN = "oversight.notes_open_follow_up"
ITEMS_OVERDUE = "oversight.action_items_overdue"
JOINT_ACTIVITIES = "oversight.joint_activities"


def _units_checked(obj: Any, units: Iterable[Any], field: str = "units") -> list[Any]:
    units = list(units)
    error = obj.units_error(units)
    if error:
        raise FieldErrors([{"field": field, "message": error}], error)
    return units


def do_save_note(note: Any, *, acting_user: Any, action: str = "add") -> Any:
    with acting_as(acting_user), transaction.atomic():
        checked(note)
        note.save()
        ensure_in_scope(note, acting_user, action)
        mark_dirty(NOTES_OPEN, note.node)
    return note


def do_save_meeting(meeting: Any, *, units: Iterable[Any] | None, acting_user: Any, action: str = "add") -> Any:
    """Save a joint meeting and the units attending (resident units of its community)."""
    with acting_as(acting_user), transaction.atomic():
        checked(meeting)
        chosen = _units_checked(meeting, units) if units is not None else None
        meeting.save()
        ensure_in_scope(meeting, acting_user, action)
        if chosen is not None:
            meeting.units.set(chosen)
        # The action items follow their meeting (a unit that no longer attends keeps its item, named).
        meeting.action_items.exclude(path=meeting.path).update(node=meeting.node, path=meeting.path)
        mark_dirty(ITEMS_OVERDUE, meeting.node)
    return meeting


def do_save_action_item(item: Any, *, acting_user: Any, action: str = "add") -> Any:
    with acting_as(acting_user), transaction.atomic():
        item.node = item.meeting.node
        checked(item)
        item.save()
        ensure_in_scope(item, acting_user, action)
        mark_dirty(ITEMS_OVERDUE, item.node)
    return item


def do_save_joint_activity(activity: Any, *, units: Iterable[Any] | None, acting_user: Any, action: str = "add") -> Any:
    """Save an alliance's joint activity and its member units taking part."""
    with acting_as(acting_user), transaction.atomic():
        activity.node = activity.alliance.node
        checked(activity)
        chosen = _units_checked(activity, units) if units is not None else None
        activity.save()
        ensure_in_scope(activity, acting_user, action)
        if chosen is not None:
            activity.units.set(chosen)
        mark_dirty(JOINT_ACTIVITIES, activity.node)
    return activity
