"""Figures of the supervision notes, joint meetings and alliances (``core.indicators``), per community:

- supervision notes with an open follow-up (target: none);
- joint meetings' action items overdue: not done and past their date (target: none);
- alliances' joint activities held in the year.

And the community worker's "today" items: overdue action items, open follow-ups."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from shequ.core.indicators import TOTAL, Indicator, Pairs, drill_to, register

from .actions_meetings import ITEMS_OVERDUE, JOINT_ACTIVITIES, NOTES_OPEN
from .indicators import _by_place, _within


def _totals(places: Sequence[Any], qs: Any) -> Pairs:
    rows = qs.filter(_within(places)).values_list("path").annotate(n=Count("pk"), d=Count("pk"))
    result = _by_place(places, rows)
    return {p.pk: (result.get(p.pk, (0.0, 1.0))[0], 1.0) for p in places}


def notes_open(places: Sequence[Any], year: int) -> Pairs:
    from .models import SupervisionNote

    return _totals(places, SupervisionNote.objects.filter(follow_up=True, follow_up_done_on__isnull=True))


def overdue_items(places: Sequence[Any], year: int) -> Pairs:
    from .models import ActionItem

    return _totals(places, ActionItem.objects.filter(done_on__isnull=True, due_on__lt=timezone.localdate()))


def joint_activities(places: Sequence[Any], year: int) -> Pairs:
    from .models import JointActivity

    return _totals(places, JointActivity.objects.filter(held_on__year=year))


def register_all() -> None:
    register(
        Indicator(
            code=NOTES_OPEN,
            name=_("Supervision notes with an open follow-up"),
            compute=notes_open,
            unit="",
            target=0,
            comparison="<=",
            kind=TOTAL,
            places=0,
            source="000 §7",
            model="oversight.supervisionnote",
            description=_("Notes of the dual supervision of property companies whose follow-up is not done."),
            drill=drill_to("oversight:supervisionnote_list", open_follow_up="true"),
            order=460,
        )
    )
    register(
        Indicator(
            code=ITEMS_OVERDUE,
            name=_("Joint meetings' action items overdue"),
            compute=overdue_items,
            unit="",
            target=0,
            comparison="<=",
            kind=TOTAL,
            places=0,
            source="000 §8",
            model="oversight.actionitem",
            description=_("Tasks decided at joint meetings of co-construction, not done by their date."),
            drill=drill_to("oversight:actionitem_list", overdue="true"),
            order=470,
        )
    )
    register(
        Indicator(
            code=JOINT_ACTIVITIES,
            name=_("Alliances' joint activities"),
            compute=joint_activities,
            unit="",
            kind=TOTAL,
            places=0,
            source="000 §8",
            model="oversight.jointactivity",
            description=_("Joint activities of the party-building alliances held in the year."),
            drill=drill_to("oversight:jointactivity_list"),
            order=480,
        )
    )


def todo(user: Any) -> list[Any]:
    """Overdue action items of joint meetings and open follow-ups of supervision notes in the user's area."""
    from django.urls import reverse

    from shequ.accounts.scope import can
    from shequ.core.today import Todo

    from .models import ActionItem, SupervisionNote

    result = []
    if can(user, ActionItem, "change"):
        qs = ActionItem.objects.restrict(user, "change").filter(done_on__isnull=True, due_on__lt=timezone.localdate())
        url = reverse("oversight:actionitem_list") + "?overdue=true"
        result.append(Todo("oversight.action_items_overdue", _("Overdue action items"), qs, url, urgent=True))
    if can(user, SupervisionNote, "change"):
        qs = SupervisionNote.objects.restrict(user, "change").filter(follow_up=True, follow_up_done_on__isnull=True)
        url = reverse("oversight:supervisionnote_list") + "?open_follow_up=true"
        result.append(Todo("oversight.notes_open", _("Supervision notes to follow up"), qs, url))
    return result
