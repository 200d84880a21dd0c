from __future__ import annotations

from typing import Any, Self

from django.db import models
from django.db.models import Q


class RestrictedQuerySet(models.QuerySet):
    """``restrict(user, action)``: only the rows inside the user's subtree for that action."""

    scope_field = "path"

    def restrict(self, user: Any, action: str = "view", perm_model: Any = None) -> Self:
        """Rows inside the user's scope for *action* on this model (or on *perm_model*: e.g. the
        nodes where the user may add grants)."""
        from shequ.accounts.scope import scope_paths

        paths = scope_paths(user, perm_model or self.model, action)
        if paths is None:
            return self
        if not paths:
            return self.none()
        field = getattr(self.model, "scope_field", self.scope_field)
        condition = Q()
        for path in paths:
            condition |= Q(**{f"{field}__within": path})
        return self.filter(condition)

    def within(self, path: str) -> Self:
        field = getattr(self.model, "scope_field", self.scope_field)
        return self.filter(**{f"{field}__within": path})
