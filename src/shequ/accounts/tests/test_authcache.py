"""The remembered token, user and grants (``accounts.authcache``): a revocation still takes effect at once."""

from __future__ import annotations

from unittest import mock

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from shequ.accounts import authcache
from shequ.accounts.models import APIToken, Grant
from shequ.core.testing import WorldTestCase


class RevocationTests(WorldTestCase):
    def setUp(self) -> None:
        self.token, key = APIToken.issue(self.world.officer_a)
        self.api = Client(HTTP_AUTHORIZATION=f"Bearer {key}")
        # A user of the officer's street: visible through the officer's grant only.
        self.path = f"/api/v1/users/{self.world.nobody.pk}"

    def read(self) -> int:
        return self.api.get(self.path).status_code

    def test_the_token_and_grants_are_remembered_between_requests(self) -> None:
        self.assertEqual(self.read(), 200)
        with CaptureQueriesContext(connection) as warm:
            self.assertEqual(self.read(), 200)
        tables = " ".join(q["sql"] for q in warm.captured_queries)
        self.assertNotIn("accounts_apitoken", tables)
        self.assertNotIn("accounts_grant", tables)

    def test_a_page_reads_the_generation_once(self) -> None:
        """The user, the grants, the menu and the filter form are all remembered; the shared cache is asked
        for the generation once per request, not once per thing remembered."""
        self.login(self.world.officer_a)
        self.client.get("/people/residents/")
        with mock.patch.object(authcache, "_current_generation", wraps=authcache._current_generation) as read:
            self.assertEqual(self.client.get("/people/residents/").status_code, 200)
        self.assertEqual(read.call_count, 1)
        # Outside a request every lookup reads it (a command sees another process's revocation at once).
        with mock.patch.object(authcache, "_current_generation", wraps=authcache._current_generation) as read:
            authcache.get("grants", self.world.officer_a.pk)
            authcache.get("grants", self.world.officer_a.pk)
        self.assertEqual(read.call_count, 2)

    def test_a_grant_revoked_on_the_page_takes_effect_at_once(self) -> None:
        self.assertEqual(self.read(), 200)
        grant = Grant.objects.get(user=self.world.officer_a)
        self.login(self.world.admin)
        response = self.client.post(reverse("accounts:grant_revoke", args=[grant.pk]))
        self.assertEqual(response.status_code, 302)
        self.assertEqual(self.read(), 404)

    def test_a_token_revoked_on_the_profile_page_takes_effect_at_once(self) -> None:
        self.assertEqual(self.read(), 200)
        self.login(self.world.officer_a)
        self.client.post(reverse("accounts:profile"), {"action": "revoke_token", "token": self.token.pk})
        response = self.api.get(self.path)
        self.assertEqual(response.status_code, 401)
        self.assertEqual(response.json()["code"], "unauthenticated")

    def test_a_deactivated_user_is_logged_out_at_once(self) -> None:
        officer = Client()
        officer.force_login(self.world.officer_a)
        self.assertEqual(officer.get(reverse("accounts:user_list")).status_code, 200)
        self.assertEqual(self.read(), 200)
        self.login(self.world.admin)
        self.client.post(reverse("accounts:user_delete", args=[self.world.officer_a.pk]))  # deactivates
        response = officer.get(reverse("accounts:user_list"))
        self.assertEqual(response.status_code, 302)
        self.assertIn(settings.LOGIN_URL.rstrip("/"), response["Location"])
        self.assertEqual(self.read(), 401)

    def test_a_change_made_by_another_process_takes_effect_at_once(self) -> None:
        self.assertEqual(self.read(), 200)
        # Another worker revokes: the row goes (no signal here) and it stamps a new generation.
        with connection.cursor() as cursor:
            cursor.execute("DELETE FROM accounts_grant WHERE user_id = %s", [self.world.officer_a.pk])
        cache.set(authcache.GENERATION_KEY, "from-another-worker", None)
        self.assertEqual(self.read(), 404)

    def test_a_change_no_signal_sees_takes_effect_within_the_lifetime(self) -> None:
        self.assertEqual(self.read(), 200)
        with connection.cursor() as cursor:
            cursor.execute("DELETE FROM accounts_grant WHERE user_id = %s", [self.world.officer_a.pk])
        self.assertEqual(self.read(), 200)  # the documented delay: still remembered
        later = authcache.time.monotonic() + settings.SHEQU_AUTH_CACHE_SECONDS + 1
        with mock.patch.object(authcache.time, "monotonic", return_value=later):
            self.assertEqual(self.read(), 404)

    def test_the_menu_follows_a_new_grant_at_once(self) -> None:
        officer = Client()
        officer.force_login(self.world.nobody)
        users_url = reverse("accounts:user_list")
        self.assertNotContains(officer.get("/"), f'href="{users_url}"')
        self.login(self.world.admin)
        Grant.objects.create(user=self.world.nobody, role="street_officer", node=self.world.street_a)
        self.assertContains(officer.get("/"), f'href="{users_url}"')

    def test_the_remembered_filter_form_follows_the_query(self) -> None:
        self.login(self.world.officer_a)
        url = reverse("accounts:user_list")
        self.assertContains(self.client.get(url, {"q": "甲乙"}), 'value="甲乙"')
        second = self.client.get(url, {"q": "丙丁"})
        self.assertContains(second, 'value="丙丁"')
        self.assertNotContains(second, 'value="甲乙"')
