"""The OpenAPI schema of /api/v1/ fuzzed by schemathesis, as an administrator and as a street officer: no
answer is a server error, and every list still reads afterwards (nothing stored that cannot be read back).

Bounded in time: ``SHEQU_FUZZ_EXAMPLES`` examples per operation and user (3 by default; the whole fuzz then
takes about a minute).  Select it alone with ``pytest -m fuzz``; leave it out with ``-m "not fuzz"``."""

from __future__ import annotations

import json
import os
import time
from typing import Any
from urllib.parse import quote

import pytest
import schemathesis
from django.db import transaction
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.errors import Unsatisfiable

from shequ.accounts.models import APIToken
from shequ.core.testing import WorldTestCase

EXAMPLES = int(os.environ.get("SHEQU_FUZZ_EXAMPLES", "3"))
# Operations whose answer is a file or a stream of it, not JSON; the fuzz still calls them.
METHODS = ("get", "post", "patch", "put", "delete")


@pytest.mark.fuzz
class OpenAPIFuzzTests(WorldTestCase):
    def send(self, case: Any, auth: dict[str, str]) -> Any:
        path = case.path
        for name, value in (case.path_parameters or {}).items():
            path = path.replace("{" + name + "}", quote(str(value), safe=""))
        query = {k: v for k, v in (case.query or {}).items() if v is not None}
        if query:
            from urllib.parse import urlencode

            path += "?" + urlencode(query, doseq=True)
        kwargs: dict[str, Any] = dict(auth)
        body = case.body
        if case.method.lower() in ("post", "patch", "put") and not (body is None or type(body).__name__ == "NotSet"):
            if case.media_type and "json" in case.media_type:
                kwargs.update(data=json.dumps(body), content_type="application/json")
            else:
                return None  # multipart uploads: covered by the import tests
        return (
            self.client.generic(case.method.upper(), path, **kwargs)
            if "data" in kwargs
            else getattr(self.client, case.method.lower())(path, **kwargs)
        )

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        from shequ.people.tests.helpers import resident
        from shequ.services.tests.helpers import ServicesTree, file

        # Something behind the first ids of the main registries, for the operations on one object.
        ServicesTree(cls.world)
        file(cls.world)
        resident(cls.world, cls.world.grid_a)

    def fuzz(
        self, operation: Any, username: str, auth: dict[str, str], failures: list[str], pk: str | None = None
    ) -> int:
        """Send ``EXAMPLES`` requests generated for *operation* (on the object *pk*, else on generated ids);
        note each server error in *failures*."""
        sent = 0

        @settings(
            max_examples=EXAMPLES,
            deadline=None,
            database=None,
            derandomize=True,
            phases=[Phase.explicit, Phase.generate],
            suppress_health_check=list(HealthCheck),
        )
        @given(case=operation.as_strategy(path_parameters={"pk": pk} if pk else None))
        def one(case: Any) -> None:
            nonlocal sent
            outcome: Any
            try:
                with transaction.atomic():  # a database error must not end the test's transaction
                    response = self.send(case, auth)
                outcome = response.status_code if response is not None else None
            except Exception as exc:  # the server error itself, as the client re-raises it
                outcome = f"{type(exc).__name__}: {str(exc)[:200]}"
            if outcome is None:
                return
            sent += 1
            if not isinstance(outcome, int) or outcome >= 500:
                failures.append(
                    f"{username} {case.method} {case.path} {case.path_parameters} {case.query} "
                    f"{str(case.body)[:300]} → {outcome}"
                )

        try:
            one()
        except Unsatisfiable:
            pass
        return sent

    def test_no_server_error_and_every_list_reads_afterwards(self) -> None:
        raw = self.client.get("/api/v1/openapi.json").json()
        schema = schemathesis.openapi.from_dict(raw)
        operations = [result.ok() for result in schema.get_all_operations()]  # type: ignore[union-attr]
        self.assertGreater(len(operations), 100)
        failures: list[str] = []
        started = time.monotonic()
        sent = 0
        for user in (self.world.admin, self.world.officer_a):
            _t, key = APIToken.issue(user)
            auth = {"HTTP_AUTHORIZATION": f"Bearer {key}"}
            for operation in operations:
                sent += self.fuzz(operation, user.username, auth, failures)
                if "{pk}" in operation.path:  # again on an object that exists (id 1 of each registry)
                    sent += self.fuzz(operation, user.username, auth, failures, pk="1")
        elapsed = time.monotonic() - started
        print(f"\nfuzz: {len(operations)} operations, {sent} requests, {elapsed:.1f}s")  # noqa: T201
        self.assertEqual(failures, [], "\n".join(failures[:40]))
        _t, key = APIToken.issue(self.world.admin)
        lists = [p for p, methods in raw["paths"].items() if "get" in methods and "{" not in p and p.endswith("/")]
        for path in lists:
            response = self.client.get(path, HTTP_AUTHORIZATION=f"Bearer {key}")
            paged = "page" in {p["name"] for p in raw["paths"][path]["get"].get("parameters", [])}
            self.assertEqual(response.status_code, 200, path) if paged else self.assertLess(response.status_code, 500)
