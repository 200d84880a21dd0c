"""API answers written without pydantic's check of every field, where the check would change nothing.

ninja answers an object by validating it against the response schema: a ``DjangoGetter`` around each object and a
Python call per field, then a dump of the validated copy.  On a list page of 50 service requests that was 5 ms of
14, for values that came from the database already of the schema's types — the check copied them.

``dump(schema, objects, context)`` reads each field as ninja's getter reads it (the field's alias, dotted through
related objects; the schema's ``resolve_<field>`` with or without the context) and checks the **exact** type of
every value against the field's annotation: ``str`` for ``str``, ``int`` (not ``bool``) for ``int``, ``float``
(not ``int``) for ``float``, ``Decimal``, ``datetime``, ``date`` (not ``datetime``), ``dict`` for ``dict`` (with
``str`` keys for ``dict[str, Any]``), a ``list`` of exact ``str`` / ``int`` for ``list[str]`` / ``list[int]``, and
``None`` where the annotation allows it. For such values pydantic's answer is the value itself, so the dictionaries
written here are what ninja would have written. The first value that is anything else (a lazy translation, a
manager, an enum member, a missing attribute) makes ``dump`` return None and the caller answers through ninja as
before; so does a schema with an annotation outside that list, constraints on a field, or validators of its own
(decided once per schema). ``core/tests/test_api_dump.py`` answers every list and object of the API both ways and
compares the bytes.
"""

from __future__ import annotations

import operator
import types
import typing
from collections.abc import Callable, Iterable
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpRequest, HttpResponse

# annotation → the exact types its values may have
_SCALARS: dict[Any, tuple[type, ...]] = {
    str: (str,),
    int: (int,),
    bool: (bool,),
    float: (float,),
    Decimal: (Decimal,),
    datetime: (datetime,),
    date: (date,),
    dict: (dict,),
}
# annotation → (its container, the exact type of its elements; a dictionary's: of its keys)
_CONTAINERS: dict[Any, tuple[type, type]] = {
    list[str]: (list, str),
    list[int]: (list, int),
    dict[str, Any]: (dict, str),
}

# One plan per schema: a list of (field name, reader, accepted types, element type of a list), or None.
Plan = list[tuple[str, Callable[[Any, Any], Any], tuple[type, ...], type | None]]
_plans: dict[type, Plan | None] = {}


def _accepted(annotation: Any) -> tuple[tuple[type, ...], type | None] | None:
    """The exact types a value of *annotation* may have (and a list's element type), or None: not handled."""
    allow_none = False
    if isinstance(annotation, types.UnionType) or typing.get_origin(annotation) is typing.Union:
        members = [a for a in typing.get_args(annotation) if a is not type(None)]
        allow_none = len(members) < len(typing.get_args(annotation))
        if len(members) != 1:
            return None
        annotation = members[0]
    none: tuple[type, ...] = (type(None),) if allow_none else ()
    if annotation in _CONTAINERS:
        container, element = _CONTAINERS[annotation]
        return (container, *none), element
    if annotation in _SCALARS:
        return (*_SCALARS[annotation], *none), None
    return None


def _reader(schema: Any, name: str, source: str) -> Callable[[Any, Any], Any]:
    resolver = schema._ninja_resolvers.get(name)
    if resolver is not None:
        func, takes_context = resolver._func, resolver._takes_context
        if not resolver._static:
            raise TypeError(name)
        if takes_context:
            return lambda obj, context: func(obj, context=context)
        return lambda obj, context: func(obj)
    get = operator.attrgetter(source)
    return lambda obj, context: get(obj)


def plan(schema: Any) -> Plan | None:
    """How to read *schema*'s fields straight from an object, or None when some field needs pydantic."""
    if schema in _plans:
        return _plans[schema]
    found: Plan | None = []
    decorators = schema.__pydantic_decorators__
    own = [
        decorators.field_validators,
        decorators.field_serializers,
        decorators.model_serializers,
        decorators.computed_fields,
        {k: v for k, v in decorators.model_validators.items() if k != "_run_root_validator"},
    ]
    if any(own) or schema.model_config.get("extra") == "forbid":
        found = None
    for name, field in schema.model_fields.items():
        accepted = _accepted(field.annotation)
        if found is None or accepted is None or field.metadata or field.validation_alias not in (None, field.alias):
            found = None
            break
        try:
            found.append((name, _reader(schema, name, field.alias or name), *accepted))
        except TypeError:
            found = None
    _plans[schema] = found
    return found


# Off: every answer goes through ninja's validation (the tests compare both ways).
ENABLED = True


def dump(schema: Any, objects: Iterable[Any], context: Any) -> list[dict[str, Any]] | None:
    """Each object as ninja would answer it through *schema*, or None when that needs pydantic (see above)."""
    fields = plan(schema) if ENABLED else None
    if fields is None:
        return None
    rows = []
    for obj in objects:
        row = {}
        for name, read, accepted, element in fields:
            try:
                value = read(obj, context)
            except (AttributeError, KeyError, TypeError, ValueError):
                return None  # ninja's getter would try harder (templates' lookups), or answer an error: let it
            if type(value) not in accepted:
                return None
            if element is not None and value is not None and any(type(v) is not element for v in value):
                return None
            text = _TEXT.get(type(value))
            row[name] = value if text is None else text(value)
        rows.append(row)
    return rows


# Values the encoder writes as text, written so here by the encoder's own conversion (Django's ``DjangoJSONEncoder``:
# milliseconds and ``Z``, ISO dates, decimals as text), one call each instead of ninja's chain of checks first.
_ENCODE = DjangoJSONEncoder().default
_TEXT: dict[type, Callable[[Any], str]] = {datetime: _ENCODE, date: _ENCODE, Decimal: _ENCODE}


# The API (``core.api.build_api``): its renderer writes the answers.
API: list[Any] = [None]


def answer(request: HttpRequest, data: Any, status: int = 200) -> HttpResponse:
    """*data* written by the API's renderer, as ninja writes a validated answer."""
    return API[0].create_response(request, data, status=status)


def context_of(request: HttpRequest, status: int = 200) -> dict[str, Any]:
    """The context ninja hands to resolvers that take one."""
    return {"request": request, "response_status": status}
