"""API answers written without pydantic's check of every field (``core.api_dump``) are, byte for byte, what ninja
writes through the schema: every list and object of the API, on the demo city, as users who see different parts of
it (and identity numbers in full or masked)."""

from __future__ import annotations

import io
import json
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal
from typing import Any
from unittest import mock
from zoneinfo import ZoneInfo

from django.core.management import call_command
from django.core.serializers.json import DjangoJSONEncoder
from django.test import SimpleTestCase, TestCase
from django.utils.translation import gettext_lazy
from ninja import Field, Schema

from shequ.accounts.models import User
from shequ.core import api_dump


def operations() -> dict[str, str]:
    """operationId → path of every GET operation of the API."""
    from shequ.api import api

    schema = api.get_openapi_schema(path_prefix="/api/v1/")
    return {op["operationId"]: path for path, item in schema["paths"].items() for m, op in item.items() if m == "get"}


class SameAnswerTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        call_command("seed", scale="tiny", seed=1, password="dump-pass-123", stdout=io.StringIO())

    def test_every_list_and_object_answers_as_ninja_does(self) -> None:
        from shequ.core.api import _CRUD_CONTEXT

        paths = operations()
        names = sorted({name for _base, _schema, name in _CRUD_CONTEXT.values()})
        fast_answers = 0
        compared_items = 0
        real_answer = api_dump.answer

        def counting_answer(*args: Any, **kwargs: Any) -> Any:
            nonlocal fast_answers
            fast_answers += 1
            return real_answer(*args, **kwargs)

        for username in ("admin", "street", "community", "grid", "auditor"):
            user = User.objects.filter(username=username).first()
            if user is None:
                continue
            self.client.force_login(user)
            for name in names:
                url = paths[f"list_{name}s"] + "?page_size=25"
                with mock.patch.object(api_dump, "ENABLED", False):
                    slow = self.client.get(url)
                with mock.patch.object(api_dump, "answer", counting_answer):
                    fast = self.client.get(url)
                with self.subTest(user=username, list=name):
                    self.assertEqual((fast.status_code, fast.content), (slow.status_code, slow.content))
                items = slow.json().get("items", []) if slow.status_code == 200 else []
                compared_items += len(items)
                if items and f"get_{name}" in paths:
                    detail = paths[f"get_{name}"].replace("{pk}", str(items[-1]["id"]))
                    with mock.patch.object(api_dump, "ENABLED", False):
                        slow = self.client.get(detail)
                    fast = self.client.get(detail)
                    with self.subTest(user=username, object=name):
                        self.assertEqual((fast.status_code, fast.content), (slow.status_code, slow.content))
        # Not a comparison of two slow answers: most lists and objects went the fast way, with rows in them.
        self.assertGreater(fast_answers, 100)
        self.assertGreater(compared_items, 500)

    # A list page selects only the columns its answer holds (``api_dump.columns``, ``QuerySet.only``): each item is
    # what the object's own address answers (read whole), and no row costs a query of its own.
    def test_each_item_of_a_list_is_its_object_read_whole(self) -> None:
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        from shequ.core.api import _CRUD_CONTEXT

        paths = operations()
        names = sorted({name for _base, _schema, name in _CRUD_CONTEXT.values()})
        compared = 0
        for username in ("admin", "street", "community"):
            self.client.force_login(User.objects.get(username=username))
            for name in names:
                url = paths[f"list_{name}s"]
                self.client.get(url + "?page_size=2")  # the user's grants and the count, remembered
                self.client.get(url + "?page_size=30")
                with CaptureQueriesContext(connection) as few:
                    self.client.get(url + "?page_size=2")
                with CaptureQueriesContext(connection) as many:
                    listed = self.client.get(url + "?page_size=30")
                with self.subTest(user=username, list=name):
                    self.assertEqual(len(many), len(few))  # nothing deferred is read row by row
                if listed.status_code != 200 or f"get_{name}" not in paths:
                    continue
                for item in listed.json()["items"][:10]:
                    whole = self.client.get(paths[f"get_{name}"].replace("{pk}", str(item["id"])))
                    with self.subTest(user=username, object=name, pk=item["id"]):
                        self.assertEqual(item, whole.json())
                    compared += 1
        self.assertGreater(compared, 200)

    def test_the_columns_a_schema_reads(self) -> None:
        from shequ.services.api import RequestOut
        from shequ.services.models import ServiceRequest

        found = api_dump.columns(RequestOut, ServiceRequest, ("category",))
        assert found is not None
        self.assertIn("category__name", found)  # through the joined category: its name alone
        self.assertIn("status", found)  # what resolve_status_display says it reads
        self.assertNotIn("phone", found)
        self.assertNotIn("description", set(found) - set(RequestOut.model_fields))
        # not joined: the key is selected, the category read by itself as before
        self.assertIn("category", api_dump.columns(RequestOut, ServiceRequest) or ())

        class Resolved(Schema):
            id: int
            shown: str

            @staticmethod
            def resolve_shown(obj: Any) -> str:
                return str(obj)

        class Property(Schema):
            id: int
            overdue: bool

        class OfAValue(Schema):
            id: int
            year: int = Field(..., alias="created.year")

        class Related(Schema):
            id: int
            category_id: int
            category_code: str = Field(..., alias="category.code")

        self.assertIsNone(api_dump.columns(Resolved, ServiceRequest))  # says nothing of what it reads
        self.assertIsNone(api_dump.columns(Property, ServiceRequest))  # a property: not a column
        self.assertIsNone(api_dump.columns(OfAValue, ServiceRequest))
        self.assertEqual(
            api_dump.columns(Related, ServiceRequest, ("category",)), ("category", "category__code", "id", "pk")
        )

    def test_identity_numbers_stay_masked_the_fast_way(self) -> None:
        from shequ.people.models import Resident

        auditor = User.objects.get(username="auditor")  # reads everything, identity numbers masked
        self.client.force_login(auditor)
        resident = Resident.objects.restrict(auditor, "view").exclude(id_number="").first()
        assert resident is not None
        answer = self.client.get(f"/api/v1/people/residents/{resident.pk}").json()
        self.assertIn("*", answer["id_number"])
        listed = self.client.get("/api/v1/people/residents/?page_size=500").content.decode()
        self.assertIn(resident.id_masked, listed)
        self.assertNotIn(resident.id_number, listed)


class Flag(Schema):
    id: int
    name: str
    note: str | None = None
    share: float | None = None
    amount: Decimal | None = None
    day: date | None = None
    at: datetime | None = None
    data: dict[str, Any] = {}
    codes: list[str] = []
    parent_name: str = Field("", alias="parent.name")


class Obj:
    def __init__(self, **values: Any) -> None:
        self.__dict__.update(values)


def obj(**changes: Any) -> Obj:
    values: dict[str, Any] = {
        "id": 1,
        "name": "甲",
        "note": None,
        "share": 0.5,
        "amount": Decimal("1.50"),
        "day": date(2026, 1, 2),
        "at": datetime(2026, 1, 2, 3, 4, 5),
        "data": {"a": 1},
        "codes": ["x"],
        "parent": Obj(name="乙"),
    }
    return Obj(**{**values, **changes})


class DumpRulesTests(SimpleTestCase):
    def test_values_of_the_exact_types_are_written_as_they_are(self) -> None:
        from ninja.responses import NinjaJSONEncoder

        for at in (datetime(2026, 1, 2, 3, 4, 5), datetime(2026, 1, 2, 3, 4, 5, 123456, tzinfo=UTC)):
            rows = api_dump.dump(Flag, [obj(at=at)], {})
            assert rows is not None
            self.assertEqual(rows[0]["parent_name"], "乙")
            ninja = Flag.model_validate(obj(at=at)).model_dump()
            self.assertEqual(json.dumps(rows[0], cls=NinjaJSONEncoder), json.dumps(ninja, cls=NinjaJSONEncoder))

    def test_anything_pydantic_would_convert_goes_to_pydantic(self) -> None:
        for changes in (
            {"id": True},  # a bool where an int is due: pydantic writes 1
            {"share": 1},  # an int where a float is due: pydantic writes 1.0
            {"day": datetime(2026, 1, 2, 3, 4)},  # a datetime where a date is due
            {"name": gettext_lazy("Name")},  # a lazy translation
            {"codes": ["x", 2]},  # a list with an element of another type
            {"data": {1: "a"}},  # a key that is not text
            {"parent": None},  # a dotted alias through nothing
        ):
            with self.subTest(changes=changes):
                self.assertIsNone(api_dump.dump(Flag, [obj(), obj(**changes)], {}))

    def test_schemas_pydantic_must_check_are_never_written_the_fast_way(self) -> None:
        class Bounded(Schema):
            name: str = Field(..., max_length=3)

        class Choice(Schema):
            kind: Any

        self.assertIsNone(api_dump.plan(Bounded))
        self.assertIsNone(api_dump.plan(Choice))
        self.assertIsNotNone(api_dump.plan(Flag))


class DatetimeTextTests(SimpleTestCase):
    def test_a_datetime_is_written_as_djangos_encoder_writes_it(self) -> None:
        encoder = DjangoJSONEncoder()
        zones = [UTC, ZoneInfo("Asia/Shanghai"), timezone(timedelta(hours=-3, minutes=-30)), None]
        moments = [datetime(2026, 12, 4, 16, 54, 30, micro) for micro in (0, 1, 123456, 999999, 500)]
        moments += [datetime(1, 1, 1), datetime(9999, 12, 31, 23, 59, 59, 999999)]
        for moment in moments:
            for zone in zones:
                value = moment.replace(tzinfo=zone)
                with self.subTest(value=repr(value)):
                    self.assertEqual(api_dump._TEXT[datetime](value), encoder.default(value))
