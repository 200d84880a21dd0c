"""Demo volunteers for ``shequ seed``: deterministic, written in bulk.

About 8 % of each community's residents (aged 16 to 75) are registered volunteers, most of them in the team of
the residential area where they live; most cadres and party members are in a team too (a few are missing,
for the "who must join" list).  Each team has past activities with attendance (confirmed hours) and a few
to come (with places left, open on the portal); some volunteers logged hours that await confirmation.  The
rollups (totals, star levels, per team and year) are rebuilt from the ledger at the end (``rebuild``).
"""

from __future__ import annotations

import random
from collections import defaultdict
from datetime import datetime, time, timedelta
from decimal import Decimal

from django.db import transaction
from django.db.models import Count, Sum
from django.utils import timezone

from shequ.core.importing import advance_sequences
from shequ.orgs.models import Organization, OrgKind
from shequ.territory.models import Kind, Node

from .models import (
    Activity,
    HoursEvent,
    HoursSource,
    HoursStatus,
    ServiceHours,
    SignUp,
    SignUpStatus,
    Skill,
    TeamMembership,
    Volunteer,
    VolunteerYear,
    star_level,
)

SHARE = 0.08
MAX_RESIDENTS = 300_000  # beyond this (the city scale) the demo leaves volunteers to the benchmark
TITLES = [
    "社区环境清洁",
    "敬老院陪伴",
    "义诊进社区",
    "垃圾分类宣传",
    "防汛巡查",
    "邻里文化节",
    "青少年课业辅导",
    "反诈宣传",
    "家电义务维修",
]


def rebuild(paths: list[str] | None = None) -> None:
    """The rollups from the ledger: each volunteer's confirmed total and star level, and the hours per team and
    year (a repair, and the end of bulk loads such as the demo and the benchmark)."""
    qs = ServiceHours.objects.filter(status=HoursStatus.CONFIRMED)
    volunteers = Volunteer.objects.all()
    if paths:
        from django.db.models import Q

        condition = Q()
        for path in paths:
            condition |= Q(path__startswith=path)
        volunteers = volunteers.filter(condition)
        qs = qs.filter(volunteer__in=volunteers.values("pk"))
    with transaction.atomic():
        VolunteerYear.objects.filter(volunteer__in=volunteers.values("pk")).delete()
        totals: dict[int, Decimal] = defaultdict(Decimal)
        rows = []
        team_paths = dict(Organization.objects.filter(kind=OrgKind.VOLUNTEER_TEAM).values_list("pk", "path"))
        grouped = (
            qs.order_by().values("volunteer_id", "team_id", "served_on__year").annotate(h=Sum("hours"), n=Count("pk"))
        )
        for row in grouped.iterator(chunk_size=10000):
            totals[row["volunteer_id"]] += row["h"]
            rows.append(
                VolunteerYear(
                    volunteer_id=row["volunteer_id"],
                    team_id=row["team_id"],
                    year=row["served_on__year"],
                    hours=row["h"],
                    entries=row["n"],
                    path=team_paths.get(row["team_id"], ""),
                )
            )
            if len(rows) >= 5000:
                VolunteerYear.objects.bulk_create(rows)
                rows = []
        VolunteerYear.objects.bulk_create(rows)
        volunteers.update(total_hours=Decimal(0), stars=0)
        by_level: dict[tuple[Decimal, int], list[int]] = defaultdict(list)
        for pk, total in totals.items():
            by_level[(total, star_level(total))].append(pk)
        for (total, stars), ids in by_level.items():
            for start in range(0, len(ids), 900):
                Volunteer.objects.filter(pk__in=ids[start : start + 900]).update(total_hours=total, stars=stars)


def seed_volunteers(city: Node, scale_name: str, seed: int) -> dict[str, int]:
    from shequ.party.models import PartyMember
    from shequ.party.models.members import ACTIVE_STATUSES
    from shequ.people.models import Resident

    if Resident.objects.within(city.path).count() > MAX_RESIDENTS:
        return {"volunteers": 0}
    rng = random.Random(seed * 104729 + 11)
    now = timezone.now()
    today = timezone.localdate()
    skills = list(Skill.objects.filter(active=True))
    teams_by_community: dict[int, list[Organization]] = defaultdict(list)
    communities = {c.path: c for c in Node.objects.within(city.path).filter(kind=Kind.COMMUNITY, retired=False)}
    for team in (
        Organization.objects.within(city.path).filter(kind=OrgKind.VOLUNTEER_TEAM, active=True).select_related("node")
    ):
        community = next((c for p, c in communities.items() if team.path.startswith(p)), None)
        if community is not None:
            teams_by_community[community.pk].append(team)
    must = set(
        PartyMember.objects.filter(status__in=ACTIVE_STATUSES, resident__isnull=False).values_list(
            "resident_id", flat=True
        )
    )
    from shequ.orgs.models import Post

    from .missing import CADRE_KINDS

    must |= set(
        Post.objects.current()
        .filter(person__isnull=False, organization__kind__in=CADRE_KINDS)
        .values_list("person_id", flat=True)
    )
    volunteers: list[Volunteer] = []
    memberships: list[TeamMembership] = []
    born_after, born_before = today.replace(year=today.year - 75), today.replace(year=today.year - 16)
    for path, community in sorted(communities.items()):
        teams = teams_by_community.get(community.pk, [])
        residents = list(
            Resident.objects.within(path)
            .filter(archived=False, birth_date__gte=born_after, birth_date__lte=born_before)
            .only("id", "path", "phone")
            .order_by("pk")
        )
        for resident in residents:
            chosen = rng.random() < (0.8 if resident.pk in must else SHARE)
            if not chosen:
                continue
            registered = today - timedelta(days=rng.randint(30, 1500))
            volunteer = Volunteer(
                resident_id=resident.pk,
                node=community,
                path=community.path,
                phone=resident.phone if resident.phone.startswith("1") else "",
                weekdays=rng.random() < 0.3,
                evenings=rng.random() < 0.4,
                weekends=rng.random() < 0.8,
                consent_on=registered,
                registered_on=registered,
                created=now,
                updated=now,
            )
            volunteers.append(volunteer)
            if teams:
                home = [t for t in teams if resident.path.startswith(t.node.path)]
                team = home[0] if home else rng.choice(teams)
                memberships.append(
                    TeamMembership(
                        volunteer=volunteer,
                        team=team,
                        node=team.node,
                        path=team.path,
                        started_on=registered,
                        created=now,
                        updated=now,
                    )
                )
    with transaction.atomic():
        Volunteer.objects.bulk_create(volunteers, batch_size=2000)
        through = Volunteer.skills.through
        links = [
            through(volunteer_id=v.pk, skill_id=s.pk)
            for v in volunteers
            for s in rng.sample(skills, k=min(len(skills), rng.choice((0, 1, 1, 2))))
        ]
        through.objects.bulk_create(links, batch_size=5000)
        for m in memberships:
            m.volunteer_id = m.volunteer.pk
        TeamMembership.objects.bulk_create(memberships, batch_size=2000)
        counts = _activities(rng, teams_by_community, memberships, now)
        advance_sequences(Volunteer, TeamMembership, Activity, SignUp, ServiceHours, HoursEvent)
        rebuild()
    return {"volunteers": len(volunteers), "team members": len(memberships), **counts}


def _activities(
    rng: random.Random,
    teams_by_community: dict[int, list[Organization]],
    memberships: list[TeamMembership],
    now: datetime,
) -> dict[str, int]:
    members: dict[int, list[int]] = defaultdict(list)
    for m in memberships:
        members[m.team_id].append(m.volunteer_id)
    activities, signups, hours = [], [], []
    pending = []
    for teams in teams_by_community.values():
        for team in teams:
            people = members.get(team.pk, [])
            if not people:
                continue
            for index in range(rng.randint(3, 6)):
                future = index < 1
                day = timezone.localdate() + timedelta(days=rng.randint(2, 20) if future else -rng.randint(3, 700))
                start = timezone.make_aware(datetime.combine(day, time(rng.choice((8, 9, 14, 15)), 0)))
                length = rng.choice((2, 2, 3, 4))
                activity = Activity(
                    team=team,
                    node=team.node,
                    path=team.path,
                    title=rng.choice(TITLES),
                    place=team.node,
                    starts_at=start,
                    ends_at=start + timedelta(hours=length),
                    places=rng.choice((10, 15, 20, 30)),
                    hours=Decimal(length),
                    created=now,
                    updated=now,
                )
                activities.append(activity)
                chosen = rng.sample(people, k=min(len(people), rng.randint(2, 8)))
                for volunteer_id in chosen[: activity.places]:
                    came = future or rng.random() < 0.85
                    status = (
                        SignUpStatus.SIGNED_UP if future else SignUpStatus.ATTENDED if came else SignUpStatus.ABSENT
                    )
                    signups.append((activity, volunteer_id, status))
                    if status == SignUpStatus.ATTENDED:
                        hours.append((activity, volunteer_id, day, Decimal(length)))
            if rng.random() < 0.5:
                pending.append((team, rng.choice(people)))
    Activity.objects.bulk_create(activities, batch_size=2000)
    taken: dict[int, int] = defaultdict(int)
    rows = []
    for activity, volunteer_id, status in signups:
        rows.append(
            SignUp(
                activity_id=activity.pk,
                volunteer_id=volunteer_id,
                status=status,
                decided_at=None if status == SignUpStatus.SIGNED_UP else activity.ends_at,
            )
        )
        if status == SignUpStatus.SIGNED_UP:
            taken[activity.pk] += 1
    SignUp.objects.bulk_create(rows, batch_size=5000)
    for pk, n in taken.items():
        Activity.objects.filter(pk=pk).update(taken=n)
    entries = [
        ServiceHours(
            volunteer_id=volunteer_id,
            team_id=activity.team_id,
            node_id=activity.node_id,
            path=activity.path,
            activity_id=activity.pk,
            served_on=day,
            hours=h,
            description=activity.title,
            source=HoursSource.ATTENDANCE,
            status=HoursStatus.CONFIRMED,
            is_open=False,
            decided_at=activity.ends_at,
            created=now,
            updated=now,
        )
        for activity, volunteer_id, day, h in hours
    ]
    yesterday = timezone.localdate() - timedelta(days=1)
    entries += [
        ServiceHours(
            volunteer_id=volunteer_id,
            team_id=team.pk,
            node_id=team.node_id,
            path=team.path,
            served_on=yesterday,
            hours=Decimal("1.5"),
            description="楼道清理",
            source=HoursSource.SELF,
            status=HoursStatus.PENDING,
            created=now,
            updated=now,
        )
        for team, volunteer_id in pending
    ]
    ServiceHours.objects.bulk_create(entries, batch_size=5000)
    return {"activities": len(activities), "sign-ups": len(rows), "hour entries": len(entries)}


def demo_logins(city: Node) -> list[tuple[str, str, str, Node, Organization | None]]:
    """A team captain to try the demo with: the first team with members in the first community."""
    community = Node.objects.filter(kind=Kind.COMMUNITY, path__startswith=city.path).order_by("path").first()
    if community is None:
        return []
    team = (
        Organization.objects.within(community.path)
        .filter(kind=OrgKind.VOLUNTEER_TEAM, active=True, team_members__ended_on__isnull=True)
        .select_related("node")
        .order_by("path", "pk")
        .first()
    )
    return [("captain", "team_captain", "志愿服务队队长", team.node, team)] if team is not None else []
