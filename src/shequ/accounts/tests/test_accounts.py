from __future__ import annotations

from io import StringIO
from typing import Any

from django.core.management import call_command
from django.core.management.base import CommandError

from shequ.accounts import actions
from shequ.accounts.models import APIToken, Grant, User, hash_token
from shequ.accounts.roles import ROLES, role_covers
from shequ.accounts.scope import can, roles_grantable
from shequ.accounts.views import UserViewSet
from shequ.core.exceptions import ActionError, NotFound
from shequ.core.testing import APITestMixin, ViewSetTestMixin, WorldTestCase
from shequ.territory.models import Node


class UserData:
    world: Any
    _n = 0

    def make_object(self, node: Node) -> User:
        UserData._n += 1
        return User.objects.create_user(f"member{UserData._n:03d}", full_name=f"成员{UserData._n}", node=node)

    def create_data(self, node: Node) -> dict[str, Any]:
        return {
            "username": "newbie",
            "full_name": "新人",
            "email": "",
            "phone": "",
            "node": node.pk,
            "is_active": "on",
            "password": "correct-horse-battery",
        }

    def edit_data(self, obj: User) -> dict[str, Any]:
        return {
            "username": obj.username,
            "full_name": "已改名",
            "email": "",
            "phone": "",
            "node": obj.node_id,
            "is_active": "on",
        }

    def changed(self, obj: User) -> bool:
        return obj.full_name == "已改名"

    def export_key(self, obj: User) -> str:
        return obj.username


class UserViewTests(UserData, ViewSetTestMixin, WorldTestCase):
    viewset = UserViewSet

    def assert_deleted_by_owner(self, obj: Any) -> None:
        # Accounts are deactivated, never deleted: the audit trail stays attributable.
        response = self.client.post(self.url("delete", obj.pk))
        self.assertEqual(response.status_code, 302)
        obj.refresh_from_db()
        self.assertFalse(obj.is_active)

    def test_password_set_on_create_is_hashed_with_a_strong_hasher(self) -> None:
        self.login(self.world.officer_a)
        self.client.post(self.url("add"), self.create_data(self.world.street_a))
        user = User.objects.get(username="newbie")
        self.assertTrue(user.check_password("correct-horse-battery"))
        self.assertNotIn("correct-horse-battery", user.password)

    def test_weak_password_is_refused_clearly(self) -> None:
        self.login(self.world.officer_a)
        data = self.create_data(self.world.street_a) | {"password": "123"}
        response = self.client.post(self.url("add"), data)
        self.assertEqual(response.status_code, 400)
        self.assertFalse(User.objects.filter(username="newbie").exists())


class UserAPITests(UserData, APITestMixin, WorldTestCase):
    endpoint = "/api/v1/users/"
    model = User
    supports_write = False


class GrantRuleTests(WorldTestCase):
    def test_roles_are_ordered_by_what_they_allow(self) -> None:
        self.assertTrue(role_covers(ROLES["city_admin"], ROLES["street_officer"]))
        self.assertFalse(role_covers(ROLES["street_officer"], ROLES["district_officer"]))
        self.assertFalse(role_covers(ROLES["grid_worker"], ROLES["auditor"]))  # the auditor sees more
        self.assertTrue(role_covers(ROLES["street_officer"], ROLES["grid_worker"]))

    def test_grant_no_stronger_than_own_and_only_inside_own_subtree(self) -> None:
        w = self.world
        target = User.objects.create_user("target", node=w.street_a)
        grantable = {r.code for r in roles_grantable(w.officer_a, w.community_a.path)}
        self.assertIn("grid_worker", grantable)
        self.assertIn("street_officer", grantable)
        self.assertNotIn("district_officer", grantable)
        with self.assertRaises(ActionError) as ctx:
            actions.do_grant(target, "district_officer", w.community_a, acting_user=w.officer_a)
        self.assertEqual(ctx.exception.code, "role_too_strong")
        with self.assertRaises(NotFound):
            actions.do_grant(target, "grid_worker", w.community_b, acting_user=w.officer_a)
        with self.assertRaises(ActionError):
            actions.do_grant(w.officer_a, "street_officer", w.community_a, acting_user=w.officer_a)
        actions.do_grant(target, "grid_worker", w.grid_a, acting_user=w.officer_a)
        self.assertTrue(can(target, Node, "view", w.grid_a.path))
        self.assertFalse(can(target, Node, "view", w.community_a.path))
        self.assertFalse(Grant.objects.filter(user=target).exclude(role="grid_worker").exists())

    def test_grant_and_revoke_screens(self) -> None:
        w = self.world
        target = User.objects.create_user("target", node=w.street_a)
        self.login(w.officer_a)
        response = self.client.post(
            f"/accounts/users/{target.pk}/grant/", {"role": "district_officer", "node": w.grid_a.pk}
        )
        self.assertEqual(response.status_code, 400)
        response = self.client.post(f"/accounts/users/{target.pk}/grant/", {"role": "grid_worker", "node": w.grid_b.pk})
        self.assertEqual(response.status_code, 400)  # not a valid choice: another street
        response = self.client.post(f"/accounts/users/{target.pk}/grant/", {"role": "grid_worker", "node": w.grid_a.pk})
        self.assertEqual(response.status_code, 302)
        grant = Grant.objects.get(user=target)
        # Street B's officer cannot revoke it; street A's can.
        self.login(w.officer_b)
        self.assertEqual(self.client.post(f"/accounts/grants/{grant.pk}/revoke/").status_code, 404)
        self.login(w.officer_a)
        self.assertEqual(self.client.post(f"/accounts/grants/{grant.pk}/revoke/").status_code, 302)
        self.assertFalse(Grant.objects.filter(pk=grant.pk).exists())

    def test_grant_list_is_scoped(self) -> None:
        self.login(self.world.officer_a)
        response = self.client.get("/accounts/grants/")
        self.assertContains(response, "officer_a")
        self.assertNotContains(response, "officer_b")
        self.assertEqual(self.client.get("/api/v1/grants/").json()["count"], 2)  # officer_a and auditor_a


class CommandTests(WorldTestCase):
    def test_grant_command_creates_user_and_grants(self) -> None:
        out = StringIO()
        call_command(
            "grant",
            "zhang",
            "community_worker",
            "990101001001",
            "--create",
            "--password",
            "long-enough-pw1",
            stdout=out,
        )
        user = User.objects.get(username="zhang")
        self.assertTrue(user.check_password("long-enough-pw1"))
        self.assertTrue(Grant.objects.filter(user=user, role="community_worker", node=self.world.community_a).exists())
        with self.assertRaises(CommandError):
            call_command("grant", "zhang", "emperor", "990101001001")
        with self.assertRaises(CommandError):
            call_command("grant", "zhang", "grid_worker", "000000")
        with self.assertRaises(CommandError):
            call_command("grant", "ghost", "grid_worker", "990101001001")

    def test_token_command_prints_a_key_stored_only_hashed(self) -> None:
        out = StringIO()
        call_command("token", "officer_a", stdout=out)
        key = out.getvalue().strip()
        self.assertTrue(key.startswith("shq_"))
        token = APIToken.objects.get(user=self.world.officer_a)
        self.assertEqual(token.key_hash, hash_token(key))
        self.assertFalse(APIToken.objects.filter(key_hash=key).exists())
        response = self.client.get("/api/v1/me/", HTTP_AUTHORIZATION=f"Bearer {key}")
        self.assertEqual(response.json()["username"], "officer_a")
        bad = self.client.get("/api/v1/me/", HTTP_AUTHORIZATION="Bearer shq_forged")
        self.assertEqual(bad.status_code, 401)


class TokenScopeTests(WorldTestCase):
    def test_tokens_are_personal(self) -> None:
        token, _key = APIToken.issue(self.world.officer_b)
        self.login(self.world.officer_a)
        page = self.client.get("/accounts/me/")
        self.assertNotContains(page, token.prefix)
        self.client.post("/accounts/me/", {"action": "revoke_token", "token": token.pk})
        self.assertTrue(APIToken.objects.filter(pk=token.pk).exists())
        response = self.client.post("/accounts/me/", {"action": "token", "label": "脚本"})
        self.assertContains(response, "shq_")
        self.assertEqual(APIToken.objects.filter(user=self.world.officer_a).count(), 1)
