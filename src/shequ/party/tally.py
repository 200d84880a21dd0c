"""Keeping the statistics' rollup (``MemberTally``) current.

A member counts, in the rows of each place from the city down to their community (or down to the street,
for a street's own organizations), once per dimension: status, category, education, year of birth, year
of joining; and, in their community's rows only, for their organization ("org") and for it and every
organization above it ("under").  Every action that changes a member takes a ``snapshot`` before and
after the change and ``apply``-es the difference inside its transaction: one batched upsert adding ±1
to a few dozen rows, sorted (so concurrent writers lock rows in one order), with no read and no lock held
longer than the action's own.  ``rebuild`` recounts everything from the members (the demo seeder, the
migration, and ``shequ recount_party`` after a place moved from one community to another or an
organization changed its parent, which the rows do not follow).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db import connection
from django.db.models import Sum

from shequ.core.fields import SEGMENT_WIDTH, SEP
from shequ.orgs.models import PARTY_KINDS, Organization

from .models import MemberTally, PartyMember
from .models.members import ACTIVE_STATUSES

UNIT_DEPTH = 3  # communities: city, district, street and community cannot be skipped
SEGMENT = SEGMENT_WIDTH + len(SEP)
UNIT_WIDTH = SEGMENT * (UNIT_DEPTH + 1)
STAT_DIMENSIONS = ("status", "category", "education", "born", "joined")
MEMBER_COLUMNS = ("path", "status", "category", "education", "birth_date", "joined_on", "organization_id")
BATCH = 5000

Key = tuple[str, str, str, bool]  # path, dimension, key, active


def unit_of(path: str) -> str:
    return path[:UNIT_WIDTH]


def covers(path: str) -> bool:
    """Whether the rollup holds the rows of the place at *path* (the city down to the communities)."""
    return 0 < len(path) <= UNIT_WIDTH


def levels(path: str) -> list[str]:
    """The places whose rows count a member at *path*: the city down to the community."""
    return [path[:end] for end in range(SEGMENT, min(len(path), UNIT_WIDTH) + 1, SEGMENT)]


@dataclass(frozen=True)
class Snapshot:
    """What the rollup counts of one member."""

    path: str
    status: str
    category: str
    education: str
    born: date | None
    joined: date
    chain: tuple[int, ...]  # the organization and those above it

    def rows(self) -> Iterator[Key]:
        active = self.status in ACTIVE_STATUSES
        values = (
            self.status,
            self.category,
            self.education,
            str(self.born.year) if self.born else "",
            str(self.joined.year),
        )
        for level in levels(self.path):
            for dimension, key in zip(STAT_DIMENSIONS, values, strict=True):
                yield level, dimension, key, active
        unit = unit_of(self.path)
        if self.chain:
            yield unit, "org", str(self.chain[0]), active
        for org in self.chain:
            yield unit, "under", str(org), active


def parents_of(org_ids: Iterable[int]) -> dict[int, int | None]:
    """Each organization's parent, for *org_ids* and everything above them."""
    parents: dict[int, int | None] = {}
    wanted = set(org_ids)
    while wanted:
        found = dict(Organization.objects.filter(pk__in=wanted).values_list("pk", "parent_id"))
        parents.update(found)
        wanted = {p for p in found.values() if p is not None and p not in parents}
    return parents


def chain_of(org: int, parents: dict[int, int | None]) -> tuple[int, ...]:
    chain: list[int] = []
    current: int | None = org
    while current is not None and current not in chain:
        chain.append(current)
        current = parents.get(current)
    return tuple(chain)


def snapshot(member: PartyMember) -> Snapshot:
    """The member as the rollup counts them now (take it before a change and after it)."""
    return Snapshot(
        member.path,
        member.status,
        member.category,
        member.education,
        member.birth_date,
        member.joined_on,
        chain_of(member.organization_id, parents_of([member.organization_id])),
    )


def apply(before: Snapshot | None, after: Snapshot | None) -> None:
    """Add the difference between two snapshots of a member (None: not a member) to the rollup."""
    delta: Counter[Key] = Counter()
    for row in before.rows() if before is not None else ():
        delta[row] -= 1
    for row in after.rows() if after is not None else ():
        delta[row] += 1
    changes = sorted((*key, n) for key, n in delta.items() if n)
    if not changes:
        return
    q = connection.ops.quote_name
    table = q(MemberTally._meta.db_table)
    columns = ", ".join(q(c) for c in ("path", "dimension", "key", "active", "count"))
    count = q("count")
    sql = (
        f"INSERT INTO {table} ({columns}) VALUES (%s, %s, %s, %s, %s) "
        f"ON CONFLICT ({q('path')}, {q('dimension')}, {q('key')}, {q('active')}) "
        f"DO UPDATE SET {count} = {table}.{count} + excluded.{count}"
    )
    with connection.cursor() as cursor:
        cursor.executemany(sql, changes)


def _all_members() -> Iterator[tuple[Any, ...]]:
    last = 0
    while True:
        batch = list(PartyMember.objects.filter(pk__gt=last).order_by("pk").values_list("pk", *MEMBER_COLUMNS)[:BATCH])
        if not batch:
            return
        last = batch[-1][0]
        for row in batch:
            yield row[1:]


def count_rows(members: Iterable[tuple[Any, ...]], parents: dict[int, int | None]) -> Counter[Key]:
    """The rollup of *members* (rows of ``MEMBER_COLUMNS``), from scratch."""
    counts: Counter[Key] = Counter()
    chains: dict[int, tuple[int, ...]] = {}
    for path, status, category, education, born, joined, org in members:
        chain = chains.get(org)
        if chain is None:
            chain = chains[org] = chain_of(org, parents)
        counts.update(Snapshot(path, status, category, education, born, joined, chain).rows())
    return counts


def rebuild() -> int:
    """Recount everything from the members; returns the number of rows written."""
    parents: dict[int, int | None] = dict(
        Organization.objects.filter(kind__in=PARTY_KINDS).values_list("pk", "parent_id")
    )
    counts = count_rows(_all_members(), parents)
    MemberTally.objects.all().delete()
    MemberTally.objects.bulk_create(
        (MemberTally(path=p, dimension=d, key=k[:24], active=a, count=n) for (p, d, k, a), n in counts.items()),
        batch_size=BATCH,
    )
    return len(counts)


# -- reading --------------------------------------------------------------------------------------------------


def totals(path: str) -> dict[tuple[str, str, bool], int]:
    """The counts of the place at *path* (``covers(path)``), by (dimension, key, active)."""
    rows = MemberTally.objects.filter(path=path, dimension__in=STAT_DIMENSIONS)
    return {(d, k, a): n for d, k, a, n in rows.values_list("dimension", "key", "active", "count")}


def per_place(path: str, dimension: str, key: str, width: int) -> dict[str, int]:
    """Within *path*, the count of *dimension* = *key* of every place whose path is *width* long."""
    rows = MemberTally.objects.within(path).filter(dimension=dimension, key=key)  # type: ignore[attr-defined]
    found: Counter[str] = Counter()
    for place, n in rows.values_list("path", "count"):
        if len(place) == width:
            found[place] += n
    return dict(found)


def per_organization(path: str, dimension: str, org_ids: Iterable[int]) -> dict[int, int]:
    """The active members of each organization (``org``), or in it and below it (``under``), within *path*."""
    rows = (
        MemberTally.objects.within(path)  # type: ignore[attr-defined]
        .filter(dimension=dimension, key__in=[str(pk) for pk in org_ids], active=True)
        .values_list("key")
        .annotate(n=Sum("count"))
        .order_by()
    )
    return {int(key): n for key, n in rows}
