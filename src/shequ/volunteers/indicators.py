"""The volunteers' policy indicators (``core.indicators``, domain.md §6), per community and year:

- registration rate: active volunteers registered at the community over its residents (target ≥ 10 %, 000 §4);
- residential areas with a volunteer team (a team with members sitting on the area; target: every one, 000 §4);
- confirmed hours per active volunteer in the year (from the ``VolunteerYear`` rollup, never the ledger).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db.models import Count, Sum
from django.utils.translation import gettext_lazy as _

from shequ.core.indicators import MEAN, RATIO, Indicator, Pairs, drill_to, per_community, register

REGISTRATION_RATE = "volunteers.registration_rate"
TEAM_COVERAGE = "volunteers.team_coverage"
HOURS_PER_VOLUNTEER = "volunteers.hours_per_volunteer"
REGISTRATION_TARGET = 10


def registration(places: Sequence[Any], year: int) -> Pairs:
    """Active volunteers registered at each community, and the residents living there."""
    from shequ.people.models import Resident

    from .models import Volunteer, VolunteerStatus

    volunteers = per_community(Volunteer.objects.filter(status=VolunteerStatus.ACTIVE), places, n=Count("pk"))
    residents = per_community(Resident.objects.filter(archived=False), places, n=Count("pk"))
    return {
        pk: (float((volunteers.get(pk) or {}).get("n") or 0), float(row.get("n") or 0)) for pk, row in residents.items()
    } | {pk: (float(row["n"] or 0), 0.0) for pk, row in volunteers.items() if pk not in residents}


def team_coverage(places: Sequence[Any], year: int) -> Pairs:
    """The active residential areas of each community, and those where a volunteer team with current members sits."""
    from shequ.orgs.models import OrgKind
    from shequ.territory.models import Kind, Node

    from .models import TeamMembership

    estates = per_community(Node.objects.filter(kind=Kind.ESTATE, retired=False), places, n=Count("pk"))
    covered_ids = (
        TeamMembership.objects.filter(
            ended_on__isnull=True, team__active=True, team__kind=OrgKind.VOLUNTEER_TEAM, team__node__kind=Kind.ESTATE
        )
        .values("team__node_id")
        .distinct()
    )
    covered = per_community(
        Node.objects.filter(kind=Kind.ESTATE, retired=False, pk__in=covered_ids), places, n=Count("pk")
    )
    return {pk: (float((covered.get(pk) or {}).get("n") or 0), float(row.get("n") or 0)) for pk, row in estates.items()}


def hours_per_volunteer(places: Sequence[Any], year: int) -> Pairs:
    """Confirmed hours of *year* credited to the teams of each community, over its active volunteers."""
    from .models import Volunteer, VolunteerStatus, VolunteerYear

    hours = per_community(VolunteerYear.objects.filter(year=year), places, h=Sum("hours"))
    volunteers = per_community(Volunteer.objects.filter(status=VolunteerStatus.ACTIVE), places, n=Count("pk"))
    keys = set(hours) | set(volunteers)
    return {
        pk: (float((hours.get(pk) or {}).get("h") or 0), float((volunteers.get(pk) or {}).get("n") or 0)) for pk in keys
    }


def register_all() -> None:
    register(
        Indicator(
            code=REGISTRATION_RATE,
            name=_("Volunteer registration rate"),
            compute=registration,
            unit="%",
            target=REGISTRATION_TARGET,
            kind=RATIO,
            source="000 §4",
            model="volunteers.volunteer",
            description=_("Active registered volunteers as a share of the residents."),
            drill=drill_to("volunteers:volunteer_list", status="active"),
            order=300,
        )
    )
    register(
        Indicator(
            code=TEAM_COVERAGE,
            name=_("Residential areas with a volunteer team"),
            compute=team_coverage,
            unit="%",
            target=100,
            kind=RATIO,
            source="000 §4",
            model="volunteers.volunteer",
            description=_("Share of the residential areas where at least one volunteer team with members sits."),
            drill=drill_to("volunteers:team_list", "node"),
            order=310,
        )
    )
    register(
        Indicator(
            code=HOURS_PER_VOLUNTEER,
            name=_("Service hours per volunteer"),
            compute=hours_per_volunteer,
            unit="h",
            target=None,
            kind=MEAN,
            source="000 §4",
            model="volunteers.volunteer",
            description=_("Confirmed service hours of the year per active volunteer."),
            drill=drill_to("volunteers:servicehours_list", status="confirmed"),
            order=320,
        )
    )


def todo(user: Any) -> list[Any]:
    """Hours awaiting the user's confirmation (a team captain's, a community worker's)."""
    from django.urls import reverse

    from shequ.accounts.scope import can
    from shequ.core.today import Todo

    from .models import HoursStatus, ServiceHours

    if not can(user, ServiceHours, "change"):
        return []
    pending = ServiceHours.objects.restrict(user, "change").filter(status=HoursStatus.PENDING)
    return [
        Todo(
            "volunteers.hours_to_confirm",
            _("Service hours to confirm"),
            pending,
            f"{reverse('volunteers:servicehours_list')}?status={HoursStatus.PENDING}",
        )
    ]
