"""The rules of residents and households, through the actions every screen and endpoint uses."""

from __future__ import annotations

from datetime import date

from django.contrib.contenttypes.models import ContentType

from shequ.core.exceptions import ActionError, NotFound
from shequ.core.models import AuditEntry
from shequ.core.testing import WorldTestCase, spreadsheet_file
from shequ.people import actions
from shequ.people.models import Household, Relation, Resident, ResidentMove
from shequ.people.tests.helpers import community_worker, household, make_id, resident
from shequ.territory.actions import do_create_node
from shequ.territory.models import Kind


class ResidentRulesTests(WorldTestCase):
    def test_gender_and_birth_date_come_from_the_number_and_must_match_what_was_typed(self) -> None:
        number = make_id(date(1970, 7, 7), "F", seq=5)
        person = resident(self.world, name="孙丽", id_number=number)
        self.assertEqual((person.gender, person.birth_date), ("F", date(1970, 7, 7)))
        self.assertEqual(person.id_masked, number[:6] + "********" + number[-4:])
        with self.assertRaises(ActionError) as caught:
            resident(self.world, id_number=make_id(seq=6, gender="F"), gender="M")
        self.assertEqual(caught.exception.code, "gender_mismatch")
        with self.assertRaises(ActionError) as caught:
            resident(self.world, id_number=make_id(seq=7), birth_date=date(1985, 3, 3))
        self.assertEqual(caught.exception.code, "birth_date_mismatch")
        with self.assertRaises(ActionError) as caught:
            actions.do_update_resident(person, acting_user=self.world.admin, gender="M")
        self.assertEqual(caught.exception.code, "gender_mismatch")

    def test_bad_numbers_are_refused_with_the_identity_code(self) -> None:
        with self.assertRaises(ActionError) as caught:
            resident(self.world, id_number="1.10101E+17")
        self.assertEqual(caught.exception.code, "id_excel_number")
        self.assertEqual(Resident.objects.count(), 0)

    def test_a_number_is_registered_once_and_the_message_names_the_record_only_to_who_may_see_it(self) -> None:
        number = make_id(seq=8)
        first = resident(self.world, self.world.grid_b, name="周一", id_number=number)
        with self.assertRaises(ActionError) as caught:
            resident(self.world, self.world.grid_b, id_number=number.lower())
        self.assertEqual(caught.exception.code, "duplicate_identity")
        self.assertIn("周一", caught.exception.messages[0])
        with self.assertRaises(ActionError) as caught:
            actions.do_create_resident(
                acting_user=self.world.officer_a, node=self.world.grid_a, name="冒名", id_number=number
            )
        self.assertEqual(caught.exception.code, "duplicate_identity")
        self.assertNotIn("周一", caught.exception.messages[0])
        self.assertNotIn(self.world.grid_b.name + "", caught.exception.messages[0].replace("网格", ""))
        self.assertEqual(Resident.objects.filter(name="冒名").count(), 0)
        self.assertEqual(Resident.objects.get(id_hash=first.id_hash).pk, first.pk)

    def test_scope(self) -> None:
        theirs = resident(self.world, self.world.grid_b)
        with self.assertRaises(NotFound):
            actions.do_create_resident(acting_user=self.world.officer_a, node=self.world.grid_b, name="越界")
        with self.assertRaises(NotFound):
            actions.do_update_resident(theirs, acting_user=self.world.officer_a, name="改")
        with self.assertRaises(NotFound):
            actions.do_archive_resident(theirs, acting_user=self.world.officer_a, reason="deceased")
        mine = resident(self.world, self.world.grid_a)
        with self.assertRaises(NotFound):  # moving someone into another street's place
            actions.do_move_resident(mine, self.world.grid_b, acting_user=self.world.officer_a)
        with self.assertRaises(NotFound):  # the auditor reads, never writes
            actions.do_update_resident(mine, acting_user=self.world.auditor_a, name="改")
        with self.assertRaises(ActionError) as caught:  # people live in a community or below
            actions.do_create_resident(acting_user=self.world.officer_a, node=self.world.street_a, name="街道")
        self.assertEqual(caught.exception.code, "invalid_node")

    def test_archive_keeps_the_record_and_leaves_the_household(self) -> None:
        home = household(self.world, number="A1")
        head = resident(self.world, household=home, relation=Relation.HEAD)
        home.refresh_from_db()
        self.assertEqual(home.head_id, head.pk)
        actions.do_archive_resident(
            head, acting_user=self.world.officer_a, reason="deceased", archived_on=date(2025, 1, 2)
        )
        head.refresh_from_db()
        home.refresh_from_db()
        self.assertTrue(head.archived)
        self.assertIsNone(head.household_id)
        self.assertIsNone(home.head_id)
        self.assertTrue(Resident.objects.filter(pk=head.pk).exists())
        with self.assertRaises(ActionError):
            actions.do_archive_resident(head, acting_user=self.world.officer_a, reason="deceased")
        with self.assertRaises(ActionError):
            actions.do_archive_resident(resident(self.world), acting_user=self.world.officer_a, reason="bored")
        entry = AuditEntry.objects.filter(object_pk=str(head.pk), changes__has_key="archived").first()
        self.assertIsNotNone(entry)
        self.assertEqual(entry.actor, self.world.officer_a)

    def test_moves_are_kept(self) -> None:
        unit_node = do_create_node(
            acting_user=self.world.admin, parent=self.world.community_a, kind=Kind.GRID, name="第2网格"
        )
        person = resident(self.world, self.world.grid_a)
        actions.do_move_resident(
            person, unit_node, acting_user=self.world.officer_a, moved_on=date(2025, 3, 1), reason="搬家"
        )
        actions.do_move_resident(person, self.world.grid_a, acting_user=self.world.officer_a, reason="搬回")
        person.refresh_from_db()
        self.assertEqual((person.node_id, person.path), (self.world.grid_a.pk, self.world.grid_a.path))
        moves = list(person.move_history().order_by("id"))
        self.assertEqual(
            [(m.from_node_id, m.to_node_id) for m in moves],
            [
                (self.world.grid_a.pk, unit_node.pk),
                (unit_node.pk, self.world.grid_a.pk),
            ],
        )
        self.assertEqual(
            (moves[0].moved_on, moves[0].reason, moves[0].recorded_by), (date(2025, 3, 1), "搬家", self.world.officer_a)
        )
        with self.assertRaises(ActionError) as caught:
            actions.do_move_resident(person, self.world.grid_a, acting_user=self.world.officer_a)
        self.assertEqual(caught.exception.code, "no_change")
        # The page shows the history.
        self.login(self.world.officer_a)
        self.assertContains(self.client.get(person.get_absolute_url()), "搬家")

    def test_move_visibility_follows_the_resident(self) -> None:
        person = resident(self.world, self.world.grid_a)
        actions.do_move_resident(person, self.world.grid_b, acting_user=self.world.admin, reason="跨街道")
        self.assertEqual(ResidentMove.objects.restrict(self.world.officer_a, "view").count(), 0)
        self.assertEqual(ResidentMove.objects.restrict(self.world.officer_b, "view").count(), 1)
        self.assertEqual(ResidentMove.objects.restrict(self.world.nobody, "view").count(), 0)
        self.assertEqual(ResidentMove.objects.restrict(self.world.admin, "view").count(), 1)


class HouseholdRulesTests(WorldTestCase):
    def setUp(self) -> None:
        self.other_place = do_create_node(
            acting_user=self.world.admin, parent=self.world.community_a, kind=Kind.GRID, name="第3网格"
        )
        self.home = household(self.world, number="H100", address="1-101")
        self.head = resident(self.world, name="户主甲", household=self.home, relation=Relation.HEAD)
        self.spouse = resident(self.world, name="配偶乙", household=self.home, relation=Relation.SPOUSE)
        self.child = resident(self.world, name="子女丙", household=self.home, relation=Relation.CHILD)
        self.user = community_worker(self.world)
        self.home.refresh_from_db()

    def refresh(self) -> None:
        for obj in (self.home, self.head, self.spouse, self.child):
            obj.refresh_from_db()

    def test_members_and_head(self) -> None:
        self.assertEqual([m.pk for m in self.home.member_list()][0], self.head.pk)
        actions.do_set_head(self.home, self.spouse, acting_user=self.user)
        self.refresh()
        self.assertEqual(self.home.head_id, self.spouse.pk)
        self.assertEqual((self.spouse.relation, self.head.relation), (Relation.HEAD, ""))
        actions.do_remove_member(self.home, self.spouse, acting_user=self.user)
        self.refresh()
        self.assertIsNone(self.home.head_id)
        self.assertIsNone(self.spouse.household_id)
        with self.assertRaises(ActionError) as caught:
            actions.do_set_head(self.home, self.spouse, acting_user=self.user)
        self.assertEqual(caught.exception.code, "not_member")

    def test_adding_someone_from_elsewhere_moves_them(self) -> None:
        newcomer = resident(self.world, self.other_place, name="新人")
        actions.do_add_member(self.home, newcomer, acting_user=self.user, relation=Relation.CHILD_IN_LAW)
        newcomer.refresh_from_db()
        self.assertEqual((newcomer.household_id, newcomer.node_id), (self.home.pk, self.home.node_id))
        self.assertEqual(newcomer.moves.count(), 1)
        theirs = resident(self.world, self.world.grid_b)
        with self.assertRaises(NotFound):
            actions.do_add_member(self.home, theirs, acting_user=self.user)

    def test_move_the_whole_household(self) -> None:
        actions.do_move_household(
            self.home, self.other_place, acting_user=self.user, moved_on=date(2025, 6, 1), address="5-501"
        )
        self.refresh()
        self.assertEqual(
            (self.home.node_id, self.home.path, self.home.address),
            (self.other_place.pk, self.other_place.path, "5-501"),
        )
        for member in (self.head, self.spouse, self.child):
            self.assertEqual((member.node_id, member.path), (self.other_place.pk, self.other_place.path))
            move = member.moves.get()
            self.assertEqual(
                (move.from_node_id, move.to_node_id, move.moved_on),
                (self.world.grid_a.pk, self.other_place.pk, date(2025, 6, 1)),
            )
        with self.assertRaises(NotFound):
            actions.do_move_household(self.home, self.world.grid_b, acting_user=self.user)

    def test_split(self) -> None:
        new = actions.do_split_household(
            self.home, [self.child], acting_user=self.user, head=self.child, number="H101", node=self.other_place
        )
        self.refresh()
        self.assertEqual((new.head_id, new.node_id, new.number), (self.child.pk, self.other_place.pk, "H101"))
        self.assertEqual(
            (self.child.household_id, self.child.relation, self.child.node_id),
            (new.pk, Relation.HEAD, self.other_place.pk),
        )
        self.assertEqual(self.child.moves.count(), 1)
        self.assertEqual(set(self.home.members.values_list("pk", flat=True)), {self.head.pk, self.spouse.pk})
        with self.assertRaises(ActionError) as caught:
            actions.do_split_household(self.home, [self.head], acting_user=self.user, head=self.head)
        self.assertEqual(caught.exception.code, "head_leaves")
        with self.assertRaises(ActionError) as caught:
            actions.do_split_household(self.home, [self.spouse], acting_user=self.user, head=self.head)
        self.assertEqual(caught.exception.code, "invalid_head")
        with self.assertRaises(ActionError) as caught:
            actions.do_split_household(self.home, [self.spouse], acting_user=self.user, head=self.spouse, number="H101")
        self.assertEqual(caught.exception.code, "duplicate_number")

    def test_merge(self) -> None:
        other = household(self.world, self.other_place, number="H200")
        lodger = resident(self.world, self.other_place, name="租客", household=other, relation=Relation.HEAD)
        actions.do_merge_households(self.home, [other], acting_user=self.user)
        other.refresh_from_db()
        lodger.refresh_from_db()
        self.assertTrue(other.dissolved)
        self.assertIsNone(other.head_id)
        self.assertTrue(Household.objects.filter(pk=other.pk).exists())
        self.assertEqual((lodger.household_id, lodger.node_id, lodger.relation), (self.home.pk, self.home.node_id, ""))
        self.assertEqual(lodger.moves.count(), 1)
        self.assertEqual(self.home.members.count(), 4)
        theirs = household(self.world, self.world.grid_b, number="H300")
        with self.assertRaises(NotFound):
            actions.do_merge_households(self.home, [theirs], acting_user=self.user)
        with self.assertRaises(ActionError):
            actions.do_merge_households(self.home, [self.home], acting_user=self.user)

    def test_a_household_with_members_is_not_deleted(self) -> None:
        with self.assertRaises(ActionError) as caught:
            actions.do_delete_household(self.home, acting_user=self.world.officer_a)
        self.assertEqual(caught.exception.code, "has_members")

    def test_household_changes_are_audited(self) -> None:
        actions.do_set_head(self.home, self.spouse, acting_user=self.user)
        self.assertTrue(
            AuditEntry.objects.filter(
                content_type=ContentType.objects.get_for_model(Household),
                object_pk=str(self.home.pk),
                actor=self.user,
                changes__has_key="head",
            ).exists()
        )

    def test_screens_do_the_same(self) -> None:
        self.login(self.user)
        response = self.client.post(
            f"/people/households/{self.home.pk}/split/",
            {"members": [self.child.pk], "head": self.child.pk, "number": "H555", "address": "", "node": ""},
        )
        self.assertEqual(response.status_code, 302, response.content[:2000])
        self.child.refresh_from_db()
        self.assertEqual(Household.objects.filter(pk=self.child.household_id or 0).get().number, "H555")
        response = self.client.post(f"/people/households/{self.home.pk}/merge/", {"numbers": "H555"})
        self.assertEqual(response.status_code, 302, response.content[:2000])
        self.child.refresh_from_db()
        self.assertEqual(self.child.household_id, self.home.pk)
        response = self.client.post(
            f"/people/households/{self.home.pk}/move/",
            {"to_node": self.other_place.pk, "moved_on": "2025-01-01", "reason": "拆迁", "address": "7-701"},
        )
        self.assertEqual(response.status_code, 302, response.content[:2000])
        self.head.refresh_from_db()
        self.assertEqual(self.head.node_id, self.other_place.pk)
        response = self.client.post(f"/people/households/{self.home.pk}/head/", {"resident": self.spouse.pk})
        self.assertEqual(response.status_code, 302)
        self.home.refresh_from_db()
        self.assertEqual(self.home.head_id, self.spouse.pk)
        outsider = resident(self.world, self.world.grid_a, name="外来人", id_number=make_id(seq=450))
        response = self.client.post(
            f"/people/households/{self.home.pk}/members/add/",
            {"resident": "", "id_number": outsider.id_number, "relation": "other"},
        )
        self.assertEqual(response.status_code, 302, response.content[:2000])
        outsider.refresh_from_db()
        self.assertEqual((outsider.household_id, outsider.node_id), (self.home.pk, self.other_place.pk))
        response = self.client.post(f"/people/households/{self.home.pk}/members/remove/", {"resident": outsider.pk})
        self.assertEqual(response.status_code, 302)
        outsider.refresh_from_db()
        self.assertIsNone(outsider.household_id)


class AuditTests(WorldTestCase):
    def test_audit_entries_hold_the_masked_number_only(self) -> None:
        import json

        first, second = make_id(seq=41), make_id(seq=42)
        person = resident(self.world, id_number=first)
        actions.do_update_resident(person, acting_user=self.world.officer_a, id_number=second)
        entries = AuditEntry.objects.filter(content_type=ContentType.objects.get_for_model(Resident))
        self.assertEqual(entries.count(), 2)
        text = json.dumps([e.changes for e in entries], ensure_ascii=False)
        for number in (first, second):
            self.assertNotIn(number, text)
            self.assertIn(number[:6] + "********" + number[-4:], text)
        update = entries.get(action=AuditEntry.Action.UPDATE)
        self.assertEqual((update.actor, update.path), (self.world.officer_a, person.path))

    def test_ids_reserved_by_an_import_do_not_collide_with_later_records(self) -> None:

        from shequ.core.testing import xlsx_bytes
        from shequ.people.importers import ResidentImporter

        before = resident(self.world)
        rows = [["姓名", "身份证号", "地区编码", "地址"]]
        born = date(1961, 1, 1)  # a birth date no other identity number of the tests has (no collision)
        rows += [[f"批量{i}", make_id(born, seq=60 + i), "990101001001", "第1网格"] for i in range(3)]
        path, _report = spreadsheet_file(self, xlsx_bytes(rows), ".xlsx")
        result = ResidentImporter(self.world.officer_a).run(path, "r.xlsx", dry_run=False)
        self.assertEqual(result.created, 3)
        imported = sorted(Resident.objects.filter(name__startswith="批量").values_list("pk", flat=True))
        self.assertEqual(imported, [before.pk + 1, before.pk + 2, before.pk + 3])
        after = resident(self.world)
        self.assertGreater(after.pk, imported[-1])
        self.assertEqual(Resident.objects.get(name="批量0").node_id, self.world.grid_a.pk)
