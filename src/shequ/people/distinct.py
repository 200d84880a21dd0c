"""What tells two people of the same name apart, on every screen that names one among others (pickers,
the search box): the year of birth, the masked identity number and where they live."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from shequ.territory.models import Kind


def dwelling(node: Any) -> str:
    """A dwelling named with its building: a unit as 3号楼 2单元 ("2单元" alone is in every building), any
    other place by its name."""
    if node is None:
        return ""
    if node.kind == Kind.UNIT and node.parent_id:
        return f"{node.parent.name} {node.name}"
    return node.name


def details(person: Any, place: bool = True) -> list[str]:
    """The year of birth, the masked identity number and (*place*) the dwelling, as far as they are known."""
    found = []
    if person.birth_date is not None:
        found.append(_("born %(year)s") % {"year": person.birth_date.year})
    if person.id_masked:
        found.append(person.id_masked)
    node = getattr(person, "node", None) if place and getattr(person, "node_id", None) else None
    if node is not None:
        found.append(dwelling(node))
    return found


def who(person: Any) -> str:
    """The person's name with what tells them apart: 张伟（1985年生 · 4201**********1236 · 3号楼 2单元）."""
    found = details(person)
    return f"{person.name}（{' · '.join(found)}）" if found else person.name
