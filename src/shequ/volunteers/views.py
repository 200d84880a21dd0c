"""Staff screens: the registry (declared viewsets), teams and their ranking, who must join, activities with
their sign-ups and attendance, the hours ledger and its confirmation, the certificate."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count, Q, Sum
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from shequ.accounts.scope import can
from shequ.core.actions import fetch
from shequ.core.exceptions import ActionError, NotFound
from shequ.core.permissions import may_whole_place, requires
from shequ.core.views import ViewSet
from shequ.orgs.models import Organization, OrgKind, Post, Title
from shequ.territory.models import Kind, Node

from . import actions, forms
from .filtersets import (
    ActivityFilterSet,
    ServiceHoursFilterSet,
    SkillFilterSet,
    TeamMembershipFilterSet,
    VolunteerFilterSet,
    person_q,
)
from .importers import HoursImporter, MembershipImporter, VolunteerImporter
from .models import (
    Activity,
    ServiceHours,
    SignUp,
    SignUpChannel,
    Skill,
    TeamMembership,
    Volunteer,
    VolunteerYear,
)
from .tables import ActivityTable, ServiceHoursTable, SkillTable, TeamMembershipTable, VolunteerTable


class VolunteersViewSet(ViewSet):
    namespace = "volunteers"


class SkillViewSet(VolunteersViewSet):
    model = Skill
    filterset = SkillFilterSet
    table = SkillTable
    form = forms.SkillForm
    actions = ("list", "detail", "add", "edit", "delete", "export", "history")
    detail_fields = ("name", "active")
    export_fields = ("code", *detail_fields)


class VolunteerViewSet(VolunteersViewSet):
    model = Volunteer
    filterset = VolunteerFilterSet
    table = VolunteerTable
    form = forms.VolunteerForm
    importer = VolunteerImporter
    select_related = ("resident", "node")
    detail_template = "volunteers/volunteer_detail.html"
    detail_fields = (
        "resident",
        "node",
        "phone",
        "status",
        "registered_on",
        "consent_on",
        "left_on",
        "total_hours",
        "stars",
        "notes",
    )

    def detail_rows(self, obj: Volunteer) -> list[tuple[str, Any]]:
        rows = super().detail_rows(obj)
        rows.insert(3, (_("Availability"), obj.availability))
        rows.insert(4, (_("Skills"), "、".join(s.name for s in obj.skills.all())))
        return rows

    def export_columns(self) -> list[Any]:
        from .importers import volunteer_export_columns

        return volunteer_export_columns(can(self.user, "people.resident", "view_pii"))

    def get_queryset(self, action: str = "view") -> Any:
        qs = super().get_queryset(action)
        if action == "export":
            qs = qs.prefetch_related("skills", "memberships__team").select_related("node__parent")
        return qs

    def detail_context(self, obj: Volunteer) -> dict[str, Any]:
        user = self.user
        return {
            "memberships": list(
                TeamMembership.objects.restrict(user, "view")
                .filter(volunteer=obj)
                .select_related("team")
                .order_by("-started_on")
            ),
            "signups": list(
                SignUp.objects.restrict(user, "view")
                .filter(volunteer=obj)
                .select_related("activity")
                .order_by("-activity__starts_at")[:20]
            ),
            "years": list(
                VolunteerYear.objects.restrict(user, "view")
                .filter(volunteer=obj)
                .select_related("team")
                .order_by("-year", "team_id")
            ),
            "hours": list(
                ServiceHours.objects.restrict(user, "view")
                .filter(volunteer=obj)
                .select_related("team")
                .order_by("-served_on", "-id")[:20]
            ),
            "can_member": can(user, TeamMembership, "add"),
        }

    def create(self, form: Any) -> Volunteer:
        d = form.cleaned_data
        return actions.do_register_volunteer(
            acting_user=self.user,
            resident=d["resident"],
            node=d.get("node"),
            consent_on=d.get("consent_on"),
            phone=d.get("phone") or "",
            skills=d.get("skills") or (),
            weekdays=d.get("weekdays", False),
            evenings=d.get("evenings", False),
            weekends=d.get("weekends", False),
            registered_on=d.get("registered_on"),
            notes=d.get("notes") or "",
            team=d.get("team"),
        )

    def update(self, form: Any, obj: Volunteer) -> Volunteer:
        d = dict(form.cleaned_data)
        skills = d.pop("skills", None)
        return actions.do_update_volunteer(obj, acting_user=self.user, skills=skills, **d)


class TeamMembershipViewSet(VolunteersViewSet):
    model = TeamMembership
    filterset = TeamMembershipFilterSet
    table = TeamMembershipTable
    form = forms.MembershipForm
    importer = MembershipImporter
    select_related = ("volunteer__resident", "team", "node")
    detail_fields = ("volunteer", "team", "started_on", "ended_on", "notes")

    def export_columns(self) -> list[Any]:
        from .importers import membership_export_columns

        return membership_export_columns(can(self.user, "people.resident", "view_pii"))

    def create(self, form: Any) -> TeamMembership:
        d = form.cleaned_data
        return actions.do_add_member(
            acting_user=self.user,
            volunteer=d["volunteer"],
            team=d["team"],
            started_on=d["started_on"],
            notes=d.get("notes") or "",
        )

    def update(self, form: Any, obj: TeamMembership) -> TeamMembership:
        d = form.cleaned_data
        stored = self.get_object(obj.pk, "change")  # the form has already set its values on *obj*
        if d.get("ended_on") and stored.ended_on is None:
            stored = actions.do_end_membership(stored, acting_user=self.user, ended_on=d["ended_on"])
        if (d.get("notes") or "") != stored.notes:
            from shequ.core.actions import do_update_object

            stored.notes = d.get("notes") or ""
            stored = do_update_object(stored, acting_user=self.user)
        return stored


class ActivityViewSet(VolunteersViewSet):
    model = Activity
    filterset = ActivityFilterSet
    table = ActivityTable
    form = forms.ActivityForm
    select_related = ("team", "place")
    detail_template = "volunteers/activity_detail.html"
    detail_fields = (
        "title",
        "team",
        "place",
        "address",
        "starts_at",
        "ends_at",
        "places",
        "taken",
        "hours",
        "public",
        "status",
        "description",
    )
    export_fields = ("title", "team", "place", "address", "starts_at", "ends_at", "places", "taken", "hours", "status")

    def detail_context(self, obj: Activity) -> dict[str, Any]:
        signups = list(
            SignUp.objects.restrict(self.user, "view")
            .filter(activity=obj)
            .select_related("volunteer__resident")
            .order_by("status", "created")
        )
        can_change = can(self.user, SignUp, "change", obj.path, org=obj.team_id)
        started = obj.starts_at <= timezone.now()
        return {
            "signups": signups,
            "skills": list(obj.skills.all()),
            "signup_form": forms.SignUpForm(user=self.user)
            if not started and can(self.user, SignUp, "add", obj.path, org=obj.team_id)
            else None,
            "can_attend": can_change and started,
            "can_cancel": can_change and not started,
            "attendance_form": forms.AttendanceForm(),
        }

    def create(self, form: Any) -> Activity:
        d = dict(form.cleaned_data)
        return actions.do_publish_activity(acting_user=self.user, **d)

    def update(self, form: Any, obj: Activity) -> Activity:
        d = dict(form.cleaned_data)
        skills = d.pop("skills", None)
        return actions.do_update_activity(obj, acting_user=self.user, skills=skills, **d)

    def delete(self, obj: Activity) -> None:
        actions.do_cancel_activity(obj, acting_user=self.user)


class ServiceHoursViewSet(VolunteersViewSet):
    model = ServiceHours
    workflow = actions.WORKFLOW
    filterset = ServiceHoursFilterSet
    table = ServiceHoursTable
    form = forms.HoursForm
    importer = HoursImporter
    select_related = ("volunteer__resident", "team", "node")
    actions = ("list", "detail", "add", "import", "export", "history")
    detail_fields = (
        "volunteer",
        "team",
        "served_on",
        "hours",
        "description",
        "source",
        "status",
        "reason",
        "decided_by",
        "decided_at",
    )

    def export_columns(self) -> list[Any]:
        from .importers import hours_export_columns

        return hours_export_columns(can(self.user, "people.resident", "view_pii"))

    def create(self, form: Any) -> ServiceHours:
        d = form.cleaned_data
        return actions.do_log_hours(
            acting_user=self.user,
            volunteer=d["volunteer"],
            team=d["team"],
            served_on=d["served_on"],
            hours=d["hours"],
            description=d.get("description") or "",
            confirm=bool(d.get("confirm")),
        )


# -- activity: sign-ups and attendance ---------------------------------------------------------------------------


def _activity(request: HttpRequest, pk: Any) -> Activity:
    return fetch(Activity.objects.select_related("team", "place"), request.user, "view", pk)


def _done(request: HttpRequest, url: str, work: Any, ok: str) -> HttpResponse:
    try:
        work()
    except ActionError as exc:
        messages.error(request, "；".join(exc.messages))
    else:
        messages.success(request, ok)
    return HttpResponseRedirect(url)


@login_required
@require_POST
def signup_add(request: HttpRequest, pk: str) -> HttpResponse:
    activity = _activity(request, pk)
    form = forms.SignUpForm(request.POST, user=request.user)
    if not form.is_valid():
        messages.error(request, _("Choose a volunteer inside your area."))
        return HttpResponseRedirect(activity.get_absolute_url())
    volunteer = form.cleaned_data["volunteer"]
    return _done(
        request,
        activity.get_absolute_url(),
        lambda: actions.do_sign_up(activity, volunteer, acting_user=request.user, channel=SignUpChannel.STAFF),
        _("%(name)s signed up.") % {"name": volunteer.resident.name},
    )


@login_required
@require_POST
def signup_attendance(request: HttpRequest, pk: str) -> HttpResponse:
    signup = fetch(SignUp.objects.select_related("activity"), request.user, "change", pk)
    form = forms.AttendanceForm(request.POST)
    if not form.is_valid():
        messages.error(
            request, "；".join(f"{form.fields[f].label}：{'；'.join(map(str, e))}" for f, e in form.errors.items())
        )
        return HttpResponseRedirect(signup.activity.get_absolute_url())
    d = form.cleaned_data
    return _done(
        request,
        signup.activity.get_absolute_url(),
        lambda: actions.do_record_attendance(
            signup, acting_user=request.user, attended=d["attended"], hours=d.get("hours")
        ),
        _("Attendance recorded."),
    )


@login_required
@require_POST
def signup_cancel(request: HttpRequest, pk: str) -> HttpResponse:
    signup = fetch(SignUp.objects.select_related("activity"), request.user, "change", pk)
    return _done(
        request,
        signup.activity.get_absolute_url(),
        lambda: actions.do_cancel_sign_up(signup, acting_user=request.user),
        _("Sign-up withdrawn."),
    )


@login_required
def membership_end(request: HttpRequest, pk: str) -> HttpResponse:
    membership = fetch(TeamMembership.objects.select_related("volunteer__resident", "team"), request.user, "change", pk)
    form = forms.EndForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            actions.do_end_membership(membership, acting_user=request.user, ended_on=form.cleaned_data["ended_on"])
        except ActionError as exc:
            form.add_error(None, "；".join(exc.messages))
        else:
            messages.success(request, _("Saved “%(obj)s”.") % {"obj": membership})
            return HttpResponseRedirect(membership.volunteer.get_absolute_url())
    return render(
        request,
        "orgs/action.html",
        {"object": membership, "form": form, "title": _("Leave the team")},
        status=400 if request.method == "POST" else 200,
    )


# -- teams ----------------------------------------------------------------------------------------------------------


def _teams(user: Any) -> Any:
    return forms.teams_for(user, "view", Volunteer)


@requires("volunteers.teammembership")
def team_list(request: HttpRequest) -> HttpResponse:
    """The teams of the user's area: place, station, captain, members now."""
    teams = list(
        _teams(request.user)
        .annotate(member_count=Count("team_members", filter=Q(team_members__ended_on__isnull=True)))
        .select_related("node__parent")
        .order_by("path", "name")[:500]
    )
    captains: dict[int, list[str]] = {}
    for post in (
        Post.objects.current()
        .filter(organization__in=[t.pk for t in teams], title=Title.CAPTAIN)
        .select_related("person")
    ):
        captains.setdefault(post.organization_id, []).append(post.holder)
    for team in teams:
        team.captains = "、".join(captains.get(team.pk, []))  # type: ignore[attr-defined]
    return render(request, "volunteers/team_list.html", {"teams": teams})


@login_required
def team_detail(request: HttpRequest, pk: str) -> HttpResponse:
    """A team: members now, activities to come, and the year's ranking by confirmed hours."""
    if not can(request.user, TeamMembership, "view"):
        raise NotFound()
    try:
        team = _teams(request.user).filter(pk=int(pk)).first()
    except ValueError:
        team = None
    if team is None:
        raise NotFound()
    try:
        year = int(request.GET.get("year") or timezone.localdate().year)
    except ValueError:
        year = timezone.localdate().year
    members = list(
        TeamMembership.objects.restrict(request.user, "view")
        .filter(team=team, ended_on__isnull=True)
        .select_related("volunteer__resident")
        .order_by("volunteer__resident__name")[:500]
    )
    ranking = list(
        VolunteerYear.objects.restrict(request.user, "view")
        .filter(team=team, year=year, hours__gt=0)
        .select_related("volunteer__resident")
        .order_by("-hours", "volunteer_id")[:100]
    )
    activities = list(
        Activity.objects.restrict(request.user, "view")
        .filter(team=team, ends_at__gte=timezone.now())
        .order_by("starts_at")[:20]
    )
    return render(
        request,
        "volunteers/team_detail.html",
        {
            "team": team,
            "members": members,
            "ranking": ranking,
            "year": year,
            "years": list(range(timezone.localdate().year, timezone.localdate().year - 5, -1)),
            "activities": activities,
            "can_add_member": can(request.user, TeamMembership, "add", team.path, org=team),
            "can_add_activity": can(request.user, Activity, "add", team.path, org=team),
        },
    )


# -- who must join --------------------------------------------------------------------------------------------------


def _anchor(user: Any, node_id: Any, model: Any = Volunteer) -> Node:
    nodes = Node.objects.restrict(user, "view", perm_model=model).filter(retired=False)
    anchor = None
    if node_id not in (None, ""):
        try:
            anchor = nodes.filter(pk=int(node_id)).first()
        except (TypeError, ValueError):
            anchor = None
    else:
        anchor = (
            nodes.filter(kind__in=[Kind.CITY, Kind.DISTRICT, Kind.STREET, Kind.COMMUNITY])
            .order_by("depth", "path")
            .first()
        )
    if anchor is None:
        raise NotFound()
    return anchor


MISSING_COMMUNITIES_CAP = 50


@requires("volunteers.volunteer", whole_place=True)
def missing_page(request: HttpRequest) -> HttpResponse:
    """Cadres and party members who must join a team and have not, per community and per team."""
    from shequ.core.indicators import community_of

    from .missing import by_team, missing

    anchor = _anchor(request.user, request.GET.get("node"))
    if not may_whole_place(request.user, Volunteer, "view", anchor.path):
        raise NotFound()  # a team captain answers for their team, not for the community's cadres
    community = community_of(anchor) if anchor.kind not in (Kind.CITY, Kind.DISTRICT, Kind.STREET) else None
    ctx: dict[str, Any] = {"anchor": anchor, "form": forms.AreaForm(initial={"node": anchor.pk})}
    if community is not None:
        people = missing(community)
        ctx.update(
            community=community,
            groups=by_team(people),
            count=len(people),
            can_enrol=can(request.user, TeamMembership, "add", community.path),
        )
    else:
        communities = list(
            Node.objects.within(anchor.path)
            .filter(kind=Kind.COMMUNITY, retired=False)
            .order_by("path")[: MISSING_COMMUNITIES_CAP + 1]
        )
        ctx["capped"] = len(communities) > MISSING_COMMUNITIES_CAP
        ctx["communities"] = [(c, len(missing(c))) for c in communities[:MISSING_COMMUNITIES_CAP]]
    return render(request, "volunteers/missing.html", ctx)


@login_required
@require_POST
def enrol(request: HttpRequest) -> HttpResponse:
    """Enrol the people chosen (resident:team pairs) from the list of those missing, in one step."""
    from shequ.core.indicators import community_of
    from shequ.people.models import Resident

    from .missing import missing

    anchor = _anchor(request.user, request.POST.get("node"))
    community = community_of(anchor)
    if community is None or not may_whole_place(request.user, TeamMembership, "add", community.path):
        raise NotFound()
    wanted = {int(v) for v in request.POST.getlist("resident") if v.isdigit()}
    if not wanted:
        messages.error(request, _("Choose whom to enrol."))
        return HttpResponseRedirect(f"{reverse('volunteers:missing')}?node={anchor.pk}")
    todo = [m for m in missing(community) if m.resident.pk in wanted and m.team is not None]
    done = 0
    try:
        from django.db import transaction

        with transaction.atomic():
            for item in todo:
                resident = fetch(Resident.objects.all(), request.user, "view", item.resident.pk)
                actions.do_enrol(acting_user=request.user, resident=resident, team=item.team, community=community)
                done += 1
    except ActionError as exc:
        messages.error(request, "；".join(exc.messages))
    else:
        messages.success(request, _("Enrolled %(count)d people in their teams.") % {"count": done})
    return HttpResponseRedirect(f"{reverse('volunteers:missing')}?node={anchor.pk}")


# -- the certificate ---------------------------------------------------------------------------------------------


@login_required
def certificate(request: HttpRequest, pk: str) -> HttpResponse:
    """A printable certificate of the volunteer's confirmed service hours (no identity number on it)."""
    volunteer = fetch(Volunteer.objects.select_related("resident", "node"), request.user, "view", pk)
    station = Organization.objects.filter(node=volunteer.node, kind=OrgKind.VOLUNTEER_STATION, active=True).first()
    years = list(volunteer.years.values("year").annotate(h=Sum("hours")).order_by("year"))
    return render(
        request,
        "volunteers/certificate.html",
        {
            "volunteer": volunteer,
            "station": station,
            "years": years,
            "issued": timezone.localdate(),
            "number": f"{volunteer.node.code or volunteer.node_id}-{volunteer.pk:06d}",
        },
    )


# -- picker -----------------------------------------------------------------------------------------------------------


@login_required
def volunteer_pick(request: HttpRequest) -> HttpResponse:
    """Suggestions for the volunteer picker: active volunteers by name, pinyin or initials, within scope."""
    field = request.GET.get("field", "")
    query = request.GET.get(f"{field}__q", request.GET.get("q", ""))[:50].strip()
    results: list[Any] = []
    if query:
        qs = Volunteer.objects.restrict(request.user, "view").active().filter(person_q("resident__", query))
        results = list(qs.select_related("resident__node__parent", "node").order_by("resident__name", "pk")[:15])
    return render(request, "volunteers/_pick_results.html", {"results": results})
