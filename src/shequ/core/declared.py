"""Declared parts copied for each instance one by one, not deeply.

django-filter and django-tables2 deep-copy a class's declared filters or columns for every filterset or table
they make, so that an instance can change its own without touching the class: labels, widgets, choices,
querysets, attributes and links with them.  On the staff request list that was about 10 % of the page (the
filters 8 %, the columns as much again).  What an instance changes is the declared object itself (a filter's
``model``, ``parent`` and form field; a column's ``accessor`` and ``visible``): a copy of each object is enough,
with whatever else a kind needs (``copy_one``)."""

from __future__ import annotations

import copy
from typing import Any


class ShallowCopies(dict[str, Any]):
    """A class's declared objects by name; ``copy.deepcopy`` gives a dict of ``copy_one`` of each."""

    def __deepcopy__(self, memo: dict[int, Any]) -> dict[str, Any]:
        return {name: self.copy_one(declared) for name, declared in self.items()}

    def copy_one(self, declared: Any) -> Any:
        return copy.copy(declared)
