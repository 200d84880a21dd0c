"""Benchmark of residents' requests: filing with automatic routing, and the deadline watch, each against
the same database work in raw SQL measured in the same run.

Usage::

    .venv/bin/python bench/services.py [--db sqlite|postgres|both] [--quick] [--runs N] [--keep]

For every database the main process prepares an empty database (a fresh SQLite file at
``/tmp/shequ-bench-services.sqlite3``; the PostgreSQL database ``shequ_bench_services`` on
127.0.0.1:5432, dropped and created again) and starts one worker process pointing at it.  The worker
migrates (the standard catalogue comes with the migrations), builds a district (4 streets of 10
communities of 5 grids), a residents' committee and a routing rule per community, a water company with
a district-wide rule for the water categories, and an officer per community and street, then times:

a. ``do_file_request(..., accept=True)`` at the one-stop window: validation, routing (nearest rule up
   the tree), the row, the case file entries, the working-day deadline; in process, no HTTP;
b. the same through the API (``POST /api/v1/services/requests/`` with a bearer token) with Django's
   test ``Client``: middleware, authentication, pydantic, the action, the JSON answer;
c. ``check_deadlines()`` over 200,000 open requests bulk-created first (``--quick``: 20,000), in a
   steady state: 10 % overdue and already escalated, 15 % warned and not yet due, and 0.5 % newly in
   the warning window plus 0.1 % newly overdue, which this run warns and escalates (case file entries
   and notifications included).  Between calls the new entries are deleted and the marks cleared.

Baselines (raw SQL through ``connection.cursor()``, timed the same way): for (a) and (b), the
routing SELECT, the INSERT of the request and of its three case-file entries in one transaction; for
(c), the same set-based statements the database must at least run: INSERT … SELECT of the case-file
entries and the UPDATE of the marks, for both the overdue and the warned.

Targets: p95 ≤ 200 ms for (a) and (b), median ≤ 1 s for (c).  A miss prints FAIL but does not change
the exit status: this is a benchmark, not a test.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

REPO_DIR = Path(__file__).resolve().parent.parent
if str(REPO_DIR) not in sys.path:
    sys.path.insert(0, str(REPO_DIR))

from bench import common  # noqa: E402 - the repository is on sys.path now

DATABASE = common.Database(Path("/tmp/shequ-bench-services.sqlite3"), "shequ_bench_services")
Result = common.OrmResult

FILE_TARGET_MS = 200.0  # p95
CHECK_TARGET_MS = 1000.0  # median
OPEN_FULL, OPEN_QUICK = 200_000, 20_000


# --------------------------------------------------------------------------------------
# Main process
# --------------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", choices=[*common.VENDORS, "both"], default="both")
    parser.add_argument("--quick", action="store_true", help="20,000 open requests instead of 200,000")
    parser.add_argument("--runs", type=int, default=50, help="timed filings per path (default 50)")
    parser.add_argument("--keep", action="store_true", help="keep the benchmark database(s)")
    args = common.parse_args(parser, argv)
    if args.worker:
        return run_worker(args.worker, OPEN_QUICK if args.quick else OPEN_FULL, args.runs, args.results)

    def run(vendor: str) -> list[Result] | None:
        worker_args = ["--runs", str(args.runs)] + (["--quick"] if args.quick else [])
        items = common.run_on_fresh_database(
            __file__, vendor, DATABASE, "shequ-bench-services-", worker_args, args.keep
        )
        return common.results_from_json(Result, items)

    status, summaries = common.each_database(args.db, run)
    common.print_summary(summaries, lambda r: r.operation)
    return status


# --------------------------------------------------------------------------------------
# Worker
# --------------------------------------------------------------------------------------


def run_worker(vendor: str, open_count: int, runs: int, results_file: Path | None) -> int:
    migrated = common.setup_worker(vendor)
    started = time.perf_counter()
    world = build_world()
    built = time.perf_counter() - started
    bench = ServicesBench(world, runs)
    results = [bench.file_in_process(), bench.file_through_api()]
    started = time.perf_counter()
    due = bulk_open_requests(world, open_count)
    filled = time.perf_counter() - started
    settle()
    results.append(bench.check(open_count, due))
    notes = [
        f"{common.LABELS[vendor]} {common.database_version(vendor)}: migrated in {migrated:.1f} s,"
        f" world built in {built:.1f} s, {open_count:,} open requests bulk-created in {filled:.1f} s",
        f"load average {os.getloadavg()[0]:.1f} (on {os.cpu_count()} CPUs)",
        f"times in ms after {common.WARMUP_RUNS} warm-up calls: filing {runs} calls, the check 5 calls;"
        " target on the p95 for filing, on the median for the check",
        "queries: statements of one ORM call (BEGIN/COMMIT/SAVEPOINT included)",
    ]
    print_table(vendor, notes, results)
    common.write_results(results_file, results)
    return 0


@dataclass
class World:
    district: Any
    grids: list[Any]
    leaves: list[Any]
    officer: Any
    token: str


def build_world() -> World:
    from shequ.accounts.models import APIToken, Grant, User
    from shequ.orgs.models import Organization, OrgKind
    from shequ.services.models import RoutingRule, ServiceCategory
    from shequ.territory.bulk import TreeBuilder
    from shequ.territory.models import Kind, Node

    builder = TreeBuilder()
    city = builder.add(None, Kind.CITY, "基准市", code="420100")
    district = builder.add(city, Kind.DISTRICT, "第1区", code="420101")
    for s in range(4):
        street = builder.add(district, Kind.STREET, f"第{s + 1}街道", code=f"420101{s + 1:03d}")
        for c in range(10):
            community = builder.add(
                street, Kind.COMMUNITY, f"{s + 1}街第{c + 1}社区", code=f"420101{s + 1:03d}{c + 1:03d}"
            )
            for g in range(5):
                builder.add(community, Kind.GRID, f"第{g + 1}网格")
    builder.flush()
    district = Node.objects.get(code="420101")
    water = Organization.objects.create(node=district, kind=OrgKind.OTHER, name="第1区自来水公司")
    water_categories = ServiceCategory.objects.filter(code__startswith="water")
    for cat in water_categories:
        RoutingRule.objects.create(node=district, category=cat, organization=water)
    for n, community in enumerate(Node.objects.filter(kind=Kind.COMMUNITY).order_by("path")):
        committee = Organization.objects.create(node=community, kind=OrgKind.RESIDENTS_COMMITTEE, name=f"居委会{n}")
        RoutingRule.objects.create(node=community, category=None, organization=committee)
        worker = User.objects.create_user(f"worker{n}", password=None, node=community)
        Grant.objects.create(user=worker, role="community_worker", node=community)
    for n, street in enumerate(Node.objects.filter(kind=Kind.STREET).order_by("path")):
        officer = User.objects.create_user(f"officer{n}", password=None, node=street)
        Grant.objects.create(user=officer, role="street_officer", node=street)
    boss = User.objects.create_user("district", password=None, node=district)
    Grant.objects.create(user=boss, role="district_officer", node=district)
    officer = User.objects.get(username="officer0")
    _t, key = APIToken.issue(officer)
    street0 = Node.objects.filter(kind=Kind.STREET).order_by("path").first()
    assert street0 is not None
    grids = list(Node.objects.filter(kind=Kind.GRID, path__startswith=street0.path).order_by("path"))
    leaves = list(
        ServiceCategory.objects.filter(active=True, parent__isnull=False)
        .select_related("parent", "tier", "parent__tier")
        .order_by("pk")
    )
    return World(district=district, grids=grids, leaves=leaves, officer=officer, token=key)


def bulk_open_requests(world: World, count: int) -> dict[str, int]:
    """*count* open requests spread over the district, in the steady state described above."""
    from django.utils import timezone

    from shequ.orgs.models import Organization, OrgKind
    from shequ.services.models import ServiceCategory, ServiceRequest, Status
    from shequ.territory.models import Kind, Node

    now = timezone.now()
    grids = list(Node.objects.filter(kind=Kind.GRID).only("path"))
    cats = list(ServiceCategory.objects.filter(parent__isnull=False).only("pk"))

    committees = {
        o.node.path: o for o in Organization.objects.filter(kind=OrgKind.RESIDENTS_COMMITTEE).select_related("node")
    }
    due = {"escalate": count // 1000, "warn": count // 200}
    batch: list[ServiceRequest] = []
    for i in range(count):
        grid = grids[i % len(grids)]
        committee = committees[grid.path[: len(grid.path) - 9]]
        accepted = now - timedelta(days=3)
        r = ServiceRequest(
            node_id=grid.pk,
            path=grid.path,
            category_id=cats[i % len(cats)].pk,
            status=Status.ASSIGNED,
            is_open=True,
            description="基准工单",
            contact_name="测试",
            phone="13800000000",
            phone_last4="0000",
            organization_id=committee.pk,
            responsible_path=committee.path,
            accepted_at=accepted,
            tier_name="一般",
        )
        share = i % 1000
        if i < due["escalate"]:  # newly overdue
            r.deadline, r.warn_at, r.warned_at = now - timedelta(minutes=5), now - timedelta(hours=5), now
        elif i < due["escalate"] + due["warn"]:  # newly in the warning window
            r.deadline, r.warn_at = now + timedelta(hours=5), now - timedelta(minutes=5)
        elif share < 100:  # overdue, escalated earlier
            r.deadline, r.warn_at = now - timedelta(days=1), now - timedelta(days=2)
            r.warned_at = r.escalated_at = now - timedelta(days=1)
        elif share < 250:  # warned earlier, not yet due
            r.deadline, r.warn_at, r.warned_at = now + timedelta(days=1), now - timedelta(hours=3), now
        else:
            r.deadline = now + timedelta(days=2 + share % 20)
            r.warn_at = r.deadline - timedelta(days=1)
        batch.append(r)
        if len(batch) == 5000:
            ServiceRequest.objects.bulk_create(batch)
            batch = []
    ServiceRequest.objects.bulk_create(batch)
    return due


def settle() -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")


class ServicesBench:
    def __init__(self, world: World, runs: int) -> None:
        from django.db import connection

        self.world = world
        self.runs = runs
        self.vendor = connection.vendor
        self.n = 0

    def next_place(self) -> tuple[Any, Any]:
        self.n += 1
        w = self.world
        return w.grids[self.n % len(w.grids)], w.leaves[self.n % len(w.leaves)]

    # -- raw filing: the routing read and the four rows, by hand ----------------------------------------------

    def insert_sql(self, model: Any, exclude: tuple[str, ...] = ("id",)) -> tuple[str, list[Any]]:
        fields = [f for f in model._meta.concrete_fields if f.column not in exclude]
        columns = ", ".join(f'"{f.column}"' for f in fields)
        marks = ", ".join(["%s"] * len(fields))
        return f'INSERT INTO "{model._meta.db_table}" ({columns}) VALUES ({marks}) RETURNING "id"', fields

    def raw_file(self) -> None:
        from django.db import connection, transaction
        from django.utils import timezone

        from shequ.services.models import CaseEvent, ServiceRequest, Status
        from shequ.services.models.requests import new_tracking_code
        from shequ.services.routing import ancestor_paths

        grid, category = self.next_place()
        now = timezone.now()
        request_sql, request_fields = self.insert_sql(ServiceRequest)
        event_sql, event_fields = self.insert_sql(CaseEvent)
        paths = ancestor_paths(grid.path)
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(
                'SELECT "id", "organization_id", "post_id", "path" FROM "services_routingrule"'
                f' WHERE "path" IN ({", ".join(["%s"] * len(paths))})'
                ' AND ("category_id" IN (%s, %s) OR "category_id" IS NULL)',
                [*paths, category.pk, category.parent_id or category.pk],
            )
            rule = max(cursor.fetchall(), key=lambda row: len(row[3]))
            values = ServiceRequest(
                code=new_tracking_code(),
                node_id=grid.pk,
                path=grid.path,
                category_id=category.pk,
                status=Status.ACCEPTED,
                description="楼道灯坏了",
                contact_name="张先生",
                phone="13912345678",
                phone_last4="5678",
                organization_id=rule[1],
                responsible_path=grid.path,
                accepted_at=now,
                deadline=now + timedelta(days=7),
                warn_at=now + timedelta(days=6),
                created=now,
                updated=now,
            )
            cursor.execute(
                request_sql, [f.get_db_prep_save(f.pre_save(values, True), connection) for f in request_fields]
            )
            pk = cursor.fetchone()[0]
            for text in ("受理渠道", "路由", "已受理"):
                event = CaseEvent(request_id=pk, kind="status", to_status=Status.ACCEPTED, text=text, at=now)
                cursor.execute(
                    event_sql, [f.get_db_prep_save(f.pre_save(event, True), connection) for f in event_fields]
                )

    # -- a. in process -------------------------------------------------------------------------------------

    def file_in_process(self) -> Result:
        from shequ.services import actions

        def orm() -> None:
            grid, category = self.next_place()
            r = actions.do_file_request(
                acting_user=self.world.officer,
                category=category,
                node=grid,
                description="楼道灯坏了",
                contact_name="张先生",
                phone="13912345678",
                attributes=required_answers(category),
                accept=True,
            )
            common.expect(r.organization_id is not None and r.deadline is not None, "not routed or no deadline")

        orm_t, raw_t = common.timed_pair(orm, self.raw_file, self.runs)
        return Result(
            "a. do_file_request (routing, accept)", 1, orm_t, raw_t, common.count_queries(orm), FILE_TARGET_MS, True
        )

    # -- b. through the API ----------------------------------------------------------------------------------

    def file_through_api(self) -> Result:
        from django.test import Client

        client = Client(HTTP_AUTHORIZATION=f"Bearer {self.world.token}")

        def orm() -> None:
            grid, category = self.next_place()
            payload = {
                "category_id": category.pk,
                "node_id": grid.pk,
                "description": "楼道灯坏了",
                "contact_name": "张先生",
                "phone": "13912345678",
                "attributes": required_answers(category),
                "accept": True,
            }
            response = client.post("/api/v1/services/requests/", payload, content_type="application/json")
            common.expect(
                response.status_code == 201, f"API answered {response.status_code}: {response.content[:300]!r}"
            )

        orm_t, raw_t = common.timed_pair(orm, self.raw_file, self.runs)
        return Result(
            "b. POST /api/v1/services/requests/", 1, orm_t, raw_t, common.count_queries(orm), FILE_TARGET_MS, True
        )

    # -- c. the deadline watch -------------------------------------------------------------------------------

    def check(self, open_count: int, due: dict[str, int]) -> Result:
        from django.db import connection, transaction
        from django.utils import timezone

        from shequ.services.models import CaseEvent, Notification, ServiceRequest
        from shequ.services.tasks import check_deadlines

        now = timezone.now()
        newly_overdue = list(
            ServiceRequest.objects.filter(is_open=True, escalated_at__isnull=True, deadline__lt=now).values_list(
                "pk", flat=True
            )
        )
        newly_due = list(
            ServiceRequest.objects.filter(
                is_open=True, warned_at__isnull=True, warn_at__lte=now, deadline__gte=now
            ).values_list("pk", flat=True)
        )
        common.expect(
            len(newly_overdue) == due["escalate"], f"{len(newly_overdue)} newly overdue, not {due['escalate']}"
        )
        common.expect(len(newly_due) == due["warn"], f"{len(newly_due)} newly due, not {due['warn']}")
        first_event = (CaseEvent.objects.order_by("-pk").values_list("pk", flat=True).first() or 0) + 1
        first_note = (Notification.objects.order_by("-pk").values_list("pk", flat=True).first() or 0) + 1
        warned_before = now - timedelta(minutes=1)

        def reset() -> None:
            with transaction.atomic():
                CaseEvent.objects.filter(pk__gte=first_event).delete()
                Notification.objects.filter(pk__gte=first_note).delete()
                ServiceRequest.objects.filter(pk__in=newly_overdue).update(escalated_at=None, warned_at=warned_before)
                ServiceRequest.objects.filter(pk__in=newly_due).update(warned_at=None)

        counts: dict[str, int] = {}

        def orm() -> None:
            counts.update(check_deadlines(now))

        event_cols = "request_id, kind, from_status, to_status, text, public, actor_label, at"
        p = "%s"

        def raw() -> None:
            with transaction.atomic(), connection.cursor() as cursor:
                for kind, where, marks in (
                    ("escalation", f"escalated_at IS NULL AND deadline < {p}", f"escalated_at = {p}, warned_at = {p}"),
                    ("warning", f"warned_at IS NULL AND warn_at <= {p} AND deadline >= {p}", f"warned_at = {p}"),
                ):
                    where_params = [now] if kind == "escalation" else [now, now]
                    cursor.execute(
                        f"INSERT INTO services_caseevent ({event_cols})"
                        f" SELECT id, {p}, '', '', code, {p}, {p}, {p} FROM services_servicerequest"
                        f" WHERE is_open = {p} AND {where}",
                        [kind, False, "deadline watch", now, True, *where_params],
                    )
                    cursor.execute(
                        f"UPDATE services_servicerequest SET {marks} WHERE is_open = {p} AND {where}",
                        [*([now, now] if kind == "escalation" else [now]), True, *where_params],
                    )

        def measure(call: Callable[[], object]) -> list[float]:
            samples = []
            for _ in range(5 + 1):
                reset()
                settle_quick()
                samples.append(common.sample(call))
            return samples[1:]  # the first is the warm-up

        orm_samples = measure(orm)
        common.expect(counts == {"warned": due["warn"], "escalated": due["escalate"]}, f"check counted {counts}")
        raw_samples = measure(raw)
        reset()
        queries = common.count_queries(orm)
        return Result(
            f"c. check_deadlines() over {open_count:,} open",
            due["warn"] + due["escalate"],
            common.Timing.of(orm_samples),
            common.Timing.of(raw_samples),
            queries,
            CHECK_TARGET_MS,
            False,
        )


def settle_quick() -> None:
    """PostgreSQL: clear the dead rows the reset left (autovacuum would, between two runs of the watch)."""
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("VACUUM services_servicerequest")


def required_answers(category: Any) -> dict[str, Any]:
    from shequ.services.actions.requests import category_attributes
    from shequ.services.models import Datatype

    answers: dict[str, Any] = {}
    for attr in category_attributes(category):
        if not attr.required:
            continue
        if attr.datatype in (Datatype.SINGLEVALUELIST, Datatype.MULTIVALUELIST):
            answers[attr.code] = attr.choice_keys()[0]
        elif attr.datatype == Datatype.NUMBER:
            answers[attr.code] = "1"
        elif attr.datatype == Datatype.DATETIME:
            answers[attr.code] = datetime(2026, 1, 5, 9, 0).isoformat()
        else:
            answers[attr.code] = "是"
    return answers


def print_table(vendor: str, notes: list[str], results: list[Result]) -> None:
    header = (
        f"{'operation':<40} {'rows':>6} {'ORM med':>8} {'ORM p95':>8} {'raw med':>8} {'raw p95':>8}"
        f" {'ORM/raw':>7} {'queries':>7} {'target':>12}  result"
    )
    common.print_heading(notes, header)
    for r in results:
        target = f"{'p95' if r.on_p95 else 'med'} ≤{r.target_ms:.0f}"
        print(
            f"{r.operation:<40} {r.rows:>6} {r.orm.median:>8.2f} {r.orm.p95:>8.2f} {r.raw.median:>8.2f}"
            f" {r.raw.p95:>8.2f} {r.ratio:>6.1f}x {r.queries:>7} {target:>12}  {'PASS' if r.passed else 'FAIL  <<<'}"
        )
    sys.stdout.flush()


if __name__ == "__main__":
    sys.exit(main())
