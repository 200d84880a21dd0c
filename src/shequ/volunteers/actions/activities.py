"""A team's activities and the volunteers' sign-ups: places available, no duplicate sign-up, no two activities
at the same time; the organiser records attendance, which credits the activity's hours."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from shequ.accounts.scope import can
from shequ.core.actions import acting_as
from shequ.core.exceptions import ActionError, NotFound
from shequ.core.indicators import community_of
from shequ.volunteers.models import (
    HOLDING,
    Activity,
    ActivityStatus,
    HoursSource,
    HoursStatus,
    ServiceHours,
    SignUp,
    SignUpChannel,
    SignUpStatus,
    Volunteer,
    VolunteerStatus,
)

from .hours import WORKFLOW, check_day, clean_hours, credit
from .registry import _team

FIELDS = ("title", "description", "place", "address", "starts_at", "ends_at", "places", "hours", "public")


def _check(activity: Activity) -> None:
    if not (activity.title or "").strip():
        raise ActionError(_("Give the activity a title."), code="title_required")
    if activity.starts_at is None or activity.ends_at is None:
        raise ActionError(_("Give when the activity starts and ends."), code="time_required")
    if activity.ends_at <= activity.starts_at:
        raise ActionError(_("An activity ends after it starts."), code="invalid_time")
    if activity.ends_at - activity.starts_at > timedelta(hours=24):
        raise ActionError(_("An activity lasts at most 24 hours; publish one a day."), code="too_long")
    if not 1 <= int(activity.places or 0) <= 1000:
        raise ActionError(_("Places available: from 1 to 1000."), code="invalid_places")
    if activity.places < activity.taken:
        raise ActionError(
            _("%(taken)d volunteers have signed up already: keep at least as many places.") % {"taken": activity.taken},
            code="invalid_places",
        )
    activity.hours = clean_hours(activity.hours)
    team_community = community_of(activity.team.node)
    if activity.place_id is None or (
        team_community is not None and not activity.place.path.startswith(team_community.path)
    ):
        raise ActionError(
            _("The activity takes place in the team's community (%(community)s).")
            % {"community": team_community.name if team_community else "—"},
            code="place_outside",
        )


def _duration_hours(starts_at: datetime, ends_at: datetime) -> Decimal:
    hours = Decimal((ends_at - starts_at).total_seconds()) / Decimal(3600)
    return max(Decimal("0.5"), hours.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))


def do_publish_activity(
    *,
    acting_user: Any,
    team: Any,
    title: str,
    place: Any,
    starts_at: datetime,
    ends_at: datetime,
    places: int,
    description: str = "",
    address: str = "",
    hours: Any = None,
    skills: Iterable[Any] = (),
    public: bool = True,
) -> Activity:
    """A team publishes an activity; the hours credited default to its duration."""
    with acting_as(acting_user), transaction.atomic():
        team = _team(acting_user, team)
        if not can(acting_user, Activity, "add", team.path, org=team):
            raise NotFound()
        activity = Activity(
            team=team,
            node=team.node,
            title=(title or "").strip(),
            description=(description or "").strip(),
            place=place,
            address=(address or "").strip(),
            starts_at=starts_at,
            ends_at=ends_at,
            places=places,
            hours=hours  # type: ignore[misc]
            if hours not in (None, "")
            else (_duration_hours(starts_at, ends_at) if starts_at and ends_at else None),
            public=public,
            created_by=acting_user,
        )
        _check(activity)
        activity.save()
        skills = list(skills)
        if skills:
            activity.skills.set(skills)
    return activity


def _locked(activity: Any, user: Any, action: str) -> Activity:
    qs = Activity.objects.select_for_update(of=("self",)).select_related("team", "team__node", "place")
    if user is not None:
        qs = qs.restrict(user, action)
    found = qs.filter(pk=getattr(activity, "pk", activity)).first()
    if found is None:
        raise NotFound()
    return found


def do_update_activity(
    activity: Activity, *, acting_user: Any, skills: Iterable[Any] | None = None, **fields: Any
) -> Activity:
    """Change an activity (places may not drop below the sign-ups already taken)."""
    unknown = set(fields) - set(FIELDS)
    if unknown:
        raise ActionError(_("These fields cannot be changed: %(fields)s.") % {"fields": ", ".join(sorted(unknown))})
    with acting_as(acting_user), transaction.atomic():
        current = _locked(activity, acting_user, "change")
        if current.status == ActivityStatus.CANCELLED:
            raise ActionError(_("The activity is cancelled."), code="wrong_status")
        for name, value in fields.items():
            setattr(current, name, value)
        _check(current)
        current.save()
        if skills is not None:
            current.skills.set(list(skills))
    return current


def do_cancel_activity(activity: Activity, *, acting_user: Any) -> Activity:
    """Cancel an activity: its sign-ups are cancelled (nobody's hours are credited)."""
    with acting_as(acting_user), transaction.atomic():
        current = _locked(activity, acting_user, "change")
        if current.status == ActivityStatus.CANCELLED:
            raise ActionError(_("The activity is cancelled already."), code="wrong_status")
        if SignUp.objects.filter(activity=current, status=SignUpStatus.ATTENDED).exists():
            raise ActionError(_("Attendance was recorded: the activity took place."), code="took_place")
        current.status = ActivityStatus.CANCELLED
        current.taken = 0
        current.save()
        SignUp.objects.filter(activity=current, status=SignUpStatus.SIGNED_UP).update(status=SignUpStatus.CANCELLED)
    return current


def do_sign_up(
    activity: Any, volunteer: Volunteer, *, acting_user: Any, channel: str = SignUpChannel.STAFF, trusted: bool = False
) -> SignUp:
    """Sign a volunteer up to an activity: before it starts, while places are left, once, and not at the time
    of another activity of theirs.  *trusted*: the volunteer themselves, verified by the portal (a one-time
    code, or their account)."""
    staff = acting_user if getattr(acting_user, "is_authenticated", False) else None
    with acting_as(staff), transaction.atomic():
        current = _locked(activity, None, "view")
        if not trusted:
            if not can(staff, SignUp, "add", current.path, org=current.team):
                raise NotFound()
            if not Volunteer.objects.restrict(staff, "view").filter(pk=volunteer.pk).exists():
                raise NotFound()
        if current.status != ActivityStatus.PUBLISHED:
            raise ActionError(_("The activity is cancelled."), code="wrong_status")
        if trusted and not current.public:
            raise NotFound()
        if current.starts_at <= timezone.now():
            raise ActionError(_("The activity has started: sign-ups are closed."), code="started")
        who = Volunteer.objects.select_related("resident").get(pk=volunteer.pk)
        if who.status != VolunteerStatus.ACTIVE:
            raise ActionError(
                _("%(name)s is not an active volunteer.") % {"name": who.resident.name}, code="not_active"
            )
        if SignUp.objects.filter(activity=current, volunteer=who).exclude(status=SignUpStatus.CANCELLED).exists():
            raise ActionError(
                _("%(name)s has already signed up to this activity.") % {"name": who.resident.name}, code="duplicate"
            )
        if current.taken >= current.places:
            raise ActionError(_("No places are left."), code="full")
        clash = (
            SignUp.objects.filter(
                volunteer=who,
                status__in=HOLDING,
                activity__status=ActivityStatus.PUBLISHED,
                activity__starts_at__lt=current.ends_at,
                activity__ends_at__gt=current.starts_at,
            )
            .select_related("activity")
            .first()
        )
        if clash is not None:
            raise ActionError(
                _("%(name)s has signed up to “%(other)s” at the same time (%(start)s–%(end)s).")
                % {
                    "name": who.resident.name,
                    "other": clash.activity.title,
                    "start": timezone.localtime(clash.activity.starts_at).strftime("%Y-%m-%d %H:%M"),
                    "end": timezone.localtime(clash.activity.ends_at).strftime("%H:%M"),
                },
                code="overlap",
            )
        signup = SignUp.objects.create(activity=current, volunteer=who, channel=channel)
        Activity.objects.filter(pk=current.pk).update(taken=current.taken + 1)
    return signup


def do_cancel_sign_up(signup: SignUp, *, acting_user: Any, trusted: bool = False) -> SignUp:
    """Withdraw a sign-up before the activity starts (the place is freed)."""
    staff = acting_user if getattr(acting_user, "is_authenticated", False) else None
    with acting_as(staff), transaction.atomic():
        qs = SignUp.objects.select_for_update(of=("self",)).select_related("activity")
        if not trusted:
            qs = qs.restrict(staff, "change")
        current = qs.filter(pk=signup.pk).first()
        if current is None:
            raise NotFound()
        activity = _locked(current.activity_id, None, "view")
        if current.status != SignUpStatus.SIGNED_UP:
            raise ActionError(_("This sign-up cannot be withdrawn any more."), code="wrong_status")
        if activity.starts_at <= timezone.now():
            raise ActionError(_("The activity has started."), code="started")
        current.status = SignUpStatus.CANCELLED
        current.save()
        Activity.objects.filter(pk=activity.pk).update(taken=max(0, activity.taken - 1))
    return current


def do_record_attendance(signup: SignUp, *, acting_user: Any, attended: bool, hours: Any = None) -> SignUp:
    """The organiser records whether the volunteer came: attended credits the activity's hours (confirmed, in
    this transaction); absent credits nothing."""
    with acting_as(acting_user), transaction.atomic():
        current = (
            SignUp.objects.restrict(acting_user, "change")
            .select_for_update(of=("self",))
            .select_related("volunteer__resident", "activity__team__node")
            .filter(pk=signup.pk)
            .first()
        )
        if current is None:
            raise NotFound()
        activity = current.activity
        if current.status != SignUpStatus.SIGNED_UP:
            raise ActionError(
                _("Attendance of %(name)s is recorded already.") % {"name": current.volunteer.resident.name},
                code="wrong_status",
            )
        if activity.starts_at > timezone.now():
            raise ActionError(_("The activity has not started yet."), code="not_started")
        current.decided_by, current.decided_at = acting_user, timezone.now()
        if not attended:
            current.status = SignUpStatus.ABSENT
            current.save()
            return current
        credited = clean_hours(hours if hours not in (None, "") else activity.hours)
        served_on = timezone.localtime(activity.starts_at).date()
        check_day(current.volunteer, served_on, credited)
        current.status = SignUpStatus.ATTENDED
        current.save()
        entry = ServiceHours.objects.create(
            volunteer=current.volunteer,
            team=activity.team,
            node=activity.team.node,
            activity=activity,
            served_on=served_on,
            hours=credited,
            description=activity.title[:200],
            source=HoursSource.ATTENDANCE,
            status=HoursStatus.CONFIRMED,
            is_open=False,
            decided_by=acting_user,
            decided_at=timezone.now(),
            created_by=acting_user,
        )
        WORKFLOW.log(
            entry,
            "status",
            user=acting_user,
            text=_("Attendance of “%(activity)s” confirmed: %(hours)s hours.")
            % {"activity": activity.title, "hours": credited},
            to_status=HoursStatus.CONFIRMED,
        )
        credit(current.volunteer_id, activity.team, served_on, credited)
    return current
