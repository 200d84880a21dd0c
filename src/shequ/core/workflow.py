"""The case workflow every case-like process shares (requests, mediation, evaluations, decisions, consent …).

An app declares its process once, as a ``Workflow`` of ``Step``s, next to its ``do_*`` actions::

    WORKFLOW = Workflow(
        MediationCase, states=CaseStatus, open_states=OPEN, timeline=CaseEvent, timeline_fk="case",
        steps=[
            Step("accept", _("Accept"), run=lambda u, case, d: do_accept(case, acting_user=u),
                 states=(CaseStatus.REGISTERED,), style="primary"),
            Step("decline", _("Decline"), form="shequ.mediation.forms.ReasonForm", states=(...), style="danger",
                 run=lambda u, case, d: do_decline(case, acting_user=u, reason=d["reason"])),
        ],
    )

and each ``do_*`` takes its step through the one lock-and-check helper::

    def do_accept(case, *, acting_user):
        with WORKFLOW.transition(case, "accept", acting_user=acting_user) as move:
            move.to(CaseStatus.ACCEPTED, _("Accepted."))
            move.set_deadline(Duration(30, DeadlineUnit.DAYS))
            move.notify(mediators_of(move.case), _("A case to mediate: %(case)s") % {"case": move.case})
        return move.case

``transition`` locks the case (``select_for_update``) through ``restrict(user, step.permission)`` (404 when
missing or outside the user's area), checks the step's side and roles (404), its states (400
``wrong_status``) and its guard (400), lets the action change the case, then saves it, writes the timeline
entry (from → to, who, when, text) and the notifications, all in one transaction.

From the same declaration: ``ViewSet.workflow`` gives the detail page its status, the steps open to the
user (a disabled button says why not now) and the timeline, and the ``<pk>/do/<step>/`` pages (one template,
the step's form); ``crud_router(workflow=…)`` gives ``POST /{pk}/<step>`` operations whose body is derived
from the same form (so the page and the API validate alike); ``check_deadlines`` warns before and escalates
after the deadlines (``shequ tick``); ``core.testing.StepTestMixin`` tests each step.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.db import connection, models, transaction
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .actions import acting_as
from .exceptions import ActionError, NotFound
from .models import TimelineKind
from .workdays import deadline_for, warning_for

# Every declared workflow, by its model's label ("services.servicerequest").
WORKFLOWS: dict[str, Workflow] = {}
BATCH = 1000


def _authenticated(user: Any) -> Any:
    return user if getattr(user, "is_authenticated", False) else None


@dataclass(frozen=True)
class Step:
    """One step of a workflow: who may take it, from which states, with which form, doing what.

    ``run(user, case, data)`` takes the step (calls a ``do_*``); *data* is the step form's cleaned data
    (the page's, or the API body's validated by the same form).  *form* is a form class (or its dotted
    path, to avoid import cycles) taking ``user=``; none means a plain confirmation.  *states*: the states
    it may be taken from (none: any open state).  *permission*: the right on the model it needs at the
    case's place; *side*: ``side(user, case)`` for who beyond that (e.g. the responsible organization's
    side); *roles*: only holders of one of these roles there.  *guard*: ``guard(case)`` says why it cannot
    be taken now ("" when it can) — shown on its disabled button, refused with 400 otherwise.
    """

    name: str
    title: str | Promise
    run: Callable[[Any, Any, dict[str, Any]], Any]
    states: tuple[str, ...] = ()
    target: str = ""
    form: Any = None
    permission: str = "change"
    side: Callable[[Any, Any], bool] | None = None
    roles: tuple[str, ...] = ()
    guard: Callable[[Any], str] | None = None
    guard_code: str = "not_now"
    style: str = "secondary"
    files: bool = False
    # The API: whether to offer it, its path (default: the name), what it answers (default: the case read
    # back) with which status, and its description (default: *run*'s docstring, else one from the title).
    api: bool = True
    api_path: str = ""
    response: Any = None
    status: int = 200
    description: str = ""
    # The page: a note above the form, its initial values, where it leads after (default: the case).
    warning: Callable[[Any], str] | None = None
    initial: Callable[[Any, Any], dict[str, Any] | None] | None = None
    done_url: Callable[[Any, Any], str] | None = None

    def form_class(self) -> type:
        if self.form is None:
            from .forms import ConfirmForm

            return ConfirmForm
        return import_string(self.form) if isinstance(self.form, str) else self.form


@dataclass
class Available:
    """A step as offered to one user on one case: *blocked* says why it cannot be taken now ("" if it can)."""

    step: Step
    blocked: str = ""

    @property
    def name(self) -> str:
        return self.step.name


@dataclass
class Move:
    """What a ``do_*`` does inside ``Workflow.transition``: change ``case``, choose the new state with ``to``,
    set the deadline, say whom to tell.  Saved, logged and notified when the block ends."""

    workflow: Workflow
    case: Any
    step: Step
    user: Any
    actor_label: str = ""
    target: str | None = None
    text: str = ""
    public: bool = False
    event_fields: dict[str, Any] = field(default_factory=dict)
    notices: list[tuple[Any, str, str, str]] = field(default_factory=list)
    before: str = ""

    def to(self, state: str, text: Any = "", *, public: bool | None = None, **event_fields: Any) -> None:
        """Move the case to *state*; *text* goes on the timeline (shown to the public when *public*)."""
        self.target = str(state)
        self.text = str(text)
        if public is not None:
            self.public = public
        self.event_fields.update(event_fields)

    def set_deadline(self, duration: Any, start: datetime | None = None) -> None:
        """The case is due after *duration* (a ``workdays.Duration`` or a deadline tier) from *start* (now),
        in working time; the warning falls when its share is used.  None clears the clock."""
        self.workflow.set_deadline(self.case, duration, start)

    def notify(self, users: Any, text: Any, *, url: str | None = None, kind: str = TimelineKind.STATUS) -> None:
        """Tell *users* (after the case is saved, in the same transaction) *text*, leading to the case."""
        self.notices.append((list(users), str(text), url or "", str(kind)))

    def log(self, kind: str, text: Any = "", **fields: Any) -> Any:
        """One more timeline entry of *kind* in this transaction (a sub-task, a rating …)."""
        return self.workflow.log(
            self.case, kind, user=self.user, text=str(text), actor_label=self.actor_label, **fields
        )


class Workflow:
    """A declared process over *model* (a ``core.models.CaseModel``, or a model with its fields): the states
    (a TextChoices), which are open (the clock runs, ``is_open``), the steps, and the timeline model (a
    ``core.models.TimelineEntry`` subclass whose foreign key to the case is *timeline_fk*).

    *handlers(case, memo)* are told of warnings, *escalation_targets(case, memo)* of escalations (default:
    the users who may change such cases at the nearest place up the tree, then one level above them);
    *watch_fields*/*watch_related*: what the deadline watch loads of each case to word its messages."""

    def __init__(
        self,
        model: type[models.Model],
        *,
        states: Any,
        open_states: Sequence[str],
        steps: Sequence[Step],
        timeline: type[models.Model],
        timeline_fk: str = "case",
        public_default: bool = False,
        handlers: Callable[[Any, dict[str, Any]], list[Any]] | None = None,
        escalation_targets: Callable[[Any, dict[str, Any]], list[Any]] | None = None,
        warning_text: Callable[[Any], str] | None = None,
        escalation_text: Callable[[Any], str] | None = None,
        watch_fields: Sequence[str] = (),
        watch_related: Sequence[str] = (),
        lock_related: Sequence[str] = (),
        on_step: Callable[[Move], None] | None = None,
        timeline_title: Any = None,
    ) -> None:
        self.model = model
        self.states = states
        self.open_states = tuple(str(s) for s in open_states)
        self.steps = {s.name: s for s in steps}
        if len(self.steps) != len(steps):
            raise ValueError(f"{model.__name__}: two steps share a name")
        self.timeline = timeline
        self.timeline_fk = timeline_fk
        self.public_default = public_default
        self._handlers = handlers
        self._escalation_targets = escalation_targets
        self._warning_text = warning_text
        self._escalation_text = escalation_text
        self.watch_fields = tuple(watch_fields)
        self.watch_related = tuple(watch_related)
        self.lock_related = tuple(lock_related)
        self.on_step = on_step
        self.timeline_title = timeline_title or gettext_lazy("Timeline")
        self.listeners: dict[str, list[Callable[..., None]]] = {}
        WORKFLOWS[model._meta.label_lower] = self

    def __repr__(self) -> str:
        return f"<Workflow {self.model._meta.label_lower}: {', '.join(self.steps)}>"

    @property
    def label(self) -> str:
        return self.model._meta.label_lower

    def state_label(self, state: str) -> str:
        try:
            return str(self.states(state).label)
        except ValueError:
            return state

    # -- other apps ----------------------------------------------------------------------------------------------
    def add_step(self, step: Step) -> Step:
        """Another app contributes a step to this workflow (from its ``AppConfig.ready()``): e.g. mediation's
        "register a mediation case" on a residents' request."""
        if step.name in self.steps:
            raise ValueError(f"{self.model.__name__}: a step {step.name!r} exists already")
        self.steps[step.name] = step
        return step

    def on(self, event: str, listener: Callable[..., None]) -> None:
        """Call ``listener(case, move)`` after each *event* (a step's name, or ``"created"`` when the app says
        a case was created), inside the same transaction: declared in another app's ``ready()``, e.g. a
        must-arrive task when a request is rated unsatisfied."""
        self.listeners.setdefault(event, []).append(listener)

    def fire(self, event: str, case: Any, move: Move | None = None) -> None:
        for listener in self.listeners.get(event, ()):
            listener(case, move)

    # -- who may take which step ---------------------------------------------------------------------------------
    def may(self, user: Any, case: Any, step: Step, reachable: dict[str, bool] | None = None) -> bool:
        """May *user* take *step* on *case* at all, whatever the case's state: the step's right on the model,
        its roles at the case's place, and its *side* — or, without a side, the case among those the user may
        act on (``restrict(user, step.permission)``; *reachable* memoises that per permission)."""
        from shequ.accounts.scope import can

        if not can(user, self.model, step.permission):
            return False
        if step.roles and not holds_role(user, step.roles, getattr(case, "path", "")):
            return False
        if step.side is not None:
            return bool(step.side(user, case))
        memo = reachable if reachable is not None else {}
        if step.permission not in memo:
            qs = self.model._default_manager.restrict(user, step.permission)  # type: ignore[attr-defined]
            memo[step.permission] = qs.filter(pk=case.pk).exists()
        return memo[step.permission]

    def blocked(self, case: Any, step: Step) -> str:
        """Why *step* cannot be taken on *case* now ("" when it can)."""
        if step.states and case.status not in step.states:
            return _("Not possible while the case is %(status)s.") % {"status": self.state_label(case.status)}
        if not step.states and case.status not in self.open_states:
            return _("The case is closed.")
        return step.guard(case) if step.guard else ""

    def available(self, user: Any, case: Any) -> list[Available]:
        """The steps *user* may take on *case* in its state, each with why it is blocked ("" if it is not).
        Steps of other states are left out; a guard's refusal shows as a disabled step."""
        result = []
        reachable: dict[str, bool] = {}
        for step in self.steps.values():
            if (step.states and case.status not in step.states) or (
                not step.states and case.status not in self.open_states
            ):
                continue
            if self.may(user, case, step, reachable):
                result.append(Available(step, step.guard(case) if step.guard else ""))
        return result

    # -- the one lock-and-check helper ---------------------------------------------------------------------------
    def locked(self, pk: Any, user: Any = None, action: str = "change") -> Any:
        """The case, locked for this transaction, if *user* may *action* it (404 otherwise; no user: trusted
        code such as the portal after checking the tracking code)."""
        qs = self.model._default_manager.select_for_update(of=("self",))
        if self.lock_related:
            qs = qs.select_related(*self.lock_related)
        if user is not None:
            qs = qs.restrict(user, action)  # type: ignore[attr-defined]
        found = list(qs.filter(pk=pk).order_by()[:1])
        if not found:
            raise NotFound()
        return found[0]

    def expect(self, case: Any, *states: str) -> None:
        """Refuse (400 ``wrong_status``) unless *case* is in one of *states*."""
        if case.status not in states:
            raise ActionError(
                _("The case is %(status)s: this step is not possible now.") % {"status": self.state_label(case.status)},
                code="wrong_status",
            )

    def check(self, user: Any, case: Any, step: Step) -> None:
        """Refuse *step* on *case* for *user*: 404 when it is not theirs to take, 400 when not now."""
        if not self.may(user, case, step):
            raise NotFound()
        self.check_state(case, step)

    def check_state(self, case: Any, step: Step) -> None:
        """Refuse *step* on *case* now: 400 ``wrong_status`` in another state, ``guard_code`` when its guard says no."""
        reason = self.blocked(case, step)
        if reason:
            wrong = case.status not in (step.states or self.open_states)
            raise ActionError(reason, code="wrong_status" if wrong else step.guard_code)

    @contextlib.contextmanager
    def transition(
        self, case: Any, step_name: str, *, acting_user: Any, trusted: bool = False, actor_label: str = ""
    ) -> Iterator[Move]:
        """Take *step_name* on *case* (an instance or a pk) as *acting_user*; see the module's docstring.
        *trusted*: the caller has already established the right (the public portal, the deadline watch)."""
        step = self.steps[step_name]
        user = _authenticated(acting_user)
        pk = getattr(case, "pk", case)
        with acting_as(user), transaction.atomic():
            current = self.locked(pk, None if trusted else user, step.permission)
            if trusted:
                self.check_state(current, step)
            else:
                self.check(user, current, step)
            move = Move(self, current, step, user, actor_label=actor_label, before=current.status)
            move.public = self.public_default
            yield move
            self._finish(move)

    def _finish(self, move: Move) -> None:
        case = move.case
        if move.target is not None:
            case.status = move.target
        if self.on_step is not None:
            self.on_step(move)
        case.is_open = case.status in self.open_states
        case.save()
        if move.target is not None:
            self.log(
                case,
                TimelineKind.STATUS,
                user=move.user,
                text=move.text,
                from_status=move.before,
                to_status=case.status,
                public=move.public,
                actor_label=move.actor_label,
                **move.event_fields,
            )
        if move.notices:
            from .notifications import notify_many

            notify_many((users, text, case, url or None, kind) for users, text, url, kind in move.notices)
        self.fire(move.step.name, case, move)

    # -- the timeline --------------------------------------------------------------------------------------------
    def log(
        self,
        case: Any,
        kind: str,
        *,
        user: Any,
        text: str = "",
        from_status: str = "",
        to_status: str = "",
        public: bool = False,
        actor_label: str = "",
        **fields: Any,
    ) -> Any:
        """One timeline entry on *case* (the public sees it when *public*); by *user*, or by *actor_label*."""
        user = _authenticated(user)
        return self.timeline._default_manager.create(
            **{self.timeline_fk: case},
            kind=kind,
            from_status=from_status,
            to_status=to_status,
            text=text,
            public=public,
            actor=user,
            actor_label=actor_label or ("" if user else _("resident")),
            **fields,
        )

    def timeline_of(self, case: Any) -> models.QuerySet:
        return self.timeline._default_manager.filter(**{self.timeline_fk: case}).select_related("actor")

    # -- the clock -----------------------------------------------------------------------------------------------
    def set_deadline(self, case: Any, duration: Any, start: datetime | None = None) -> None:
        if duration is None:
            case.deadline = case.warn_at = None
            return
        start = start or timezone.now()
        case.deadline = deadline_for(duration, start)
        case.warn_at = warning_for(duration, start, case.deadline)
        case.warned_at = case.escalated_at = None

    def handlers(self, case: Any, memo: dict[str, Any]) -> list[Any]:
        if self._handlers is not None:
            return self._handlers(case, memo)
        from .recipients import officer_levels

        levels = officer_levels(self.label, case.path, memo)
        return levels[0] if levels else []

    def escalation_targets(self, case: Any, memo: dict[str, Any]) -> list[Any]:
        if self._escalation_targets is not None:
            return self._escalation_targets(case, memo)
        from .recipients import officer_levels

        levels = officer_levels(self.label, case.path, memo)
        return levels[1] if len(levels) > 1 else levels[0] if levels else []

    def warning_text(self, case: Any) -> str:
        if self._warning_text is not None:
            return self._warning_text(case)
        return _("%(case)s is due by %(deadline)s.") % {"case": case, "deadline": _when(case.deadline)}

    def escalation_text(self, case: Any) -> str:
        if self._escalation_text is not None:
            return self._escalation_text(case)
        return _("%(case)s is overdue since %(deadline)s; escalated.") % {
            "case": case,
            "deadline": _when(case.deadline),
        }

    def check_deadlines(self, now: datetime | None = None) -> dict[str, int]:
        """Escalate the newly overdue cases, then warn the newly due; a batch at a time, each batch in one
        transaction with one INSERT for the timeline entries, one for the notifications, one UPDATE for the
        marks.  Each case is warned once and escalated once (``warned_at``, ``escalated_at``)."""
        now = now or timezone.now()
        counts = {"warned": 0, "escalated": 0}
        memo: dict[str, Any] = {}
        manager = self.model._default_manager
        base = manager.filter(is_open=True)
        if self.watch_related:
            base = base.select_related(*self.watch_related)
        fields = ("id", "path", "deadline", *self.watch_fields)
        for kind, due, marks in (
            (
                TimelineKind.ESCALATION,
                {"escalated_at__isnull": True, "deadline__lt": now},
                ("escalated_at", "warned_at"),
            ),
            (
                TimelineKind.WARNING,
                {"warned_at__isnull": True, "warn_at__lte": now, "deadline__gte": now},
                ("warned_at",),
            ),
        ):
            order = "deadline" if kind == TimelineKind.ESCALATION else "warn_at"
            while True:
                with transaction.atomic():
                    batch = list(
                        base.filter(**due)
                        .select_for_update(of=("self",), skip_locked=True)
                        .only(*fields)
                        .order_by(order)[:BATCH]
                    )
                    self._record(batch, kind, memo, now)
                    manager.filter(pk__in=[c.pk for c in batch]).update(**{m: now for m in marks})
                counts["escalated" if kind == TimelineKind.ESCALATION else "warned"] += len(batch)
                if len(batch) < BATCH:
                    break
        return counts

    def _record(self, batch: list[Any], kind: str, memo: dict[str, Any], now: datetime) -> None:
        """The timeline entries and notifications of a batch of warnings or escalations, each kind of row in one
        ``executemany`` (no model instances: the hot loop of the watch)."""
        if not batch:
            return
        from .notifications import insert_rows, notify_rows
        from .recipients import prefetch_officers

        prefetch_officers(self.label, [getattr(c, "responsible_path", "") or c.path for c in batch], memo)
        label = _("deadline watch")
        at = connection.ops.adapt_datetimefield_value(now)
        events, notices = [], []
        for case in batch:
            if kind == TimelineKind.ESCALATION:
                text = self.escalation_text(case)
                users = [*self.escalation_targets(case, memo), *self.handlers(case, memo)]
            else:
                text = self.warning_text(case)
                users = self.handlers(case, memo)
            events.append((case.pk, kind, "", "", text, False, label, at))
            notices.append((users, case.pk, case.get_absolute_url(), text, kind))
        fk = str(self.timeline._meta.get_field(self.timeline_fk).column)  # type: ignore[union-attr]
        insert_rows(
            self.timeline, (fk, "kind", "from_status", "to_status", "text", "public", "actor_label", "at"), events
        )
        notify_rows(notices, model=self.model, at=now)


def _when(moment: datetime | None) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M") if moment else "—"


def _org_of(case: Any) -> Any:
    from shequ.accounts.scope import org_field_of

    field_name = org_field_of(type(case))
    if not field_name or field_name == "pk" or "__" in field_name:
        return None
    return getattr(case, f"{field_name}_id", None)


def holds_role(user: Any, roles: Sequence[str], path: str) -> bool:
    """Does *user* hold one of *roles* on a node covering *path* (a superuser holds every role)?"""
    from shequ.accounts.scope import user_grants

    if getattr(user, "is_superuser", False):
        return True
    return any(role.code in roles and path.startswith(gpath) for role, gpath in user_grants(user))


def check_all_deadlines(now: datetime | None = None) -> dict[str, dict[str, int]]:
    """The deadline watch over every declared workflow whose cases have a clock."""
    result = {}
    for label, workflow in sorted(WORKFLOWS.items()):
        if hasattr(workflow.model, "deadline"):
            result[label] = workflow.check_deadlines(now)
    return result
