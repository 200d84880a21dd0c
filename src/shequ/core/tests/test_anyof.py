"""``field__anyof``: the rows of ``field__in``, on PostgreSQL with the values as one parameter."""

from __future__ import annotations

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.test.utils import CaptureQueriesContext

NAMES = ["plain", 'quote"d', "comma,s", "back\\slash", "{brace}", "社区", "tab\tand space", "NULL", ""]


@pytest.mark.django_db
def test_anyof_finds_what_in_finds_for_text_of_every_form() -> None:
    made = [ContentType.objects.create(app_label="anyof_test", model=name) for name in NAMES]
    wanted = [*NAMES[1:], "nobody"]
    with CaptureQueriesContext(connection) as ctx:
        found = set(
            ContentType.objects.filter(app_label="anyof_test", model__anyof=wanted).values_list("pk", flat=True)
        )
    assert found == set(
        ContentType.objects.filter(app_label="anyof_test", model__in=wanted).values_list("pk", flat=True)
    )
    assert found == {c.pk for c in made[1:]}
    # The text values as one JSON document, not a parameter each (nor an array psycopg dumps element by element).
    unpacked = {"postgresql": "jsonb_array_elements_text", "sqlite": "json_each"}[connection.vendor]
    assert unpacked in ctx.captured_queries[0]["sql"]


@pytest.mark.django_db
def test_anyof_with_numbers_and_with_nothing() -> None:
    made = [ContentType.objects.create(app_label="anyof_test", model=f"m{i}") for i in range(3)]
    ids = [made[0].pk, made[2].pk, 10**9]
    with CaptureQueriesContext(connection) as ctx:
        assert set(ContentType.objects.filter(pk__anyof=ids).values_list("pk", flat=True)) == {ids[0], ids[1]}
    assert "json" not in ctx.captured_queries[0]["sql"]  # numbers: an array on PostgreSQL, ``IN`` on SQLite
    assert not ContentType.objects.filter(model__anyof=[]).exists()
    assert not ContentType.objects.filter(model__anyof=[None]).exists()
    assert not ContentType.objects.filter(model__anyof=["nobody", None]).exists()


@pytest.mark.django_db
def test_anyof_uses_the_column_index() -> None:
    from shequ.people.models import Resident

    sql, params = Resident.objects.filter(id_hash__anyof=["a" * 64, "b" * 64]).values("id").query.sql_with_params()
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute(f"EXPLAIN QUERY PLAN {sql}", params)
        else:
            cursor.execute("SET LOCAL enable_seqscan = off")  # an empty table: the planner would scan it anyway
            cursor.execute(f"EXPLAIN {sql}", params)
        plan = " ".join(str(row) for row in cursor.fetchall())
    assert "people_resident_id_hash" in plan
