"""The blind index of identity numbers, and the lookup that finds a resident by the full number typed."""

from __future__ import annotations

from typing import Any

from django.db import models
from django.db.models import Lookup

from shequ.core.crypto import blind_index, blind_indexes

from .identity import ID_LENGTH, normalize_id


def id_hash_of(number: str) -> str:
    """The blind index of a normalised identity number."""
    return blind_index(number)


def id_hashes_of(numbers: list[str]) -> list[str]:
    """``id_hash_of`` of each number (the key fetched once)."""
    return blind_indexes(numbers)


class BlindIndexField(models.CharField):
    """HMAC of a normalised value: equality lookups only; ``field__identity="<typed number>"`` hashes for you."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("max_length", 64)
        kwargs.setdefault("editable", False)
        super().__init__(*args, **kwargs)


@BlindIndexField.register_lookup
class IdentityLookup(Lookup):
    """``id_hash__identity=value``: the rows whose number is *value* as typed (full-width, spaces, lower-case x).

    Anything that cannot be a full identity number matches nothing, so the lookup can be OR-ed into a
    free-text search over names without ever scanning or revealing anything.
    """

    lookup_name = "identity"

    def as_sql(self, compiler, connection):  # type: ignore[no-untyped-def]
        lhs, lhs_params = self.process_lhs(compiler, connection)
        number = normalize_id(self.rhs)
        if len(number) != ID_LENGTH or not number[:17].isdigit():
            return "1=0", []
        return f"{lhs} = %s", [*lhs_params, id_hash_of(number)]
