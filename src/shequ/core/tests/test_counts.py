"""Remembered counts (``core.counts``): counted once, then taken from memory, and counted again as soon as any
write reaches a table they count — whichever way it is written."""

from __future__ import annotations

from datetime import timedelta

from django.core.cache import cache
from django.db import connection, transaction
from django.test import TransactionTestCase, override_settings
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from shequ.core import counts
from shequ.core.models import Notification
from shequ.core.notifications import unread_count
from shequ.core.testing import World


class RememberedCountTests(TransactionTestCase):
    """Outside a transaction (as a page or an API request runs): a ``TransactionTestCase``."""

    def setUp(self) -> None:
        counts.forget_local()
        self.world = World()
        self.user = self.world.officer_a

    def notify(self, n: int = 1) -> None:
        for _ in range(n):
            Notification.objects.create(user=self.user, kind="test", text="新的通知")

    def counted(self) -> tuple[int, int]:
        """(unread, queries it took)."""
        with CaptureQueriesContext(connection) as queries:
            value = unread_count(self.user)
        return value, len(queries.captured_queries)

    def test_counted_once_then_remembered(self) -> None:
        self.notify(3)
        self.assertEqual(self.counted(), (3, 1))
        self.assertEqual(self.counted(), (3, 0))

    def test_every_kind_of_write_is_seen_at_once(self) -> None:
        self.notify(2)
        self.assertEqual(self.counted(), (2, 1))
        self.notify()  # save()
        self.assertEqual(self.counted(), (3, 1))
        Notification.objects.bulk_create([Notification(user=self.user, kind="test", text="批量") for _ in range(2)])
        self.assertEqual(self.counted(), (5, 1))
        oldest, newest = Notification.objects.order_by("pk")[0], Notification.objects.order_by("-pk")[0]
        Notification.objects.filter(pk=oldest.pk).update(read_at=timezone.now())
        self.assertEqual(self.counted(), (4, 1))
        Notification.objects.filter(pk=newest.pk).delete()
        self.assertEqual(self.counted(), (3, 1))
        with connection.cursor() as cursor:  # raw SQL through Django's connection
            cursor.execute(f"DELETE FROM {Notification._meta.db_table}")
        self.assertEqual(self.counted(), (0, 1))
        self.assertEqual(self.counted(), (0, 0))

    def test_rows_written_past_djangos_cursor_by_the_bulk_path_are_seen(self) -> None:
        from shequ.core.bulk import BulkInsert

        self.notify()
        self.assertEqual(self.counted(), (1, 1))
        inserter = BulkInsert(Notification, ["user", "kind", "text", "url", "object_pk", "created"])
        with transaction.atomic():  # as an import writes: COPY on PostgreSQL, executemany on SQLite
            inserter.insert([(self.user.pk, "test", "导入", "", "", timezone.now()) for _ in range(3)])
        self.assertEqual(self.counted(), (4, 1))

    def test_a_write_stamps_a_new_generation_for_every_process(self) -> None:
        key = counts._PREFIX + Notification._meta.db_table
        self.notify()
        before = cache.get(key)
        self.assertIsNotNone(before)
        with transaction.atomic():
            self.notify()
            inside = cache.get(key)
            self.notify()  # the same table again in the same transaction: no new stamp until the commit
            self.assertEqual(cache.get(key), inside)
        self.assertNotIn(cache.get(key), (before, inside))  # stamped again when it committed

    def test_inside_a_transaction_nothing_is_remembered(self) -> None:
        self.notify(2)
        self.assertEqual(self.counted(), (2, 1))
        try:
            with transaction.atomic():
                self.notify(5)
                self.assertEqual(self.counted(), (7, 1))
                self.assertEqual(self.counted(), (7, 1))  # counted each time, not remembered
                raise RuntimeError
        except RuntimeError:
            pass
        self.assertEqual(self.counted(), (2, 1))

    def test_counts_that_depend_on_the_time_are_never_remembered(self) -> None:
        self.notify(2)
        recent = Notification.objects.filter(created__gte=timezone.now() - timedelta(days=1))
        for _ in range(2):
            with CaptureQueriesContext(connection) as queries:
                self.assertEqual(counts.count(recent), 2)
            self.assertEqual(len(queries.captured_queries), 1)

    @override_settings(SHEQU_COUNT_CACHE_SECONDS=0)
    def test_a_lifetime_of_zero_turns_the_memory_off(self) -> None:
        self.notify()
        self.assertEqual(self.counted(), (1, 1))
        self.assertEqual(self.counted(), (1, 1))

    def test_the_watch_survives_other_execute_wrappers(self) -> None:
        connection.ensure_connection()
        with connection.execute_wrapper(lambda execute, *args: execute(*args)):
            pass
        self.assertIn(counts._watch, connection.execute_wrappers)
        self.notify()
        self.assertEqual(self.counted(), (1, 1))
        self.notify()
        self.assertEqual(self.counted(), (2, 1))

    def test_the_api_list_count_follows_a_new_object(self) -> None:
        from shequ.territory.actions import do_create_node
        from shequ.territory.models import Kind

        self.client.force_login(self.user)
        first = self.client.get("/api/v1/nodes/").json()["count"]
        self.assertEqual(self.client.get("/api/v1/nodes/").json()["count"], first)
        do_create_node(acting_user=self.world.admin, parent=self.world.grid_a, kind=Kind.ESTATE, name="新小区")
        self.assertEqual(self.client.get("/api/v1/nodes/").json()["count"], first + 1)
