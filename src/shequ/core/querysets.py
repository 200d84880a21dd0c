from __future__ import annotations

import functools
import threading
from collections.abc import Callable
from typing import Any, Self

from django.db import models
from django.db.models import Q
from django.db.models.sql import Query

# -- restrict(user, action), built once per user ----------------------------------------------------------------
# Building a scope is Python work of its own: an OR of the user's subtrees, sub-queries, Django resolving every
# lookup and join.  On the street officer's request list it was 0.43 ms of a 7 ms page, for the same queryset at
# every request.  What ``restrict`` returns depends on the user's grants alone (``accounts.scope``: reaches,
# scope paths, confidential models; sub-queries stay SQL) and on the queryset it is given, so a plain queryset's
# (no filter, ordering, annotation …: nothing but ``select_related``, ``only``/``defer`` and prefetches) is kept in
# ``accounts.authcache`` under the user — dropped with the grants at once in every worker, and after
# ``SHEQU_AUTH_CACHE_SECONDS`` anyway — and each call gets its own copy (``_chain``: a clone with no rows).
KIND = "restricted"
_NOT_KEPT = "not-kept"  # remembered for a scope whose SQL depends on the time: built at every call
_fresh_queries: dict[type[models.Model], Query] = {}
_building = threading.local()  # inside a restrict: a subclass calling its parent's; the outer call remembers
# What may differ from a fresh query of the model and still be plain (both are in the key).
_SHAPE = frozenset({"select_related", "deferred_loading", "base_table"})


def _plain_key(queryset: models.QuerySet) -> tuple[Any, ...] | None:
    """What a plain *queryset* is (its class, model, database and the shape of its rows); None when it is not
    plain (a filter, an ordering, values(), a related manager's instance …), whose scope is built each time."""
    if (
        queryset._fields is not None  # type: ignore[attr-defined]
        or queryset._known_related_objects  # type: ignore[attr-defined]
        or queryset._deferred_filter is not None  # type: ignore[attr-defined]
        or queryset._hints  # type: ignore[attr-defined]
        or queryset._sticky_filter  # type: ignore[attr-defined]
        or any(not isinstance(lookup, str) for lookup in queryset._prefetch_related_lookups)  # type: ignore[attr-defined]
    ):
        return None
    query = queryset.query
    fresh = _fresh_queries.get(query.model)  # type: ignore[arg-type]
    if fresh is None:
        fresh = _fresh_queries[query.model] = Query(query.model)  # type: ignore[index]
    missing = object()
    for name, value in query.__dict__.items():
        if name not in _SHAPE and getattr(fresh, name, missing) != value:
            return None
    select_related = query.select_related
    return (
        type(queryset),
        query.model,
        queryset.db,
        select_related if isinstance(select_related, bool) else repr(sorted(select_related.items())),
        tuple(sorted(query.deferred_loading[0])),
        query.deferred_loading[1],
        tuple(queryset._prefetch_related_lookups),  # type: ignore[attr-defined]
        queryset._iterable_class,  # type: ignore[attr-defined]
    )


def _depends_on_time(queryset: models.QuerySet) -> bool:
    from django.core.exceptions import EmptyResultSet

    from .prepared import depends_on_time

    clone = queryset._chain()  # type: ignore[attr-defined]
    try:
        return depends_on_time(*clone.query.get_compiler(using=clone.db).as_sql())
    except EmptyResultSet:
        return False


def remembered(restrict: Callable[..., Any]) -> Callable[..., Any]:
    """*restrict* of a queryset class, its result for a plain queryset kept per user (see ``KIND`` above)."""

    def build(queryset: Any, user: Any, action: str, perm_model: Any) -> Any:
        depth = getattr(_building, "depth", 0)
        _building.depth = depth + 1
        try:
            return restrict(queryset, user, action, perm_model)
        finally:
            _building.depth = depth

    @functools.wraps(restrict)
    def wrapper(self: Any, user: Any, action: str = "view", perm_model: Any = None) -> Any:
        from shequ.accounts import authcache

        user_pk = getattr(user, "pk", None)
        if getattr(_building, "depth", 0) or user_pk is None or not getattr(user, "is_active", False):
            return build(self, user, action, perm_model)
        shape = _plain_key(self)
        if shape is None:
            return build(self, user, action, perm_model)
        key = (restrict, shape, user_pk, bool(getattr(user, "is_superuser", False)), action, perm_model)
        found = authcache.get(KIND, key)
        if found is None:
            found = build(self, user, action, perm_model)
            authcache.put(KIND, key, _NOT_KEPT if _depends_on_time(found) else found)
        elif found == _NOT_KEPT:
            return build(self, user, action, perm_model)
        return found._chain()

    wrapper.remembered = True  # type: ignore[attr-defined]
    return wrapper


class RemembersRestrict:
    """A queryset class whose ``restrict`` (its own, or a subclass's) is remembered per user (``remembered``)."""

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        own = cls.__dict__.get("restrict")
        if own is not None and not getattr(own, "remembered", False):
            cls.restrict = remembered(own)  # type: ignore[attr-defined]


class RestrictedQuerySet(RemembersRestrict, models.QuerySet):
    """``restrict(user, action)``: only the rows inside the user's subtree for that action.

    A grant limited to a party organization (``accounts.scope.Reach.orgs``) reaches, within its subtree,
    only the rows whose organization (the model's ``org_scope_field``) is one of those organizations.  A
    model the grant is limited on but without such a field shows nothing to it; a model looked at for
    another model's rights (*perm_model*, e.g. the places where members may be added) keeps the subtree.
    """

    scope_field = "path"

    def restrict(self, user: Any, action: str = "view", perm_model: Any = None) -> Self:
        """Rows inside the user's scope for *action* on this model (or on *perm_model*: e.g. the
        nodes where the user may add grants)."""
        from shequ.accounts.scope import org_field_of, reaches

        found = reaches(user, perm_model or self.model, action)
        if found is None:
            return self
        if not found:
            return self.none()
        field = getattr(self.model, "scope_field", self.scope_field)
        org_field = org_field_of(self.model)
        own_rights = perm_model is None or perm_model is self.model
        # A model may say itself which of its rows an organization-limited grant reaches (e.g. the volunteers
        # who are members of a team): ``org_scope_q(reach) -> Q``.
        org_hook = getattr(self.model, "org_scope_q", None) if own_rights else None
        condition = Q()
        for reach in found:
            if reach.orgs is None:
                condition |= Q(**{f"{field}__within": reach.path})
            elif org_hook is not None:
                condition |= org_hook(reach)
            elif org_field:
                condition |= Q(**{f"{field}__within": reach.path, f"{org_field}__in": sorted(reach.orgs)})
            elif not own_rights:
                condition |= Q(**{f"{field}__within": reach.path})
        if not condition:
            return self.none()
        return self.filter(condition)

    def within(self, path: str) -> Self:
        field = getattr(self.model, "scope_field", self.scope_field)
        return self.filter(**{f"{field}__within": path})


def _is_root_path(path: str) -> bool:
    return path.count(".") == 1


class TerritoryListQuerySet(RemembersRestrict, models.QuerySet):
    """One list for the whole territory (the service catalogue, special-care tags, skills): whoever may view
    the model anywhere sees all of it; changing it takes the right on the whole territory (a superuser, or a
    grant on the city itself)."""

    def restrict(self, user: Any, action: str = "view", perm_model: Any = None) -> Self:
        return self if self.allows(user, action, perm_model=perm_model) else self.none()

    def allows(self, user: Any, action: str, path: str | None = None, perm_model: Any = None) -> bool:
        """May *user* do *action* on this list (the rows have no place: *path* is not looked at)?"""
        from shequ.accounts.scope import scope_paths

        paths = scope_paths(user, perm_model or self.model, action)
        if paths is None:
            return True
        if action in ("view", "export"):
            return bool(paths)
        return any(_is_root_path(p) for p in paths)
