"""Residents and households from the spreadsheets community offices keep, at city scale.

Rows go through in chunks of ``CHUNK`` (the framework's chunked import): each chunk is parsed,
checked in bulk (blind indexes computed once, one query for the existing residents of the
chunk), then written with ``bulk_create`` / ``bulk_update`` and one audit entry per created or
changed resident, written in bulk too.  The upsert key is the identity number: importing the
same file again changes nothing.  Empty cells never erase what is recorded.
"""

from .common import (
    AUDIT_COLUMNS,
    CHUNK,
    NODE_CODE_SYNONYMS,
    HouseholdRecord,
    ImportAudit,
    ScopedImporter,
)
from .households import HouseholdImporter
from .residents import (
    COMPARED,
    HOUSEHOLD_COLUMNS,
    HOUSEHOLD_FIELDS,
    KNOWN_FIELDS,
    RESIDENT_COLUMNS,
    ResidentImporter,
    cached_pinyin,
)

__all__ = [
    "AUDIT_COLUMNS",
    "CHUNK",
    "COMPARED",
    "HOUSEHOLD_COLUMNS",
    "HOUSEHOLD_FIELDS",
    "KNOWN_FIELDS",
    "NODE_CODE_SYNONYMS",
    "RESIDENT_COLUMNS",
    "HouseholdImporter",
    "HouseholdRecord",
    "ImportAudit",
    "ResidentImporter",
    "ScopedImporter",
    "cached_pinyin",
]
