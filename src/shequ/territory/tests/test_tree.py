from __future__ import annotations

import pytest

from shequ.accounts.models import Grant, User
from shequ.core.exceptions import ActionError, NotFound
from shequ.core.models import AuditEntry
from shequ.core.testing import World, WorldTestCase
from shequ.territory import actions
from shequ.territory.models import Kind, Node
from shequ.territory.queries import children_with_counts


class NestingTests(WorldTestCase):
    def test_kinds_nest_in_order_with_a_clear_message(self) -> None:
        w = self.world
        with self.assertRaises(ActionError) as ctx:
            actions.do_create_node(acting_user=w.admin, parent=w.grid_a, kind=Kind.STREET, name="错街道")
        message = ctx.exception.messages[0]
        self.assertIn("第1网格", message)
        self.assertEqual(ctx.exception.code, "invalid_parent")
        # A community cannot skip the street level.
        with self.assertRaises(ActionError):
            actions.do_create_node(acting_user=w.admin, parent=w.district, kind=Kind.COMMUNITY, name="跳级社区")
        # Below a community, a building may stand in the community itself, a grid or a residential area.
        b = actions.do_create_node(acting_user=w.admin, parent=w.community_a, kind=Kind.BUILDING, name="1号楼")
        self.assertEqual(b.depth, w.community_a.depth + 1)
        self.assertTrue(b.path.startswith(w.community_a.path))

    def test_name_unique_per_parent_and_code_unique(self) -> None:
        w = self.world
        with self.assertRaises(ActionError) as ctx:
            actions.do_create_node(acting_user=w.admin, parent=w.street_a, kind=Kind.COMMUNITY, name="和平社区")
        self.assertEqual(ctx.exception.code, "duplicate_name")
        # The same name under another parent is fine.
        actions.do_create_node(acting_user=w.admin, parent=w.street_b, kind=Kind.COMMUNITY, name="和平社区")
        with self.assertRaises(ActionError) as ctx:
            actions.do_create_node(
                acting_user=w.admin, parent=w.street_b, kind=Kind.COMMUNITY, name="新社区", code="990101001"
            )
        self.assertEqual(ctx.exception.code, "duplicate_code")

    def test_only_inside_own_subtree(self) -> None:
        w = self.world
        with self.assertRaises(NotFound):
            actions.do_create_node(acting_user=w.officer_a, parent=w.community_b, kind=Kind.GRID, name="越界网格")
        with self.assertRaises(NotFound):
            actions.do_update_node(w.community_b, acting_user=w.officer_a, name="改名")
        with self.assertRaises(NotFound):
            actions.do_create_node(acting_user=w.officer_a, parent=None, kind=Kind.CITY, name="新市")
        self.assertFalse(Node.objects.filter(name__in=["越界网格", "改名", "新市"]).exists())


class MoveTests(WorldTestCase):
    def test_move_rewrites_subtree_and_every_copy(self) -> None:
        w = self.world
        building = actions.do_create_node(acting_user=w.admin, parent=w.grid_a, kind=Kind.BUILDING, name="5号楼")
        grid_user = w.user("gridder", "grid_worker", w.grid_a)
        old_path = w.community_a.path
        moved = actions.do_move_node(w.community_a, w.street_b, acting_user=w.admin)
        self.assertEqual(moved.parent_id, w.street_b.pk)
        self.assertTrue(moved.path.startswith(w.street_b.path))
        building.refresh_from_db()
        self.assertTrue(building.path.startswith(moved.path))
        self.assertEqual(building.depth, moved.depth + 2)
        self.assertFalse(Node.objects.within(old_path).exists())
        # Copies of the path move too: the grid worker's grant and home node.
        self.assertTrue(Grant.objects.get(user=grid_user).path.startswith(moved.path))
        self.assertTrue(User.objects.get(pk=grid_user.pk).path.startswith(moved.path))
        # Scope follows: street A's officer no longer sees the community, street B's does.
        self.assertFalse(Node.objects.restrict(w.officer_a).filter(pk=building.pk).exists())
        self.assertTrue(Node.objects.restrict(w.officer_b).filter(pk=building.pk).exists())
        self.assertTrue(AuditEntry.objects.filter(object_pk=str(moved.pk), additional_data__event="move").exists())

    def test_move_refuses_cycles_wrong_kinds_and_foreign_targets(self) -> None:
        w = self.world
        with self.assertRaises(ActionError) as ctx:
            actions.do_move_node(w.street_a, w.street_a, acting_user=w.admin)
        self.assertEqual(ctx.exception.code, "cycle")
        with self.assertRaises(ActionError):
            actions.do_move_node(w.community_a, w.district, acting_user=w.admin)
        with self.assertRaises(NotFound):
            actions.do_move_node(w.grid_a, w.community_b, acting_user=w.officer_a)
        w.grid_a.refresh_from_db()
        self.assertEqual(w.grid_a.parent_id, w.community_a.pk)

    def test_move_view(self) -> None:
        w = self.world
        self.login(w.officer_a)
        other = actions.do_create_node(acting_user=w.admin, parent=w.street_a, kind=Kind.COMMUNITY, name="第二社区")
        response = self.client.post(f"/territory/nodes/{w.grid_a.pk}/move/", {"new_parent": other.pk})
        self.assertEqual(response.status_code, 302)
        w.grid_a.refresh_from_db()
        self.assertEqual(w.grid_a.parent_id, other.pk)
        # A target in another street is not a valid choice.
        response = self.client.post(f"/territory/nodes/{w.grid_a.pk}/move/", {"new_parent": w.community_b.pk})
        self.assertEqual(response.status_code, 400)
        w.grid_a.refresh_from_db()
        self.assertEqual(w.grid_a.parent_id, other.pk)


class RetireTests(WorldTestCase):
    def test_retire_subtree_and_restore(self) -> None:
        w = self.world
        self.login(w.officer_a)
        response = self.client.post(f"/territory/nodes/{w.community_a.pk}/retire/", {"reason": "撤并"})
        self.assertEqual(response.status_code, 302)
        w.grid_a.refresh_from_db()
        self.assertTrue(w.grid_a.retired)
        self.assertEqual(w.grid_a.retired_reason, "撤并")
        # Retired places leave the children list but are kept.
        self.assertNotIn(w.community_a, children_with_counts(w.street_a, w.officer_a))
        self.assertTrue(Node.objects.filter(pk=w.community_a.pk).exists())
        # The grid cannot be restored before its parent.
        with self.assertRaises(ActionError):
            actions.do_restore_node(w.grid_a, acting_user=w.officer_a)
        actions.do_restore_node(w.community_a, acting_user=w.officer_a)
        w.community_a.refresh_from_db()
        self.assertFalse(w.community_a.retired)

    def test_retire_needs_a_reason_and_scope(self) -> None:
        w = self.world
        with self.assertRaises(ActionError):
            actions.do_retire_node(w.grid_a, acting_user=w.officer_a, reason="  ")
        with self.assertRaises(NotFound):
            actions.do_retire_node(w.grid_b, acting_user=w.officer_a, reason="越权")
        w.grid_b.refresh_from_db()
        self.assertFalse(w.grid_b.retired)

    def test_delete_refused_when_it_has_places_under_it(self) -> None:
        w = self.world
        self.login(w.officer_a)
        response = self.client.post(f"/territory/nodes/{w.community_a.pk}/delete/")
        self.assertEqual(response.status_code, 400)
        self.assertContains(response, "和平社区", status_code=400)
        self.assertContains(response, "alert-danger", status_code=400)
        self.assertTrue(Node.objects.filter(pk=w.community_a.pk).exists())


class CountsTests(WorldTestCase):
    def test_children_with_counts(self) -> None:
        w = self.world
        for i in range(3):
            actions.do_create_node(acting_user=w.admin, parent=w.grid_a, kind=Kind.BUILDING, name=f"{i}号楼")
        retired = actions.do_create_node(acting_user=w.admin, parent=w.grid_a, kind=Kind.BUILDING, name="旧楼")
        actions.do_retire_node(retired, acting_user=w.admin, reason="拆除")
        children = children_with_counts(w.district, w.admin)
        by_name = {c.name: c for c in children}
        self.assertEqual(by_name["和平街道"].counts, {"community": 1, "grid": 1, "building": 3})
        self.assertEqual(by_name["和平街道"].total, 5)
        self.assertEqual(by_name["胜利街道"].counts, {"community": 1, "grid": 1})
        # A street officer sees only their street among the district's children.
        self.assertEqual([c.name for c in children_with_counts(w.district, w.officer_a)], ["和平街道"])

    def test_node_page_shows_children_with_counts_and_plain_breadcrumbs_above_scope(self) -> None:
        w = self.world
        self.login(w.officer_a)
        response = self.client.get(w.community_a.get_absolute_url())
        self.assertContains(response, "第1网格")
        self.assertContains(response, w.street_a.get_absolute_url())
        # The district is above the officer's scope: its name shows, not a link.
        self.assertContains(response, "东区")
        self.assertNotContains(response, f'href="{w.district.get_absolute_url()}"')


@pytest.mark.django_db
def test_world_builds() -> None:
    World()
    assert Node.objects.count() == 8


class RollupTests(WorldTestCase):
    def test_rollup_stays_equal_to_a_full_recount_through_every_action(self) -> None:
        from shequ.territory.counts import recount_all

        w = self.world
        b1 = actions.do_create_node(acting_user=w.admin, parent=w.grid_a, kind=Kind.BUILDING, name="1号楼")
        actions.do_create_node(acting_user=w.admin, parent=b1, kind=Kind.UNIT, name="1单元")
        actions.do_create_node(acting_user=w.admin, parent=w.grid_b, kind=Kind.BUILDING, name="2号楼")
        self.assertEqual(recount_all(), 0)
        actions.do_move_node(w.community_a, w.street_b, acting_user=w.admin)
        self.assertEqual(recount_all(), 0)
        w.street_b.refresh_from_db()
        self.assertEqual(w.street_b.subtree_counts, {"community": 2, "grid": 2, "building": 2, "unit": 1})
        actions.do_retire_node(b1, acting_user=w.admin, reason="拆除")
        self.assertEqual(recount_all(), 0)
        actions.do_restore_node(b1, acting_user=w.admin)
        self.assertEqual(recount_all(), 0)
        spare = actions.do_create_node(acting_user=w.admin, parent=w.grid_b, kind=Kind.BUILDING, name="3号楼")
        actions.do_delete_node(spare, acting_user=w.admin)
        self.assertEqual(recount_all(), 0)
        w.city.refresh_from_db()
        self.assertEqual(w.city.subtree_counts["building"], 2)

    def test_bulk_builder_fills_the_rollup(self) -> None:
        from shequ.territory.bulk import TreeBuilder
        from shequ.territory.counts import recount_all

        builder = TreeBuilder()
        g = Node.objects.get(pk=self.world.grid_a.pk)
        for i in range(3):
            b = builder.add(g, Kind.BUILDING, f"{i}号楼")
            builder.add(b, Kind.UNIT, "1单元")
        builder.flush()
        self.assertEqual(recount_all(), 0)
        g.refresh_from_db()
        self.assertEqual(g.subtree_counts, {"building": 3, "unit": 3})
