from __future__ import annotations

import logging

from django.conf import settings
from django.test import override_settings

from shequ.core import crypto
from shequ.core.logging import MaskPersonalDataFilter, mask_text
from shequ.core.models import AuditEntry
from shequ.core.testing import WorldTestCase


class LoginTests(WorldTestCase):
    def login_form(self, username: str, password: str):  # type: ignore[no-untyped-def]
        return self.client.post("/login/", {"username": username, "password": password}, REMOTE_ADDR="10.1.2.3")

    def test_login_and_failed_login_are_audited_in_scope(self) -> None:
        self.assertEqual(self.login_form("officer_a", "officer_a-pass-123").status_code, 302)
        self.client.logout()
        self.login_form("officer_a", "wrong")
        self.login_form("nobody-at-all", "wrong")
        events = list(AuditEntry.objects.filter(additional_data__event__in=["login", "login_failed"]).order_by("pk"))
        self.assertEqual([e.event for e in events], ["login", "login_failed", "login_failed"])
        self.assertEqual(events[0].remote_addr, "10.1.2.3")
        self.assertEqual(events[1].path, self.world.street_a.path)
        # Street B's officer does not see street A's logins; street A's does.
        self.assertFalse(AuditEntry.objects.restrict(self.world.officer_b).filter(pk=events[0].pk).exists())
        self.assertTrue(AuditEntry.objects.restrict(self.world.officer_a).filter(pk=events[0].pk).exists())
        # The password never reaches the audit log.
        self.assertFalse(AuditEntry.objects.filter(changes_text__contains="wrong").exists())

    def test_lockout_after_repeated_failures(self) -> None:
        for _ in range(settings.AXES_FAILURE_LIMIT):
            self.login_form("officer_a", "wrong")
        response = self.login_form("officer_a", "officer_a-pass-123")
        self.assertEqual(response.status_code, 429)
        self.assertNotIn("_auth_user_id", self.client.session)

    def test_security_headers(self) -> None:
        response = self.client.get("/login/")
        csp = response["Content-Security-Policy"]
        self.assertIn("default-src 'self'", csp)
        self.assertIn("script-src 'self'", csp)
        self.assertNotIn("unsafe-eval", csp)
        self.assertEqual(response["X-Frame-Options"], "DENY")
        self.assertEqual(response["X-Content-Type-Options"], "nosniff")

    def test_no_inline_script_in_pages(self) -> None:
        self.login(self.world.officer_a)
        for url in ["/", self.world.community_a.get_absolute_url(), "/territory/nodes/", "/territory/map/"]:
            html = self.client.get(url, follow=True).content.decode()
            for chunk in html.split("<script")[1:]:
                self.assertIn("src=", chunk.split(">")[0], f"inline script on {url}")

    def test_session_expiry_settings(self) -> None:
        self.assertLessEqual(settings.SESSION_COOKIE_AGE, 8 * 3600)
        self.assertTrue(settings.SESSION_EXPIRE_AT_BROWSER_CLOSE)
        self.assertTrue(settings.SESSION_COOKIE_HTTPONLY)

    def test_an_active_session_is_renewed_every_few_minutes_not_on_every_request(self) -> None:
        from unittest import mock

        from django.contrib.sessions.models import Session
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        self.login(self.world.officer_a)
        key = self.client.session.session_key
        expiry = Session.objects.get(session_key=key).expire_date

        def writes(url: str) -> int:
            with CaptureQueriesContext(connection) as queries:
                self.assertEqual(self.client.get(url).status_code, 200)
            return sum(1 for q in queries if "django_session" in q["sql"] and not q["sql"].startswith("SELECT"))

        self.assertEqual(writes("/people/residents/"), 0)  # just logged in: nothing to write
        later = __import__("time").time() + settings.SHEQU_SESSION_RENEW_SECONDS + 1
        with mock.patch("shequ.core.middleware.time.time", return_value=later):
            self.assertEqual(writes("/people/residents/"), 1)  # the interval has passed: the expiry moves on
            self.assertEqual(writes("/people/residents/"), 0)
        self.assertGreater(Session.objects.get(session_key=key).expire_date, expiry)

    def test_argon2_is_the_production_hasher(self) -> None:
        import importlib
        import os

        from shequ import settings as project_settings

        saved = os.environ.pop("PYTEST_VERSION")
        try:
            fresh = importlib.reload(project_settings)
            self.assertEqual(fresh.PASSWORD_HASHERS[0], "django.contrib.auth.hashers.Argon2PasswordHasher")
        finally:
            os.environ["PYTEST_VERSION"] = saved
            importlib.reload(project_settings)


class CryptoTests(WorldTestCase):
    def test_round_trip_and_random_nonce(self) -> None:
        a, b = crypto.encrypt("11010119850302123X"), crypto.encrypt("11010119850302123X")
        self.assertNotEqual(a, b)
        self.assertNotIn("110101", a)
        self.assertEqual(crypto.decrypt(a), "11010119850302123X")

    def test_blind_index_is_deterministic_and_normalised(self) -> None:
        self.assertEqual(crypto.blind_index("11010119850302123x"), crypto.blind_index(" 11010119850302123X "))
        self.assertNotEqual(crypto.blind_index("110101198503021230"), crypto.blind_index("11010119850302123X"))

    def test_tampering_is_detected(self) -> None:
        token = crypto.encrypt("secret")
        tampered = token[:-4] + ("AAAA" if not token.endswith("AAAA") else "BBBB")
        from cryptography.exceptions import InvalidTag

        with self.assertRaises((InvalidTag, ValueError)):
            crypto.decrypt(tampered)

    @override_settings(FIELD_ENCRYPTION_KEY="c2hvcnQ=")
    def test_a_wrong_key_size_is_refused(self) -> None:
        with self.assertRaises(ValueError):
            crypto.encrypt("x")


class LogMaskingTests(WorldTestCase):
    def test_identity_and_phone_numbers_are_masked(self) -> None:
        self.assertEqual(mask_text("id 11010119850302123X ok"), "id 110101********123X ok")
        self.assertEqual(mask_text("tel 13912345678"), "tel 139****5678")
        self.assertEqual(mask_text("order 1234567"), "order 1234567")

    def test_filter_masks_messages_and_arguments(self) -> None:
        record = logging.LogRecord("x", logging.INFO, __file__, 1, "resident %s moved", ("11010119850302123X",), None)
        MaskPersonalDataFilter().filter(record)
        self.assertNotIn("19850302", record.getMessage())


class LanguageTests(WorldTestCase):
    def test_chinese_by_default_whatever_the_browser_says_and_english_on_request(self) -> None:
        response = self.client.get("/login/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
        self.assertContains(response, '<html lang="zh-hans">')
        self.client.post("/i18n/setlang/", {"language": "en", "next": "/login/"})
        self.assertContains(self.client.get("/login/"), '<html lang="en">')

    def test_the_api_honours_accept_language(self) -> None:
        zh = self.client.get("/api/v1/nodes/", HTTP_ACCEPT_LANGUAGE="zh-hans").json()["message"]
        en = self.client.get("/api/v1/nodes/", HTTP_ACCEPT_LANGUAGE="en").json()["message"]
        self.assertNotEqual(zh, en)
        self.assertIn("API", en)
