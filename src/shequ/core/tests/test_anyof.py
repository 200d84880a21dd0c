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
    if connection.vendor == "postgresql":  # the text values as one JSON document, not an array dumped per element
        assert "jsonb_array_elements_text" in ctx.captured_queries[0]["sql"]


@pytest.mark.django_db
def test_anyof_with_numbers_and_with_nothing() -> None:
    made = [ContentType.objects.create(app_label="anyof_test", model=f"m{i}") for i in range(3)]
    ids = [made[0].pk, made[2].pk, 10**9]
    with CaptureQueriesContext(connection) as ctx:
        assert set(ContentType.objects.filter(pk__anyof=ids).values_list("pk", flat=True)) == {ids[0], ids[1]}
    if connection.vendor == "postgresql":
        assert "jsonb" not in ctx.captured_queries[0]["sql"]
    assert not ContentType.objects.filter(model__anyof=[]).exists()
    assert not ContentType.objects.filter(model__anyof=[None]).exists()
