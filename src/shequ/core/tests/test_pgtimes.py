"""PostgreSQL timestamps read by the C parser (``core.pgtimes``) are the values Django's own loader reads."""

from __future__ import annotations

import unittest

from django.db import connection
from django.test import TestCase


@unittest.skipUnless(connection.vendor == "postgresql", "PostgreSQL's loader")
class FastTimestampTests(TestCase):
    VALUES = [
        "2026-12-04 16:54:30.123456+00",
        "2026-12-04 16:54:30+00",
        "2026-12-04 16:54:30.5+00",
        "1900-01-01 00:00:00+00",
        "9999-12-30 23:59:59.999999+00",
        "0001-01-01 00:00:00+00",
        "2026-06-01 08:00:00+08",
    ]

    def read(self, zone: str, fast: bool) -> list[object]:
        from django.db.backends.postgresql.psycopg_any import register_tzloader

        connection.ensure_connection()
        with connection.cursor() as cursor:
            if not fast:
                register_tzloader(connection.timezone, cursor.cursor)  # Django's own, on this cursor only
            else:
                self.assertTrue(getattr(cursor.cursor.adapters.get_loader(1184, 0), "fast", False))
            cursor.execute(f"SET TIME ZONE '{zone}'")
            try:
                found = []
                for value in self.VALUES:
                    cursor.execute("SELECT %s::timestamptz", [value])
                    found.append(cursor.fetchone()[0])
            finally:
                cursor.execute("SET TIME ZONE 'UTC'")
        return found

    def test_the_same_datetimes_as_djangos_loader(self) -> None:
        for zone in ("UTC", "Asia/Shanghai"):  # another zone: offsets other than +00 go to Django's loader
            with self.subTest(zone=zone):
                fast, slow = self.read(zone, True), self.read(zone, False)
                self.assertEqual(fast, slow)
                self.assertEqual([v.tzinfo for v in fast], [v.tzinfo for v in slow])  # type: ignore[attr-defined]

    def test_what_python_cannot_read_is_djangos_loaders_answer(self) -> None:
        with connection.cursor() as cursor:
            for value in ("infinity", "0044-03-15 12:00:00+00 BC"):
                with self.subTest(value=value):
                    cursor.execute("SELECT %s::timestamptz", [value])
                    with self.assertRaises(Exception) as raised:
                        cursor.fetchone()
                    self.assertIn("timestamp", str(raised.exception).lower())
