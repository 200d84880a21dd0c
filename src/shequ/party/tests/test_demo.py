"""The demo city's party members: realistic, deterministic, bulk-inserted, and within the Party's rules.

The demo territory, residents and organizations are built once; every record the party seeder writes
is checked against the rules the actions enforce, and a sample is taken through the actions themselves.
"""

from __future__ import annotations

from collections import Counter
from datetime import date, timedelta
from typing import Any, ClassVar

from django.db import connection, transaction
from django.test import Client, TestCase
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from shequ.accounts.models import Grant, User
from shequ.core.exceptions import ActionError
from shequ.core.text import name_pinyin
from shequ.orgs.demo import seed_organizations
from shequ.party import actions, tally
from shequ.party.actions.common import MEMBER_ORG_KINDS
from shequ.party.actions.members import check_age, check_membership_dates
from shequ.party.actions.reports import BRANCH_KINDS
from shequ.party.arrears import months_due
from shequ.party.demo import seed_party
from shequ.party.dues import monthly_dues
from shequ.party.models import (
    Category,
    CommunityReport,
    DevelopmentRecord,
    DuesPayment,
    EventKind,
    MemberEvent,
    MemberStatus,
    MemberTally,
    OutstandingSelection,
    PartyMember,
    RelationTransfer,
    ReportActivity,
    Stage,
    TransferKind,
    TransferStatus,
)
from shequ.party.models.common import add_months, add_years
from shequ.party.models.members import ACTIVE_STATUSES
from shequ.party.models.transfers import TRANSFER_DAYS
from shequ.people.demo import seed_people
from shequ.people.fields import id_hash_of
from shequ.people.identity import mask_id, parse_identity
from shequ.territory.demo import SCALES, build_demo_territory
from shequ.territory.models import Kind, Node


def tally_rows() -> list[tuple[str, str, str, bool, int]]:
    """The rollup, without the rows brought down to zero (they stay until a rebuild)."""
    return sorted(MemberTally.objects.exclude(count=0).values_list("path", "dimension", "key", "active", "count"))


def snapshot() -> dict[str, list[Any]]:
    """The party data without ids (the same on every database, whatever its sequences)."""
    return {
        "members": list(
            PartyMember.objects.order_by("id_hash").values_list(
                "name",
                "id_hash",
                "organization__name",
                "path",
                "status",
                "category",
                "joined_on",
                "converted_on",
                "probation_ends",
                "dues_base",
                "resident__name",
                "work_unit",
            )
        ),
        "events": sorted(MemberEvent.objects.values_list("member__id_hash", "kind", "on", "title", "hours")),
        "records": list(
            DevelopmentRecord.objects.order_by("id_hash").values_list(
                "id_hash",
                "stage",
                "organization__name",
                "applied_on",
                "activist_on",
                "target_on",
                "admitted_on",
                "contact_1__name",
                "introducer_1__name",
                "introducer_2__name",
            )
        ),  # fmt: skip
        "transfers": sorted(
            RelationTransfer.objects.values_list(
                "member__id_hash",
                "id_hash",
                "kind",
                "status",
                "from_org__name",
                "to_org__name",
                "requested_on",
                "approved_on",
                "closed_on",
                "letter_number",
            ),
            key=str,
        ),  # fmt: skip
        "reports": sorted(
            CommunityReport.objects.values_list("member__id_hash", "node__name", "branch__name", "registered_on")
        ),
        "activities": sorted(ReportActivity.objects.values_list("report__member__id_hash", "on", "title", "hours")),
        "selections": sorted(OutstandingSelection.objects.values_list("report__member__id_hash", "year", "citation")),
        "dues": sorted(DuesPayment.objects.values_list("member__id_hash", "month", "amount", "paid_on")),
    }


class PartyDemoTests(TestCase):
    city: ClassVar[Node]
    summary: ClassVar[dict[str, int]]
    queries: ClassVar[int]

    @classmethod
    def setUpTestData(cls) -> None:
        cls.city = build_demo_territory(SCALES["small"], seed=3)
        seed_people(cls.city, "small", 3)
        seed_organizations(cls.city, "small", 3)
        with CaptureQueriesContext(connection) as queries:
            cls.summary = seed_party(cls.city, "small", 3)
        cls.queries = len(queries)
        cls.admin = User.objects.create_superuser("root", password="root-pass-123")

    admin: ClassVar[User]

    def setUp(self) -> None:
        self.today = timezone.localdate()

    def test_summary_and_bulk(self) -> None:
        s = self.summary
        self.assertEqual(s["party members"], PartyMember.objects.count())
        self.assertTrue(200 <= s["party members"] <= 320, s)
        self.assertEqual(s["dues payments"], DuesPayment.objects.count())
        # A few dozen statements in all (territory lookups, chunks, the pipeline's candidates), not one a row.
        self.assertLess(self.queries, 60)
        # The residents who are members have their archive, in the branch where they live or where they work.
        linked = PartyMember.objects.exclude(resident=None)
        residents = {m.resident_id: m for m in linked.select_related("resident", "organization")}
        self.assertGreater(len(residents), 150)
        for member in residents.values():
            expected = MemberStatus.FULL if member.resident.political_status == "party_member" else "probationary"
            self.assertEqual(member.status, expected)
            self.assertEqual((member.name, member.id_hash), (member.resident.name, member.resident.id_hash))
            if member.organization.kind == "branch":
                self.assertTrue(member.resident.path.startswith(member.organization.path))
        # Everything a member list needs to show something to look at.
        self.assertGreaterEqual(len(Counter(PartyMember.objects.values_list("category", flat=True))), 5)
        stages = Counter(DevelopmentRecord.objects.values_list("stage", flat=True))
        for stage in (Stage.APPLICANT, Stage.ACTIVIST, Stage.TARGET, Stage.PROBATIONARY):
            self.assertGreater(stages[stage], 0, stages)
        kinds = Counter(RelationTransfer.objects.values_list("kind", "is_open"))
        for kind in TransferKind.values:
            self.assertGreater(kinds[(kind, True)], 0, kinds)
            self.assertGreater(kinds[(kind, False)], 0, kinds)
        self.assertTrue(RelationTransfer.objects.overdue(self.today).exists())
        self.assertGreater(CommunityReport.objects.count(), 5)
        self.assertGreater(ReportActivity.objects.count(), 10)
        self.assertTrue(OutstandingSelection.objects.exists())

    def test_members_follow_the_rules(self) -> None:
        members = list(PartyMember.objects.select_related("organization", "resident"))
        events = Counter(MemberEvent.objects.values_list("member_id", "kind", "on"))
        for m in members:
            with self.subTest(member=m.name):
                self.assertIn(m.organization.kind, MEMBER_ORG_KINDS)
                self.assertEqual((m.node_id, m.path), (m.organization.node_id, m.organization.path))
                identity = parse_identity(m.id_number)
                self.assertEqual((identity.gender, identity.birth_date), (m.gender, m.birth_date))
                self.assertEqual((m.id_hash, m.id_masked), (id_hash_of(m.id_number), mask_id(m.id_number)))
                self.assertEqual((m.pinyin, m.initials), name_pinyin(m.name))
                joining = MemberStatus.PROBATIONARY if m.status == MemberStatus.PROBATIONARY else MemberStatus.FULL
                check_membership_dates(joining, m.joined_on, m.converted_on, m.birth_date)
                normal_end = add_years(m.joined_on, 1)
                if m.status == MemberStatus.PROBATIONARY:
                    self.assertTrue(
                        m.probation_ends == normal_end
                        or (m.probation_extended and normal_end < m.probation_ends <= add_months(normal_end, 12))
                    )
                else:
                    self.assertEqual(m.probation_extended, m.converted_on != normal_end)
                    self.assertEqual(events[(m.pk, EventKind.CONVERTED, m.converted_on)], 1)
                self.assertEqual(events[(m.pk, EventKind.ADMITTED, m.joined_on)], 1)
                self.assertTrue(m.joined_on <= m.status_changed_on <= self.today)
                monthly_dues(m.category, m.dues_base, m.basic_allowance)  # computable for everyone
                if m.status == MemberStatus.TRANSFERRED_OUT:
                    self.assertTrue(m.transfers.filter(kind=TransferKind.OUTGOING, status="completed").exists())
        self.assertFalse(MemberEvent.objects.filter(on__gt=self.today).exists())

    def test_development_follows_the_rules(self) -> None:
        for r in DevelopmentRecord.objects.select_related(
            "organization", "member", "contact_1", "contact_2", "introducer_1", "introducer_2"
        ):
            with self.subTest(record=r.name):
                self.assertIn(r.organization.kind, MEMBER_ORG_KINDS)
                self.assertEqual(r.path, r.organization.path)
                check_age(r.birth_date, r.applied_on, "applicant")
                self.assertLessEqual(r.applied_on, self.today)
                contacts = [c for c in (r.contact_1, r.contact_2) if c is not None]
                introducers = [i for i in (r.introducer_1, r.introducer_2) if i is not None]
                for person in contacts + introducers:
                    self.assertEqual(person.status, MemberStatus.FULL)
                self.assertEqual(len({p.pk for p in contacts}), len(contacts))
                if r.stage in (Stage.ACTIVIST, Stage.TARGET, Stage.PROBATIONARY):
                    assert r.activist_on is not None
                    self.assertTrue(r.applied_on <= r.activist_on <= self.today)
                    self.assertTrue(1 <= len(contacts) <= 2)
                if r.stage in (Stage.TARGET, Stage.PROBATIONARY):
                    assert r.activist_on is not None and r.target_on is not None
                    self.assertTrue(add_years(r.activist_on, 1) <= r.target_on <= self.today)
                if r.stage == Stage.PROBATIONARY:
                    assert r.member is not None and r.target_on is not None
                    self.assertEqual(len({i.pk for i in introducers}), 2)
                    self.assertNotIn(r.member_id, {i.pk for i in introducers})
                    self.assertEqual((r.admitted_on, r.member.status), (r.member.joined_on, MemberStatus.PROBATIONARY))
                    self.assertLessEqual(r.target_on, r.admitted_on)
                    check_age(r.birth_date, r.member.joined_on, "member")
                else:
                    self.assertIsNone(r.member)
                    self.assertFalse(PartyMember.objects.filter(id_hash=r.id_hash).exists())
                if r.stage == Stage.STOPPED:
                    self.assertTrue(r.stopped_reason and r.stopped_on)
        probationary = PartyMember.objects.filter(status=MemberStatus.PROBATIONARY)
        self.assertEqual(
            probationary.filter(development__isnull=False).count(), probationary.count(), "came through the pipeline"
        )

    def test_transfers_follow_the_rules(self) -> None:
        for t in RelationTransfer.objects.select_related("member", "from_org", "to_org"):
            with self.subTest(transfer=t.pk):
                self.assertEqual(t.is_open, t.status in (TransferStatus.REQUESTED, TransferStatus.APPROVED))
                dates = [d for d in (t.requested_on, t.approved_on, t.closed_on) if d is not None]
                self.assertEqual(dates, sorted(dates))
                self.assertLessEqual(dates[-1], self.today)
                self.assertEqual(t.due_on, t.valid_until or t.requested_on + timedelta(days=TRANSFER_DAYS))
                self.assertEqual(t.to_path, t.to_org.path if t.to_org else "")
                member = t.member
                if t.kind == TransferKind.INTERNAL:
                    assert member is not None and t.to_org is not None and t.from_org is not None
                    self.assertNotEqual(t.from_org_id, t.to_org_id)
                    self.assertLessEqual(member.joined_on, t.requested_on)
                    holder = t.to_org if t.status == TransferStatus.COMPLETED else t.from_org
                    self.assertEqual(t.path, holder.path)
                    self.assertEqual(member.organization_id, holder.pk)
                    if t.is_open:
                        self.assertIn(member.status, ACTIVE_STATUSES)
                elif t.kind == TransferKind.OUTGOING:
                    assert member is not None
                    self.assertTrue(t.letter_number and t.valid_until and t.approved_on)
                    if t.status == TransferStatus.COMPLETED:
                        self.assertEqual(
                            (member.status, member.status_changed_on), (MemberStatus.TRANSFERRED_OUT, t.closed_on)
                        )
                        self.assertLessEqual(t.closed_on, t.valid_until)
                    else:
                        self.assertIn(member.status, ACTIVE_STATUSES)
                else:
                    assert t.to_org is not None
                    self.assertTrue(t.letter_number and t.id_hash and t.person_name)
                    self.assertEqual(t.path, t.to_org.path)
                    if t.is_open:
                        self.assertIsNone(member)
                        self.assertFalse(PartyMember.objects.filter(id_hash=t.id_hash).exists())
                    else:
                        assert member is not None
                        self.assertEqual((member.id_hash, member.organization_id), (t.id_hash, t.to_org_id))
        opened = Counter(RelationTransfer.objects.filter(is_open=True).exclude(member=None).values_list("member"))
        self.assertEqual(set(opened.values()), {1})

    def test_reports_and_dues_follow_the_rules(self) -> None:
        for r in CommunityReport.objects.select_related("member", "node", "branch"):
            with self.subTest(report=r.pk):
                self.assertEqual((r.node.kind, r.path), (Kind.COMMUNITY, r.node.path))
                self.assertIn(r.member.status, ACTIVE_STATUSES)
                self.assertEqual(r.member.category, Category.ON_THE_JOB)
                self.assertTrue(r.member.joined_on <= r.registered_on <= self.today)
                assert r.branch is not None
                self.assertIn(r.branch.kind, BRANCH_KINDS)
                self.assertTrue(r.branch.path.startswith(r.node.path))
                self.assertFalse(r.member.path.startswith(r.node.path), "reports where they live, not where they work")
                for a in r.activities.all():
                    self.assertTrue(r.registered_on <= a.on <= self.today and 0 < a.hours <= 24)
                for s in r.selections.all():
                    self.assertTrue(r.registered_on.year <= s.year <= self.today.year)
        paid: dict[int, set[date]] = {}
        for p in DuesPayment.objects.select_related("member"):
            m = p.member
            self.assertIn(m.status, ACTIVE_STATUSES)
            self.assertEqual(p.path, m.path)
            self.assertGreaterEqual(p.month, m.joined_on.replace(day=1))
            self.assertEqual(p.month.day, 1)
            self.assertGreaterEqual(p.amount, monthly_dues(m.category, m.dues_base, m.basic_allowance))
            self.assertTrue(m.joined_on <= p.paid_on <= self.today)
            paid.setdefault(m.pk, set()).add(p.month)
        behind = [
            m
            for m in PartyMember.objects.filter(status__in=ACTIVE_STATUSES)
            if set(months_due(m.joined_on, self.today.year, self.today)) - paid.get(m.pk, set())
        ]
        active = PartyMember.objects.filter(status__in=ACTIVE_STATUSES).count()
        if months_due(date(self.today.year, 1, 1), self.today.year, self.today):
            self.assertTrue(0 < len(behind) < active * 0.3, (len(behind), active))

    def test_the_actions_take_the_seeded_data_further(self) -> None:
        """The next step of every record in progress is accepted, or refused for the rule's own reason."""
        today, admin = self.today, self.admin
        for record in DevelopmentRecord.objects.filter(stage=Stage.ACTIVIST):
            assert record.activist_on is not None
            if add_years(record.activist_on, 1) <= today:
                self.assertEqual(actions.do_make_target(record, acting_user=admin, on=today).stage, Stage.TARGET)
            else:
                with self.assertRaises(ActionError) as caught:
                    actions.do_make_target(record, acting_user=admin, on=today)
                self.assertEqual(caught.exception.code, "activist_year")
        for record in DevelopmentRecord.objects.filter(stage=Stage.TARGET).select_related("contact_1"):
            community = Node.objects.get(pk=record.node_id)
            pool = PartyMember.objects.filter(status=MemberStatus.FULL, path__startswith=community.path[:36])
            introducers = list(pool.order_by("id")[:2])
            member = actions.do_admit(record, acting_user=admin, on=today, introducers=introducers)
            self.assertEqual(member.probation_ends, add_years(today, 1))
        for member in PartyMember.objects.filter(status=MemberStatus.PROBATIONARY):
            assert member.probation_ends is not None
            if member.probation_ends <= today:
                self.assertEqual(actions.do_convert(member, acting_user=admin).status, MemberStatus.FULL)
            else:
                with self.assertRaises(ActionError) as caught:
                    actions.do_convert(member, acting_user=admin)
                self.assertEqual(caught.exception.code, "probation_not_over")
        for transfer in RelationTransfer.objects.filter(is_open=True).order_by("id"):
            if transfer.kind == TransferKind.INTERNAL and transfer.status == TransferStatus.REQUESTED:
                actions.do_approve_transfer(transfer, acting_user=admin)
            elif transfer.kind == TransferKind.INTERNAL:
                done = actions.do_accept_transfer(transfer, acting_user=admin)
                assert done.member_id is not None
                self.assertEqual(PartyMember.objects.get(pk=done.member_id).organization_id, transfer.to_org_id)
            elif transfer.kind == TransferKind.INCOMING:
                self.assertIsNotNone(actions.do_accept_transfer(transfer, acting_user=admin).member)
            else:
                actions.do_confirm_arrival(transfer, acting_user=admin)
        # Dues of a month in arrears are taken at the computed amount.
        for member in PartyMember.objects.filter(status__in=ACTIVE_STATUSES).order_by("id"):
            paid = set(member.dues_payments.values_list("month", flat=True))
            owed = [m for m in months_due(member.joined_on, today.year, today) if m not in paid]
            if owed:
                payment = actions.do_record_dues(member, acting_user=admin, month=owed[0])
                due = monthly_dues(member.category, member.dues_base, member.basic_allowance)
                self.assertEqual(payment.amount, due)
                break
        # A report records another activity.
        report = CommunityReport.objects.filter(ended_on=None).order_by("id").first()
        assert report is not None
        actions.do_record_activity(report, acting_user=admin, on=today, title="清洁家园", hours="2")
        # Every one of those actions kept the statistics' rollup current: a rebuild changes nothing.
        kept = tally_rows()
        self.assertFalse(MemberTally.objects.filter(count__lt=0).exists())
        self.assertEqual(tally.rebuild(), len(kept))
        self.assertEqual(tally_rows(), kept)

    def test_the_statistics_rollup_matches_the_members(self) -> None:
        from shequ.party.stats import compute

        places = Node.objects.filter(kind__in=(Kind.CITY, Kind.DISTRICT, Kind.STREET, Kind.COMMUNITY))
        self.assertGreater(MemberTally.objects.count(), 100)
        for node in places.order_by("path"):
            with self.subTest(node=node.name):
                fast, slow = compute(node, self.admin), compute(node, self.admin, rollup=False)
                for name in ("total", "by_status", "by_category", "by_age", "by_education", "by_year"):
                    self.assertEqual(getattr(fast, name), getattr(slow, name), name)
                self.assertEqual(
                    [(c["node"].pk, c["developed"]) for c in fast.communities],
                    [(c["node"].pk, c["developed"]) for c in slow.communities],
                )
                self.assertEqual(
                    [(d, o.pk, own, under) for d, o, own, under in fast.tree],
                    [(d, o.pk, own, under) for d, o, own, under in slow.tree],
                )
                self.assertTrue(fast.tree)
        city = compute(self.city, self.admin)
        self.assertEqual(city.total, PartyMember.objects.filter(status__in=ACTIVE_STATUSES).count())
        # The city's page reads the rollup: no query groups or counts the members themselves.
        self.client.force_login(self.admin)
        with CaptureQueriesContext(connection) as queries:
            self.assertEqual(self.client.get("/party/statistics/").status_code, 200)
        over_members = [q["sql"] for q in queries.captured_queries if 'FROM "party_partymember"' in q["sql"]]
        self.assertEqual(over_members, [])
        self.assertEqual(sum(n for _label, n in city.by_age), city.total)
        # The city shows the streets' working committees, each with the members below it.
        street_committees = [(o, under) for depth, o, _own, under in city.tree if depth == 0]
        self.assertEqual(sum(under for _o, under in street_committees), city.total)

    def test_deterministic(self) -> None:
        runs = []
        for _ in range(2):
            with transaction.atomic():
                for model in (
                    DuesPayment,
                    OutstandingSelection,
                    ReportActivity,
                    CommunityReport,
                    RelationTransfer,
                    DevelopmentRecord,
                    MemberEvent,
                    MemberTally,
                    PartyMember,
                ):
                    qs = model.objects.all()
                    qs._raw_delete(qs.db)  # no audit entries, no cascade collection: all of them go
                seed_party(self.city, "small", 11)
                runs.append(snapshot())
                transaction.set_rollback(True)
        self.assertEqual(runs[0], runs[1])
        self.assertGreater(len(runs[0]["members"]), 200)
        self.assertNotEqual(runs[0]["members"], snapshot()["members"])  # another seed, other members

    def test_pages_show_the_seeded_data(self) -> None:
        self.client.force_login(self.admin)
        for url in ("/party/members/", "/party/due/", "/party/dues-arrears/", "/party/statistics/"):
            self.assertEqual(self.client.get(url).status_code, 200, url)
        member = PartyMember.objects.filter(development__isnull=False).first()
        assert member is not None
        page = self.client.get(member.get_absolute_url())
        self.assertContains(page, member.development.introducer_1.name)  # type: ignore[union-attr]


class RecountCommandTests(TestCase):
    def test_recount_party_rebuilds_the_rollup(self) -> None:
        import io

        from django.core.management import call_command

        from shequ.core.testing import World
        from shequ.party.tests.helpers import PartyTree, member

        world = World()
        tree = PartyTree(world)
        member(world, tree.branch_a)
        member(world, tree.branch_b, status=MemberStatus.PROBATIONARY, joined_on=timezone.localdate())
        kept = tally_rows()
        self.assertTrue(kept)
        MemberTally.objects.all().delete()
        out = io.StringIO()
        call_command("recount_party", stdout=out)
        self.assertIn(str(len(kept)), out.getvalue())
        self.assertEqual(tally_rows(), kept)


class SeedCommandTests(TestCase):
    def test_tiny_city_seeds_members(self) -> None:
        import io
        import json

        from django.core.management import call_command

        out = io.StringIO()
        call_command("seed", "--scale", "tiny", "--json", "--password", "demo-pass-12345", stdout=out)
        summary = json.loads(out.getvalue())
        self.assertEqual(summary["party members"], PartyMember.objects.count())
        self.assertGreater(summary["party members"], 5)
        # A branch secretary to try: sees the members of their branch, a part of the community secretary's.
        self.assertIn("branch", summary["users"])
        grant = Grant.objects.get(user__username="branch")
        self.assertEqual(grant.role, "branch_secretary")
        assert grant.organization is not None
        self.assertEqual(grant.node_id, grant.organization.node_id)
        secretary = User.objects.get(username="secretary")
        branch = User.objects.get(username="branch")
        self.assertTrue(grant.node.path.startswith(secretary.node.path))
        client = Client()
        client.force_login(branch)
        mine = PartyMember.objects.filter(organization=grant.organization)
        self.assertGreater(mine.count(), 0)
        page = client.get("/party/members/").content.decode()
        for m in mine:
            self.assertIn(m.get_absolute_url(), page)
        outside = PartyMember.objects.filter(organization__node__path__startswith=secretary.node.path).exclude(
            organization=grant.organization
        )
        self.assertGreater(outside.count(), 0)
        for m in outside:
            self.assertNotIn(f'href="{m.get_absolute_url()}"', page)
