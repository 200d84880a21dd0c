"""Generic writes: every create, update and delete goes through here (or a do_* of an app).

Each runs in one transaction, checks the acting user's scope, re-checks after the
write that the object is still inside it (rolling back if not) and is audited.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any, TypeVar

from auditlog.context import auditlog_value, set_actor
from django.db import models, transaction
from django.db.models import ProtectedError
from django.utils.translation import gettext as _

from .exceptions import ActionError, NotFound

M = TypeVar("M", bound=models.Model)


@contextlib.contextmanager
def acting_as(user: Any) -> Iterator[None]:
    """Record *user* as the actor of the audit entries written inside (keeps the request's address)."""
    try:
        current = auditlog_value.get()
    except LookupError:
        current = {}
    if current.get("actor") is user and user is not None:
        yield
        return
    with set_actor(user, remote_addr=current.get("remote_addr"), remote_port=current.get("remote_port")):
        try:
            yield
        finally:
            if current:
                auditlog_value.set(current)


def ensure_in_scope(obj: models.Model, user: Any, action: str) -> None:
    model = type(obj)
    manager = model._default_manager
    if not manager.restrict(user, action).filter(pk=obj.pk).exists():  # type: ignore[attr-defined]
        raise NotFound()


def do_create_object(obj: M, *, acting_user: Any) -> M:
    with acting_as(acting_user), transaction.atomic():
        obj.save()
        ensure_in_scope(obj, acting_user, "add")
    return obj


def do_update_object(obj: M, *, acting_user: Any) -> M:
    """Save *obj*, which was fetched with ``restrict(user, "change")``; its new place must be in scope too."""
    with acting_as(acting_user), transaction.atomic():
        obj.save()
        ensure_in_scope(obj, acting_user, "change")
    return obj


def do_delete_object(obj: models.Model, *, acting_user: Any) -> None:
    with acting_as(acting_user), transaction.atomic():
        ensure_in_scope(obj, acting_user, "delete")
        try:
            obj.delete()
        except ProtectedError as exc:
            raise ActionError(
                _("“%(obj)s” cannot be deleted: other records still refer to it (%(count)d).")
                % {"obj": obj, "count": len(exc.protected_objects)},
                code="protected",
            ) from exc


def fetch(queryset: models.QuerySet[M], user: Any, action: str, pk: Any) -> M:
    """Fetch-and-authorise in one call: 404 alike for missing, malformed and out-of-scope ids."""
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        raise NotFound() from None
    from .prepared import rows

    found = rows(queryset, user, action, pk)  # the statement compiled once for this user and queryset
    if found is None:
        # One row by its key: no ORDER BY (``first()`` would add one, and compiling it costs more than the query).
        found = list(queryset.restrict(user, action).filter(pk=pk).order_by()[:1])  # type: ignore[attr-defined]
    if not found:
        raise NotFound()
    return found[0]
