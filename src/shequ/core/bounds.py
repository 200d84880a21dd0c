"""A model's bounds, declared once on its fields and enforced on every write path.

The bounds are what the field declares (``max_length``, a decimal's digits, ``choices``, its validators such as
``LATITUDE``) and what every database we run on can hold (an ``IntegerField`` is 32 bits on PostgreSQL even
though SQLite would take 64).  From them:

* ``bounded_schema(schema, model)`` — an API body schema whose fields named after the model's fields carry
  those bounds (``crud_router`` applies it to every create, update and action body), so that a value out of
  bounds answers 422 naming the field and the OpenAPI schema documents the bound;
* ``check_value(field, value)`` — importers run it on each cell of a column named after a model field;
* ``check_instance(obj)`` — run before every save of a Shequ model (``pre_save``): a value the database could
  not hold, or could not read back (SQLite stores ``3.768e16`` in a ``DECIMAL(9, 6)`` and then fails to read
  it), raises ``FieldErrors`` (the API answers 422) and nothing is written.
"""

from __future__ import annotations

import enum
import math
import types
import typing
from datetime import date, datetime
from decimal import Context, Decimal, InvalidOperation
from functools import cache
from typing import Annotated, Any, Literal, Union

from django.core import validators
from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.db import models
from django.db.backends.base.operations import BaseDatabaseOperations
from django.utils.deconstruct import deconstructible
from django.utils.translation import gettext_lazy as _
from pydantic import AfterValidator, Field, create_model

from .exceptions import FieldErrors

LATITUDE = [validators.MinValueValidator(-90), validators.MaxValueValidator(90)]
LONGITUDE = [validators.MinValueValidator(-180), validators.MaxValueValidator(180)]

# The validators that bound a value (the others, e.g. an identity number's checksum, are the forms' business).
_BOUNDS = (
    validators.MaxLengthValidator,
    validators.DecimalValidator,
    validators.MinValueValidator,
    validators.MaxValueValidator,
    validators.ProhibitNullCharactersValidator,
)
# Dates and times the database and the time zone arithmetic both handle (year 1 in UTC+8 is year 0 in UTC).
FIRST_YEAR, LAST_YEAR = 1000, 9998


@deconstructible
class FiniteValidator:
    """No infinity, no NaN (JSON accepts neither, but Python's parser does)."""

    message = _("Enter a finite number.")
    code = "invalid"

    def __call__(self, value: Any) -> None:
        if isinstance(value, float) and not math.isfinite(value):
            raise ValidationError(self.message, code=self.code)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, FiniteValidator)


@deconstructible
class YearRangeValidator:
    message = _("Enter a date between the years %(first)d and %(last)d.")
    code = "invalid"

    def __call__(self, value: Any) -> None:
        if isinstance(value, date) and not FIRST_YEAR <= value.year <= LAST_YEAR:
            raise ValidationError(self.message, code=self.code, params={"first": FIRST_YEAR, "last": LAST_YEAR})

    def __eq__(self, other: object) -> bool:
        return isinstance(other, YearRangeValidator)


def integer_range(field: models.Field) -> tuple[int, int] | None:
    """The values every database we run on can hold in *field* (PostgreSQL's ranges; a key as its target)."""
    if isinstance(field, models.ForeignKey):
        field = field.target_field
    if not isinstance(field, models.IntegerField):
        return None
    return BaseDatabaseOperations.integer_field_ranges.get(field.get_internal_type())


@cache
def field_validators(field: models.Field) -> tuple[Any, ...]:
    """The validators that bound *field*'s values, the database's range of an integer included."""
    found: list[Any] = [v for v in field._validators if isinstance(v, _BOUNDS)]  # type: ignore[attr-defined]  # declared on the field
    if isinstance(field, (models.CharField, models.TextField)):
        if field.max_length is not None:
            found.append(validators.MaxLengthValidator(field.max_length))
        found.append(validators.ProhibitNullCharactersValidator())
    elif isinstance(field, models.DecimalField):
        found.append(validators.DecimalValidator(field.max_digits, field.decimal_places))
    elif isinstance(field, models.FloatField):
        found.append(FiniteValidator())
    elif isinstance(field, (models.DateField, models.DateTimeField)):
        found.append(YearRangeValidator())
    limits = integer_range(field)
    if limits is not None:
        found += [validators.MinValueValidator(limits[0]), validators.MaxValueValidator(limits[1])]
    return tuple(found)


def _rounded(field: models.DecimalField, value: Any) -> Any:
    """A decimal as the database stores it (rounded to the field's places); out of any precision: refused."""
    try:
        value = value if isinstance(value, Decimal) else Decimal(str(value))
        if not value.is_finite():
            raise InvalidOperation
        if field.decimal_places is not None:
            return value.quantize(Decimal(1).scaleb(-field.decimal_places), context=Context(prec=60))
        return value
    except (InvalidOperation, ValueError):
        raise ValidationError(
            _("Ensure that there are no more than %(max)s digits in total."),
            code="max_digits",
            params={"max": field.max_digits},
        ) from None


def check_value(field: models.Field, value: Any) -> None:
    """Raise ValidationError when *value* is out of *field*'s bounds (None and "" are the field's own business)."""
    if value is None or value == "":
        return
    if isinstance(field, models.DecimalField):
        value = _rounded(field, value)
    for validator in field_validators(field):
        try:
            validator(value)
        except TypeError:  # a value of another type (an expression, a parser's own object): not a bound's business
            continue


@cache
def value_checker(field: models.Field) -> Any:
    """``check_value`` for one field, for importers that check a million cells: a text within the field's
    length and without NUL characters passes without running the validators (the common case of a text
    field bounded by those two only), as does a parser's own object in such a field (an ``Identity``: its
    parser checked it); anything else goes through ``check_value``, with its messages."""
    kinds = {type(v) for v in field_validators(field)}
    max_length = getattr(field, "max_length", None)
    text_only = isinstance(field, (models.CharField, models.TextField)) and kinds <= {
        validators.MaxLengthValidator,
        validators.ProhibitNullCharactersValidator,
    }

    def check(value: Any) -> None:
        if text_only:
            if type(value) is not str:
                if isinstance(value, tuple):
                    return
            elif (max_length is None or len(value) <= max_length) and "\x00" not in value:
                return
        check_value(field, value)

    return check


@cache
def _bounded_fields(model: type[models.Model]) -> tuple[models.Field, ...]:
    return tuple(f for f in model._meta.concrete_fields if field_validators(f))


def check_instance(obj: models.Model, fields: Any = None) -> None:
    """Raise FieldErrors naming every field of *obj* (or of *fields*) whose value is out of bounds."""
    details: list[dict[str, str]] = []
    for field in _bounded_fields(type(obj)):
        if fields is not None and field.name not in fields and field.attname not in fields:
            continue
        try:
            check_value(field, getattr(obj, field.attname))
        except ValidationError as exc:
            details.extend({"field": field.name, "message": str(m)} for m in exc.messages)
    if details:
        raise FieldErrors(details)


def guard_save(sender: Any, instance: models.Model, raw: bool = False, update_fields: Any = None, **kw: Any) -> None:
    """``pre_save`` of every Shequ model: nothing out of bounds reaches the database, whichever path wrote it."""
    if raw or not sender.__module__.startswith("shequ."):
        return
    check_instance(instance, update_fields)


def form_field(model: type[models.Model], name: str, **kwargs: Any) -> Any:
    """The form field of *model*'s field *name* with every bound of it (its validators too, which a ModelForm
    would run on the instance), for a form that is not a ModelForm."""
    field = model._meta.get_field(name)
    formfield = field.formfield(**kwargs)  # type: ignore[union-attr]
    formfield.validators = [*formfield.validators, *(v for v in field._validators if v not in formfield.validators)]  # type: ignore[union-attr]
    return formfield


# -- API schemas --------------------------------------------------------------------------------------------------


def model_field(model: type[models.Model], name: str) -> models.Field | None:
    """The concrete field of *model* a body field *name* stands for (``x`` or a key sent as ``x_id``)."""
    try:
        field = model._meta.get_field(name)
    except FieldDoesNotExist:
        if not name.endswith("_id"):
            return None
        try:
            field = model._meta.get_field(name[:-3])
        except FieldDoesNotExist:
            return None
        if not isinstance(field, models.ForeignKey):
            return None
    if not getattr(field, "concrete", False) or field.many_to_many:
        return None
    if isinstance(field, models.ForeignKey) and name == field.name:
        return None  # the related object itself, not its key
    return field  # type: ignore[return-value]


def _unwrap(annotation: Any) -> tuple[Any, bool]:
    """``X | None`` → (X, True); anything else → (itself, False)."""
    if typing.get_origin(annotation) in (Union, types.UnionType):
        args = [a for a in typing.get_args(annotation) if a is not type(None)]
        if len(args) == 1 and len(typing.get_args(annotation)) == 2:
            return args[0], True
    return annotation, False


def _limits(field: models.Field) -> dict[str, Any]:
    kw: dict[str, Any] = {}
    for v in field_validators(field):
        if isinstance(v, validators.MinValueValidator):
            kw["ge"] = max(kw.get("ge", v.limit_value), v.limit_value)
        elif isinstance(v, validators.MaxValueValidator):
            kw["le"] = min(kw.get("le", v.limit_value), v.limit_value)
    return kw


def _no_nul(value: Any) -> Any:
    if isinstance(value, str) and "\x00" in value:
        raise ValueError(str(_("Null characters are not allowed.")))
    return value


def _in_years(value: Any) -> Any:
    if isinstance(value, date) and not FIRST_YEAR <= value.year <= LAST_YEAR:
        raise ValueError(str(YearRangeValidator.message) % {"first": FIRST_YEAR, "last": LAST_YEAR})
    return value


def _choices(field: models.Field, kind: type) -> tuple[Any, ...]:
    keys = [k.value if isinstance(k, enum.Enum) else k for k, _label in field.flatchoices]  # type: ignore[misc]
    keys = [k for k in keys if k not in ("", None)]
    if kind is str and field.blank:
        keys.append("")
    return tuple(k for k in keys if isinstance(k, kind) and not isinstance(k, bool))


def bounded_type(field: models.Field, annotation: Any) -> Any:
    """*annotation* with *field*'s bounds, or None when it has none to add (or the types do not match)."""
    inner, optional = _unwrap(annotation)
    bounded: Any = None
    if inner is str and isinstance(field, (models.CharField, models.TextField)):
        keys = _choices(field, str) if field.choices else ()
        if keys:
            bounded = Literal[keys]  # type: ignore[valid-type]
        else:
            kw: dict[str, Any] = {"max_length": field.max_length} if field.max_length else {}
            bounded = Annotated[str, Field(**kw), AfterValidator(_no_nul)]
    elif inner is int and isinstance(field, (models.IntegerField, models.ForeignKey)):
        keys = _choices(field, int) if field.choices else ()
        bounded = Literal[keys] if keys else Annotated[int, Field(**_limits(field))]  # type: ignore[valid-type]
    elif inner in (Decimal, float) and isinstance(field, models.DecimalField):
        kw = _limits(field)  # type: ignore[assignment]
        whole = Decimal(10) ** (field.max_digits - field.decimal_places)  # type: ignore[operator]
        if "ge" not in kw:
            kw["gt"] = -whole
        if "le" not in kw:
            kw["lt"] = whole
        bounded = Annotated[inner, Field(allow_inf_nan=False, **kw)]
    elif inner is float and isinstance(field, models.FloatField):
        bounded = Annotated[float, Field(allow_inf_nan=False, **_limits(field))]
    elif inner in (date, datetime) and isinstance(field, (models.DateField, models.DateTimeField)):
        bounded = Annotated[inner, AfterValidator(_in_years)]
    if bounded is None:
        return None
    return bounded | None if optional else bounded


@cache
def bounded_schema(schema: Any, model: type[models.Model]) -> Any:
    """*schema* with the bounds of *model*'s fields on the body fields named after them (same name, same
    defaults and descriptions): one declaration of a bound, on the model, for the API as for the forms."""
    overrides: dict[str, Any] = {}
    for name, info in schema.model_fields.items():
        field = model_field(model, name)
        if field is None:
            continue
        bounded = bounded_type(field, info.annotation)
        if bounded is not None:
            overrides[name] = (bounded, info)
    if not overrides:
        return schema
    return create_model(  # type: ignore[call-overload]
        schema.__name__, __base__=schema, __module__=schema.__module__, __doc__=schema.__doc__, **overrides
    )
