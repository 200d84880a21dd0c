"""/api/v1/volunteers/: volunteers, team members, activities (sign-ups, attendance), service hours (log,
confirm, refuse) — within scope, through the same ``do_*`` actions as the screens."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.http import HttpRequest
from ninja import Field, Router, Schema

from shequ.core.actions import fetch
from shequ.core.api import ErrorOut, ObjectAction, crud_router, user_of
from shequ.core.exceptions import ActionError, NotFound

from . import actions
from .filtersets import (
    ActivityFilterSet,
    ServiceHoursFilterSet,
    SignUpFilterSet,
    TeamMembershipFilterSet,
    VolunteerFilterSet,
)
from .forms import teams_for
from .models import MAX_HOURS_A_DAY, Activity, ServiceHours, SignUp, Skill, TeamMembership, Volunteer, VolunteerStatus

router = Router(tags=["volunteers"])


def _resident(user: Any, resident_id: int | None, id_number: str, name: str) -> Any:
    from shequ.people.models import Resident

    if resident_id is not None:
        found = Resident.objects.restrict(user, "view").filter(pk=resident_id).first()
        if found is None:
            raise NotFound()
        return found
    if id_number:
        return actions.find_resident_anywhere(id_number, name)
    raise ActionError("resident_id or id_number and name are required.", code="not_a_resident")


def _node(user: Any, node_id: int | None, model: Any) -> Any:
    from shequ.territory.models import Node

    if node_id is None:
        return None
    found = Node.objects.restrict(user, "view").filter(pk=node_id).first()
    if found is None:
        raise NotFound()
    return found


def _skills(ids: list[int] | None) -> Any:
    if ids is None:
        return None
    found = list(Skill.objects.filter(pk__in=ids, active=True))
    if len(found) != len(set(ids)):
        raise ActionError("Unknown skill.", code="unknown_skill")
    return found


def _team(user: Any, team_id: int, model: Any) -> Any:
    found = teams_for(user, "view", model).filter(pk=team_id).first()
    if found is None:
        raise NotFound()
    return found


class VolunteerOut(Schema):
    id: int
    resident_id: int
    name: str = Field(..., alias="resident.name")
    node_id: int
    phone: str
    status: str
    weekdays: bool
    evenings: bool
    weekends: bool
    consent_on: date
    registered_on: date
    left_on: date | None
    total_hours: Decimal
    stars: int
    notes: str
    path: str


class VolunteerIn(Schema):
    resident_id: int | None = None
    id_number: str = Field("", max_length=18)
    name: str = Field("", max_length=50)
    node_id: int | None = None
    team_id: int | None = None
    phone: str = Field("", max_length=20)
    skill_ids: list[int] = []
    weekdays: bool = False
    evenings: bool = False
    weekends: bool = True
    consent_on: date
    registered_on: date | None = None
    notes: str = Field("", max_length=500)


class VolunteerPatch(Schema):
    phone: str | None = Field(None, max_length=20)
    skill_ids: list[int] | None = None
    weekdays: bool | None = None
    evenings: bool | None = None
    weekends: bool | None = None
    consent_on: date | None = None
    status: VolunteerStatus | None = None
    left_on: date | None = None
    notes: str | None = Field(None, max_length=500)


def _create_volunteer(user: Any, p: VolunteerIn) -> Volunteer:
    return actions.do_register_volunteer(
        acting_user=user,
        resident=_resident(user, p.resident_id, p.id_number, p.name),
        node=_node(user, p.node_id, Volunteer),
        consent_on=p.consent_on,
        phone=p.phone,
        skills=_skills(p.skill_ids) or (),
        weekdays=p.weekdays,
        evenings=p.evenings,
        weekends=p.weekends,
        registered_on=p.registered_on,
        notes=p.notes,
        team=_team(user, p.team_id, TeamMembership) if p.team_id is not None else None,
    )


def _update_volunteer(user: Any, obj: Volunteer, p: VolunteerPatch) -> Volunteer:
    fields = p.dict(exclude_unset=True)
    skills = _skills(fields.pop("skill_ids", None))
    if "status" in fields and fields["status"] is not None:
        fields["status"] = str(getattr(fields["status"], "value", fields["status"]))
    return actions.do_update_volunteer(
        obj, acting_user=user, skills=skills, **{k: v for k, v in fields.items() if v is not None or k == "left_on"}
    )


volunteers_router = crud_router(
    model=Volunteer,
    out_schema=VolunteerOut,
    filterset=VolunteerFilterSet,
    create_schema=VolunteerIn,
    update_schema=VolunteerPatch,
    create=_create_volunteer,
    update=_update_volunteer,
    select_related=("resident",),
    tags=["volunteers"],
)


class MembershipOut(Schema):
    id: int
    volunteer_id: int
    team_id: int
    team_name: str = Field(..., alias="team.name")
    started_on: date
    ended_on: date | None
    notes: str


class MembershipIn(Schema):
    volunteer_id: int
    team_id: int
    started_on: date | None = None
    notes: str = Field("", max_length=200)


class EndIn(Schema):
    ended_on: date | None = None


def _create_membership(user: Any, p: MembershipIn) -> TeamMembership:
    volunteer = fetch(Volunteer.objects.all(), user, "view", p.volunteer_id)
    return actions.do_add_member(
        acting_user=user,
        volunteer=volunteer,
        team=_team(user, p.team_id, TeamMembership),
        started_on=p.started_on,
        notes=p.notes,
    )


def _end(user: Any, obj: TeamMembership, p: EndIn) -> None:
    """The volunteer leaves the team (on `ended_on`, default today)."""
    actions.do_end_membership(obj, acting_user=user, ended_on=p.ended_on)


members_router = crud_router(
    model=TeamMembership,
    out_schema=MembershipOut,
    filterset=TeamMembershipFilterSet,
    create_schema=MembershipIn,
    create=_create_membership,
    select_related=("team",),
    tags=["volunteers"],
    actions=[ObjectAction("end", _end, EndIn)],
)


class ActivityOut(Schema):
    id: int
    team_id: int
    title: str
    description: str
    place_id: int
    address: str
    starts_at: datetime
    ends_at: datetime
    places: int
    taken: int
    hours: Decimal
    public: bool
    status: str


class ActivityIn(Schema):
    team_id: int
    title: str = Field(..., min_length=1, max_length=100)
    description: str = Field("", max_length=1000)
    place_id: int
    address: str = Field("", max_length=100)
    starts_at: datetime
    ends_at: datetime
    places: int = Field(..., ge=1, le=1000)
    hours: Decimal | None = Field(None, gt=0, le=MAX_HOURS_A_DAY, max_digits=4, decimal_places=1)
    skill_ids: list[int] = []
    public: bool = True


class ActivityPatch(Schema):
    title: str | None = Field(None, min_length=1, max_length=100)
    description: str | None = Field(None, max_length=1000)
    address: str | None = Field(None, max_length=100)
    starts_at: datetime | None = None
    ends_at: datetime | None = None
    places: int | None = Field(None, ge=1, le=1000)
    hours: Decimal | None = Field(None, gt=0, le=MAX_HOURS_A_DAY, max_digits=4, decimal_places=1)
    public: bool | None = None


def _create_activity(user: Any, p: ActivityIn) -> Activity:
    return actions.do_publish_activity(
        acting_user=user,
        team=_team(user, p.team_id, Activity),
        title=p.title,
        description=p.description,
        place=_node(user, p.place_id, Activity),
        address=p.address,
        starts_at=p.starts_at,
        ends_at=p.ends_at,
        places=p.places,
        hours=p.hours,
        skills=_skills(p.skill_ids) or (),
        public=p.public,
    )


def _update_activity(user: Any, obj: Activity, p: ActivityPatch) -> Activity:
    fields = {k: v for k, v in p.dict(exclude_unset=True).items() if v is not None}
    return actions.do_update_activity(obj, acting_user=user, **fields)


def _cancel_activity(user: Any, obj: Activity) -> None:
    actions.do_cancel_activity(obj, acting_user=user)


class SignUpOut(Schema):
    id: int
    activity_id: int
    volunteer_id: int
    status: str
    channel: str
    created: datetime


class SignUpIn(Schema):
    volunteer_id: int


def _sign_up(user: Any, obj: Activity, p: SignUpIn) -> SignUp:
    """Sign a volunteer of the caller's area up to the activity (409-like refusals answer 400: full, twice,
    at the same time as another activity, started)."""
    volunteer = fetch(Volunteer.objects.all(), user, "view", p.volunteer_id)
    return actions.do_sign_up(obj, volunteer, acting_user=user)


activities_router = crud_router(
    model=Activity,
    out_schema=ActivityOut,
    filterset=ActivityFilterSet,
    create_schema=ActivityIn,
    update_schema=ActivityPatch,
    create=_create_activity,
    update=_update_activity,
    delete=_cancel_activity,
    tags=["volunteers"],
    actions=[
        ObjectAction(
            "signups",
            _sign_up,
            SignUpIn,
            operation_id="sign_up_activity",
            permission="view",
            status=201,
            response=SignUpOut,
        )
    ],
)


@activities_router.get(
    "/{pk}/signups", response={200: list[SignUpOut], 404: ErrorOut}, operation_id="list_activity_signups"
)
def list_signups(request: HttpRequest, pk: str) -> Any:
    """The sign-ups of an activity within the caller's area."""
    activity = fetch(Activity.objects.all(), user_of(request), "view", pk)
    return list(SignUp.objects.restrict(user_of(request), "view").filter(activity=activity))


class AttendanceIn(Schema):
    attended: bool
    hours: Decimal | None = Field(None, gt=0, le=MAX_HOURS_A_DAY, max_digits=4, decimal_places=1)


def _attendance(user: Any, obj: SignUp, p: AttendanceIn) -> SignUp:
    """Record whether the volunteer came; attended credits the activity's hours (or `hours`) at once."""
    return actions.do_record_attendance(obj, acting_user=user, attended=p.attended, hours=p.hours)


def _cancel_signup(user: Any, obj: SignUp) -> SignUp:
    """Withdraw the sign-up before the activity starts."""
    return actions.do_cancel_sign_up(obj, acting_user=user)


signups_router = crud_router(
    model=SignUp,
    out_schema=SignUpOut,
    filterset=SignUpFilterSet,
    tags=["volunteers"],
    actions=[
        ObjectAction("attendance", _attendance, AttendanceIn, response=SignUpOut),
        ObjectAction("cancel", _cancel_signup, response=SignUpOut, operation_id="cancel_signup"),
    ],
)


class HoursOut(Schema):
    id: int
    volunteer_id: int
    team_id: int
    activity_id: int | None
    served_on: date
    hours: Decimal
    description: str
    source: str
    status: str
    reason: str
    decided_at: datetime | None


class HoursIn(Schema):
    volunteer_id: int
    team_id: int
    served_on: date
    hours: Decimal = Field(..., gt=0, le=MAX_HOURS_A_DAY, max_digits=4, decimal_places=1)
    description: str = Field("", max_length=200)
    confirm: bool = False


def _log_hours(user: Any, p: HoursIn) -> ServiceHours:
    volunteer = fetch(Volunteer.objects.all(), user, "view", p.volunteer_id)
    return actions.do_log_hours(
        acting_user=user,
        volunteer=volunteer,
        team=_team(user, p.team_id, ServiceHours),
        served_on=p.served_on,
        hours=p.hours,
        description=p.description,
        confirm=p.confirm,
    )


hours_router = crud_router(
    model=ServiceHours,
    out_schema=HoursOut,
    filterset=ServiceHoursFilterSet,
    create_schema=HoursIn,
    create=_log_hours,
    tags=["volunteers"],
    workflow=actions.WORKFLOW,
)

router.add_router("/volunteers", volunteers_router)
router.add_router("/members", members_router)
router.add_router("/activities", activities_router)
router.add_router("/signups", signups_router)
router.add_router("/hours", hours_router)
