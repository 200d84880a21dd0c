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

# One plan per schema: a list of (field name, attribute path or None for a resolver, reader, accepted types, element
# type of a list), or None.
Plan = list[tuple[str, str | None, Callable[[Any, Any], Any], tuple[type, ...], type | None]]
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


def _reader(schema: Any, name: str, source: str) -> tuple[str | None, Callable[[Any, Any], Any]]:
    """How a field is read: (its attribute path, or None for the schema's resolver; a function reading it)."""
    resolver = schema._ninja_resolvers.get(name)
    if resolver is not None:
        func, takes_context = resolver._func, resolver._takes_context
        if not resolver._static:
            raise TypeError(name)
        if takes_context:
            return None, lambda obj, context: func(obj, context=context)
        return None, lambda obj, context: func(obj)
    get = operator.attrgetter(source)
    return source, lambda obj, context: get(obj)


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
            found.append((name, *_reader(schema, name, field.alias or name), *accepted))
        except TypeError:
            found = None
    _plans[schema] = found
    return found


def reads(*fields: str) -> Callable[[Any], Any]:
    """Say which fields of the object a schema's ``resolve_<field>`` reads (ORM names, ``__`` through relations),
    so that a list through the schema selects only what its answer holds (``columns``)."""

    def mark(func: Any) -> Any:
        target = getattr(func, "__func__", func)
        target.reads = fields
        return func

    return mark


def columns(schema: Any, model: Any, select_related: Iterable[str] = ()) -> tuple[str, ...] | None:
    """The fields of *model* that an answer through *schema* reads, as ``QuerySet.only()`` takes them — each field's
    alias or name, dotted through relations (those not in *select_related* as their key alone: the related row is
    read as before), and what the schema's resolvers say they read (``reads``).  None when that is not known: a
    schema answered through pydantic, a resolver that does not say, a source that is not a field (a property)."""
    from django.core.exceptions import FieldDoesNotExist

    fields = plan(schema)
    if fields is None:
        return None
    joined = set(select_related)
    found = {"pk"}
    for name, source, _read, _accepted, _element in fields:
        if source is None:
            said = getattr(getattr(schema._ninja_resolvers[name], "_func", None), "reads", None)
            if said is None:
                return None
            found.update(said)
            continue
        current, path, parts = model, [], source.split(".")
        for index, part in enumerate(parts):
            final = index == len(parts) - 1
            try:
                field = current._meta.get_field(part)
            except FieldDoesNotExist:
                return None
            if field.many_to_many or field.one_to_many or not field.concrete:
                return None
            path.append(field.name)
            if not field.is_relation or part == field.attname:  # a value, or a key (``category_id``)
                if not final:
                    return None  # an attribute of a value (``created.year``)
                break
            if "__".join(path) not in joined:
                break  # a related row read by itself, as before: its key is what is selected
            if final:
                return None  # the related object itself in the answer: all of it
            current = field.related_model
        found.add("__".join(path))
    return tuple(sorted(found))


# Off: every answer goes through ninja's validation (the tests compare both ways).
ENABLED = True


def dump(schema: Any, objects: Iterable[Any], context: Any) -> list[dict[str, Any]] | None:
    """Each object as ninja would answer it through *schema*, or None when that needs pydantic (see above)."""
    write = writer(schema) if ENABLED else None
    return None if write is None else write(objects, context)


_writers: dict[type, Callable[[Iterable[Any], Any], list[dict[str, Any]] | None] | None] = {}


def writer(schema: Any) -> Callable[[Iterable[Any], Any], list[dict[str, Any]] | None] | None:
    """*schema*'s plan as one function over a list of objects, written out once per schema: what a loop over the
    plan's fields did for every field of every row (unpack the field's entry, call its reader, look up its
    conversion) is done once, and a field read as an attribute is read as one (``obj.category.name``)."""
    if schema not in _writers:
        fields = plan(schema)
        _writers[schema] = None if fields is None else _write_function(fields)
    return _writers[schema]


def _write_function(fields: Plan) -> Callable[[Iterable[Any], Any], list[dict[str, Any]] | None]:
    names: dict[str, Any] = {"TEXT": _TEXT}
    reads, checks, items = [], [], []
    for i, (name, source, read, accepted, element) in enumerate(fields):
        if source is not None and all(part.isidentifier() for part in source.split(".")):
            reads.append(f"v{i} = obj.{source}")
        else:
            names[f"read{i}"] = read
            reads.append(f"v{i} = read{i}(obj, context)")
        names[f"accepted{i}"] = accepted
        checks.append(f"if type(v{i}) not in accepted{i}: return None")
        if element is not None:
            names[f"element{i}"] = element
            checks.append(f"if v{i} is not None and any(type(v) is not element{i} for v in v{i}): return None")
        if set(accepted) & set(_TEXT):
            items.append(f"{name!r}: v{i} if type(v{i}) not in TEXT else TEXT[type(v{i})](v{i})")
        else:
            items.append(f"{name!r}: v{i}")
    body = "\n".join(
        [
            "def write(objects, context):",
            "    rows = []",
            "    for obj in objects:",
            "        try:",
            *(f"            {line}" for line in reads),
            "        except (AttributeError, KeyError, TypeError, ValueError):",
            "            return None",  # ninja's getter would try harder (templates' lookups), or answer an error
            *(f"        {line}" for line in checks),
            "        rows.append({" + ", ".join(items) + "})",
            "    return rows",
        ]
    )
    exec(compile(body, f"<api_dump writer of {len(fields)} fields>", "exec"), names)  # noqa: S102 - our own text
    return names["write"]  # type: ignore[no-any-return]


# Values the encoder writes as text, written so here as Django's ``DjangoJSONEncoder`` writes them (milliseconds and
# ``Z``, ISO dates, decimals as text), one call each instead of ninja's chain of checks first.
_ENCODE = DjangoJSONEncoder().default


def _datetime_text(value: datetime) -> str:
    """``DjangoJSONEncoder().default(value)`` for a datetime, without its chain of type checks first (a list page
    of requests has five datetimes a row): ISO text, to the millisecond, UTC as ``Z``.  ``test_api_dump`` and
    ``DatetimeTextTests`` compare it with the encoder."""
    text = value.isoformat()
    if value.microsecond:
        text = text[:23] + text[26:]
    return text[:-6] + "Z" if text.endswith("+00:00") else text


_TEXT: dict[type, Callable[[Any], str]] = {datetime: _datetime_text, date: _ENCODE, Decimal: _ENCODE}


# The API (``core.api.build_api``): its renderer writes the answers.
API: list[Any] = [None]


def answer(request: HttpRequest, data: Any, status: int = 200) -> HttpResponse:
    """*data* written by the API's renderer, as ninja writes a validated answer."""
    return API[0].create_response(request, data, status=status)


def context_of(request: HttpRequest, status: int = 200) -> dict[str, Any]:
    """The context ninja hands to resolvers that take one."""
    return {"request": request, "response_status": status}
