"""The ledger of service hours: an entry is logged (by the volunteer, or staff on their behalf), then the team
captain confirms it or refuses it with a reason — a small workflow (``core.workflow``).  Hours count only once
confirmed: ``credit`` adds them to the volunteer's total (and star level) and to the team's yearly rollup, in
the transaction of the confirmation."""

from __future__ import annotations

from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.db.models import F, Sum
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from shequ.accounts.scope import can
from shequ.core.actions import acting_as
from shequ.core.exceptions import ActionError, NotFound
from shequ.core.indicators import mark_dirty
from shequ.core.models import TimelineKind
from shequ.core.workflow import Step, Workflow
from shequ.volunteers.indicators import HOURS_PER_VOLUNTEER
from shequ.volunteers.models import (
    MAX_HOURS_A_DAY,
    HoursEvent,
    HoursSource,
    HoursStatus,
    ServiceHours,
    TeamMembership,
    Volunteer,
    VolunteerStatus,
    VolunteerYear,
    star_level,
)


def clean_hours(value: Any) -> Decimal:
    """Hours as stored (one decimal), more than 0 and at most 24; an ActionError otherwise."""
    try:
        hours = Decimal(str(value))
    except (InvalidOperation, ValueError):
        raise ActionError(_("Enter the hours as a number, e.g. 2.5."), code="invalid_hours") from None
    if not hours.is_finite() or hours <= 0 or hours > MAX_HOURS_A_DAY:
        raise ActionError(_("Hours are more than 0 and at most 24 a day."), code="invalid_hours")
    if hours != hours.quantize(Decimal("0.1")):
        raise ActionError(_("Hours are counted to one decimal (e.g. 2.5)."), code="invalid_hours")
    return hours


def check_day(volunteer: Volunteer, served_on: date, hours: Decimal, exclude: Any = None) -> None:
    """Refuse more than 24 hours on one day for a volunteer (confirmed and awaiting entries together)."""
    qs = ServiceHours.objects.filter(
        volunteer_id=volunteer.pk, served_on=served_on, status__in=(HoursStatus.PENDING, HoursStatus.CONFIRMED)
    )
    if exclude is not None:
        qs = qs.exclude(pk=exclude)
    already = qs.aggregate(h=Sum("hours"))["h"] or Decimal(0)
    if already + hours > MAX_HOURS_A_DAY:
        raise ActionError(
            _("%(name)s would have %(total)s hours on %(day)s: at most 24 hours a day.")
            % {"name": volunteer.resident.name, "total": already + hours, "day": served_on.isoformat()},
            code="over_24_hours",
        )


def member_on(volunteer: Volunteer, team: Any, day: date) -> bool:
    return (
        TeamMembership.objects.filter(volunteer_id=volunteer.pk, team_id=getattr(team, "pk", team), started_on__lte=day)
        .exclude(ended_on__lt=day)
        .exists()
    )


def credit(volunteer_id: int, team: Any, served_on: date, hours: Decimal) -> None:
    """Add confirmed *hours* to the volunteer's total and star level and to the team's yearly rollup (call
    inside the confirming transaction: both rows are locked)."""
    volunteer = Volunteer.objects.select_for_update(of=("self",)).only("total_hours").get(pk=volunteer_id)
    total = volunteer.total_hours + hours
    Volunteer.objects.filter(pk=volunteer_id).update(total_hours=total, stars=star_level(total))
    row, _created = VolunteerYear.objects.select_for_update().get_or_create(
        volunteer_id=volunteer_id, team_id=team.pk, year=served_on.year, defaults={"path": team.path}
    )
    VolunteerYear.objects.filter(pk=row.pk).update(hours=F("hours") + hours, entries=F("entries") + 1, path=team.path)
    mark_dirty(HOURS_PER_VOLUNTEER, team.node)


def _captains(team: Any) -> list[Any]:
    from shequ.accounts.models import User

    return list(User.objects.filter(grants__role="team_captain", grants__organization_id=team.pk, is_active=True))


def do_log_hours(
    *,
    acting_user: Any,
    volunteer: Volunteer,
    team: Any,
    served_on: date,
    hours: Any,
    description: str = "",
    trusted: bool = False,
    confirm: bool = False,
    actor_label: str = "",
) -> ServiceHours:
    """Log a volunteer's hours for a team on a day; they await the captain's confirmation (*confirm*: staff
    who may confirm do it at once).  *trusted*: the volunteer logs their own hours on the portal (verified)."""
    hours = clean_hours(hours)
    if served_on is None:
        raise ActionError(_("Give the date."), code="date_required")
    if served_on > timezone.localdate():
        raise ActionError(_("Hours cannot be logged for a day in the future."), code="date_in_future")
    staff = acting_user if getattr(acting_user, "is_authenticated", False) else None
    with acting_as(staff), transaction.atomic():
        current = (
            Volunteer.objects.select_for_update(of=("self",)).select_related("resident").filter(pk=volunteer.pk).first()
        )
        if current is None:
            raise NotFound()
        if not trusted and not Volunteer.objects.restrict(staff, "view").filter(pk=current.pk).exists():
            raise NotFound()
        team_obj = _team_of(team)
        if not trusted and not can(staff, ServiceHours, "add", team_obj.path, org=team_obj):
            raise NotFound()
        if current.status != VolunteerStatus.ACTIVE:
            raise ActionError(
                _("%(name)s is not an active volunteer.") % {"name": current.resident.name}, code="not_active"
            )
        if not member_on(current, team_obj, served_on):
            raise ActionError(
                _("%(name)s was not a member of %(team)s on %(day)s.")
                % {"name": current.resident.name, "team": team_obj.name, "day": served_on.isoformat()},
                code="not_a_member",
            )
        check_day(current, served_on, hours)
        entry = ServiceHours.objects.create(
            volunteer=current,
            team=team_obj,
            node=team_obj.node,
            served_on=served_on,
            hours=hours,
            description=(description or "").strip()[:200],
            source=HoursSource.SELF if trusted or staff is None else HoursSource.STAFF,
            status=HoursStatus.PENDING,
            created_by=staff,
        )
        WORKFLOW.log(
            entry,
            TimelineKind.STATUS,
            user=staff,
            text=_("%(hours)s hours logged for %(day)s.") % {"hours": hours, "day": served_on.isoformat()},
            to_status=HoursStatus.PENDING,
            actor_label=actor_label or ("" if staff else current.resident.name),
        )
        if confirm and staff is not None:
            return do_confirm_hours(entry, acting_user=staff)
        from shequ.core.notifications import notify

        notify(
            _captains(team_obj),
            _("%(name)s logged %(hours)s hours for %(team)s: to confirm.")
            % {"name": current.resident.name, "hours": hours, "team": team_obj.name},
            obj=entry,
            kind="hours",
        )
    return entry


def _team_of(team: Any) -> Any:
    from shequ.orgs.models import Organization, OrgKind

    found = Organization.objects.select_related("node").filter(pk=getattr(team, "pk", team)).first()
    if found is None or found.kind != OrgKind.VOLUNTEER_TEAM:
        raise ActionError(_("Choose a volunteer team."), code="not_a_team")
    return found


def do_confirm_hours(entry: ServiceHours, *, acting_user: Any) -> ServiceHours:
    """The team captain (or the community) confirms the hours: credited to the volunteer's total, star level
    and the team's yearly figures at once."""
    with WORKFLOW.transition(entry, "confirm", acting_user=acting_user) as move:
        current = move.case
        current.decided_by, current.decided_at = acting_user, timezone.now()
        credit(current.volunteer_id, current.team, current.served_on, current.hours)
        move.to(HoursStatus.CONFIRMED, _("Confirmed: %(hours)s hours.") % {"hours": current.hours})
    return move.case


def do_refuse_hours(entry: ServiceHours, *, acting_user: Any, reason: str) -> ServiceHours:
    """The team captain refuses the hours, saying why (nothing is credited)."""
    if not (reason or "").strip():
        raise ActionError(_("Give the reason."), code="reason_required")
    with WORKFLOW.transition(entry, "refuse", acting_user=acting_user) as move:
        current = move.case
        current.decided_by, current.decided_at = acting_user, timezone.now()
        current.reason = reason.strip()[:200]
        move.to(HoursStatus.REFUSED, _("Refused: %(reason)s") % {"reason": current.reason})
    return move.case


WORKFLOW = Workflow(
    ServiceHours,
    states=HoursStatus,
    open_states=(HoursStatus.PENDING,),
    timeline=HoursEvent,
    timeline_fk="entry",
    lock_related=("team", "team__node", "volunteer"),
    steps=[
        Step(
            "confirm",
            gettext_lazy("Confirm the hours"),
            lambda u, e, d: do_confirm_hours(e, acting_user=u),
            states=(HoursStatus.PENDING,),
            target=HoursStatus.CONFIRMED,
            style="primary",
        ),
        Step(
            "refuse",
            gettext_lazy("Refuse the hours"),
            lambda u, e, d: do_refuse_hours(e, acting_user=u, reason=d["reason"]),
            states=(HoursStatus.PENDING,),
            target=HoursStatus.REFUSED,
            form="shequ.core.forms.ReasonForm",
            style="danger",
        ),
    ],
)
