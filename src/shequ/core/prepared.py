"""Compiled statements: the SQL of "one row by its key, in this user's scope" compiled once, not per request.

Reading one object (an API read, a detail page, a workflow step) builds ``restrict(user, action)`` — an OR of
the user's subtrees, sometimes with sub-queries — and has Django compile it with the model's joins.  Profiled
on an API read of a request, building and compiling that queryset was about half of the request's time, and the
query itself a fifth.  The SQL is the same for every key: only the key's parameter changes.  So the first
read compiles it with a sentinel key, remembers the compiler and the statement, and later reads substitute the
key and run the remembered statement through Django's own row iterator (model instances, ``select_related``
and ``prefetch_related`` as before).

What the statement depends on, and why remembering it is safe:

* the base queryset's *shape* — model, database, ``select_related``, deferred fields, prefetches, iterable.  A
  base with its own filters, annotations, ordering, slicing, extra SQL or ``distinct`` is not remembered (its
  parameters could be anything, e.g. today's date): ``fetch`` compiles it every time, as before;
* ``restrict(user, action)``, which every model computes from the user's grants alone
  (``accounts.scope.reaches`` / ``scope_paths``: sub-queries stay SQL, run at each read).  The statements are
  kept in ``accounts.authcache`` under the user, so they are dropped with the grants they were built from —
  at once in every worker when a grant, token or user changes, and after ``SHEQU_AUTH_CACHE_SECONDS`` anyway;
* a statement whose parameters hold a date or time, or the sentinel not exactly once, is not remembered.
"""

from __future__ import annotations

import copy
import datetime
import itertools
import re
import weakref
from typing import Any

from django.db import connections
from django.db.models import QuerySet

from shequ.accounts import authcache

KIND = "fetch-sql"
# The key the statement is compiled with: no row has it (keys are positive), and it fits every integer key.
SENTINEL = -1_987_654_321
_NOT_PREPARABLE = "not-preparable"
_EMPTY = "empty"

_CLOCK = re.compile(r"STATEMENT_TIMESTAMP|CURRENT_TIMESTAMP|CURRENT_DATE|\bNOW\(|django_datetime|'now'", re.IGNORECASE)
_DATE_TEXT = re.compile(r"\d{4}-\d\d-\d\d")  # SQLite's parameters carry dates and times as text


def depends_on_time(sql: str, params: Any) -> bool:
    """Does compiled SQL change by itself as time passes — a date or time among its parameters (as text on SQLite),
    or the database asked for the time?  Such SQL is never remembered, nor what it counts."""
    if _CLOCK.search(sql):
        return True
    return any(
        isinstance(p, (datetime.date, datetime.time, datetime.timedelta))
        or (isinstance(p, str) and _DATE_TEXT.match(p) is not None)
        for p in params or ()
    )


def _freeze(value: Any) -> Any:
    if isinstance(value, dict):
        return tuple(sorted((k, _freeze(v)) for k, v in value.items()))
    if isinstance(value, (set, frozenset)):
        return tuple(sorted(value))
    if isinstance(value, (list, tuple)):
        return tuple(_freeze(v) for v in value)
    return value


def shape(queryset: QuerySet[Any]) -> tuple[Any, ...] | None:
    """What the SQL of *queryset* depends on, when that is only its structure; None when it has conditions,
    annotations or anything else whose parameters a key cannot stand for."""
    query = queryset.query
    if (
        query.where
        or query.annotations
        or query.extra
        or query.extra_tables
        or query.distinct
        or query.select_for_update
        or query.combinator
        or query.values_select
        or query.order_by
        or query.low_mark
        or query.high_mark is not None
        or queryset._fields is not None  # type: ignore[attr-defined]
        or queryset._known_related_objects  # type: ignore[attr-defined]
    ):
        return None
    prefetch = queryset._prefetch_related_lookups  # type: ignore[attr-defined]
    if any(not isinstance(lookup, str) for lookup in prefetch):
        return None  # a Prefetch() carries a queryset of its own
    deferred, defer = query.deferred_loading
    return (
        queryset.model._meta.label_lower,
        queryset.db,
        _freeze(query.select_related),
        tuple(sorted(deferred)),
        defer,
        tuple(prefetch),
        queryset._iterable_class,  # type: ignore[attr-defined]
    )


class Statement:
    """A compiled ``restrict(user, action).filter(pk=…)[:1]``: the queryset it came from, its compiler (with
    the select list Django's row iterator reads), the SQL and the place of the key among the parameters."""

    def __init__(self, queryset: QuerySet[Any], compiler: Any, sql: str, params: tuple[Any, ...], index: int):
        self.queryset = queryset
        self.compiler = compiler
        self.sql = sql
        self.params = params
        self.index = index
        # How each column is read back (dates, decimals, JSON): looked up once too.
        self.converters = compiler.get_converters([s[0] for s in compiler.select[: compiler.col_count]])

    def rows(self, pk: int) -> list[Any]:
        """The rows with key *pk*: on PostgreSQL through the statement prepared with the key as its parameter
        (``server_statement``: planning the read of one request took 1.0 ms of the server's time, its execution
        0.2 ms), elsewhere the SQL with the key put in."""
        name = server_statement(self.queryset.db, self.sql, self.params, keyed=self.index)
        if name is not None:
            return self.run((pk,), f"EXECUTE {name} (%s)")
        return self.run((*self.params[: self.index], pk, *self.params[self.index + 1 :]))

    def run(self, params: tuple[Any, ...], sql: str | None = None) -> list[Any]:
        """The rows of the statement with *params* (or of *sql*, the same statement by another name)."""
        compiler = copy.copy(self.compiler)
        compiler.connection = connections[self.queryset.db]
        compiler.as_sql = lambda *args, **kwargs: (sql or self.sql, params)
        compiler.get_converters = lambda expressions: self.converters
        queryset = self.queryset._chain()  # type: ignore[attr-defined]
        queryset.query.get_compiler = lambda *args, **kwargs: compiler
        return list(queryset)


def _compile(queryset: QuerySet[Any], user: Any, action: str) -> Statement | str:
    from django.core.exceptions import EmptyResultSet

    restricted = queryset.restrict(user, action).filter(pk=SENTINEL).order_by()[:1]  # type: ignore[attr-defined]
    if restricted.query.is_empty():
        return _EMPTY
    compiler = restricted.query.get_compiler(using=restricted.db)
    try:
        sql, params = compiler.as_sql()
    except EmptyResultSet:
        return _EMPTY
    params = tuple(params)
    found = [i for i, p in enumerate(params) if p == SENTINEL and type(p) is int]
    if len(found) != 1 or depends_on_time(sql, params):
        return _NOT_PREPARABLE
    return Statement(restricted, compiler, sql, params, found[0])


def rows(queryset: QuerySet[Any], user: Any, action: str, pk: int) -> list[Any] | None:
    """The row with key *pk* of *queryset* in *user*'s scope for *action* (a list of 0 or 1), through the
    remembered statement; None when this queryset's statement cannot be remembered (the caller compiles)."""
    if not 0 < pk < 2**31:
        return None  # no row has it, or past a 32-bit key: the ORM's own range checks answer
    key = shape(queryset)
    user_pk = getattr(user, "pk", None)
    if key is None or user_pk is None or not getattr(user, "is_active", False):
        return None
    cache_key = (key, action, user_pk, bool(getattr(user, "is_superuser", False)))
    statement = authcache.get(KIND, cache_key)
    if statement is None:
        statement = _compile(queryset, user, action)
        authcache.put(KIND, cache_key, statement)
    if statement == _EMPTY:
        return []
    if statement == _NOT_PREPARABLE:
        return None
    return statement.rows(pk)  # type: ignore[union-attr]


# --------------------------------------------------------------------------------------------------------------
# A list without filters: its page and its count

LIST_KIND = "list-sql"


class Listing:
    """A compiled page ``rows[start:stop]`` of a list and the SQL of its capped count."""

    def __init__(self, page: Statement, count_sql: str, count_params: tuple[Any, ...], using: str) -> None:
        self.page, self.count_sql, self.count_params, self.using = page, count_sql, count_params, using

    def rows(self) -> list[Any]:
        name = server_statement(self.using, self.page.sql, self.page.params)
        if name is not None:
            return self.page.run((), f"EXECUTE {name}")
        return self.page.run(self.page.params)

    def count(self, cap: int) -> tuple[int, bool]:
        """(the count up to *cap*, whether there are more) — remembered as ``core.counts`` says."""
        from .counts import count_sql

        n = count_sql(self.using, self.count_sql, self.count_params)
        return min(n, cap), n > cap


class NoRows:
    """The list of a user who sees none of its rows."""

    def rows(self) -> list[Any]:
        return []

    def count(self, cap: int) -> tuple[int, bool]:
        return 0, False


NO_ROWS = NoRows()


def _compile_listing(queryset: QuerySet[Any], start: int, stop: int, cap: int) -> Listing | NoRows | str:
    from django.core.exceptions import EmptyResultSet

    from .pagination import capped_rows

    if queryset.query.is_empty():
        return NO_ROWS
    page = queryset[start:stop]
    try:
        compiler = page.query.get_compiler(using=page.db)
        sql, params = compiler.as_sql()
        count_sql, count_params = capped_rows(queryset, cap).query.sql_with_params()
    except EmptyResultSet:
        return NO_ROWS
    params, count_params = tuple(params), tuple(count_params)
    if depends_on_time(sql, params) or depends_on_time(count_sql, count_params):
        return _NOT_PREPARABLE
    return Listing(Statement(page, compiler, sql, params, -1), count_sql, count_params, queryset.db)


def listing(build: Any, key: tuple[Any, ...], user: Any, start: int, stop: int, cap: int) -> Listing | NoRows | None:
    """Rows ``[start:stop]`` of the list ``build()`` makes for *user* — a list computed from the user's grants and
    *key* alone (no filter given) — and its count, through statements compiled once (``NO_ROWS`` when the user
    sees nothing); None when they cannot be remembered (the caller builds the list itself)."""
    user_pk = getattr(user, "pk", None)
    if user_pk is None or not getattr(user, "is_active", False):
        return None
    cache_key = (key, user_pk, bool(getattr(user, "is_superuser", False)), start, stop, cap)
    found = authcache.get(LIST_KIND, cache_key)
    if found is None:
        found = _compile_listing(build(), start, stop, cap)
        authcache.put(LIST_KIND, cache_key, found)
    return None if found == _NOT_PREPARABLE else found


# --------------------------------------------------------------------------------------------------------------
# PostgreSQL: a list's page statement planned once per connection

# Prepared statements of each PostgreSQL connection: (SQL, parameters) -> name.  Gone with the connection.
_SERVER_STATEMENTS: weakref.WeakKeyDictionary[Any, dict[tuple[str, str, int | None], str | None]] = (
    weakref.WeakKeyDictionary()
)
MAX_SERVER_STATEMENTS = 100  # a connection's; past it, lists are planned at each request as before
_NAMES = itertools.count(1)  # names never used twice by a process, whatever it forgot


def server_statement(using: str, sql: str, params: tuple[Any, ...], keyed: int | None = None) -> str | None:
    """The name of a prepared statement (``PREPARE``) of *sql* with *params* written in, on *using*'s present
    PostgreSQL connection — prepared at its first use on that connection; None elsewhere (SQLite, server-side
    binding, ``SHEQU_PG_PREPARE`` off, a connection past ``MAX_SERVER_STATEMENTS``).

    Planning the page of a street's requests (an OR of scope ranges, three joins) took 0.6 ms of PostgreSQL's
    time, twice its execution.  The parameters are written in (``mogrify``), so the statement is planned with its
    values as before (the scope's ranges use the path indexes) and the plan is kept for the connection's life
    (``CONN_MAX_AGE``); PostgreSQL plans it again itself when a table it reads changes or is analysed.
    ``PREPARE`` is not undone by a rollback.  A pool that shares server sessions between clients at each
    transaction (pgbouncer's transaction mode) loses prepared statements: turn ``SHEQU_PG_PREPARE`` off there.

    *keyed*: the place of a key among *params* that stays a parameter (``$1``, given at each ``EXECUTE``): one
    statement for every key, planned for the key given for its first five runs, then with PostgreSQL's generic
    plan (an index scan of the key).  None when the key's value is not found exactly once in the written SQL."""
    from django.conf import settings

    connection = connections[using]
    if connection.vendor != "postgresql" or not getattr(settings, "SHEQU_PG_PREPARE", True):
        return None
    if connection.settings_dict.get("OPTIONS", {}).get("server_side_binding"):
        return None  # no ``mogrify`` to write the values in (and a cursor opened for nothing at each request)
    connection.ensure_connection()
    names = _SERVER_STATEMENTS.setdefault(connection.connection, {})
    key = (sql, repr(params), keyed)
    if key in names:
        return names[key]
    if len(names) >= MAX_SERVER_STATEMENTS:
        return None
    with connection.cursor() as cursor:
        text = cursor.cursor.mogrify(sql, params)  # client-side binding's
        name: str | None = f"shequ_{'list' if keyed is None else 'read'}_{next(_NAMES)}"
        if keyed is not None:
            written = cursor.cursor.mogrify("%s", (params[keyed],))
            if text.count(written) == 1:
                text = text.replace(written, " $1 ")
            else:
                name = None
        if name is not None:
            cursor.execute(f"PREPARE {name} AS {text}")
    names[key] = name
    return name
