"""One answer to "may this user use this?": the page checks it, and the menu entry and the buttons leading to
the page ask the same question (a menu entry that answers 404 is a defect, issue 10).

- ``may(user, model, action, path)``: the model's own rule (its queryset's ``allows`` when it has one, e.g.
  the lists kept for the whole territory; otherwise the subtree grants of ``accounts.scope.can``).
- ``Rule``: what a page requires (a model and an action; optionally over a whole place, not only for one
  organization as a branch secretary or a team captain; optionally a further test of the page's own).
- ``@requires(...)`` declares a function view's rule and enforces it (404 otherwise); the generic views of
  ``core.views.generic`` declare theirs from their view set.  ``rule_for_url`` finds the rule of the view an
  address leads to: the menu shows an entry only when it allows the user.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.apps import apps
from django.contrib.auth.decorators import login_required
from django.db import models
from django.urls import resolve

from .exceptions import NotFound


def _model(model: type[models.Model] | models.Model | str) -> type[models.Model]:
    if isinstance(model, str):
        return apps.get_model(model)
    return model if isinstance(model, type) else type(model)


def may(user: Any, model: type[models.Model] | models.Model | str, action: str, path: str | None = None) -> bool:
    """May *user* do *action* on *model* anywhere (*path* None) or at the place with *path*?"""
    from shequ.accounts.scope import can

    if user is None or not getattr(user, "is_authenticated", False):
        return False
    cls = _model(model)
    allows = getattr(cls._default_manager, "allows", None)
    if allows is not None:
        return bool(allows(user, action, path))
    return can(user, cls, action, path)


def may_whole_place(user: Any, model: type[models.Model] | str, action: str, path: str | None = None) -> bool:
    """May *user* do *action* on *model* for a whole place (at *path*, or anywhere), not only for the
    organization a grant is limited to (a branch secretary's branch, a captain's team)?"""
    from shequ.accounts.scope import reaches

    found = reaches(user, model, action)
    return found is None or any(r.orgs is None and (path is None or path.startswith(r.path)) for r in found)


@dataclass(frozen=True)
class Rule:
    """What a page requires of its user."""

    model: str
    action: str = "view"
    whole_place: bool = False
    # A further test of the page's own (e.g. "has a community or more to show"), given the user.
    check: Callable[[Any], bool] | None = None

    def allows(self, user: Any) -> bool:
        if not may(user, self.model, self.action):
            return False
        if self.whole_place and not may_whole_place(user, self.model, self.action):
            return False
        if self.check is None:
            return True
        # Asked by the menu on every page and by the page itself: once per request (the user object).
        answers: dict[Rule, bool] = user.__dict__.setdefault("_shequ_rule_checks", {})
        if self not in answers:
            answers[self] = bool(self.check(user))
        return answers[self]


def requires(
    model: str,
    action: str = "view",
    *,
    whole_place: bool = False,
    check: Callable[[Any], bool] | None = None,
) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Declare and enforce the rule of a function view (login first, then 404 unless the rule allows)."""
    rule = Rule(model, action, whole_place, check)

    def decorate(view: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(view)
        def wrapped(request: Any, *args: Any, **kwargs: Any) -> Any:
            if not rule.allows(request.user):
                raise NotFound()
            return view(request, *args, **kwargs)

        wrapped.rule = rule  # type: ignore[attr-defined]
        return login_required(wrapped)

    return decorate


def rule_of(view: Any) -> Rule | None:
    """The rule a resolved view function declares (``@requires``, or a generic view of a view set)."""
    rule = getattr(view, "rule", None)
    if rule is not None:
        return rule
    view_class = getattr(view, "view_class", None)
    rule_for = getattr(view_class, "rule_for", None)
    if rule_for is not None:
        return rule_for(getattr(view, "view_initkwargs", {}))
    return None


@functools.cache
def rule_for_url(url: str) -> Rule | None:
    return rule_of(resolve(url).func)
