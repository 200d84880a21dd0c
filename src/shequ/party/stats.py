"""Statistics of the members in any node's subtree: by category, status, age band, education and year of
joining; members developed this year per community against the target (≥ 1); the party-organization tree
with member counts.

Whole communities and larger areas read the rollup (``party.tally``: a few hundred rows per community,
kept current by the actions), so the city of 500,000 members answers as fast as a street; smaller areas
are counted from their members, into the same shape, by the same code."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.db.models import Count
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext as _

from shequ.core import charts
from shequ.core.charts import Chart
from shequ.orgs.models import PARTY_KINDS, Organization, OrgKind
from shequ.people.models import Education
from shequ.territory.models import Kind as NodeKind
from shequ.territory.models import Node

from .models import Category, MemberStatus, PartyMember
from .models.members import ACTIVE_STATUSES

DEVELOPED_TARGET = 1
AGE_BANDS = ((0, 30), (30, 40), (40, 50), (50, 60), (60, 70), (70, 200))


@dataclass(frozen=True, slots=True)
class Place:
    """A community as the statistics list it (a thousand of them for a city: no model instances)."""

    pk: int
    name: str
    path: str
    street: str


@dataclass
class Stats:
    anchor: Node
    year: int
    total: int = 0
    by_status: list[tuple[str, int]] = field(default_factory=list)
    by_category: list[tuple[str, int]] = field(default_factory=list)
    by_age: list[tuple[str, int]] = field(default_factory=list)
    by_education: list[tuple[str, int]] = field(default_factory=list)
    by_year: list[tuple[int, int]] = field(default_factory=list)
    communities: list[dict[str, Any]] = field(default_factory=list)
    tree: list[tuple[int, Organization, int, int]] = field(default_factory=list)

    def community_rows(self) -> str:
        """The table of members developed per community, as HTML (a city has a thousand communities: built
        here in a few milliseconds rather than by the template language)."""
        badges = {
            True: format_html('<span class="badge bg-green-lt">{}</span>', _("met")),
            False: format_html('<span class="badge bg-red-lt">{}</span>', _("not met")),
        }
        return format_html_join(
            "",
            '<tr><td>{}</td><td class="text-secondary">{}</td><td class="text-end">{}</td><td>{}</td></tr>',
            ((row["node"].name, row["street"], row["developed"], badges[row["ok"]]) for row in self.communities),
        )

    def tree_rows(self) -> str:
        """The party organizations with their member counts, as HTML rows (see ``community_rows``)."""
        from django.urls import reverse

        members = reverse("party:partymember_list")
        kinds = {value: str(label) for value, label in OrgKind.choices}
        return format_html_join(
            "",
            '<tr><td><span style="margin-left: {}em"><a href="{}?organization={}">{}</a> '
            '<span class="badge bg-blue-lt">{}</span></span></td><td class="text-end">{}</td>'
            '<td class="text-end">{}</td></tr>',
            (
                (depth, members, org.pk, org.name, kinds.get(org.kind, org.kind), own, subtotal)
                for depth, org, own, subtotal in self.tree
            ),
        )

    def years_without_gaps(self) -> list[tuple[int, int]]:
        """Every year from the first to the last joining, a year without anyone joining at 0 (a category
        axis would otherwise put 1962 right next to 1981)."""
        if not self.by_year:
            return []
        counts = dict(self.by_year)
        return [(year, counts.get(year, 0)) for year in range(self.by_year[0][0], self.by_year[-1][0] + 1)]

    def charts(self) -> list[Chart]:
        """Pies with every slice's count and share, bars with theirs (``core.charts``); the years are many."""
        return [
            charts.pie(_("By category"), self.by_category),
            charts.pie(_("By status"), self.by_status),
            charts.bars(_("By age"), self.by_age),
            charts.bars(_("By education"), self.by_education),
            charts.bars(_("By year of joining"), self.years_without_gaps(), shares=False, dense=True),
        ]


def _labelled(choices: Any, counts: dict[str, int], unknown: bool = True) -> list[tuple[str, int]]:
    rows = [(str(label), counts.get(value, 0)) for value, label in choices]
    if unknown and counts.get("", 0):
        rows.append((str(_("not recorded")), counts[""]))
    return rows


Counts = dict[tuple[str, str, bool], int]  # (dimension, key, active) -> members


def rollup_answers(anchor: Node, user: Any) -> bool:
    """Whether the rollup can answer for *anchor*: the area is whole communities (or more) and the user
    sees every member in it (the rollup knows no scope)."""
    from shequ.accounts.scope import reaches

    from .tally import covers

    found = reaches(user, PartyMember, "view")
    # A grant limited to organizations sees part of the area only: counted from its members.
    return covers(anchor.path) and (
        found is None or any(r.orgs is None and anchor.path.startswith(r.path) for r in found)
    )


def live_counts(everyone: Any) -> Counts:
    """The counts of the rollup's shape, straight from the members (small areas, partial scopes)."""
    counts: Counts = {}
    for status, n in everyone.order_by().values_list("status").annotate(n=Count("id")):
        counts[("status", status, status in ACTIVE_STATUSES)] = n
    members = everyone.filter(status__in=ACTIVE_STATUSES).order_by()
    for dimension, column in (
        ("category", "category"),
        ("education", "education"),
        ("born", "birth_date__year"),
        ("joined", "joined_on__year"),
    ):
        for key, n in members.values_list(column).annotate(n=Count("id")):
            counts[(dimension, "" if key is None else str(key), True)] = n
    return counts


def age_band(age: int) -> str:
    for low, high in AGE_BANDS:
        if low <= age < high:
            return f"{low}-{high - 1}" if high < 200 else f"≥{low}"
    return f"{AGE_BANDS[0][0]}-{AGE_BANDS[0][1] - 1}"


def fill(stats: Stats, counts: Counts) -> None:
    """Status, category, education, age and year of joining from *counts*.  Age is the age reached in the
    year (on 31 December), as the annual party statistics count it."""

    def active(dimension: str) -> dict[str, int]:
        found: dict[str, int] = defaultdict(int)
        for (d, key, is_active), n in counts.items():
            if d == dimension and is_active:
                found[key] += n
        return found

    statuses: dict[str, int] = defaultdict(int)
    for (d, key, _a), n in counts.items():
        if d == "status":
            statuses[key] += n
    stats.by_status = _labelled(MemberStatus.choices, statuses, False)
    stats.total = sum(active("status").values())
    stats.by_category = _labelled(Category.choices, active("category"), False)
    stats.by_education = _labelled(Education.choices, active("education"))
    bands = {age_band(low): 0 for low, _high in AGE_BANDS}
    unknown = 0
    for key, n in active("born").items():
        if key:
            bands[age_band(stats.year - int(key))] += n
        else:
            unknown += n
    stats.by_age = list(bands.items())
    if unknown:
        stats.by_age.append((str(_("not recorded")), unknown))
    # The rollup keeps a row at 0 once its last member has left: no year without members.
    stats.by_year = sorted((int(key), n) for key, n in active("joined").items() if key and n)


def compute(anchor: Node, user: Any, on: date | None = None, *, rollup: bool | None = None) -> Stats:
    """The statistics of *anchor*'s subtree: from the rollup for the city down to a community (a fixed
    number of small queries whatever the size), else from the members themselves (*rollup* False: always
    from the members, to check the rollup against them)."""
    from . import tally

    on = on or timezone.localdate()
    stats = Stats(anchor=anchor, year=on.year)
    communities = [
        Place(pk, name, path, street or "")
        for pk, name, path, street in Node.objects.within(anchor.path)
        .filter(kind=NodeKind.COMMUNITY, retired=False)
        .order_by("path")
        .values_list("pk", "name", "path", "parent__name")
    ]
    developed: dict[str, int] = defaultdict(int)
    width = len(communities[0].path) if communities else 0
    everyone = PartyMember.objects.restrict(user, "view").within(anchor.path)
    rollup = rollup_answers(anchor, user) if rollup is None else rollup and rollup_answers(anchor, user)
    if rollup:
        fill(stats, tally.totals(anchor.path))
        if communities:
            developed.update(tally.per_place(anchor.path, "joined", str(on.year), width))
    else:
        fill(stats, live_counts(everyone))
        if communities:
            joined = everyone.filter(joined_on__year=on.year).order_by().values_list("path").annotate(n=Count("id"))
            for path, n in joined:
                developed[path[:width]] += n
    # Developed this year: admitted as probationary members this year, per community of the subtree.
    stats.communities = sorted(
        (
            {
                "node": c,
                "street": c.street,
                "developed": developed.get(c.path, 0),
                "ok": developed.get(c.path, 0) >= DEVELOPED_TARGET,
            }
            for c in communities
        ),
        key=lambda row: (-row["developed"], row["node"].path),
    )
    stats.tree = party_tree(anchor, user, None if rollup else everyone.filter(status__in=ACTIVE_STATUSES))
    return stats


TREE_LEVELS = 2  # the organizations shown: those at most this many levels of places below the area's
TREE_ROWS = 3000


def places_below(anchor: Node, levels: int) -> list[str]:
    """The paths of *anchor* and of the places at most *levels* levels below it (by the parent index)."""
    paths, frontier = [anchor.path], [anchor.pk]
    for _level in range(levels):
        found = list(Node.objects.filter(parent_id__in=frontier).values_list("pk", "path"))
        frontier = [pk for pk, _path in found]
        paths.extend(path for _pk, path in found)
    return paths


def party_tree(anchor: Node, user: Any, members: Any = None) -> list[tuple[int, Organization, int, int]]:
    """The active party organizations of the subtree down to ``TREE_LEVELS`` levels of places below it,
    depth first: (depth, organization, its own members, members in it and the organizations below it).
    The counts come from the rollup, or from *members* (the active members of the area) when given."""
    from . import tally

    # With the rollup the user sees the whole area (``rollup_answers``); else only their part of it.
    scoped = (
        Organization.objects.all()
        if members is None
        else Organization.objects.restrict(user, "view", perm_model=PartyMember)
    )
    orgs = list(
        scoped.filter(path__in=places_below(anchor, TREE_LEVELS), kind__in=PARTY_KINDS, active=True)
        .only("id", "name", "kind", "parent_id", "path", "node_id")
        .order_by("path", "name")[:TREE_ROWS]
    )
    under: dict[int, int] = defaultdict(int)
    if members is None:
        own = tally.per_organization(anchor.path, "org", [o.pk for o in orgs])
        under.update(tally.per_organization(anchor.path, "under", [o.pk for o in orgs]))
    else:
        own = dict(members.order_by().values_list("organization_id").annotate(n=Count("id")))
        parents = tally.parents_of(own)  # the members' organizations and everything above them
        for org, n in own.items():
            for above in tally.chain_of(org, parents):
                under[above] += n
    ids = {o.pk for o in orgs}
    children: dict[int | None, list[Organization]] = defaultdict(list)
    for org in orgs:
        children[org.parent_id if org.parent_id in ids else None].append(org)
    result: list[tuple[int, Organization, int, int]] = []

    def walk(parent: int | None, depth: int) -> None:
        for org in children.get(parent, ()):
            result.append((depth, org, own.get(org.pk, 0), under.get(org.pk, 0)))
            walk(org.pk, depth + 1)

    walk(None, 0)
    return result


def write_xlsx(stats: Stats) -> str:
    from shequ.core.spreadsheets import XlsxWriter, temp_xlsx_path

    target = temp_xlsx_path()
    writer = XlsxWriter(target, _("Statistics"))
    writer.header([_("Party member statistics"), stats.anchor.name, _("Members"), stats.total])
    for title, rows in (
        (_("By status"), stats.by_status),
        (_("By category"), stats.by_category),
        (_("By age"), stats.by_age),
        (_("By education"), stats.by_education),
        (_("By year of joining"), stats.by_year),
    ):
        writer.write([])
        writer.write([str(title), _("Members")])
        for label, n in rows:
            writer.write([str(label), n])
    writer.write([])
    writer.write(
        [_("Community"), _("Street"), _("Developed in %(year)d") % {"year": stats.year}, _("Target"), _("Met")]
    )
    for row in stats.communities:
        writer.write(
            [row["node"].name, row["street"], row["developed"], DEVELOPED_TARGET, _("yes") if row["ok"] else _("no")]
        )
    writer.write([])
    writer.write([_("Party organization"), _("Kind"), _("Own members"), _("Members in it and below")])
    for depth, org, own, subtotal in stats.tree:
        writer.write(["　" * depth + org.name, org.get_kind_display(), own, subtotal])
    writer.close()
    return target
