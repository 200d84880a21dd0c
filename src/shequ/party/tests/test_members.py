"""Archives: registration dates, conversion on time, extension (once, at most a year), cancellation, status."""

from __future__ import annotations

from datetime import date
from typing import ClassVar

from shequ.core.exceptions import ActionError, NotFound
from shequ.core.testing import WorldTestCase
from shequ.party import actions
from shequ.party.models import Category, EventKind, MemberStatus, PartyMember
from shequ.people.tests.helpers import make_id
from shequ.people.tests.helpers import resident as make_resident

from .helpers import PartyTree, member


class MemberRulesTests(WorldTestCase):
    tree: ClassVar[PartyTree]

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.tree = PartyTree(cls.world)

    def error(self, code: str, work: object) -> ActionError:
        with self.assertRaises(ActionError) as ctx:
            work()  # type: ignore[operator]
        self.assertEqual(ctx.exception.code, code, ctx.exception.messages)
        return ctx.exception

    def probationary(self, joined: date = date(2023, 5, 10)) -> PartyMember:
        return member(self.world, self.tree.branch_a, status=MemberStatus.PROBATIONARY, joined_on=joined)

    def test_create_full_member_conversion_window(self) -> None:
        joined = date(2015, 7, 1)
        for bad in (date(2016, 6, 30), date(2017, 7, 2)):
            self.error(
                "conversion_date",
                lambda bad=bad: member(self.world, self.tree.branch_a, joined_on=joined, converted_on=bad),
            )
        on_time = member(self.world, self.tree.branch_a, joined_on=joined, converted_on=date(2016, 7, 1))
        self.assertFalse(on_time.probation_extended)
        late = member(self.world, self.tree.branch_a, joined_on=joined, converted_on=date(2017, 7, 1))
        self.assertTrue(late.probation_extended)
        self.assertEqual(list(late.events.values_list("kind", flat=True)), [EventKind.CONVERTED, EventKind.ADMITTED])
        self.error(
            "converted_on_required",
            lambda: actions.do_create_member(
                acting_user=self.world.admin,
                organization=self.tree.branch_a,
                name="甲",
                joined_on=joined,
                status="full",
            ),
        )

    def test_create_rules(self) -> None:
        self.error(
            "too_young",
            lambda: member(self.world, self.tree.branch_a, born=date(2000, 1, 1), joined_on=date(2017, 12, 31)),
        )
        self.error("invalid_status", lambda: member(self.world, self.tree.branch_a, status=MemberStatus.DECEASED))
        self.error(
            "future_date",
            lambda: member(
                self.world, self.tree.branch_a, status=MemberStatus.PROBATIONARY, joined_on=date(2999, 1, 1)
            ),
        )
        first = member(self.world, self.tree.branch_a)
        error = self.error(
            "duplicate_identity", lambda: member(self.world, self.tree.branch_a, id_number=first.id_number)
        )
        self.assertIn(first.name, error.messages[0])
        # Someone in another street: the archive exists, but whose it is stays hidden.
        theirs = member(self.world, self.tree.branch_b)
        error = self.error(
            "duplicate_identity",
            lambda: actions.do_create_member(
                acting_user=self.world.officer_a,
                organization=self.tree.branch_a,
                name="某人",
                id_number=theirs.id_number,
                joined_on=date(2010, 1, 1),
            ),
        )
        self.assertNotIn(theirs.name, error.messages[0])
        with self.assertRaises(NotFound):
            actions.do_create_member(
                acting_user=self.world.officer_a, organization=self.tree.branch_b, name="乙", joined_on=date(2010, 1, 1)
            )

    def test_identity_handled_like_residents(self) -> None:
        number = make_id(born=date(1970, 1, 2), gender="F", seq=77)
        person = make_resident(self.world, name="李华", id_number=number)
        created = member(self.world, self.tree.branch_a, name="李华", id_number=f" {number.lower()} ")
        created.refresh_from_db()
        self.assertEqual(created.resident, person)  # linked by the identity number
        self.assertEqual((created.gender, created.birth_date), ("F", date(1970, 1, 2)))
        self.assertEqual(created.id_masked, number[:6] + "********" + number[-4:])
        from django.db import connection

        with connection.cursor() as cursor:
            cursor.execute("SELECT id_number FROM party_partymember WHERE id = %s", [created.pk])
            stored = cursor.fetchone()[0]
        self.assertTrue(stored.startswith("v1:") and number not in stored)
        from shequ.party.models import PartyMember

        self.assertEqual(PartyMember.objects.filter(id_hash__identity=number).get(), created)
        self.error("id_checksum", lambda: member(self.world, self.tree.branch_a, id_number=number[:-1] + "0"))

    def test_conversion_on_time(self) -> None:
        m = self.probationary()
        user = self.world.officer_a
        error = self.error(
            "probation_not_over", lambda: actions.do_convert(m, acting_user=user, decided_on=date(2024, 5, 9))
        )
        self.assertIn("2024-05-10", error.messages[0])
        done = actions.do_convert(m, acting_user=user, decided_on=date(2024, 5, 20))
        self.assertEqual((done.status, done.converted_on), (MemberStatus.FULL, date(2024, 5, 10)))
        self.error("not_probationary", lambda: actions.do_convert(done, acting_user=user))

    def test_extension_once_and_at_most_a_year(self) -> None:
        m = self.probationary()
        user = self.world.officer_a
        extend = actions.do_extend_probation
        self.error(
            "extension_too_long",
            lambda: extend(m, acting_user=user, months=13, decided_on=date(2024, 5, 10), reason="x"),
        )
        self.error(
            "extension_too_long",
            lambda: extend(m, acting_user=user, months=0, decided_on=date(2024, 5, 10), reason="x"),
        )
        self.error(
            "probation_not_over", lambda: extend(m, acting_user=user, months=6, decided_on=date(2024, 5, 9), reason="x")
        )
        self.error("reason_required", lambda: extend(m, acting_user=user, months=6, decided_on=date(2024, 5, 10)))
        done = extend(m, acting_user=user, months=12, decided_on=date(2024, 5, 10), reason="考察不足")
        self.assertEqual((done.probation_ends, done.probation_extended), (date(2025, 5, 10), True))
        self.error(
            "already_extended",
            lambda: extend(done, acting_user=user, months=1, decided_on=date(2025, 5, 10), reason="x"),
        )
        self.error(
            "probation_not_over", lambda: actions.do_convert(done, acting_user=user, decided_on=date(2025, 5, 9))
        )
        converted = actions.do_convert(done, acting_user=user, decided_on=date(2025, 5, 10))
        self.assertEqual(converted.converted_on, date(2025, 5, 10))
        kinds = list(converted.events.values_list("kind", flat=True))
        self.assertEqual(kinds, [EventKind.CONVERTED, EventKind.PROBATION_EXTENDED, EventKind.ADMITTED])

    def test_cancellation(self) -> None:
        m = self.probationary()
        self.error(
            "reason_required", lambda: actions.do_cancel_probation(m, acting_user=self.world.officer_a, reason="")
        )
        done = actions.do_cancel_probation(
            m, acting_user=self.world.officer_a, reason="不具备党员条件", decided_on=date(2024, 5, 12)
        )
        self.assertEqual(done.status, MemberStatus.LEFT)
        self.assertTrue(done.events.filter(kind=EventKind.PROBATION_CANCELLED).exists())
        full = member(self.world, self.tree.branch_a)
        self.error(
            "not_probationary", lambda: actions.do_cancel_probation(full, acting_user=self.world.officer_a, reason="x")
        )

    def test_status_changes(self) -> None:
        m = member(self.world, self.tree.branch_a)
        user = self.world.officer_a
        change = actions.do_change_status
        self.error("invalid_status", lambda: change(m, acting_user=user, status=MemberStatus.TRANSFERRED_OUT))
        self.error("invalid_status", lambda: change(m, acting_user=user, status="active"))
        self.error("reason_required", lambda: change(m, acting_user=user, status=MemberStatus.LEFT))
        lost = change(m, acting_user=user, status=MemberStatus.LOST_CONTACT, on=date(2024, 1, 1))
        self.error(
            "invalid_date", lambda: change(lost, acting_user=user, status=MemberStatus.DECEASED, on=date(2023, 1, 1))
        )
        back = change(lost, acting_user=user, status="active", on=date(2024, 3, 1))
        self.assertEqual(back.status, MemberStatus.FULL)
        dead = change(back, acting_user=user, status=MemberStatus.DECEASED, on=date(2024, 4, 1))
        self.error("invalid_status", lambda: change(dead, acting_user=user, status=MemberStatus.LOST_CONTACT))
        self.assertEqual(dead.events.filter(kind=EventKind.STATUS_CHANGED).count(), 3)

    def test_update_keeps_the_organization_and_logs_the_category(self) -> None:
        m = member(self.world, self.tree.branch_a, category=Category.ON_THE_JOB)
        with self.assertRaises(ActionError):
            actions.do_update_member(m, acting_user=self.world.officer_a, organization=self.tree.branch_b)
        done = actions.do_update_member(
            m, acting_user=self.world.officer_a, category=Category.RETIRED, dues_base="4200"
        )
        self.assertEqual(done.category, Category.RETIRED)
        self.assertTrue(done.events.filter(kind=EventKind.CATEGORY_CHANGED).exists())
        self.error(
            "dues_base_negative", lambda: actions.do_update_member(m, acting_user=self.world.officer_a, dues_base="-5")
        )
        with self.assertRaises(NotFound):
            actions.do_update_member(m, acting_user=self.world.officer_b, name="改")

    def test_manual_events(self) -> None:
        m = member(self.world, self.tree.branch_a)
        user = self.world.officer_a
        self.error(
            "invalid_kind",
            lambda: actions.do_add_event(m, acting_user=user, kind=EventKind.CONVERTED, on=date(2024, 1, 1), title="x"),
        )
        event = actions.do_add_event(
            m, acting_user=user, kind=EventKind.TRAINING, on=date(2024, 1, 1), title="党课", hours="4"
        )
        self.assertEqual(event.hours, 4)
        with self.assertRaises(NotFound):
            actions.do_add_event(
                m, acting_user=self.world.officer_b, kind=EventKind.HONOUR, on=date(2024, 1, 1), title="x"
            )
