"""A database another process shares with a test (``shequ import``, the worker, run as programs)."""

from __future__ import annotations

import contextlib
import tempfile
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

from django.db import connection

from shequ.core.counts import forget_local


@contextlib.contextmanager
def shared_database() -> Iterator[str]:
    """A ``DATABASE_URL`` under which another process (``shequ import``, the worker) reads this test's committed
        data and writes what this test then reads.  PostgreSQL: the test database itself.  SQLite (an in-memory test
        database): a copy in a file for the other process, copied back over the test database on leaving.  For
        ``TransactionTestCase``s (a ``TestCase``'s data is never committed).  The other process's writes stamp the
    generations of its own cache (the tests' is in memory): the counts this process remembers are dropped on
    leaving."""
    settings_dict = connection.settings_dict
    if connection.vendor == "postgresql":
        user, password = settings_dict.get("USER") or "", settings_dict.get("PASSWORD") or ""
        auth = f"{quote(user)}:{quote(password)}@" if password else (f"{quote(user)}@" if user else "")
        host = settings_dict.get("HOST") or "127.0.0.1"
        try:
            yield f"postgres://{auth}{host}:{settings_dict.get('PORT') or 5432}/{quote(settings_dict['NAME'])}"
        finally:
            forget_local()
        return
    import sqlite3

    connection.ensure_connection()
    with tempfile.TemporaryDirectory(prefix="shequ-shared-db-") as folder:
        path = Path(folder) / "db.sqlite3"
        copy = sqlite3.connect(path)
        connection.connection.backup(copy)
        copy.close()
        try:
            yield f"sqlite:///{path}"
        finally:
            back = sqlite3.connect(path)
            back.backup(connection.connection)
            back.close()
            forget_local()
