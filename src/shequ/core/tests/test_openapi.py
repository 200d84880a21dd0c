"""The API documents itself: every operation of every app carries a description written for it."""

from __future__ import annotations

from django.test import SimpleTestCase

# A description is a sentence or more, not a label such as "Party convert".
MIN_WORDS = 4


def _generated(operation: dict) -> set[str]:
    """What django-ninja writes when nobody wrote anything: the function's name (for an ObjectAction, its
    operation id) title-cased, as the summary."""
    op_id = operation.get("operationId", "")
    return {
        " ".join(str(operation.get("summary", "")).split()).lower(),
        op_id.replace("_", " ").lower(),
    }


class OpenAPIDescriptionTests(SimpleTestCase):
    maxDiff = None

    def test_every_operation_has_a_description_of_its_own(self) -> None:
        """Every operation in /api/v1/openapi.json has a ``description`` (django-ninja takes it from the view's
        docstring, or ``description=``) that is more than the summary ninja derives from the function name."""
        response = self.client.get("/api/v1/openapi.json")
        self.assertEqual(response.status_code, 200)
        schema = response.json()
        operations = [
            (method.upper(), path, operation)
            for path, methods in schema["paths"].items()
            for method, operation in methods.items()
        ]
        self.assertGreater(len(operations), 100, "the schema lists every app's operations")
        undocumented = []
        for method, path, operation in operations:
            text = " ".join(str(operation.get("description") or "").split())
            if not text or text.rstrip(".").lower() in _generated(operation) or len(text.split()) < MIN_WORDS:
                undocumented.append(f"{method} {path} ({operation.get('operationId')}): {text!r}")
        self.assertEqual(
            undocumented,
            [],
            f"{len(undocumented)} of {len(operations)} operations lack a description: "
            "give the view (or the ObjectAction's runner) a docstring saying what it does and the rule it enforces",
        )

    def test_generic_summaries_name_the_model_in_english(self) -> None:
        """The generic operations say "List party members" / "Get an organization", not the model's code name
        ("List partymembers", "Create a organization")."""
        schema = self.client.get("/api/v1/openapi.json").json()
        summaries = {
            op["operationId"]: op["summary"] for methods in schema["paths"].values() for op in methods.values()
        }
        self.assertEqual(summaries["list_partymembers"], "List party members")
        self.assertEqual(summaries["list_auditentrys"], "List audit entries")
        self.assertEqual(summaries["get_organization"], "Get an organization")
        self.assertEqual(summaries["get_user"], "Get a user")
        for op_id, summary in summaries.items():
            if op_id.startswith(("list_", "get_", "create_", "update_", "delete_")):
                self.assertNotRegex(summary, r"\b(a [aeio]|an [^aeiou])", op_id)


class NestedRoutesTests(SimpleTestCase):
    """The API's routes, nested by their first segments for a quicker resolution (``core.api.nested_urls``),
    are the same routes with the same names, views and order."""

    def flatten(self, patterns: list, prefix: str = "") -> list:  # type: ignore[type-arg]
        found = []
        for pattern in patterns:
            route = prefix + str(pattern.pattern)
            if hasattr(pattern, "url_patterns"):
                found += self.flatten(pattern.url_patterns, route)
            else:
                found.append((route, pattern.name))
        return found

    def test_every_route_is_kept(self) -> None:
        from django.urls import get_resolver, resolve, reverse

        from shequ.api import api

        flat = [(str(p.pattern), p.name) for p in api.urls[0]]  # type: ignore[union-attr]
        served = next(p for p in get_resolver().url_patterns if str(p.pattern) == "api/v1/")
        nested = self.flatten(served.url_patterns)  # type: ignore[union-attr]
        self.assertEqual(sorted(nested), sorted(flat))
        self.assertLess(len(served.url_patterns), 40)  # type: ignore[union-attr]
        # Within one prefix the order is the flat list's (the first route that matches wins).
        for head in ("services/", "oversight/", "party/"):
            self.assertEqual([r for r in nested if r[0].startswith(head)], [r for r in flat if r[0].startswith(head)])
        match = resolve("/api/v1/services/requests/12")
        self.assertEqual((match.url_name, match.kwargs), ("get_object", {"pk": "12"}))
        self.assertEqual(reverse("api:openapi-json"), "/api/v1/openapi.json")
