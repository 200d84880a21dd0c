from __future__ import annotations

from typing import Any, Self

from django.db import models
from django.db.models import Q


class RestrictedQuerySet(models.QuerySet):
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


class TerritoryListQuerySet(models.QuerySet):
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
