"""Registering volunteers and their team memberships; enrolling those who must join a team (000 §4, §10)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from shequ.accounts.scope import can
from shequ.core.actions import acting_as, ensure_in_scope
from shequ.core.cells import RowError, phone_cell
from shequ.core.exceptions import ActionError, NotFound
from shequ.core.indicators import mark_dirty
from shequ.orgs.models import Organization, OrgKind
from shequ.territory.models import Kind, Node
from shequ.volunteers.indicators import REGISTRATION_RATE, TEAM_COVERAGE
from shequ.volunteers.models import TeamMembership, Volunteer, VolunteerStatus

EDITABLE = ("phone", "weekdays", "evenings", "weekends", "consent_on", "notes", "status", "left_on", "user")


def find_resident_anywhere(id_number: str, name: str) -> Any:
    """The resident of the platform with this identity number and name, wherever they live (someone from
    outside the community may volunteer here); an ActionError when there is none."""
    from shequ.people.fields import id_hash_of
    from shequ.people.identity import IdentityError, mask_id, parse_identity
    from shequ.people.models import Resident

    try:
        number = parse_identity(id_number).number
    except IdentityError as exc:
        raise ActionError(str(exc), code="invalid_id_number") from None
    found = Resident.objects.filter(id_hash=id_hash_of(number), archived=False).select_related("node").first()
    if found is None or found.name != (name or "").strip():
        raise ActionError(
            _("%(name)s (%(number)s) is not a resident of the platform: register them in the resident registry first.")
            % {"name": (name or "").strip() or "—", "number": mask_id(number)},
            code="not_a_resident",
        )
    return found


def _community_of(node: Node | None) -> Node | None:
    from shequ.core.indicators import community_of

    return community_of(node) if node is not None else None


def _clean_phone(phone: str) -> str:
    try:
        return phone_cell(phone)
    except RowError as exc:
        raise ActionError(str(exc), code="phone_invalid") from None


def _not_future(day: date | None, label: str) -> None:
    if day is not None and day > timezone.localdate():
        raise ActionError(_("%(what)s cannot be in the future.") % {"what": label}, code="date_in_future")


def do_register_volunteer(
    *,
    acting_user: Any,
    resident: Any,
    node: Node | None = None,
    consent_on: date | None,
    phone: str = "",
    skills: Iterable[Any] = (),
    weekdays: bool = False,
    evenings: bool = False,
    weekends: bool = True,
    registered_on: date | None = None,
    notes: str = "",
    user: Any = None,
    team: Organization | None = None,
    import_job: Any = None,
) -> Volunteer:
    """Register a resident of the platform (of this community or another) as a volunteer of the community
    *node* (default: where the resident lives); optionally enrol them in *team* at once."""
    from shequ.people.models import Resident

    if resident is None or not isinstance(resident, Resident):
        raise ActionError(
            _("A volunteer must be a resident of the platform: choose the resident, or give the identity number."),
            code="not_a_resident",
        )
    if resident.archived:
        raise ActionError(
            _("%(name)s is archived in the resident registry.") % {"name": resident.name}, code="resident_archived"
        )
    if consent_on is None:
        raise ActionError(
            _("Record the volunteer's consent to the use of their personal information."), code="consent_required"
        )
    _not_future(consent_on, _("The consent"))
    registered_on = registered_on or timezone.localdate()
    _not_future(registered_on, _("The registration"))
    community = node if node is not None and node.kind == Kind.COMMUNITY else _community_of(node or resident.node)
    if community is None:
        raise ActionError(_("Choose the community where the volunteer registers."), code="community_required")
    if not can(acting_user, Volunteer, "add", community.path):
        raise NotFound()
    with acting_as(acting_user), transaction.atomic():
        existing = Volunteer.objects.filter(resident=resident).select_related("node").first()
        if existing is not None:
            raise ActionError(
                _("%(name)s is already registered as a volunteer (at %(place)s).")
                % {"name": resident.name, "place": existing.node.name},
                code="duplicate",
            )
        volunteer = Volunteer(
            resident=resident,
            node=community,
            phone=_clean_phone(phone or resident.phone),
            weekdays=weekdays,
            evenings=evenings,
            weekends=weekends,
            consent_on=consent_on,
            registered_on=registered_on,
            notes=(notes or "").strip()[:500],
            user=user,
            import_job=import_job,
        )
        volunteer.save()
        skills = list(skills)
        if skills:
            volunteer.skills.set(skills)
        if import_job is None:
            ensure_in_scope(volunteer, acting_user, "add")
        if team is not None:
            do_add_member(acting_user=acting_user, volunteer=volunteer, team=team, started_on=registered_on)
        mark_dirty(REGISTRATION_RATE, community)
    return volunteer


def do_update_volunteer(
    volunteer: Volunteer, *, acting_user: Any, skills: Iterable[Any] | None = None, **fields: Any
) -> Volunteer:
    """Change a volunteer's details; leaving (status "left") ends their current team memberships."""
    unknown = set(fields) - set(EDITABLE)
    if unknown:
        raise ActionError(_("These fields cannot be changed: %(fields)s.") % {"fields": ", ".join(sorted(unknown))})
    with acting_as(acting_user), transaction.atomic():
        current = (
            Volunteer.objects.restrict(acting_user, "change")
            .select_for_update(of=("self",))
            .filter(pk=volunteer.pk)
            .first()
        )
        if current is None:
            raise NotFound()
        for name, value in fields.items():
            if name == "phone":
                value = _clean_phone(value or "")
            if name == "notes":
                value = (value or "").strip()[:500]
            setattr(current, name, value)
        if current.consent_on is None:
            raise ActionError(
                _("Record the volunteer's consent to the use of their personal information."), code="consent_required"
            )
        _not_future(current.consent_on, _("The consent"))
        if current.status == VolunteerStatus.LEFT:
            current.left_on = current.left_on or timezone.localdate()
            _not_future(current.left_on, _("Leaving"))
            TeamMembership.objects.filter(volunteer=current, ended_on__isnull=True).update(ended_on=current.left_on)
        else:
            current.left_on = None
        current.save()
        if skills is not None:
            current.skills.set(list(skills))
        mark_dirty([REGISTRATION_RATE, TEAM_COVERAGE], current.node)
    return current


def _team(acting_user: Any, team: Any) -> Organization:
    team_id = getattr(team, "pk", team)
    found = Organization.objects.restrict(acting_user, "view").select_related("node").filter(pk=team_id).first()
    if found is None:
        raise NotFound()
    if found.kind != OrgKind.VOLUNTEER_TEAM:
        raise ActionError(_("“%(org)s” is not a volunteer team.") % {"org": found.name}, code="not_a_team")
    if not found.active:
        raise ActionError(_("“%(org)s” is dissolved.") % {"org": found.name}, code="team_dissolved")
    return found


def do_add_member(
    *,
    acting_user: Any,
    volunteer: Volunteer,
    team: Any,
    started_on: date | None = None,
    notes: str = "",
    import_job: Any = None,
) -> TeamMembership:
    """Enrol a volunteer in a team (from *started_on*, default today)."""
    started_on = started_on or timezone.localdate()
    _not_future(started_on, _("The membership"))
    with acting_as(acting_user), transaction.atomic():
        team = _team(acting_user, team)
        if not can(acting_user, TeamMembership, "add", team.path, org=team):
            raise NotFound()
        current = (
            Volunteer.objects.select_for_update(of=("self",)).select_related("resident").filter(pk=volunteer.pk).first()
        )
        if current is None:
            raise NotFound()
        if current.status != VolunteerStatus.ACTIVE:
            raise ActionError(
                _("%(name)s is not an active volunteer.") % {"name": current.resident.name}, code="not_active"
            )
        if TeamMembership.objects.filter(volunteer=current, team=team, ended_on__isnull=True).exists():
            raise ActionError(
                _("%(name)s is already a member of %(team)s.") % {"name": current.resident.name, "team": team.name},
                code="duplicate",
            )
        membership = TeamMembership(
            volunteer=current,
            team=team,
            node=team.node,
            started_on=started_on,
            notes=(notes or "")[:200],
            import_job=import_job,
        )
        membership.save()
        mark_dirty(TEAM_COVERAGE, team.node)
    return membership


def do_end_membership(membership: TeamMembership, *, acting_user: Any, ended_on: date | None = None) -> TeamMembership:
    """The volunteer leaves the team on *ended_on* (default today)."""
    ended_on = ended_on or timezone.localdate()
    with acting_as(acting_user), transaction.atomic():
        current = (
            TeamMembership.objects.restrict(acting_user, "change")
            .select_for_update(of=("self",))
            .select_related("team", "node")
            .filter(pk=membership.pk)
            .first()
        )
        if current is None:
            raise NotFound()
        if current.ended_on is not None:
            raise ActionError(_("The membership has ended already."), code="wrong_status")
        if ended_on < current.started_on:
            raise ActionError(_("A membership cannot end before it starts."), code="invalid_dates")
        current.ended_on = ended_on
        current.save()
        mark_dirty(TEAM_COVERAGE, current.node)
    return current


def do_enrol(*, acting_user: Any, resident: Any, team: Any, community: Node | None = None) -> TeamMembership:
    """One step for someone who must join a team (a cadre, a resident or reporting party member): registered
    as a volunteer if they are not yet (consent recorded today), then enrolled in *team*."""
    with acting_as(acting_user), transaction.atomic():
        team = _team(acting_user, team)
        volunteer = Volunteer.objects.filter(resident=resident).first()
        if volunteer is None:
            volunteer = do_register_volunteer(
                acting_user=acting_user,
                resident=resident,
                node=community or _community_of(team.node),
                consent_on=timezone.localdate(),
                notes=_("Enrolled as a cadre or party member who must join a team."),
            )
        elif volunteer.status != VolunteerStatus.ACTIVE:
            volunteer = do_update_volunteer(volunteer, acting_user=acting_user, status=VolunteerStatus.ACTIVE)
        return do_add_member(acting_user=acting_user, volunteer=volunteer, team=team)
