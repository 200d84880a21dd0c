"""Benchmark of the territory tree: the ORM paths the views use, each against the same work in raw SQL.

Usage::

    .venv/bin/python bench/tree.py [--db sqlite|postgres|both] [--quick] [--runs N] [--keep]

For every database the main process prepares an empty database (a fresh SQLite file at
``/tmp/shequ-bench.sqlite3``; the PostgreSQL database ``shequ_bench`` on 127.0.0.1:5432,
dropped and created again) and starts one worker process with the environment pointing at
it, so that each database gets a clean Django setup.  The worker migrates, builds a
city-sized tree with ``TreeBuilder`` (1 city, 10 districts, 100 streets, 1,000 communities,
20,000 grids, 60,000 buildings) and times, in process (the Python call including the ORM,
no HTTP):

a. ``children_with_counts(node)`` for a street, a community and the city;
b. ``list(Node.objects.within(street.path))``, a street's whole subtree;
c. ``do_move_node(street, other_district)``, moving a street with its subtree and back.

Each is compared with the equivalent raw SQL sent through ``connection.cursor()`` and timed
the same way (median and p95 of ``--runs`` calls after a warm-up).  The verdict compares the
ORM median with the target (50 ms for reads, 200 ms for the move).  A missed target is
printed as FAIL but does not change the exit status: this is a benchmark, not a test.  The
exit status is non-zero only when a database could not be benchmarked at all.

``--quick`` builds a tree ten times smaller (2 districts of 5 streets instead of 10 of 10,
streets as large as in the full tree) for a smoke run.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

REPO_DIR = Path(__file__).resolve().parent.parent
if str(REPO_DIR) not in sys.path:
    sys.path.insert(0, str(REPO_DIR))

from bench import common  # noqa: E402 - the repository is on sys.path now

if TYPE_CHECKING:
    from shequ.accounts.models import User
    from shequ.territory.models import Node

DATABASE = common.Database(Path("/tmp/shequ-bench.sqlite3"), "shequ_bench")
Result = common.OrmResult  # rows: nodes counted and listed (a), fetched (b) or moved (c)

READ_TARGET_MS = 50.0
MOVE_TARGET_MS = 200.0

# Geometry as the demo city has it: boundaries down to grids, points for buildings.
CITY_BOX = (114.05, 30.35, 114.65, 30.75)


@dataclass(frozen=True)
class Shape:
    """How many children each level has."""

    districts: int
    streets: int  # per district
    communities: int  # per street
    grids: int  # per community
    buildings: int  # per grid

    @property
    def total(self) -> int:
        per_grid = 1 + self.buildings
        per_community = 1 + self.grids * per_grid
        per_street = 1 + self.communities * per_community
        per_district = 1 + self.streets * per_street
        return 1 + self.districts * per_district


FULL = Shape(districts=10, streets=10, communities=10, grids=20, buildings=3)  # 81,111 nodes
QUICK = Shape(districts=2, streets=5, communities=10, grids=20, buildings=3)  # 8,113 nodes


# --------------------------------------------------------------------------------------
# Main process: one worker per database.
# --------------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", choices=[*common.VENDORS, "both"], default="both", help="database(s) to benchmark")
    parser.add_argument("--quick", action="store_true", help="a tree ten times smaller, for a smoke run")
    parser.add_argument("--runs", type=int, default=20, help="timed calls per operation (default 20)")
    parser.add_argument("--keep", action="store_true", help="keep the benchmark database(s) afterwards")
    args = common.parse_args(parser, argv)
    shape = QUICK if args.quick else FULL

    if args.worker:
        return run_worker(args.worker, shape, args.runs, args.results)

    def run(vendor: str) -> list[Result] | None:
        worker_args = ["--runs", str(args.runs)] + (["--quick"] if args.quick else [])
        items = common.run_on_fresh_database(__file__, vendor, DATABASE, "shequ-bench-", worker_args, args.keep)
        return common.results_from_json(Result, items)

    status, summaries = common.each_database(args.db, run)
    common.print_summary(summaries, lambda r: f"{r.operation} {r.orm.median:.1f} ms > {r.target_ms:.0f} ms")
    sys.stdout.flush()
    return status


# --------------------------------------------------------------------------------------
# Worker: runs inside its own process, with the environment pointing at one database.
# --------------------------------------------------------------------------------------


def run_worker(vendor: str, shape: Shape, runs: int, results_file: Path | None) -> int:
    migrate_seconds = common.setup_worker(vendor)

    started = time.perf_counter()
    picks = build_tree(shape)
    build_seconds = time.perf_counter() - started
    settle_database()

    results, load = common.with_load(TreeBench(picks, runs=runs).run_all)

    notes = [
        f"{common.LABELS[vendor]} {common.database_version(vendor)}: migrated in {migrate_seconds:.1f} s,"
        f" {shape.total:,} nodes built with TreeBuilder in {build_seconds:.1f} s",
        *(f"  {role:<9} #{n.pk} {n.name} ({n.path})" for role, n in picks.described()),
        load,
        f"times in ms: median and p95 of {runs} calls after {common.WARMUP_RUNS} warm-up calls;"
        " target on the ORM median",
        "rows: nodes counted and listed (a), fetched (b), moved (c)",
        "queries: statements of one ORM call as CaptureQueriesContext counts them (BEGIN/COMMIT included)",
    ]
    print_table(vendor, notes, results)
    common.write_results(results_file, results)
    return 0


@dataclass
class Picks:
    """The nodes the benchmark works on, fetched back from the database after the build."""

    city: Node
    street: Node  # the street that is read and moved
    community: Node  # a community of that street
    home: Node  # the street's district
    away: Node  # the district it is moved to and back from
    superuser: User

    def described(self) -> list[tuple[str, Node]]:
        return [("street", self.street), ("community", self.community), ("moved to", self.away)]


def build_tree(shape: Shape) -> Picks:
    """Bulk-build the tree (ids assigned up front, one INSERT per batch) and pick the nodes to time."""
    from shequ.accounts.models import User
    from shequ.territory.bulk import TreeBuilder, rectangle, split_box
    from shequ.territory.models import Kind, Node

    def place(box: tuple[float, float, float, float], boundary: bool = True) -> dict[str, Any]:
        west, south, east, north = (round(v, 6) for v in box)
        fields: dict[str, Any] = {"latitude": round((south + north) / 2, 6), "longitude": round((west + east) / 2, 6)}
        if boundary:
            fields["boundary"] = rectangle(west, south, east, north)
        return fields

    # A street in the middle of the city, one of its communities, and a neighbouring district.
    pick_district, pick_street, pick_community = shape.districts // 2, shape.streets // 2, shape.communities // 2
    picked: dict[str, Node] = {}

    builder = TreeBuilder()
    city = builder.add(None, Kind.CITY, "基准市", code="420100", **place(CITY_BOX))
    for d, dbox in enumerate(split_box(CITY_BOX, shape.districts)):
        dcode = f"4201{d + 1:02d}"
        district = builder.add(city, Kind.DISTRICT, f"第{d + 1}区", code=dcode, **place(dbox))
        if d == pick_district:
            picked["home"] = district
        elif d == (pick_district + 1) % shape.districts:
            picked["away"] = district
        for s, sbox in enumerate(split_box(dbox, shape.streets)):
            scode = f"{dcode}{s + 1:03d}"
            # Street names are unique in the whole city, so any street can move to any district.
            street = builder.add(district, Kind.STREET, f"{d + 1}区第{s + 1}街道", code=scode, **place(sbox))
            if (d, s) == (pick_district, pick_street):
                picked["street"] = street
            for c, cbox in enumerate(split_box(sbox, shape.communities)):
                ccode = f"{scode}{c + 1:03d}"
                community = builder.add(street, Kind.COMMUNITY, f"第{c + 1}社区", code=ccode, **place(cbox))
                if (d, s, c) == (pick_district, pick_street, pick_community):
                    picked["community"] = community
                for g, gbox in enumerate(split_box(cbox, shape.grids)):
                    grid = builder.add(community, Kind.GRID, f"第{g + 1}网格", **place(gbox))
                    for b, bbox in enumerate(split_box(gbox, shape.buildings)):
                        builder.add(grid, Kind.BUILDING, f"{b + 1}号楼", **place(bbox, boundary=False))
    count = builder.flush()
    common.expect(count == shape.total, f"built {count} nodes, expected {shape.total}")

    def fetch(node: Node) -> Node:
        return Node.objects.get(pk=node.pk)

    return Picks(
        city=fetch(city),
        street=fetch(picked["street"]),
        community=fetch(picked["community"]),
        home=fetch(picked["home"]),
        away=fetch(picked["away"]),
        superuser=User.objects.create_superuser("bench", password=None),
    )


def settle_database() -> None:
    """Bring the database to the state a live one would be in after a bulk load or a burst of moves.

    PostgreSQL's autovacuum vacuums and analyzes a freshly loaded or much updated table within
    a minute, so do it now.  SQLite has statistics only when someone runs ANALYZE, which Django
    never does, so it plans without them here too (and has no dead rows to clean up).
    """
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")


class TreeBench:
    """Times each ORM operation and its raw-SQL equivalent."""

    def __init__(self, picks: Picks, runs: int) -> None:
        from django.db import connection

        from shequ.territory.models import Node

        self.picks = picks
        self.runs = runs
        self.vendor = connection.vendor
        # The raw reads fetch the same columns as the ORM does.
        self.columns = ", ".join(connection.ops.quote_name(f.column) for f in Node._meta.concrete_fields)

    def run_all(self) -> list[Result]:
        p = self.picks
        return [
            self.children("a. children_with_counts(street)", p.street),
            self.children("a. children_with_counts(community)", p.community),
            self.children("a. children_with_counts(city)", p.city),
            self.within(p.street),
            self.move(p.street, p.home, p.away),
        ]

    # -- helpers -------------------------------------------------------------------------

    def within_sql(self, prefix: str) -> tuple[str, list[str]]:
        """The subtree predicate written by hand, as ``path__within`` compiles it."""
        if self.vendor == "postgresql":
            return "path LIKE %s", [prefix + "%"]
        return "path >= %s AND path < %s", [prefix, prefix[:-1] + chr(ord(prefix[-1]) + 1)]

    # -- a. children with counts --------------------------------------------------------

    def children(self, label: str, node: Node) -> Result:
        from django.db import connection

        from shequ.core.fields import SEGMENT_WIDTH
        from shequ.territory.queries import children_with_counts

        width = len(node.path) + SEGMENT_WIDTH + 1
        where, params = self.within_sql(node.path)
        children_sql = f"SELECT {self.columns} FROM territory_node WHERE parent_id = %s AND retired = %s ORDER BY name"
        counts_sql = (
            "SELECT substr(path, 1, %s), kind, COUNT(id) FROM territory_node"
            f" WHERE {where} AND depth > %s AND retired = %s GROUP BY 1, 2"
        )

        def orm() -> list[Node]:
            return children_with_counts(node)

        def raw() -> list[Any]:
            # The same read by hand: the children's rows, their rollup column included.
            with connection.cursor() as cursor:
                cursor.execute(children_sql, [node.pk, False])
                return cursor.fetchall()

        # Before timing, the rollup must agree with a full scan of the subtree.
        child_rows = raw()
        with connection.cursor() as cursor:
            cursor.execute(counts_sql, [width, *params, node.depth + 1, False])
            count_rows = cursor.fetchall()
        counted = sum(row[2] for row in count_rows)
        listed = orm()
        common.expect([c.pk for c in listed] == [row[0] for row in child_rows], f"{label}: not the same children")
        common.expect(sum(c.total for c in listed) == counted, f"{label}: not the same counts")  # type: ignore[attr-defined]
        orm_timing, raw_timing = common.timed_pair(orm, raw, self.runs)
        return Result(
            operation=label,
            rows=counted + len(child_rows),
            orm=orm_timing,
            raw=raw_timing,
            queries=common.count_queries(orm),
            target_ms=READ_TARGET_MS,
        )

    # -- b. the whole subtree ------------------------------------------------------------

    def within(self, node: Node) -> Result:
        from django.db import connection

        from shequ.territory.models import Node

        where, params = self.within_sql(node.path)
        sql = f"SELECT {self.columns} FROM territory_node WHERE {where} ORDER BY path"  # Meta.ordering = ["path"]

        def orm() -> list[Node]:
            return list(Node.objects.within(node.path))

        def raw() -> list[Any]:
            with connection.cursor() as cursor:
                cursor.execute(sql, params)
                return cursor.fetchall()

        rows = len(raw())
        common.expect(len(orm()) == rows, "within: not the same rows")
        orm_timing, raw_timing = common.timed_pair(orm, raw, self.runs)
        return Result(
            operation="b. list(Node.objects.within(street.path))",
            rows=rows,
            orm=orm_timing,
            raw=raw_timing,
            queries=common.count_queries(orm),
            target_ms=READ_TARGET_MS,
        )

    # -- c. moving a street --------------------------------------------------------------

    def move(self, node: Node, home: Node, away: Node) -> Result:
        from django.db import connection, transaction

        from shequ.core.fields import path_segment
        from shequ.territory.actions import do_move_node
        from shequ.territory.models import Node

        user = self.picks.superuser
        segment = path_segment(node.pk)
        subtree = Node.objects.within(node.path).count()

        def orm_move(target: Node) -> None:
            do_move_node(node, target, acting_user=user)

        def raw_move(target: Node) -> None:
            # The same path rewrite as do_move_node, for the node table only.
            source = away if target is home else home
            old_prefix, new_prefix = source.path + segment, target.path + segment
            where, params = self.within_sql(old_prefix)
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute("UPDATE territory_node SET parent_id = %s WHERE id = %s", [target.pk, node.pk])
                cursor.execute(
                    f"UPDATE territory_node SET path = %s || substr(path, %s), depth = depth + %s WHERE {where}",
                    [new_prefix, len(old_prefix) + 1, target.depth - source.depth, *params],
                )
                common.expect(cursor.rowcount == subtree, f"raw move rewrote {cursor.rowcount} paths, not {subtree}")

        # Each shuttle brings the street home before the other one starts from there.  Every
        # move leaves a dead version of each moved row on PostgreSQL; vacuum before each series
        # so that the raw one does not wade through the ORM one's garbage (as autovacuum would).
        settle_database()
        orm = Shuttle(orm_move, home, away)
        with orm.returning():
            orm_timing = common.timed(orm.step, self.runs)
            queries = common.count_queries(orm.step)
        settle_database()
        raw = Shuttle(raw_move, home, away)
        with raw.returning():
            raw_timing = common.timed(raw.step, self.runs)
        result = Result(
            operation="c. do_move_node(street, other_district)",
            rows=subtree,
            orm=orm_timing,
            raw=raw_timing,
            queries=queries,
            target_ms=MOVE_TARGET_MS,
        )
        moved = Node.objects.get(pk=node.pk)
        common.expect(moved.parent_id == home.pk and moved.path == home.path + segment, "the street did not come home")
        return result


class Shuttle:
    """Moves one node back and forth between two parents, so that a move can be timed again and again."""

    def __init__(self, move: Callable[[Node], None], home: Node, away: Node) -> None:
        self.move = move
        self.home = home
        self.away = away
        self.at_home = True

    def step(self) -> None:
        self.move(self.away if self.at_home else self.home)
        self.at_home = not self.at_home

    @contextmanager
    def returning(self) -> Iterator[None]:
        """Whatever happens inside, end with the node back under its first parent."""
        try:
            yield
        finally:
            if not self.at_home:
                self.step()


# --------------------------------------------------------------------------------------
# Output
# --------------------------------------------------------------------------------------


def print_table(vendor: str, notes: list[str], results: list[Result]) -> None:
    mark = common.marker()
    header = (
        f"{'operation':<42} {'rows':>6} {'ORM med':>8} {'ORM p95':>8} {'raw med':>8} {'raw p95':>8}"
        f" {'ORM/raw':>7} {'queries':>7} {'target':>7}  result"
    )
    common.print_heading(notes, header)
    for r in results:
        verdict = common.verdict(mark, r.passed, "PASS")
        print(
            f"{r.operation:<42} {r.rows:>6} {r.orm.median:>8.2f} {r.orm.p95:>8.2f} {r.raw.median:>8.2f}"
            f" {r.raw.p95:>8.2f} {r.ratio:>6.1f}x {r.queries:>7} {'≤' + format(r.target_ms, '.0f'):>7}  {verdict}"
        )
    failed = [r for r in results if not r.passed]
    if failed:
        print(mark(f"{len(failed)} of {len(results)} targets FAILED on {common.LABELS[vendor]}", False))
    else:
        print(mark(f"all {len(results)} targets met on {common.LABELS[vendor]}", True))
    sys.stdout.flush()


if __name__ == "__main__":
    sys.exit(main())
