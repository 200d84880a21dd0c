"""The materialized tree path and the lookups that make subtree queries one indexed predicate."""

from __future__ import annotations

import json
from typing import Any

from django.core.exceptions import EmptyResultSet
from django.db import models
from django.db.models import Lookup
from django.db.models.lookups import In

SEGMENT_WIDTH = 8
SEP = "."


def path_segment(pk: int) -> str:
    return f"{pk:0{SEGMENT_WIDTH}d}{SEP}"


def path_ids(path: str) -> list[int]:
    return [int(part) for part in path.split(SEP) if part]


class PathField(models.CharField):
    """Ancestor ids, fixed width, dot-terminated: ``00000001.00000007.``.

    ``path__within=prefix`` selects the subtree of ``prefix`` (itself included) with a
    range scan that uses an ordinary B-tree index on both SQLite and PostgreSQL.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("max_length", 255)
        kwargs.setdefault("db_index", False)
        kwargs.setdefault("default", "")
        kwargs.setdefault("editable", False)
        super().__init__(*args, **kwargs)


@PathField.register_lookup
class Within(Lookup):
    lookup_name = "within"

    def as_sql(self, compiler, connection):  # type: ignore[no-untyped-def]
        lhs, lhs_params = self.process_lhs(compiler, connection)
        prefix = str(self.rhs)
        if not prefix:
            return "1=1", []
        if connection.vendor == "postgresql":
            # LIKE 'prefix%' with a text_pattern_ops index: the prefix holds only digits and dots.
            return f"{lhs} LIKE %s", [*lhs_params, prefix + "%"]
        # Byte-wise range: the next character after '.' is '/'.
        upper = prefix[:-1] + chr(ord(prefix[-1]) + 1)
        return f"{lhs} >= %s AND {lhs} < %s", [*lhs_params, prefix, *lhs_params, upper]


@models.Field.register_lookup
class AnyOf(In):
    """``field__anyof=values``: ``__in``, but with the values as one parameter instead of a placeholder each, so
    that the 5,000 blind indexes of an import's chunk are not 5,000 parameters to prepare, send and parse.

    On PostgreSQL the values go as one array (``= ANY(%s)``); text values as one JSON document unpacked by the
    server (``jsonb_array_elements_text``), since psycopg dumps a list as an array element by element in Python
    (5,000 blind indexes: 18 ms a statement, against 3 ms for ``json.dumps`` and the server's unpacking).  On
    SQLite text values go as one JSON document too (``IN (SELECT value FROM json_each(%s))``).  Either way the
    column's index is used as by ``__in``.  Text values of a plain text field are taken as they are (Django
    prepares each one, to the same string).  Anything else is ``__in``."""

    lookup_name = "anyof"

    def _texts(self) -> bool:
        values = self.rhs
        return isinstance(values, list | tuple | set | frozenset) and all(v.__class__ is str for v in values)

    def get_prep_lookup(self):  # type: ignore[no-untyped-def]
        field = getattr(self.lhs, "output_field", None)
        if (
            self.prepare_rhs
            and isinstance(field, models.CharField | models.TextField)
            and type(field).get_prep_value in (models.CharField.get_prep_value, models.TextField.get_prep_value)
            and self._texts()
        ):
            return list(self.rhs)
        return super().get_prep_lookup()

    def as_sql(self, compiler, connection):  # type: ignore[no-untyped-def]
        vendor = connection.vendor
        if vendor not in ("postgresql", "sqlite") or not isinstance(self.rhs, list | tuple | set | frozenset):
            return super().as_sql(compiler, connection)
        texts = self._texts()
        if vendor == "sqlite" and not texts:
            return super().as_sql(compiler, connection)
        lhs, lhs_params = self.process_lhs(compiler, connection)
        values = [value for value in self.rhs if value is not None]
        if not values:
            raise EmptyResultSet
        if not texts:
            return f"{lhs} = ANY(%s)", [*lhs_params, values]
        document = json.dumps(values, ensure_ascii=False)
        if vendor == "sqlite":
            return f"{lhs} IN (SELECT value FROM json_each(%s))", [*lhs_params, document]
        return f"{lhs} = ANY(ARRAY(SELECT jsonb_array_elements_text(%s::jsonb)))", [*lhs_params, document]


def path_index(name: str, *fields: str) -> models.Index:
    """An index usable for ``within`` on both databases (pattern ops on PostgreSQL)."""
    opclasses = ["varchar_pattern_ops"] + [""] * (len(fields) - 1)
    return models.Index(fields=list(fields), name=name, opclasses=opclasses)
