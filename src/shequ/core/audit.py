"""The audit log in people's words: what an entry changed, as its reader should see it.

django-auditlog stores each change as ``{field: [old, new]}`` with the values as text (``"None"``, ``"True"``,
a foreign key's id, a time in UTC without its zone), and the bulk importers write the same shape with plain JSON
values.  ``describe`` turns a page of entries into lines of (label, old, new): the field's label in the reader's
language, a choice's label instead of its code, a related object's name instead of its id (read through
``restrict(reader, "view")``: a name outside the reader's area is not revealed), times in the site's zone,
yes/no, and never an identity number in full nor an encrypted value.  ``scrub`` keeps the raw values for the
API but masks the same personal data.
"""

from __future__ import annotations

import json
import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from .crypto import EncryptedTextField
from .fields import PathField
from .logging import is_identity_number, mask_identity_numbers

# Fields an entry may hold that say nothing to a reader (kept in the database, never shown).
HIDDEN = frozenset({"path", "pinyin", "initials", "created", "updated", "subtree_counts", "id_hash"})
# Counts of an import's summary entry (``core.importing.Importer._audit_summary``).
IMPORT_COUNTS = {
    "created": lambda: _("Created"),
    "updated": lambda: _("Updated"),
    "unchanged": lambda: _("Unchanged"),
    "rejected": lambda: _("Rejected"),
}
EMPTY = "—"
_NONE = (None, "", "None")


@dataclass
class Line:
    label: str
    old: str
    new: str
    action: int  # the entry's: 0 create, 1 update, 2 delete

    @property
    def created(self) -> bool:
        return self.action == 0

    @property
    def deleted(self) -> bool:
        return self.action == 2


def model_of(entry: Any) -> Any:
    """The model an entry is about (content types are cached: no query after the first)."""
    from django.contrib.contenttypes.models import ContentType

    if not entry.content_type_id:
        return None
    return ContentType.objects.get_for_id(entry.content_type_id).model_class()


def _field(model: Any, name: str) -> Any:
    if model is None:
        return None
    try:
        return model._meta.get_field(name)
    except FieldDoesNotExist:
        return None


def is_secret(field: Any, name: str) -> bool:
    """A field whose value is an identity number or an encrypted blob."""
    from shequ.people.fields import BlindIndexField

    return isinstance(field, EncryptedTextField | BlindIndexField) or name in ("id_number", "id_hash")


def _hidden(field: Any, name: str) -> bool:
    """Not shown: the id, the tree path, and a relation seen from its other side (a list of the records that
    point here, which django-auditlog may record on a delete)."""
    reverse = field is not None and getattr(field, "auto_created", False) and not getattr(field, "concrete", True)
    return name in HIDDEN or isinstance(field, PathField) or bool(getattr(field, "primary_key", False)) or reverse


def _pairs(changes: Any) -> Iterable[tuple[str, Any, Any]]:
    if not isinstance(changes, dict):
        return
    for name, values in changes.items():
        if isinstance(values, list | tuple) and len(values) == 2:
            yield str(name), values[0], values[1]
        elif isinstance(values, dict) and values.get("type") == "m2m":  # auditlog's many-to-many changes
            objects = values.get("objects") or []
            if values.get("operation") == "delete":
                yield str(name), objects, None
            else:
                yield str(name), None, objects


def _ids(value: Any) -> list[Any]:
    """The ids a foreign-key or many-to-many value names (text as auditlog stores it, or JSON)."""
    if value in _NONE:
        return []
    items = value if isinstance(value, list | tuple) else [value]
    found = []
    for item in items:
        text = str(item).strip()
        if re.fullmatch(r"-?\d{1,18}", text):
            found.append(int(text))
    return found


class _Names:
    """Names of related objects, fetched once per model for a whole page, inside the reader's scope."""

    def __init__(self, reader: Any) -> None:
        self.reader = reader
        self.wanted: dict[Any, set[int]] = defaultdict(set)
        self.found: dict[Any, dict[int, str]] = {}

    def want(self, model: Any, value: Any) -> None:
        self.wanted[model].update(_ids(value))

    def fetch(self) -> None:
        from shequ.accounts.scope import can

        for model, ids in self.wanted.items():
            manager = model._default_manager
            if hasattr(manager.all(), "restrict"):
                qs = manager.all().restrict(self.reader, "view")
            elif can(self.reader, model, "view"):
                qs = manager.all()
            else:
                qs = manager.none()
            self.found[model] = {obj.pk: mask_identity_numbers(str(obj)) for obj in qs.filter(pk__in=sorted(ids))}

    def name(self, model: Any, value: Any) -> str:
        ids = _ids(value)
        if not ids:
            return _plain(value)
        known = self.found.get(model, {})
        return "、".join(known.get(pk, _("(outside your area, or deleted)")) for pk in ids)


def _plain(value: Any) -> str:
    if value in _NONE:
        return EMPTY
    if isinstance(value, list | tuple):
        return "、".join(_plain(v) for v in value) or EMPTY
    if isinstance(value, dict):
        return mask_identity_numbers(json.dumps(value, ensure_ascii=False))
    return mask_identity_numbers(str(value))


def _local_time(value: Any) -> str:
    moment = value if isinstance(value, datetime) else parse_datetime(str(value).replace("T", " "))
    if moment is None:
        return _plain(value)
    if timezone.is_naive(moment):
        moment = moment.replace(tzinfo=UTC)  # auditlog writes times in UTC, without the zone
    return f"{timezone.localtime(moment):%Y-%m-%d %H:%M}"


def _display(field: Any, name: str, value: Any, names: _Names) -> str:
    if value in _NONE or value == []:
        return EMPTY
    if is_secret(field, name):
        return _secret(value) or _("(not shown)")
    if field is None:
        return _plain(value)
    if field.is_relation and field.related_model is not None:
        if not isinstance(value, list | tuple) or all(re.fullmatch(r"-?\d+", str(v)) for v in value):
            return names.name(field.related_model, value) if _ids(value) else _plain(value)
        return _plain(value)  # auditlog's many-to-many changes name the objects already
    choices = dict(field.flatchoices) if getattr(field, "choices", None) else None
    if choices:
        labels = [str(choices.get(v, choices.get(str(v), v))) for v in (value if isinstance(value, list) else [value])]
        return "、".join(labels)
    if isinstance(field, models.BooleanField):
        text = str(value).lower()
        if text in ("true", "1"):
            return pgettext("yes or no", "yes")
        if text in ("false", "0"):
            return pgettext("yes or no", "no")
    if isinstance(field, models.DateTimeField):
        return _local_time(value)
    if isinstance(field, models.JSONField) and value in ("null", "{}", "[]"):
        return EMPTY
    if isinstance(field, models.DateField) and isinstance(value, date):
        return value.isoformat()
    return _plain(value)


def describe(entries: Iterable[Any], reader: Any) -> dict[int, list[Line]]:
    """Each entry's changes as lines in the reader's words, by entry id (a few queries for a whole page)."""
    entries = list(entries)
    names = _Names(reader)
    plan: list[tuple[Any, list[tuple[str, Any, Any, Any]]]] = []
    for entry in entries:
        model = model_of(entry)
        rows = []
        for name, old, new in _pairs(entry.changes):
            field = _field(model, name)
            if entry.event == "import" and name in IMPORT_COUNTS:
                rows.append((name, None, old, new))
                continue
            if _hidden(field, name):
                continue
            if field is not None and field.is_relation and field.related_model is not None:
                names.want(field.related_model, old)
                names.want(field.related_model, new)
            rows.append((name, field, old, new))
        plan.append((entry, rows))
    names.fetch()
    described: dict[int, list[Line]] = {}
    for entry, rows in plan:
        lines = []
        for name, field, old, new in rows:
            if entry.event == "import" and name in IMPORT_COUNTS:
                lines.append(Line(str(IMPORT_COUNTS[name]()), EMPTY, _plain(new), 0))
                continue
            label = capfirst(str(field.verbose_name)) if field is not None else name
            old_text, new_text = _display(field, name, old, names), _display(field, name, new, names)
            lines.append(Line(label, old_text, new_text, entry.action))
        described[entry.pk] = lines
    return described


def scrub(entry: Any) -> dict[str, Any] | None:
    """An entry's changes with their raw values, for the API, without personal data: identity numbers (in an
    identity-number field or in any text) masked, encrypted values left out."""
    changes = entry.changes
    if not isinstance(changes, dict):
        return changes
    model = model_of(entry)
    clean: dict[str, Any] = {}
    for name, values in changes.items():
        field = _field(model, str(name))
        if is_secret(field, str(name)):
            clean[name] = [_secret(v) for v in values] if isinstance(values, list) else None
        else:
            clean[name] = _masked(values)
    return clean


def _secret(value: Any) -> str | None:
    """An identity number's mask; nothing of any other secret value (an encrypted blob, a keyed hash)."""
    if isinstance(value, str) and is_identity_number(value):
        return mask_identity_numbers(value.strip())
    return None


def _masked(value: Any) -> Any:
    if isinstance(value, str):
        return mask_identity_numbers(value)
    if isinstance(value, list):
        return [_masked(v) for v in value]
    if isinstance(value, dict):
        return {k: _masked(v) for k, v in value.items()}
    return value
