"""Relation transfers: the flows, both ends seeing an open transfer and nothing after, one open transfer
per member (checked, locked and enforced by a partial unique index), overdue transfers."""

from __future__ import annotations

import threading
from datetime import date, timedelta
from typing import ClassVar
from unittest import mock

from django.db import IntegrityError, OperationalError, connection, transaction
from django.db.models import QuerySet
from django.test import TransactionTestCase
from django.utils import timezone

from shequ.core.exceptions import ActionError, NotFound
from shequ.core.testing import World, WorldTestCase
from shequ.party import actions
from shequ.party.models import EventKind, MemberStatus, PartyMember, RelationTransfer, TransferKind, TransferStatus
from shequ.people.tests.helpers import make_id

from .helpers import PartyTree, member


def visible(user: object) -> set[int]:
    return set(RelationTransfer.objects.restrict(user, "view").values_list("pk", flat=True))


class TransferTests(WorldTestCase):
    tree: ClassVar[PartyTree]

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.tree = PartyTree(cls.world)

    def setUp(self) -> None:
        self.m = member(self.world, self.tree.branch_a)
        self.a, self.b = self.world.officer_a, self.world.officer_b

    def error(self, code: str, work: object) -> None:
        with self.assertRaises(ActionError) as ctx:
            work()  # type: ignore[operator]
        self.assertEqual(ctx.exception.code, code, ctx.exception.messages)

    def request(self, **kw: object) -> RelationTransfer:
        kw.setdefault("to_org", self.tree.branch_b)
        return actions.do_request_transfer(self.m, acting_user=self.a, reason="搬家", **kw)  # type: ignore[arg-type]

    def test_internal_flow_and_who_sees_what(self) -> None:
        t = self.request()
        self.assertTrue(t.is_open)
        self.assertEqual((t.path, t.to_path), (self.tree.branch_a.path, self.tree.branch_b.path))
        # Both ends see it while it is open; a third street would not.
        self.assertIn(t.pk, visible(self.a))
        self.assertIn(t.pk, visible(self.b))
        self.assertNotIn(t.pk, visible(self.world.nobody))
        # The receiver does not see the member's archive itself.
        self.assertFalse(PartyMember.objects.restrict(self.b, "view").filter(pk=self.m.pk).exists())
        # Only the sender approves; only the receiver accepts.
        with self.assertRaises(NotFound):
            actions.do_approve_transfer(t, acting_user=self.b)
        self.error("wrong_status", lambda: actions.do_accept_transfer(t, acting_user=self.b))
        t = actions.do_approve_transfer(t, acting_user=self.a)
        with self.assertRaises(NotFound):
            actions.do_accept_transfer(t, acting_user=self.a)
        self.m.refresh_from_db()
        self.assertEqual(self.m.organization, self.tree.branch_a)  # still in exactly one organization
        t = actions.do_accept_transfer(t, acting_user=self.b)
        self.assertEqual((t.status, t.is_open), (TransferStatus.COMPLETED, False))
        self.m.refresh_from_db()
        self.assertEqual((self.m.organization, self.m.path), (self.tree.branch_b, self.tree.branch_b.path))
        self.assertTrue(self.m.events.filter(kind=EventKind.TRANSFER).exists())
        # Closed: the sender sees neither the transfer nor the member any more; the receiver sees both.
        self.assertNotIn(t.pk, visible(self.a))
        self.assertFalse(PartyMember.objects.restrict(self.a, "view").filter(pk=self.m.pk).exists())
        self.assertIn(t.pk, visible(self.b))
        self.assertTrue(PartyMember.objects.restrict(self.b, "view").filter(pk=self.m.pk).exists())

    def test_rejected_by_the_sender(self) -> None:
        t = self.request()
        self.error("reason_required", lambda: actions.do_reject_transfer(t, acting_user=self.a, reason=""))
        with self.assertRaises(NotFound):
            actions.do_reject_transfer(t, acting_user=self.b, reason="不同意")
        t = actions.do_reject_transfer(t, acting_user=self.a, reason="手续不全")
        self.assertEqual((t.status, t.is_open, t.response), (TransferStatus.REJECTED, False, "手续不全"))
        self.assertNotIn(t.pk, visible(self.b))
        self.assertIn(t.pk, visible(self.a))
        # Closed, so a new one may be opened.
        self.request()

    def test_returned_by_the_receiver(self) -> None:
        t = actions.do_approve_transfer(self.request(), acting_user=self.a)
        with self.assertRaises(NotFound):
            actions.do_return_transfer(t, acting_user=self.a, reason="x")
        t = actions.do_return_transfer(t, acting_user=self.b, reason="该党员不在本辖区居住")
        self.assertEqual(t.status, TransferStatus.RETURNED)
        self.m.refresh_from_db()
        self.assertEqual(self.m.organization, self.tree.branch_a)
        self.assertNotIn(t.pk, visible(self.b))

    def test_two_open_transfers_impossible(self) -> None:
        self.request()
        self.error("open_transfer", self.request)
        self.error(
            "open_transfer", lambda: self.request(kind=TransferKind.OUTGOING, to_org=None, outside_org="外省某党委")
        )
        # Nor does a status change slip in while it is open.
        self.error(
            "open_transfer",
            lambda: actions.do_change_status(self.m, acting_user=self.a, status=MemberStatus.LOST_CONTACT),
        )

    def test_the_index_catches_what_the_check_misses(self) -> None:
        self.request()
        # A writer that passed the check before the other committed: the unique index says no, as a clear error.
        with mock.patch.object(QuerySet, "exists", return_value=False):
            self.error("open_transfer", self.request)
        self.assertEqual(RelationTransfer.objects.filter(member=self.m, is_open=True).count(), 1)

    def test_database_constraint(self) -> None:
        self.request()
        duplicate = RelationTransfer(member=self.m, node=self.m.node, from_org=self.tree.branch_a)
        with self.assertRaises(IntegrityError), transaction.atomic():
            duplicate.save()

    def test_request_rules(self) -> None:
        self.error("same_org", lambda: self.request(to_org=self.tree.branch_a))
        with self.assertRaises(NotFound):  # not the sender's member
            actions.do_request_transfer(self.m, acting_user=self.b, to_org=self.tree.branch_b)
        from shequ.orgs.models import OrgKind

        from .helpers import org

        rc = org(self.world.community_b, OrgKind.RESIDENTS_COMMITTEE, "居委会")
        self.error("not_party_org", lambda: self.request(to_org=rc))
        self.error("outside_org_required", lambda: self.request(kind=TransferKind.OUTGOING, to_org=None))
        self.error("invalid_kind", lambda: self.request(kind=TransferKind.INCOMING))

    def test_outgoing_flow(self) -> None:
        t = self.request(kind=TransferKind.OUTGOING, to_org=None, outside_org="北京市某区某街道党工委")
        self.error("letter_required", lambda: actions.do_approve_transfer(t, acting_user=self.a))
        t = actions.do_approve_transfer(t, acting_user=self.a, letter_number="京组转2024-001")
        self.error("invalid_kind", lambda: actions.do_accept_transfer(t, acting_user=self.a))
        t = actions.do_confirm_arrival(t, acting_user=self.a)
        self.m.refresh_from_db()
        self.assertEqual(self.m.status, MemberStatus.TRANSFERRED_OUT)
        self.assertEqual(self.m.organization, self.tree.branch_a)  # the archive stays with the last organization
        self.assertIn(t.pk, visible(self.a))

    def test_incoming_flow(self) -> None:
        number = make_id(born=date(1990, 1, 1), seq=99)
        register = actions.do_register_incoming
        kw = {
            "to_org": self.tree.branch_a,
            "outside_org": "外省某党委",
            "person_name": "来人",
            "id_number": number,
            "member_status": MemberStatus.FULL,
            "joined_on": date(2015, 7, 1),
            "letter_number": "组转001",
        }
        with self.assertRaises(NotFound):
            register(acting_user=self.b, **kw)  # type: ignore[arg-type]
        t = register(acting_user=self.a, **kw)  # type: ignore[arg-type]
        self.assertIn(t.pk, visible(self.a))
        self.assertNotIn(t.pk, visible(self.b))
        self.error("open_transfer", lambda: register(acting_user=self.a, **kw))  # type: ignore[arg-type]
        t = actions.do_accept_transfer(t, acting_user=self.a)
        self.assertEqual(t.status, TransferStatus.COMPLETED)
        arrived = t.member
        assert arrived is not None
        self.assertEqual(
            (arrived.organization, arrived.status, arrived.birth_date), (self.tree.branch_a, "full", date(1990, 1, 1))
        )
        self.error("already_member", lambda: register(acting_user=self.a, **kw))  # type: ignore[arg-type]

    def test_an_expired_letter_is_not_accepted(self) -> None:
        today = timezone.localdate()
        t = self.request(requested_on=today - timedelta(days=20))
        t = actions.do_approve_transfer(
            t, acting_user=self.a, on=today - timedelta(days=19), valid_until=today - timedelta(days=5)
        )
        self.error("letter_expired", lambda: actions.do_accept_transfer(t, acting_user=self.b, on=today))
        self.m.refresh_from_db()
        self.assertEqual(self.m.organization, self.tree.branch_a)  # nothing changed
        # Within the validity it is accepted.
        t = actions.do_accept_transfer(t, acting_user=self.b, on=today - timedelta(days=6))
        self.assertEqual(t.status, TransferStatus.COMPLETED)

    def test_overdue(self) -> None:
        today = timezone.localdate()
        late = self.request(requested_on=today - timedelta(days=40))
        self.assertTrue(late.overdue)
        self.assertIn(late, RelationTransfer.objects.overdue())
        other = member(self.world, self.tree.branch_a)
        fresh = actions.do_request_transfer(
            other, acting_user=self.a, to_org=self.tree.branch_b, valid_until=today + timedelta(days=5)
        )
        self.assertFalse(fresh.overdue)
        self.assertNotIn(fresh, RelationTransfer.objects.overdue())
        actions.do_reject_transfer(late, acting_user=self.a, reason="过期")
        late.refresh_from_db()
        self.assertFalse(late.overdue)


class ConcurrentTransferTests(TransactionTestCase):
    """Two requests for one member at the same moment, from two threads: exactly one transfer is opened."""

    def test_simultaneous_requests(self) -> None:
        world = World()
        tree = PartyTree(world)
        m = member(world, tree.branch_a)
        barrier = threading.Barrier(2)
        outcomes: list[str] = []

        def request(target: object) -> None:
            try:
                barrier.wait(timeout=10)
                actions.do_request_transfer(m, acting_user=world.officer_a, to_org=target)
                outcomes.append("opened")
            except ActionError as exc:
                outcomes.append(exc.code or "")
            except OperationalError:
                # SQLite's in-memory test database (shared cache) refuses a second writer at once instead
                # of making it wait as the file database does; the invariant below holds either way.
                outcomes.append("locked")
            finally:
                connection.close()

        threads = [threading.Thread(target=request, args=(org,)) for org in (tree.branch_b, tree.grid_branch_b)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=30)
        if connection.vendor == "postgresql":
            self.assertEqual(sorted(outcomes), ["open_transfer", "opened"])
        else:
            self.assertIn(sorted(outcomes), (["open_transfer", "opened"], ["locked", "opened"]))
        self.assertEqual(RelationTransfer.objects.filter(member=m, is_open=True).count(), 1)
