"""Model instances read from the database without running ``Model.__init__`` field by field.

Django builds every row it reads with ``Model.from_db``: it pads the values with ``DEFERRED`` up to every
concrete field (a list built per row when ``only()`` or ``defer()`` was used), then calls ``__init__``,
which sends ``pre_init``, makes the state, ``setattr``\\ s each value through the class's descriptors and
sends ``post_init``.  For a list page of 50 requests with their category, place and organization that is
200 instances and about 15 % of the page.

For a model whose reading cannot be told apart from a plain store of the values — ``__init__``,
``__setattr__`` and ``from_db`` are Django's own, and every field's attribute is Django's plain
``DeferredAttribute`` (whose ``__set__`` does not exist) or ``ForeignKeyDeferredAttribute`` (whose
``__set__`` only drops a related object that a new instance has not cached yet) — :func:`install` gives the
class a ``from_db`` that puts the values in the instance's ``__dict__`` at once and sets the same state
(``adding`` False, ``db``).  A field that was not read stays out of ``__dict__``, so it is loaded on first use
exactly as before.  When a ``pre_init`` or ``post_init`` receiver is connected for the model, Django's own
``from_db`` runs, so receivers see every instance.

Django documents ``from_db`` as the hook to customise loading; the values arrive in ``field_names``'
order (``ModelIterable``, ``RelatedPopulator``, ``RawModelIterable``).  Models that do not qualify — a
custom descriptor such as ``FileField``'s, an ``__init__`` of their own — keep Django's.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from django.db.models import Model
from django.db.models.base import ModelState
from django.db.models.fields.related_descriptors import ForeignKeyDeferredAttribute
from django.db.models.query_utils import DeferredAttribute
from django.db.models.signals import post_init, pre_init

PLAIN_ATTRIBUTES = (DeferredAttribute, ForeignKeyDeferredAttribute)
_django_from_db = Model.from_db.__func__  # type: ignore[attr-defined]
# The models given the direct from_db.  A subclass inherits the method but not its place here (a proxy or a
# child may add what does not qualify): it is read Django's way until it is installed itself.
INSTALLED: set[type[Model]] = set()


def qualifies(model: type[Model]) -> bool:
    """Whether storing a row's values in the instance's ``__dict__`` is all Django's ``from_db`` would do."""
    opts = model._meta
    if opts.abstract or model.__init__ is not Model.__init__ or model.__setattr__ is not object.__setattr__:
        return False
    if getattr(model.from_db, "__func__", None) not in (_django_from_db, from_db):
        return False  # the model loads its own way
    for field in opts.concrete_fields:
        attribute = next((k.__dict__[field.attname] for k in model.__mro__ if field.attname in k.__dict__), None)
        if type(attribute) not in PLAIN_ATTRIBUTES:
            return False
    return True


def from_db(cls: type[Model], db: str, field_names: Sequence[str], values: Sequence[Any]) -> Model:
    # (The receivers' lists first: empty in this project, a test at most connects one.)
    if cls not in INSTALLED or (pre_init.receivers or post_init.receivers) and _listened(cls):
        return _django_from_db(cls, db, field_names, values)  # type: ignore[no-any-return]
    new = cls.__new__(cls)
    state = ModelState()
    state.adding = False
    state.db = db
    store = new.__dict__
    store["_state"] = state
    store.update(zip(field_names, values, strict=True))
    return new


def _listened(model: type[Model]) -> bool:
    return pre_init.has_listeners(model) or post_init.has_listeners(model)


def install(models: Iterable[type[Model]]) -> list[type[Model]]:
    """Give each qualifying model of *models* the direct ``from_db``; the models changed."""
    changed = []
    for model in models:
        if qualifies(model):
            model.from_db = classmethod(from_db)  # type: ignore[method-assign,assignment]
            INSTALLED.add(model)
            changed.append(model)
    return changed
