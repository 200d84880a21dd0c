"""Where people live, as spreadsheets write it: a place code (地区编码) and a path of names below it (地址).

Export writes the nearest ancestor with a code (a community, usually) and the names under it
(``第1网格/阳光小区/1号楼/2单元``); import reads the same back, or names relative to the place
chosen for the import.  Both load nodes a subtree at a time, never one query per row.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from django.db.models import Q

from shequ.core.fields import path_ids, path_segment
from shequ.core.memo import Bounded
from shequ.territory.models import Node

SEPARATORS = re.compile(r"\s*[/\\>|＞／]\s*")
# Below this many places a subtree is loaded whole when first needed.
SUBTREE_LOAD_LIMIT = 400_000


@dataclass(frozen=True)
class Place:
    id: int
    parent_id: int | None
    name: str
    code: str
    kind: str
    path: str
    retired: bool


def _place(row: tuple) -> Place:
    pk, parent_id, name, code, kind, path, retired = row
    return Place(pk, parent_id, name, code or "", kind, path, retired)


FIELDS = ("id", "parent_id", "name", "code", "kind", "path", "retired")


class PlaceIndex:
    """Nodes by id, by code and by (parent, name), filled a community's subtree at a time."""

    def __init__(self) -> None:
        self.by_id: dict[int, Place] = {}
        self.by_code: dict[str, Place | None] = {}
        self.children: dict[int, dict[str, Place]] = {}
        self.loaded_subtrees: set[str] = set()

    def _add(self, place: Place) -> None:
        if place.id in self.by_id:
            return
        self.by_id[place.id] = place
        if place.code:
            self.by_code[place.code] = place
        if place.parent_id is not None:
            self.children.setdefault(place.parent_id, {})[place.name] = place

    def _load(self, condition: Q) -> None:
        for row in Node.objects.filter(condition).values_list(*FIELDS).iterator(chunk_size=5000):
            self._add(_place(row))

    def load_subtree(self, path: str) -> None:
        if any(path.startswith(p) for p in self.loaded_subtrees):
            return
        ids = path_ids(path)
        self._load(Q(pk__in=ids) | Q(path__within=path))
        self.loaded_subtrees.add(path)

    def ensure_path(self, path: str) -> None:
        """The node with *path* and its ancestors; the whole community around it comes along."""
        ids = path_ids(path)
        if all(i in self.by_id for i in ids):
            return
        # The community (depth 3) holds a few hundred places: load them together.
        anchor = "".join(path_segment(i) for i in ids[: min(len(ids), 4)])
        self._load(Q(pk__in=ids) | Q(path__within=anchor))

    # -- export ----------------------------------------------------------------------------------------------
    def locate(self, path: str) -> tuple[str, str]:
        """(code of the nearest coded ancestor-or-self, names below it joined by '/')."""
        if not path:
            return "", ""
        self.ensure_path(path)
        chain = [self.by_id[i] for i in path_ids(path) if i in self.by_id]
        names: list[str] = []
        for place in reversed(chain):
            if place.code:
                return place.code, "/".join(reversed(names))
            names.append(place.name)
        return "", "/".join(reversed(names))

    def locator(self) -> Callable[[str], tuple[str, str]]:
        """``locate``, remembered by path: a list has many rows at each place (an export, a million)."""
        located: Bounded[str, tuple[str, str]] = Bounded(50_000)

        def locate(path: str) -> tuple[str, str]:
            return located.get_or(path, self.locate, path)

        return locate

    # -- import ----------------------------------------------------------------------------------------------
    def by_code_lookup(self, code: str) -> Place | None:
        if code not in self.by_code:
            row = Node.objects.filter(code=code).values_list(*FIELDS).first()
            self.by_code[code] = _place(row) if row else None
            if row:
                self._add(_place(row))
        return self.by_code[code]

    def resolve(self, base: Place | None, address: str) -> Place | None:
        """The place at *address* (names separated by '/') under *base*; the base's own name may lead."""
        parts = [p for p in SEPARATORS.split(address.strip()) if p] if address else []
        if base is None:
            return None
        if not parts:
            return base
        self._prepare(base)
        if parts[0] == base.name and parts[0] not in self.children.get(base.id, {}):
            parts = parts[1:]
        current = base
        for name in parts:
            child = self.children.get(current.id, {}).get(name)
            if child is None:
                return None
            current = child
        return current

    def _prepare(self, base: Place) -> None:
        if base.path in self.loaded_subtrees or any(base.path.startswith(p) for p in self.loaded_subtrees):
            return
        size = sum((Node.objects.filter(pk=base.id).values_list("subtree_counts", flat=True).first() or {}).values())
        if size <= SUBTREE_LOAD_LIMIT:
            self.load_subtree(base.path)
        else:  # a whole large city: its communities one at a time, as addresses ask for them
            self._load(Q(parent_id=base.id))
            self.loaded_subtrees.add(base.path)

    def place_at(self, node_id: int, path: str) -> Place:
        """The place with this id (and path), loading its community's places when first met."""
        place = self.by_id.get(node_id)
        if place is None:
            self.ensure_path(path)
            place = self.by_id[node_id]
        return place

    def place_of(self, node: Node) -> Place:
        place = self.by_id.get(node.pk)
        if place is None:
            place = Place(node.pk, node.parent_id, node.name, node.code or "", node.kind, node.path, node.retired)
            self._add(place)
        return place
