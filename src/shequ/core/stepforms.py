"""A step form as an API body: the pydantic schema derived from a Django form's fields, and the form data
made back from a validated body — so that a step's page and its ``POST /{pk}/<step>`` validate alike.

``ModelChoiceField`` *x* is sent as ``x_id`` (as ``x`` when it is chosen by another key, ``to_field_name``;
``ModelMultipleChoiceField`` as ``x_ids``); file fields are not
part of a JSON body (such steps are offered on the page only, unless the step declares its own payload)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from functools import cache
from typing import Any, Literal

from django import forms
from django.core import validators
from ninja import Schema
from pydantic import Field, create_model


def _bounds(field: forms.Field) -> dict[str, Any]:
    found: dict[str, Any] = {}
    for v in field.validators:
        if isinstance(v, validators.MinValueValidator):
            found["ge"] = v.limit_value
        elif isinstance(v, validators.MaxValueValidator):
            found["le"] = v.limit_value
        elif isinstance(v, validators.MaxLengthValidator):
            found["max_length"] = v.limit_value
        elif isinstance(v, validators.MinLengthValidator):
            found["min_length"] = v.limit_value
    return found


def _choice_keys(field: forms.ChoiceField) -> tuple[Any, ...]:
    keys: list[Any] = []
    for key, label in field.choices:  # type: ignore[misc, union-attr]
        if isinstance(label, (list, tuple)):  # an optgroup
            keys.extend(k for k, _l in label)
        elif key not in ("", None):
            keys.append(key)
    return tuple(keys)


def _annotation(field: forms.Field) -> tuple[str, Any, dict[str, Any]] | None:
    """(suffix of the JSON name, type, Field keyword arguments) for *field*; None: not in a JSON body."""
    kw: dict[str, Any] = {}
    if field.label:
        kw["description"] = str(field.label)
    if isinstance(field, forms.FileField):
        return None
    if isinstance(field, forms.ModelMultipleChoiceField):
        return "_ids", list[int], kw
    if isinstance(field, forms.ModelChoiceField):
        if field.to_field_name:  # chosen by a key of its own (a tracking code …), sent as that key
            return "", str, kw
        return "_id", int, kw
    if isinstance(field, forms.BooleanField):
        return "", bool, kw
    if isinstance(field, forms.TypedChoiceField) and field.coerce is int:
        keys = _choice_keys(field)
        return "", (Literal[keys] if keys else int), kw  # type: ignore[valid-type]
    if isinstance(field, forms.MultipleChoiceField):
        keys = tuple(str(k) for k in _choice_keys(field))
        return "", list[Literal[keys]] if keys else list[str], kw  # type: ignore[valid-type]
    if isinstance(field, forms.ChoiceField):
        keys = tuple(str(k) for k in _choice_keys(field))
        return "", (Literal[keys] if keys else str), kw  # type: ignore[valid-type]
    if isinstance(field, forms.DecimalField):
        kw.update({k: v for k, v in _bounds(field).items() if k in ("ge", "le")})
        if field.max_digits is not None:
            kw["max_digits"] = field.max_digits
        if field.decimal_places is not None:
            kw["decimal_places"] = field.decimal_places
        return "", Decimal, kw
    if isinstance(field, forms.IntegerField):
        kw.update({k: v for k, v in _bounds(field).items() if k in ("ge", "le")})
        return "", int, kw
    if isinstance(field, forms.FloatField):
        kw.update({k: v for k, v in _bounds(field).items() if k in ("ge", "le")})
        return "", float, kw
    if isinstance(field, forms.DateTimeField):
        return "", datetime, kw
    if isinstance(field, forms.DateField):
        return "", date, kw
    if isinstance(field, forms.JSONField):
        return "", Any, kw
    kw.update({k: v for k, v in _bounds(field).items() if k in ("max_length", "min_length")})
    if field.required and "min_length" not in kw:
        kw["min_length"] = 1
    return "", str, kw


@cache
def body_schema(form_class: type[forms.Form], name: str) -> tuple[type[Schema], dict[str, str]]:
    """The JSON body schema of *form_class* (named *name*) and the map JSON name → form field name."""
    form = form_class(user=None)  # type: ignore[call-arg]
    fields: dict[str, Any] = {}
    names: dict[str, str] = {}
    for field_name, field in form.fields.items():
        found = _annotation(field)
        if found is None:
            continue
        suffix, annotation, kw = found
        json_name = f"{field_name}{suffix}"
        names[json_name] = field_name
        if field.required and not isinstance(field, forms.BooleanField):
            fields[json_name] = (annotation, Field(..., **kw))
        elif isinstance(field, forms.BooleanField):
            fields[json_name] = (bool, Field(False, **kw))
        else:
            fields[json_name] = (annotation | None, Field(None, **kw))  # type: ignore[operator]
    return create_model(name, __base__=Schema, **fields), names  # type: ignore[call-overload]


def form_data(payload: Any, names: dict[str, str]) -> dict[str, Any]:
    """The form's data from a validated body: JSON names back to field names, values as a form posts them."""
    data: dict[str, Any] = {}
    raw = payload.model_dump(mode="json") if payload is not None else {}
    for json_name, value in raw.items():
        if value is None:
            continue
        field_name = names.get(json_name, json_name)
        if isinstance(value, bool):
            if value:
                data[field_name] = "on"
            continue
        data[field_name] = value
    return data


def has_file_field(form_class: type[forms.Form]) -> bool:
    return any(isinstance(f, forms.FileField) and f.required for f in form_class(user=None).fields.values())  # type: ignore[call-arg]
