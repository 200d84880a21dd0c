"""Bulk writes by the database's own path (``executemany`` on SQLite, ``COPY`` on PostgreSQL), for imports
and demo seeding of a million rows, and moving id sequences past rows inserted with explicit ids."""

from __future__ import annotations

import contextlib
import functools
import json
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any

from .counts import touched
from .memo import Bounded


class BulkInsert:
    """Many rows of one model into its table by the database's own bulk path: ``executemany`` on SQLite,
    ``COPY`` on PostgreSQL.  For imports of a million rows, where building model instances and Django's
    per-field SQL compilation cost several times the insert itself.

    Rows are tuples in the order of *fields*; each value is prepared for the database as its field
    would (``get_db_prep_save``: encryption, JSON …), plain text and integers as they are.  No
    signals, no ``auto_now``: give every value.  ``reserve_ids`` hands out primary keys for rows that
    others must refer to (call it inside the transaction of the insert).
    """

    PLAIN = frozenset(
        {
            "CharField",
            "TextField",
            "SlugField",
            "IntegerField",
            "BigIntegerField",
            "PositiveIntegerField",
            "PositiveSmallIntegerField",
            "SmallIntegerField",
            "BooleanField",
            "ForeignKey",
            "AutoField",
            "BigAutoField",
        }
    )

    def __init__(self, model: Any, fields: Sequence[str], prepared: Sequence[str] = ()) -> None:
        """*prepared*: fields whose values come already as the database stores them (e.g. encrypted)."""
        from django.db import connection, models

        self.model, self.connection = model, connection
        self.fields = [model._meta.get_field(name) for name in fields]
        self.columns = [f.column for f in self.fields]
        ops = connection.ops
        self.adapters: list[Callable[[Any], Any] | None] = []
        for model_field in self.fields:
            kind = model_field.get_internal_type()
            plain = kind in self.PLAIN and type(model_field).get_prep_value in (
                models.CharField.get_prep_value,
                models.TextField.get_prep_value,
                models.IntegerField.get_prep_value,
                models.BooleanField.get_prep_value,
                models.ForeignKey.get_prep_value,
                models.AutoField.get_prep_value,
            )
            if plain or model_field.name in prepared:
                self.adapters.append(None)
            elif kind == "DateField":
                self.adapters.append(_memoized(ops.adapt_datefield_value))
            elif kind == "DateTimeField":
                self.adapters.append(_memoized(ops.adapt_datetimefield_value))
            elif kind == "JSONField":
                # What JSONField sends on SQLite; PostgreSQL's COPY reads jsonb from the same text.
                self.adapters.append(functools.partial(json.dumps, cls=model_field.encoder))
            else:
                self.adapters.append(self._field_adapter(model_field))
        self._special = [(i, adapt) for i, adapt in enumerate(self.adapters) if adapt is not None]

    def _field_adapter(self, model_field: Any) -> Callable[[Any], Any]:
        def adapt(value: Any) -> Any:
            return model_field.get_db_prep_save(value, self.connection)

        return adapt

    def prepare(self, row: Sequence[Any]) -> Sequence[Any]:
        special = self._special
        if not special:
            return row
        prepared = list(row)
        for index, adapt in special:
            value = prepared[index]
            if value is not None:
                prepared[index] = adapt(value)
        return prepared

    def reserve_ids(self, count: int) -> list[int]:
        if count <= 0:
            return []
        table = self.model._meta.db_table
        with self.connection.cursor() as cursor:
            if self.connection.vendor == "postgresql":
                cursor.execute(
                    "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)", [table, count]
                )
                return [r[0] for r in cursor.fetchall()]
            # SQLite: the transaction holds the write lock, so the next ids are ours.
            quoted = self.connection.ops.quote_name(table)
            cursor.execute(f"SELECT COALESCE(MAX(id), 0) FROM {quoted}")
            top = cursor.fetchone()[0]
            cursor.execute("SELECT seq FROM sqlite_sequence WHERE name = %s", [table])
            found = cursor.fetchone()
            first = max(top, found[0] if found else 0) + 1
        return list(range(first, first + count))

    def insert(self, rows: Iterable[Sequence[Any]]) -> int:
        prepared = [self.prepare(row) for row in rows]
        if not prepared:
            return 0
        ops = self.connection.ops
        table = ops.quote_name(self.model._meta.db_table)
        columns = ", ".join(ops.quote_name(c) for c in self.columns)
        with self.connection.cursor() as cursor:
            if self.connection.vendor == "postgresql":
                with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                    for row in prepared:
                        copy.write_row(row)
                # COPY goes past Django's cursor, where writes are watched: remembered counts are told here.
                touched(self.model._meta.db_table, self.connection.alias)
            else:
                marks = ", ".join(["%s"] * len(self.columns))
                cursor.executemany(f"INSERT INTO {table} ({columns}) VALUES ({marks})", prepared)
        return len(prepared)


def _memoized(adapt: Callable[[Any], Any]) -> Callable[[Any], Any]:
    """Dates and times repeat (every row of a chunk has the same ``created``): adapt each value once."""
    seen: Bounded[Any, Any] = Bounded(10_000)

    def cached(value: Any) -> Any:
        return seen.get_or(value, adapt, value)

    return cached


def advance_sequences(*models: Any) -> None:
    """After rows were inserted with explicit ids, move each model's id sequence past the largest id, never
    back: PostgreSQL's sequences are not transactional, and Django's ``sequence_reset_sql`` sets a sequence
    to the largest id *visible now* (to 1 on an empty table), so a rolled-back insert, or rows deleted
    before a reset, could make a later insert reuse a taken id.  SQLite needs nothing."""
    from django.db import connection

    if connection.vendor != "postgresql":
        return
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        for model in models:
            table, column = model._meta.db_table, model._meta.pk.column
            sequence = "pg_get_serial_sequence(%s, %s)"
            cursor.execute(
                f"SELECT setval({sequence}, GREATEST((SELECT COALESCE(MAX({quote(column)}), 0) FROM {quote(table)}),"
                f" nextval({sequence})))",
                [table, column, table, column],
            )


@contextlib.contextmanager
def fewer_wal_checkpoints(pages: int = 16_384) -> Iterator[None]:
    """SQLite in WAL mode copies the log into the database (a checkpoint, with an fsync) at the first commit
    after the log passes 1,000 pages (4 MB): every chunk of a large import did, and the index pages that each
    chunk touches again were copied again.  During the import the log may grow to *pages* (64 MB) first; the
    checkpoint at the end copies what is left."""
    from django.db import connection

    if connection.vendor != "sqlite" or connection.in_atomic_block:  # inside a transaction nothing commits
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA wal_autocheckpoint")
        before = cursor.fetchone()[0]
        cursor.execute(f"PRAGMA wal_autocheckpoint = {int(pages)}")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"PRAGMA wal_autocheckpoint = {int(before)}")
            cursor.execute("PRAGMA wal_checkpoint(PASSIVE)")
