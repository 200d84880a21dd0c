"""Every model bound holds on every write path of the API, and every list's paging is bounded.

The bad values are made from the model's fields (their length, digits, validators, choices, the range a
PostgreSQL column holds), independently of how the API derives its schemas, so that a body field that forgot
its bound fails here."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

from django.core import validators
from django.db import models
from django.db.backends.base.operations import BaseDatabaseOperations

from shequ.accounts.models import APIToken
from shequ.core.api import _CRUD_CONTEXT
from shequ.core.bounds import check_instance, model_field
from shequ.core.exceptions import FieldErrors
from shequ.core.testing import WorldTestCase
from shequ.territory.models import Kind, Node

HUGE = 727972197623737081659392


def bad_values(field: models.Field) -> list[Any]:
    """Values *field* cannot hold, made from its declaration alone."""
    found: list[Any] = []
    if field.choices:
        keys = [k for k, _l in field.flatchoices]  # type: ignore[misc]
        found.append(999_999 if all(isinstance(k, int) for k in keys) else "no-such-choice")
    elif isinstance(field, (models.CharField, models.TextField)) and field.max_length:
        found.append("x" * (field.max_length + 1))
    if isinstance(field, models.DecimalField):
        found.append(3.768e16)
    for v in field._validators:  # type: ignore[attr-defined]
        if isinstance(v, validators.MaxValueValidator):
            found.append(float(v.limit_value) + 1)
        elif isinstance(v, validators.MinValueValidator):
            found.append(float(v.limit_value) - 1)
    target = field.target_field if isinstance(field, models.ForeignKey) else field
    if isinstance(target, models.IntegerField) and not field.choices:
        low, high = BaseDatabaseOperations.integer_field_ranges[target.get_internal_type()]
        found += [high + 1, low - 1]
    if isinstance(field, (models.DateField, models.DateTimeField)):
        found.append("0001-01-01" if type(field) is models.DateField else "0001-01-01T00:00:00+08:00")
    return found


def _resolve(schema: dict[str, Any], components: dict[str, Any]) -> dict[str, Any]:
    ref = schema.get("$ref")
    return components[ref.rsplit("/", 1)[-1]] if ref else schema


class APIBoundsTests(WorldTestCase):
    def setUp(self) -> None:
        _t, key = APIToken.issue(self.world.admin)
        self.auth = {"HTTP_AUTHORIZATION": f"Bearer {key}"}
        self.schema = self.client.get("/api/v1/openapi.json").json()
        self.models = {name: base().model for base, _out, name in _CRUD_CONTEXT.values()}

    def writes(self) -> list[tuple[str, str, Any, dict[str, Any]]]:
        """(method, path, model, body properties) of every create, update and object action of a crud router."""
        components = self.schema["components"]["schemas"]
        found = []
        for path, methods in self.schema["paths"].items():
            for method, op in methods.items():
                body = op.get("requestBody", {}).get("content", {}).get("application/json")
                name = op["operationId"].rsplit("_", 1)[-1]
                if body is None or name not in self.models or method not in ("post", "patch"):
                    continue
                if not op["operationId"].startswith(("create_", "update_")):
                    continue
                props = _resolve(body["schema"], components).get("properties", {})
                found.append((method, path.replace("{pk}", "1"), self.models[name], props))
        return found

    def test_every_bounded_field_of_every_api_body_refuses_what_its_model_cannot_hold(self) -> None:
        """For each create/update body of every model, each field named after a bounded model field, sent out
        of bounds (too long, too many digits, out of range, not a choice, a year the database cannot hold):
        422 naming the field, nothing written."""
        writes = self.writes()
        self.assertGreater(len(writes), 15, "every model's create and update operations")
        checked, failures = 0, []
        for method, path, model, props in writes:
            for prop in props:
                field = model_field(model, prop)
                if field is None:
                    continue
                for value in bad_values(field):
                    before = model._default_manager.count()
                    response = getattr(self.client, method)(
                        path, json.dumps({prop: value}), content_type="application/json", **self.auth
                    )
                    checked += 1
                    named = {d.get("field") for d in response.json().get("details", [])}
                    if response.status_code != 422 or prop not in named:
                        failures.append(f"{method.upper()} {path} {prop}={str(value)[:30]}: {response.status_code}")
                    self.assertEqual(model._default_manager.count(), before)
        self.assertGreater(checked, 100)
        self.assertEqual(failures, [], f"{len(failures)} of {checked} out-of-bounds values were not refused")


class ModelBoundsTests(WorldTestCase):
    def test_a_save_out_of_bounds_is_refused_whatever_the_path(self) -> None:
        """The last line: no Shequ model saves a value its database could not hold or read back."""
        node = Node(parent=self.world.street_a, kind=Kind.COMMUNITY, name="x" * 101, latitude=91.0, longitude=0)
        with self.assertRaises(FieldErrors) as raised:
            node.save()
        self.assertEqual({d["field"] for d in raised.exception.details}, {"name", "latitude"})
        self.assertFalse(Node.objects.filter(latitude=91.0).exists())
        self.world.community_a.latitude = 39.9
        self.world.community_a.save(update_fields=["latitude"])  # in bounds: saved

    def test_decimals_are_checked_as_stored(self) -> None:
        from shequ.services.models import ServiceRequest

        check_instance(ServiceRequest(lat=Decimal("39.90421234"), long=Decimal("116.4")), ("lat", "long"))
        with self.assertRaises(FieldErrors):
            check_instance(ServiceRequest(lat=Decimal("3.768e16")), ("lat",))
        with self.assertRaises(FieldErrors):
            check_instance(ServiceRequest(long=Decimal("NaN")), ("long",))


class PagingTests(WorldTestCase):
    BAD = (str(HUGE), "-1", "0", "abc", "1e400")

    def test_every_api_list_refuses_pages_out_of_bounds(self) -> None:
        """``page`` and ``page_size`` of every list of the API: huge, negative, zero or not a number → 422 naming
        the parameter; in bounds → 200."""
        _t, key = APIToken.issue(self.world.admin)
        auth = {"HTTP_AUTHORIZATION": f"Bearer {key}"}
        schema = self.client.get("/api/v1/openapi.json").json()
        lists = [
            path
            for path, methods in schema["paths"].items()
            if "get" in methods
            and "{" not in path
            and {"page", "page_size"} <= {p["name"] for p in methods["get"].get("parameters", [])}
        ]
        self.assertGreater(len(lists), 20)
        failures = []
        for path in lists:
            for param in ("page", "page_size"):
                for value in (*self.BAD, "501" if param == "page_size" else "100001"):
                    response = self.client.get(path, {param: value}, **auth)  # type: ignore[arg-type]
                    named = {d.get("field") for d in response.json().get("details", [])}
                    if response.status_code != 422 or param not in named:
                        failures.append(f"{path}?{param}={value}: {response.status_code}")
            response = self.client.get(path, {"page": 3, "page_size": 500}, **auth)  # type: ignore[arg-type]
            if response.status_code != 200:
                failures.append(f"{path}?page=3&page_size=500: {response.status_code}")
        self.assertEqual(failures, [])

    def test_html_lists_answer_any_page(self) -> None:
        """A page number or size out of bounds on a page of the site: a page of the list, never an error."""
        self.login(self.world.admin)
        lists = ("/people/households/", "/people/tags/", "/party/dues/", "/orgs/posts/", "/territory/nodes/")
        for url in (*lists, "/services/requests/", "/open311/v2/requests.json"):
            for query in (f"page={HUGE}", "page=-3", "page=abc", f"per_page={HUGE}", "per_page=-5", "per_page=x"):
                response = self.client.get(f"{url}?{query}")
                self.assertEqual(response.status_code, 200, f"{url}?{query}")
