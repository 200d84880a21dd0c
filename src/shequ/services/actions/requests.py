"""The workflow of a request: submitted → accepted → assigned → in progress → resolved → rated → closed,
with returned (wrong routing) and reopened (an unsatisfied rating, once); sub-tasks; comments.

The process is declared once, as ``WORKFLOW`` (``core.workflow``) at the end of this module: each step's
states, side (the intake's — the place's officers — or the handler's — the responsible organization's),
form and action.  Every ``do_*`` takes its step through ``WORKFLOW.transition``."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from shequ.accounts.scope import can
from shequ.core.actions import acting_as
from shequ.core.exceptions import ActionError, NotFound
from shequ.core.indicators import mark_dirty
from shequ.core.notifications import notify
from shequ.core.workflow import Step, Workflow
from shequ.services import routing
from shequ.services.indicators import ON_TIME, SATISFACTION
from shequ.services.models import (
    OPEN_STATUSES,
    UNSATISFIED_MAX,
    CaseEvent,
    Channel,
    Datatype,
    EventKind,
    ServiceCategory,
    ServiceRequest,
    Status,
    SubTask,
    SubTaskStatus,
)

PUBLIC_CHANNELS = (Channel.PORTAL, Channel.OPEN311)


def _user(user: Any) -> Any:
    return user if getattr(user, "is_authenticated", False) else None


def log(
    request: ServiceRequest,
    kind: str,
    *,
    user: Any,
    text: str = "",
    from_status: str = "",
    public: bool = False,
    actor_label: str = "",
    organization: Any = None,
) -> CaseEvent:
    """A line in the case file (a STATUS line records the request's present status)."""
    return WORKFLOW.log(
        request,
        kind,
        user=user,
        text=text,
        from_status=from_status,
        to_status=request.status if kind == EventKind.STATUS else "",
        public=public,
        actor_label=actor_label,
        organization=organization,
    )


def intake_side(user: Any, request: ServiceRequest) -> bool:
    """The officers of the request's place (who took it in)."""
    return can(user, ServiceRequest, "change", request.path)


def handler_side(user: Any, request: ServiceRequest) -> bool:
    """The responsible organization's side (before routing: the place's)."""
    return can(user, ServiceRequest, "change", request.responsible_path or request.path)


# -- attributes ---------------------------------------------------------------------------------------------------


def category_attributes(category: ServiceCategory) -> list[Any]:
    """The extra questions of *category*: its parent's first, then its own."""
    from shequ.services.models import ServiceAttribute

    ids = [category.pk] + ([category.parent_id] if category.parent_id else [])
    attrs = list(ServiceAttribute.objects.filter(category_id__in=ids))
    return sorted(attrs, key=lambda a: (a.category_id != category.parent_id, a.order, a.pk))


def validate_attributes(category: ServiceCategory, data: dict[str, Any] | None) -> dict[str, Any]:
    """Check the answers against the category's typed questions; unknown keys are dropped."""
    data = data or {}
    cleaned: dict[str, Any] = {}
    errors = []
    for attr in category_attributes(category):
        raw = data.get(attr.code)
        empty = raw is None or raw == "" or raw == []
        if empty:
            if attr.required:
                errors.append(_("Answer “%(question)s”.") % {"question": attr.label})
            continue
        value: Any = raw
        if attr.datatype == Datatype.NUMBER:
            try:
                value = str(Decimal(str(raw)))
            except InvalidOperation:
                errors.append(_("“%(question)s” takes a number.") % {"question": attr.label})
                continue
        elif attr.datatype == Datatype.DATETIME:
            parsed = raw if isinstance(raw, datetime) else parse_datetime(str(raw))
            if parsed is None:
                errors.append(_("“%(question)s” takes a date and time.") % {"question": attr.label})
                continue
            value = parsed.isoformat()
        elif attr.datatype == Datatype.SINGLEVALUELIST:
            if isinstance(raw, list):
                raw = raw[0] if len(raw) == 1 else raw
            if str(raw) not in attr.choice_keys():
                errors.append(_("“%(question)s”: choose one of the listed answers.") % {"question": attr.label})
                continue
            value = str(raw)
        elif attr.datatype == Datatype.MULTIVALUELIST:
            values = raw if isinstance(raw, list) else [raw]
            if not set(map(str, values)) <= set(attr.choice_keys()):
                errors.append(_("“%(question)s”: choose among the listed answers.") % {"question": attr.label})
                continue
            value = [str(v) for v in values]
        else:
            value = str(raw)[: 200 if attr.datatype == Datatype.STRING else 4000]
        cleaned[attr.code] = value
    if errors:
        raise ActionError("；".join(errors), code="invalid_attribute")
    return cleaned


# -- intake -----------------------------------------------------------------------------------------------------


def do_file_request(
    *,
    acting_user: Any,
    category: ServiceCategory,
    node: Any,
    description: str,
    channel: str = Channel.WINDOW,
    resident: Any = None,
    contact_name: str = "",
    phone: str = "",
    email: str = "",
    address: str = "",
    lat: Decimal | float | None = None,
    long: Decimal | float | None = None,
    attributes: dict[str, Any] | None = None,
    media_url: str = "",
    external_account: str = "",
    accept: bool = False,
    actor_label: str = "",
) -> ServiceRequest:
    """File a request from any channel; it is routed at once by the rules (nearest node up the tree).

    Staff (window, hotline, grid, API) need the right to add requests at *node*; the portal and Open311
    file without an account of the resident's.  *accept*: the window or hotline accepts it on the spot.
    """
    if not (description or "").strip():
        raise ActionError(_("Describe the matter."), code="description_required")
    if category is None or not category.active:
        raise ActionError(_("Choose an active category."), code="invalid_category")
    if category.children.filter(active=True).exists():
        raise ActionError(
            _("Choose a sub-category of “%(name)s”.") % {"name": category.name}, code="choose_subcategory"
        )
    staff = _user(acting_user)
    if channel not in PUBLIC_CHANNELS and (staff is None or not can(staff, ServiceRequest, "add", node.path)):
        raise NotFound()
    if resident is None and not (contact_name or "").strip() and channel not in PUBLIC_CHANNELS:
        raise ActionError(_("Choose the resident, or give a contact name."), code="contact_required")
    cleaned = validate_attributes(category, attributes)
    with acting_as(staff), transaction.atomic():
        if resident is not None and staff is not None:
            from shequ.people.models import Resident

            if not Resident.objects.restrict(staff, "view").filter(pk=resident.pk).exists():
                raise NotFound()
        request = ServiceRequest(
            category=category,
            node=node,
            description=description.strip(),
            channel=channel,
            resident=resident,
            contact_name=(contact_name or (resident.name if resident is not None else "")).strip()[:50],
            phone=(phone or (resident.phone if resident is not None else "")).strip()[:20],
            email=(email or "").strip(),
            address=(address or "").strip()[:200],
            lat=lat,
            long=long,
            attributes=cleaned,
            media_url=(media_url or "")[:500],
            external_account=(external_account or "")[:100],
            submitted_by=staff,
        )
        rule = routing.route(category, node.path)
        if rule is not None:
            request.organization, request.post = rule.organization, rule.post
        request.save()
        label = actor_label or ("" if staff else str(Channel(channel).label))
        log(
            request,
            EventKind.STATUS,
            user=staff,
            text=_("Filed through: %(channel)s") % {"channel": request.get_channel_display()},
            public=True,
            actor_label=label,
        )
        if rule is not None:
            log(
                request,
                EventKind.ROUTING,
                user=staff,
                text=_("Routed to %(org)s by the rule at %(node)s.")
                % {"org": rule.organization.name, "node": rule.node.name},
                actor_label=label,
                organization=rule.organization,
            )
        WORKFLOW.fire("created", request)
        if accept:
            request = do_accept(request, acting_user=staff)
    return request


def _deadline(move: Any) -> None:
    """The clock starts at acceptance, in working time, by the category's tier as it is now."""
    request = move.case
    now = timezone.now()
    tier = request.category.effective_tier()
    request.accepted_at = now
    if tier is not None:
        request.tier_name = str(tier)[:80]
        move.set_deadline(tier, now)
    move.to(
        Status.ACCEPTED,
        _("Accepted; due by %(deadline)s.")
        % {"deadline": timezone.localtime(request.deadline).strftime("%Y-%m-%d %H:%M") if request.deadline else "—"},
    )


def do_accept(request: ServiceRequest, *, acting_user: Any) -> ServiceRequest:
    """The intake accepts the request: the deadline is computed now, in working time."""
    with WORKFLOW.transition(request, "accept", acting_user=acting_user) as move:
        _deadline(move)
    return move.case


def do_assign(
    request: ServiceRequest,
    *,
    acting_user: Any,
    organization: Any = None,
    post: Any = None,
    handler: Any = None,
) -> ServiceRequest:
    """Hand the request to the responsible organization (by default the one the rules chose)."""
    with WORKFLOW.transition(request, "assign", acting_user=acting_user) as move:
        current = move.case
        organization = organization or current.organization
        if organization is None:
            raise ActionError(_("No routing rule applies: choose the responsible organization."), code="org_required")
        if post is not None and post.organization_id != organization.pk:
            raise ActionError(_("The post belongs to another organization."), code="invalid_post")
        if handler is not None and not can(handler, ServiceRequest, "change", organization.path):
            raise ActionError(
                _("%(user)s may not handle requests of %(org)s.") % {"user": handler, "org": organization.name},
                code="invalid_handler",
            )
        current.organization = organization
        current.post = (
            post
            if post is not None
            else (current.post if current.post and current.post.organization_id == organization.pk else None)
        )
        current.handler = handler
        current.return_reason = ""
        move.to(Status.ASSIGNED, _("Assigned to %(org)s.") % {"org": organization.name}, organization=organization)
        move.notify(
            routing.handlers_of(current),
            _("New request %(code)s (%(category)s) assigned to %(org)s.")
            % {"code": current.code, "category": current.category.name, "org": organization.name},
        )
    return move.case


def do_start(request: ServiceRequest, *, acting_user: Any) -> ServiceRequest:
    """The responsible organization starts work (also on a reopened request)."""
    with WORKFLOW.transition(request, "start", acting_user=acting_user) as move:
        current = move.case
        if current.handler_id is None and _user(acting_user) is not None:
            current.handler = acting_user
        move.to(Status.IN_PROGRESS, _("Work has started."), organization=current.organization)
    return move.case


def _no_open_subtasks(request: ServiceRequest) -> str:
    if request.subtasks.filter(status=SubTaskStatus.OPEN).exists():
        return _("Close the open sub-tasks first.")
    return ""


def do_return(request: ServiceRequest, *, acting_user: Any, reason: str) -> ServiceRequest:
    """The responsible organization sends the request back to the intake: it was routed wrongly."""
    if not (reason or "").strip():
        raise ActionError(_("Give the reason."), code="reason_required")
    with WORKFLOW.transition(request, "return", acting_user=acting_user) as move:
        current = move.case
        previous = current.organization
        current.return_reason = reason.strip()[:200]
        current.organization, current.post, current.handler = None, None, None
        move.to(
            Status.RETURNED,
            _("Returned by %(org)s: %(reason)s")
            % {"org": previous.name if previous else "—", "reason": reason.strip()},
            public=False,
            organization=previous,
        )
        current.responsible_path = ""  # told below: the officers of the place, as before routing
        move.notify(
            routing.handlers_of(current),
            _("Request %(code)s was returned: %(reason)s") % {"code": current.code, "reason": reason.strip()},
        )
    return move.case


def do_resolve(request: ServiceRequest, *, acting_user: Any, note: str) -> ServiceRequest:
    """The matter is dealt with; the note is what the resident reads."""
    if not (note or "").strip():
        raise ActionError(_("Say what was done."), code="note_required")
    with WORKFLOW.transition(request, "resolve", acting_user=acting_user) as move:
        move.case.resolved_at = timezone.now()
        move.to(Status.RESOLVED, note.strip(), organization=move.case.organization)
        mark_dirty(ON_TIME, move.case.node)
    return move.case


def do_rate(
    request: ServiceRequest, *, acting_user: Any, rating: int, comment: str = "", actor_label: str = ""
) -> ServiceRequest:
    """The resident rates the result (1–5).  An unsatisfied rating (1 or 2) reopens the request once;
    a second unsatisfied rating stands.  Without a staff user (the public portal, which has checked the
    tracking code and the phone digits) the step is trusted."""
    if not isinstance(rating, int) or not 1 <= rating <= 5:
        raise ActionError(_("Rate from 1 to 5."), code="invalid_rating")
    staff = _user(acting_user)
    with WORKFLOW.transition(
        request, "rate", acting_user=staff, trusted=staff is None, actor_label=actor_label
    ) as move:
        current = move.case
        current.rating, current.rating_comment = rating, (comment or "").strip()[:300]
        mark_dirty(SATISFACTION, current.node)
        text = _("Rated %(rating)d of 5. %(comment)s") % {"rating": rating, "comment": current.rating_comment}
        move.log(EventKind.RATING, text.strip(), public=True)
        if rating <= UNSATISFIED_MAX and current.reopened_count == 0:
            current.reopened_count = 1
            current.resolved_at = None
            move.to(Status.REOPENED, _("Reopened: the resident is not satisfied."), organization=current.organization)
            move.notify(
                routing.handlers_of(current),
                _("Request %(code)s was reopened after an unsatisfied rating.") % {"code": current.code},
                kind=EventKind.RATING,
            )
        else:
            move.to(Status.RATED, "", public=False)
    return move.case


def do_close(request: ServiceRequest, *, acting_user: Any, note: str = "") -> ServiceRequest:
    """Close a rated request (or a resolved one the resident did not rate)."""
    with WORKFLOW.transition(request, "close", acting_user=acting_user) as move:
        move.case.closed_at = timezone.now()
        move.to(Status.CLOSED, (note or "").strip() or _("Closed."))
    return move.case


def do_merge(request: ServiceRequest, *, acting_user: Any, into: ServiceRequest) -> ServiceRequest:
    """A duplicate of *into*: closed, pointing to it; the resident follows the other request."""
    with WORKFLOW.transition(request, "merge", acting_user=acting_user) as move:
        current = move.case
        target = WORKFLOW.locked(into.pk, acting_user, "view")
        if target.pk == current.pk or target.duplicate_of_id is not None:
            raise ActionError(_("Merge into another, original request."), code="invalid_merge")
        current.duplicate_of = target
        current.closed_at = timezone.now()
        move.to(Status.CLOSED, _("Merged into %(code)s.") % {"code": target.code})
        log(
            target,
            EventKind.COMMENT,
            user=acting_user,
            text=_("%(code)s was merged into this request.") % {"code": current.code},
        )
    return move.case


def do_comment(request: ServiceRequest, *, acting_user: Any, text: str, public: bool = False) -> CaseEvent:
    """A note in the shared case file (every organization working on it may write)."""
    if not (text or "").strip():
        raise ActionError(_("Write the comment."), code="text_required")
    with WORKFLOW.transition(request, "comment", acting_user=acting_user) as move:
        if public:
            move.case.status_notes = text.strip()[:500]
        event = move.log(EventKind.COMMENT, text.strip(), public=public)
    return event


# -- sub-tasks ------------------------------------------------------------------------------------------------------


def do_open_subtask(
    request: ServiceRequest, *, acting_user: Any, organization: Any, instruction: str, due: datetime | None = None
) -> SubTask:
    """The handler asks another organization to do part of the work; it shares the case file."""
    if not (instruction or "").strip():
        raise ActionError(_("Say what is to be done."), code="instruction_required")
    with WORKFLOW.transition(request, "subtask", acting_user=acting_user) as move:
        current = move.case
        if organization is None or not organization.active:
            raise ActionError(_("Choose an active organization."), code="invalid_org")
        if organization.pk == current.organization_id:
            raise ActionError(_("The request is already with this organization."), code="same_org")
        task = SubTask.objects.create(
            request=current,
            node=current.node,
            organization=organization,
            instruction=instruction.strip()[:500],
            due=due or current.deadline,
            created_by=_user(acting_user),
        )
        move.log(
            EventKind.SUBTASK,
            _("Sub-task for %(org)s: %(what)s") % {"org": organization.name, "what": task.instruction},
            organization=organization,
        )
        levels = routing.officer_levels(organization.path)
        move.notify(
            levels[0] if levels else [],
            _("Sub-task of request %(code)s for %(org)s: %(what)s")
            % {"code": current.code, "org": organization.name, "what": task.instruction},
            kind=EventKind.SUBTASK,
        )
    return task


def do_complete_subtask(task: SubTask, *, acting_user: Any, result: str, declined: bool = False) -> SubTask:
    """The receiving organization reports the sub-task done (or declines it, with the reason)."""
    if not (result or "").strip():
        raise ActionError(_("Say what was done."), code="result_required")
    with acting_as(acting_user), transaction.atomic():
        current = (
            SubTask.objects.select_for_update(of=("self",))
            .restrict(acting_user, "change")
            .select_related("organization", "request")
            .filter(pk=task.pk)
            .first()
        )
        if current is None or not can(acting_user, SubTask, "change", current.to_path):
            raise NotFound()
        if current.status != SubTaskStatus.OPEN:
            raise ActionError(_("The sub-task is already closed."), code="wrong_status")
        current.status = SubTaskStatus.DECLINED if declined else SubTaskStatus.DONE
        current.result = result.strip()[:500]
        current.done_by, current.done_at = _user(acting_user), timezone.now()
        current.save()
        log(
            current.request,
            EventKind.SUBTASK,
            user=acting_user,
            text=(
                _("Sub-task declined by %(org)s: %(result)s") if declined else _("Sub-task done by %(org)s: %(result)s")
            )
            % {"org": current.organization.name, "result": current.result},
            organization=current.organization,
        )
        notify(
            routing.handlers_of(current.request),
            _("%(org)s reported on the sub-task of %(code)s.")
            % {"org": current.organization.name, "code": current.request.code},
            obj=current.request,
            kind=EventKind.SUBTASK,
        )
    return current


# -- the process, declared once (core.workflow) ---------------------------------------------------------------------

_FORMS = "shequ.services.forms."
ALL_STATES = tuple(Status.values)


def _notes(move: Any) -> None:
    """What the resident reads: the latest public note of a step."""
    if move.public and move.text:
        move.case.status_notes = move.text[:500]


WORKFLOW = Workflow(
    ServiceRequest,
    states=Status,
    open_states=OPEN_STATUSES,
    timeline=CaseEvent,
    timeline_fk="request",
    public_default=True,
    on_step=_notes,
    timeline_title=gettext_lazy("Case file"),
    lock_related=("category", "organization", "node", "handler"),
    handlers=routing.handlers_of,
    escalation_targets=routing.escalation_targets,
    warning_text=lambda r: (
        _("Request %(code)s (%(category)s) is due by %(deadline)s.")
        % {"code": r.code, "category": r.category.name, "deadline": _local(r.deadline)}
    ),
    escalation_text=lambda r: (
        _("Request %(code)s (%(category)s) is overdue since %(deadline)s; escalated.")
        % {"code": r.code, "category": r.category.name, "deadline": _local(r.deadline)}
    ),
    watch_fields=("code", "responsible_path", "handler", "category__name"),
    watch_related=("category", "handler"),
    steps=[
        Step(
            "accept",
            gettext_lazy("Accept the request"),
            lambda u, r, d: do_accept(r, acting_user=u),
            states=(Status.SUBMITTED,),
            target=Status.ACCEPTED,
            side=intake_side,
            style="primary",
        ),
        Step(
            "assign",
            gettext_lazy("Assign"),
            lambda u, r, d: do_assign(r, acting_user=u, organization=d.get("organization")),
            states=(Status.ACCEPTED, Status.RETURNED),
            target=Status.ASSIGNED,
            form=_FORMS + "AssignForm",
            side=intake_side,
            style="primary",
        ),
        Step(
            "start",
            gettext_lazy("Start work"),
            lambda u, r, d: do_start(r, acting_user=u),
            states=(Status.ASSIGNED, Status.REOPENED),
            target=Status.IN_PROGRESS,
            side=handler_side,
            style="primary",
        ),
        Step(
            "resolve",
            gettext_lazy("Resolve"),
            lambda u, r, d: do_resolve(r, acting_user=u, note=d["note"]),
            states=(Status.IN_PROGRESS,),
            target=Status.RESOLVED,
            form=_FORMS + "NoteForm",
            side=handler_side,
            guard=_no_open_subtasks,
            guard_code="open_subtasks",
            style="primary",
        ),
        Step(
            "rate",
            gettext_lazy("Record the resident's rating"),
            lambda u, r, d: do_rate(r, acting_user=u, rating=d["rating"], comment=d.get("comment") or ""),
            states=(Status.RESOLVED,),
            target=Status.RATED,
            form=_FORMS + "RateForm",
            side=intake_side,
        ),
        Step(
            "close",
            gettext_lazy("Close"),
            lambda u, r, d: do_close(r, acting_user=u, note=d.get("note") or ""),
            states=(Status.RATED, Status.RESOLVED),
            target=Status.CLOSED,
            form=_FORMS + "CloseForm",
            side=intake_side,
        ),
        Step(
            "subtask",
            gettext_lazy("Open a sub-task"),
            lambda u, r, d: do_open_subtask(
                r, acting_user=u, organization=d["organization"], instruction=d["instruction"]
            ),
            states=(Status.ASSIGNED, Status.IN_PROGRESS, Status.REOPENED),
            form=_FORMS + "SubTaskForm",
            side=handler_side,
            api_path="subtasks",
            status=201,
            response="shequ.services.api.SubTaskOut",
        ),
        Step(
            "return",
            gettext_lazy("Return (wrong routing)"),
            lambda u, r, d: do_return(r, acting_user=u, reason=d["reason"]),
            states=(Status.ASSIGNED, Status.IN_PROGRESS),
            target=Status.RETURNED,
            form=_FORMS + "ReasonForm",
            side=handler_side,
            guard=_no_open_subtasks,
            guard_code="open_subtasks",
            style="danger",
        ),
        Step(
            "merge",
            gettext_lazy("Merge into the original request"),
            lambda u, r, d: do_merge(r, acting_user=u, into=d["into"]),
            states=(Status.SUBMITTED, Status.ACCEPTED),
            target=Status.CLOSED,
            form=_FORMS + "MergeForm",
            side=intake_side,
        ),
        Step(
            "comment",
            gettext_lazy("Comment"),
            lambda u, r, d: do_comment(r, acting_user=u, text=d["text"], public=d.get("public", False)),
            states=ALL_STATES,
            form=_FORMS + "CommentForm",
            api_path="comments",
            status=201,
            response="shequ.services.api.EventOut",
        ),
        Step(
            "attach",
            gettext_lazy("Attach a file"),
            lambda u, r, d: _attach(r, u, d),
            states=ALL_STATES,
            form=_FORMS + "AttachForm",
            files=True,
            api=False,
        ),
    ],
)


def _local(moment: Any) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M") if moment else "—"


def _attach(request: ServiceRequest, user: Any, data: dict[str, Any]) -> Any:
    from .attachments import do_attach

    return do_attach(request, acting_user=user, upload=data["file"], public=data.get("public", False))
