"""Places of a user's area for the sample rows of import templates (``core.importing.Importer.sample``): a sample
must import cleanly for the user who downloads it, so it names places that exist and that they may import to."""

from __future__ import annotations

from typing import Any

from .models import Kind, Node

DWELLINGS = (Kind.UNIT, Kind.BUILDING, Kind.ESTATE, Kind.GRID, Kind.COMMUNITY)


def places(user: Any, model: Any, action: str = "import") -> Any:
    """The places where *user* may *action* records of *model* (not retired)."""
    return Node.objects.restrict(user, action, perm_model=model).filter(retired=False)


def first_of(user: Any, model: Any, kinds: tuple[str, ...], action: str = "import") -> Node | None:
    """The first place of the first of *kinds* found in the user's area for *model* (a few small queries)."""
    scope = places(user, model, action)
    for kind in kinds:
        found = scope.filter(kind=kind).order_by("path").first()
        if found is not None:
            return found
    return None


def chain(node: Node) -> list[Node]:
    """*node* with its ancestors, from the top."""
    return [*node.ancestors(), node]


def names_below(top: Node | None, node: Node) -> str:
    """The names from below *top* down to *node*, joined by '/' (all of them when *top* is not above it)."""
    nodes = chain(node)
    ids = [n.pk for n in nodes]
    start = ids.index(top.pk) + 1 if top is not None and top.pk in ids else 0
    return "/".join(n.name for n in nodes[start:])


def community_of(node: Node) -> Node | None:
    return next((n for n in chain(node) if n.kind == Kind.COMMUNITY), None)


def dwelling(user: Any, model: Any) -> tuple[str, str]:
    """(code, address) of a place where *user* may import people (*model*): a community's code and the names below
    it down to a unit (or the deepest place there is); without a code, the address below the user's own place.
    ("", "") when their area holds no dwelling."""
    place = first_of(user, model, DWELLINGS)
    if place is None:
        return "", ""
    community = community_of(place)
    if community is not None and community.code:
        return community.code, names_below(community, place)
    return "", names_below(getattr(user, "node", None), place)


def free_name(parent: Node | None, pattern: str, taken: Any = None) -> str:
    """*pattern* (with ``{n}``) numbered 1, 2 … until the name is free under *parent* (or in *taken*)."""
    names = set(taken if taken is not None else Node.objects.filter(parent=parent).values_list("name", flat=True))
    for n in range(1, 1000):
        name = pattern.format(n=n)
        if name not in names:
            return name
    return pattern.format(n=1000)
