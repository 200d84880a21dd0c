"""Counts remembered between requests, forgotten as soon as a table they count is written.

Every list (page and API) counts the rows the user may see, up to the cap (``core.pagination.CappedPaginator``),
and every page counts the user's unread notifications.  On PostgreSQL the capped count over a street's requests
was 2.8 ms of an API list page of 50: the largest single cost of the page.  Each worker process now remembers
a count by its SQL and parameters (the scope and the filters are in them: users who see the same rows share it)
together with the *generations* of the tables the SQL names, and uses it only while those are unchanged:

* every ``INSERT``, ``UPDATE`` and ``DELETE`` that goes through a Django database connection — a save, a delete,
  ``update()``, ``bulk_create()``, raw SQL through ``connection.cursor()``, from the pages, the API, the commands,
  the worker — stamps a new generation for its table in the shared cache (``CACHES["default"]``: files under the
  var dir, or Redis), at once and again when its transaction commits; so a count never outlives a committed
  change, in any process;
* a count is remembered and reused only outside a transaction (inside one it could include the transaction's
  own writes, which a rollback would undo without a word);
* a count whose SQL has a date or time among its parameters, or asks the database for the time, is never
  remembered (it changes by itself);
* what bypasses Django's cursors (PostgreSQL's ``COPY``, another program writing to the database) is seen after
  at most ``SHEQU_COUNT_CACHE_SECONDS`` (default 30; 0 turns the memory off), or at once where that code calls
  ``touched(table)``.
"""

from __future__ import annotations

import re
import secrets
import threading
import time
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import connections, transaction

from .prepared import depends_on_time

_WRITE = re.compile(r'\s*(?:INSERT\s+INTO|UPDATE|DELETE\s+FROM|REPLACE\s+INTO)\s+"?(\w+)', re.IGNORECASE)
_TABLES = re.compile(r'(?:FROM|JOIN)\s+"(\w+)"', re.IGNORECASE)
_PREFIX = "shequ:table-generation:"

# At most this many counts per process; past it, the oldest go.
MAX_ENTRIES = 5_000
_lock = threading.Lock()
_entries: dict[tuple[str, str, str], tuple[float, tuple[Any, ...], int]] = {}
_local = threading.local()


def lifetime() -> float:
    return float(getattr(settings, "SHEQU_COUNT_CACHE_SECONDS", 30))


# --------------------------------------------------------------------------------------------------------------
# Writes: a new generation for the table written


def _stamp(table: str) -> None:
    try:
        _local.stamping = True
        cache.set(_PREFIX + table, secrets.token_hex(8), None)
    except Exception:  # noqa: BLE001,S110 - without a shared cache the lifetime still bounds the delay
        pass
    finally:
        _local.stamping = False


def touched(table: str, using: str = "default") -> None:
    """*table* was written: counts over it are forgotten in every process (now, and when the transaction
    commits — a process that counted in between, before the write was visible, forgets it then)."""
    if getattr(_local, "stamping", False):
        return  # the cache's own writes (a cache kept in the database)
    connection = connections[using]
    if not connection.in_atomic_block:
        _stamp(table)
        return
    # Once per table and transaction: ``run_on_commit`` is a new list after each commit and rollback.
    pending: dict[tuple[str, str], Any] = _local.__dict__.setdefault("pending", {})
    if pending.get((using, table)) is connection.run_on_commit:
        return
    _stamp(table)
    transaction.on_commit(lambda: _stamp(table), using=using)
    pending[(using, table)] = connection.run_on_commit


def _watch(execute: Callable[..., Any], sql: str, params: Any, many: bool, context: dict[str, Any]) -> Any:
    result = execute(sql, params, many, context)
    if sql[:12].lstrip()[:1] in ("I", "U", "D", "R", "i", "u", "d", "r"):  # not a SELECT: cheap to tell
        written = _WRITE.match(sql)
        if written is not None:
            touched(written.group(1), context["connection"].alias)
    return result


def watch_connection(connection: Any, **_kwargs: Any) -> None:
    """Watch the writes of *connection* (``connection_created``: every connection of every thread)."""
    if _watch not in connection.execute_wrappers:
        # First, not last: ``connection.execute_wrapper()`` pops the last wrapper when its block ends.
        connection.execute_wrappers.insert(0, _watch)


# --------------------------------------------------------------------------------------------------------------
# Reads


def _generations(tables: tuple[str, ...]) -> tuple[Any, ...] | None:
    try:
        found = cache.get_many([_PREFIX + t for t in tables])
    except Exception:  # noqa: BLE001 - a cache that cannot be read: count every time
        return None
    return tuple(found.get(_PREFIX + t) for t in tables)


def count(queryset: Any) -> int:
    """``queryset.count()``, remembered as this module says."""
    from django.core.exceptions import EmptyResultSet

    try:
        sql, params = queryset.query.sql_with_params()
    except EmptyResultSet:  # a condition nothing meets (``pk__in=[]``): no SQL, no rows
        return 0
    return count_sql(queryset.db, sql, tuple(params))


def count_sql(using: str, sql: str, params: tuple[Any, ...]) -> int:
    """The number of rows *sql* (compiled by Django) selects, remembered as this module says."""

    def counted() -> int:
        with connections[using].cursor() as cursor:
            cursor.execute(f"SELECT COUNT(*) FROM ({sql}) subquery", params)  # noqa: S608 - Django's own SQL
            return int(cursor.fetchone()[0])

    if lifetime() <= 0 or connections[using].in_atomic_block:
        return counted()
    return _remembered(using, sql, params, counted)


def _remembered(using: str, sql: str, params: Any, counted: Callable[[], int]) -> int:
    if depends_on_time(sql, params):
        return counted()
    tables = tuple(sorted(set(_TABLES.findall(sql))))
    key = (using, sql, repr(params))
    generations = _generations(tables)
    if generations is None:
        return counted()
    now = time.monotonic()
    with _lock:
        found = _entries.get(key)
    if found is not None and found[0] >= now and found[1] == generations:
        return found[2]
    value = counted()
    with _lock:
        _entries.pop(key, None)  # re-inserted last: the order of the dict is the order of age
        _entries[key] = (now + lifetime(), generations, value)
        if len(_entries) > MAX_ENTRIES:
            for old in list(_entries)[: MAX_ENTRIES // 4]:
                del _entries[old]
    return value


def forget_local() -> None:
    """Drop the counts this process remembers."""
    with _lock:
        _entries.clear()
