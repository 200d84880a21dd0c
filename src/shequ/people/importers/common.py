"""What both importers need: the chunk size, households as plain records, audit entries in bulk, and the
places of the file within the user's import scope."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.utils import timezone
from django.utils.translation import gettext as _

from shequ.accounts.scope import scope_paths
from shequ.core.importing import BulkInsert, Importer, Row
from shequ.core.memo import Bounded
from shequ.core.models import AuditEntry
from shequ.people.actions import DWELLING_KINDS
from shequ.people.models import Household
from shequ.people.places import Place, PlaceIndex

CHUNK = 2000
NODE_CODE_SYNONYMS = ("社区编码", "所属社区编码", "区划代码")

AUDIT_COLUMNS = (
    "content_type",
    "object_pk",
    "object_id",
    "object_repr",
    "action",
    "changes",
    "changes_text",
    "actor",
    "timestamp",
    "path",
    "additional_data",
)


class HouseholdRecord:
    """A household as the residents' import handles it: the few fields it reads and sets, without the cost
    of a model instance (a city's file names hundreds of thousands of households)."""

    __slots__ = ("id", "number", "node_id", "path", "head_id", "address")

    def __init__(self, id: int, number: str, node_id: int, path: str, head_id: int | None, address: str) -> None:
        self.id, self.number, self.node_id, self.path, self.head_id, self.address = (
            id,
            number,
            node_id,
            path,
            head_id,
            address,
        )

    @property
    def pk(self) -> int:
        return self.id

    @pk.setter
    def pk(self, value: int) -> None:
        self.id = value


class ImportAudit:
    """Audit entries written in bulk, one per created or changed object, with the path and the actor."""

    def __init__(self, user: Any, model: Any) -> None:
        self.actor_id = user.pk if getattr(user, "is_authenticated", False) else None
        self.content_type_id = ContentType.objects.get_for_model(model).pk
        self.rows: list[tuple[Any, ...]] = []
        self.now = timezone.now()
        self.writer = BulkInsert(AuditEntry, AUDIT_COLUMNS)

    def add(self, obj: Any, action: int, changes: dict[str, list[Any]]) -> None:
        label = obj.number or str(obj.pk) if isinstance(obj, Household | HouseholdRecord) else str(obj.name)
        self.entry(obj.pk, label, obj.path, action, changes)

    def entry(self, pk: int, label: str, path: str, action: int, changes: dict[str, list[Any]]) -> None:
        self.rows.append(
            (
                self.content_type_id,
                str(pk),
                pk,
                label[:200],
                action,
                changes,
                "",
                self.actor_id,
                self.now,
                path,
                {"path": path, "event": "import"},
            )
        )

    def flush(self) -> None:
        self.writer.insert(self.rows)
        self.rows = []


def _display(value: Any) -> Any:
    if value is None or value == "":
        return None
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def free_household_number() -> str:
    """A household number for a template's sample row that no household has yet (H0001, H0002 …)."""
    numbers = [f"H{n:04d}" for n in range(1, 51)]
    taken = set(Household.objects.filter(number__in=numbers).values_list("number", flat=True))
    return next((n for n in numbers if n not in taken), numbers[0])


class ScopedImporter(Importer):
    """Shared by residents and households: the places of the file and the user's import scope."""

    chunk_size = CHUNK

    def sample(self) -> dict[str, Any]:
        """The example row with a place of the user's area (a community's code, the names down to a unit) and a
        household number not taken yet."""
        from shequ.territory import samples

        row = super().sample()
        code, address = samples.dwelling(self.user, self.model)
        if code or address:
            row.update(node_code=code, address=address)
        if "household_number" in row or "number" in row:
            row["household_number" if "household_number" in row else "number"] = free_household_number()
        return row

    def begin(self, *, dry_run: bool, mode: str) -> None:
        self.places = PlaceIndex()
        self.base: Place | None = self.places.place_of(self.node) if self.node is not None else None
        self.paths = scope_paths(self.user, self.model, "import")
        self._places_seen: Bounded[tuple[str, str], tuple[Place | None, tuple[str, str] | None]] = Bounded(100_000)

    def in_scope(self, path: str) -> bool:
        return self.paths is None or any(path.startswith(p) for p in self.paths)

    def place(self, row: Row) -> Place | None:
        """The dwelling given by the row's place code and address (or the import's own place); rejects."""
        code, address = row.values.get("node_code") or "", row.values.get("address") or ""
        if not code and not address:
            return None
        place, error = self._places_seen.get_or((code, address), self._find_place, code, address)
        if error is not None:
            row.reject(*error)
        return place

    def _find_place(self, code: str, address: str) -> tuple[Place | None, tuple[str, str] | None]:
        base = self.base
        if code:
            base = self.places.by_code_lookup(code)
            if base is None:
                return None, (_("No place has the code %(code)s.") % {"code": code}, "unknown_place")
        if base is None:
            return None, (_("Give the place code (地区编码), or choose a place for the import."), "unknown_place")
        found = self.places.resolve(base, address)
        if found is None:
            message = _("No place “%(address)s” under “%(base)s”.") % {"address": address, "base": base.name}
            return None, (message, "unknown_place")
        return found, None

    def check_place(self, row: Row, place: Place | None) -> Place | None:
        if place is None:
            if not row.error:
                if self.base is not None and self.base.kind in DWELLING_KINDS:
                    return self.check_place(row, self.base)
                row.reject(_("Say where they live: fill in 地区编码 and 地址."), "unknown_place")
            return None
        if not self.in_scope(place.path):
            row.reject(_("“%(place)s” is outside your area.") % {"place": place.name}, "out_of_scope")
            return None
        if place.retired:
            row.reject(_("“%(place)s” is retired.") % {"place": place.name}, "retired_place")
            return None
        if place.kind not in DWELLING_KINDS:
            row.reject(
                _("People are registered in a community or a place under it, not at “%(place)s”.")
                % {"place": place.name},
                "invalid_node",
            )
            return None
        return place
