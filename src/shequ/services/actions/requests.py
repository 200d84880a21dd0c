"""The workflow of a request: submitted → accepted → assigned → in progress → resolved → rated → closed,
with returned (wrong routing) and reopened (an unsatisfied rating, once); sub-tasks; comments."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from shequ.accounts.scope import can
from shequ.core.actions import acting_as
from shequ.core.exceptions import ActionError, NotFound
from shequ.services import routing, workdays
from shequ.services.models import (
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

from .notify import notify

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
    return CaseEvent.objects.create(
        request=request,
        kind=kind,
        from_status=from_status,
        to_status=request.status if kind == EventKind.STATUS else "",
        text=text,
        public=public,
        actor=_user(user),
        actor_label=actor_label or ("" if _user(user) else _("resident")),
        organization=organization,
    )


def _locked(user: Any, pk: Any, action: str = "change") -> ServiceRequest:
    """The request, locked, if *user* may *action* it (404 otherwise)."""
    qs = ServiceRequest.objects.select_for_update(of=("self",)).select_related(
        "category", "organization", "node", "handler"
    )
    if user is not None:
        qs = qs.restrict(user, action)
    obj = qs.filter(pk=pk).first()
    if obj is None:
        raise NotFound()
    return obj


def _expect(request: ServiceRequest, *statuses: str) -> None:
    if request.status not in statuses:
        raise ActionError(
            _("The request is %(status)s: this step is not possible now.") % {"status": request.get_status_display()},
            code="wrong_status",
        )


def _intake_side(user: Any, request: ServiceRequest) -> None:
    if not can(user, ServiceRequest, "change", request.path):
        raise NotFound()


def _handler_side(user: Any, request: ServiceRequest) -> None:
    """The responsible organization's side (before routing: the place's)."""
    if not can(user, ServiceRequest, "change", request.responsible_path or request.path):
        raise NotFound()


def _set_status(
    request: ServiceRequest, status: str, user: Any, text: str = "", public: bool = True, **kw: Any
) -> None:
    before = request.status
    request.status = status
    if public and text:
        request.status_notes = text[:500]
    request.save()
    log(request, EventKind.STATUS, user=user, text=text, from_status=before, public=public, **kw)


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
        if accept:
            _accept(request, staff)
    return request


def _accept(request: ServiceRequest, user: Any) -> None:
    now = timezone.now()
    tier = request.category.effective_tier()
    request.accepted_at = now
    if tier is not None:
        request.tier_name = str(tier)[:80]
        request.deadline = workdays.deadline_for(tier, now)
        request.warn_at = workdays.warning_for(tier, now, request.deadline)
    text = _("Accepted; due by %(deadline)s.") % {
        "deadline": timezone.localtime(request.deadline).strftime("%Y-%m-%d %H:%M") if request.deadline else "—"
    }
    _set_status(request, Status.ACCEPTED, user, text)


def do_accept(request: ServiceRequest, *, acting_user: Any) -> ServiceRequest:
    """The intake accepts the request: the deadline is computed now, in working time."""
    with acting_as(acting_user), transaction.atomic():
        current = _locked(acting_user, request.pk)
        _intake_side(acting_user, current)
        _expect(current, Status.SUBMITTED)
        _accept(current, acting_user)
    return current


def do_assign(
    request: ServiceRequest,
    *,
    acting_user: Any,
    organization: Any = None,
    post: Any = None,
    handler: Any = None,
) -> ServiceRequest:
    """Hand the request to the responsible organization (by default the one the rules chose)."""
    with acting_as(acting_user), transaction.atomic():
        current = _locked(acting_user, request.pk)
        _intake_side(acting_user, current)
        _expect(current, Status.ACCEPTED, Status.RETURNED)
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
        _set_status(
            current,
            Status.ASSIGNED,
            acting_user,
            _("Assigned to %(org)s.") % {"org": organization.name},
            organization=organization,
        )
        notify(
            routing.handlers_of(current),
            current,
            EventKind.STATUS,
            _("New request %(code)s (%(category)s) assigned to %(org)s.")
            % {"code": current.code, "category": current.category.name, "org": organization.name},
        )
    return current


def do_start(request: ServiceRequest, *, acting_user: Any) -> ServiceRequest:
    """The responsible organization starts work (also on a reopened request)."""
    with acting_as(acting_user), transaction.atomic():
        current = _locked(acting_user, request.pk)
        _handler_side(acting_user, current)
        _expect(current, Status.ASSIGNED, Status.REOPENED)
        if current.handler_id is None and _user(acting_user) is not None:
            current.handler = acting_user
        _set_status(current, Status.IN_PROGRESS, acting_user, _("Work has started."), organization=current.organization)
    return current


def do_return(request: ServiceRequest, *, acting_user: Any, reason: str) -> ServiceRequest:
    """The responsible organization sends the request back to the intake: it was routed wrongly."""
    if not (reason or "").strip():
        raise ActionError(_("Give the reason."), code="reason_required")
    with acting_as(acting_user), transaction.atomic():
        current = _locked(acting_user, request.pk)
        _handler_side(acting_user, current)
        _expect(current, Status.ASSIGNED, Status.IN_PROGRESS)
        if current.subtasks.filter(status=SubTaskStatus.OPEN).exists():
            raise ActionError(_("Close the open sub-tasks first."), code="open_subtasks")
        previous = current.organization
        current.return_reason = reason.strip()[:200]
        current.organization, current.post, current.handler = None, None, None
        _set_status(
            current,
            Status.RETURNED,
            acting_user,
            _("Returned by %(org)s: %(reason)s")
            % {"org": previous.name if previous else "—", "reason": reason.strip()},
            public=False,
            organization=previous,
        )
        notify(
            routing.handlers_of(current),
            current,
            EventKind.STATUS,
            _("Request %(code)s was returned: %(reason)s") % {"code": current.code, "reason": reason.strip()},
        )
    return current


def do_resolve(request: ServiceRequest, *, acting_user: Any, note: str) -> ServiceRequest:
    """The matter is dealt with; the note is what the resident reads."""
    if not (note or "").strip():
        raise ActionError(_("Say what was done."), code="note_required")
    with acting_as(acting_user), transaction.atomic():
        current = _locked(acting_user, request.pk)
        _handler_side(acting_user, current)
        _expect(current, Status.IN_PROGRESS)
        if current.subtasks.filter(status=SubTaskStatus.OPEN).exists():
            raise ActionError(_("Close the open sub-tasks first."), code="open_subtasks")
        current.resolved_at = timezone.now()
        _set_status(current, Status.RESOLVED, acting_user, note.strip(), organization=current.organization)
    return current


def do_rate(
    request: ServiceRequest, *, acting_user: Any, rating: int, comment: str = "", actor_label: str = ""
) -> ServiceRequest:
    """The resident rates the result (1–5).  An unsatisfied rating (1 or 2) reopens the request once;
    a second unsatisfied rating stands."""
    if not isinstance(rating, int) or not 1 <= rating <= 5:
        raise ActionError(_("Rate from 1 to 5."), code="invalid_rating")
    staff = _user(acting_user)
    with acting_as(staff), transaction.atomic():
        current = _locked(staff, request.pk) if staff is not None else _locked(None, request.pk)
        if staff is not None:
            _intake_side(staff, current)
        _expect(current, Status.RESOLVED)
        current.rating, current.rating_comment = rating, (comment or "").strip()[:300]
        text = _("Rated %(rating)d of 5. %(comment)s") % {"rating": rating, "comment": current.rating_comment}
        log(current, EventKind.RATING, user=staff, text=text.strip(), public=True, actor_label=actor_label)
        if rating <= UNSATISFIED_MAX and current.reopened_count == 0:
            current.reopened_count = 1
            current.resolved_at = None
            _set_status(
                current,
                Status.REOPENED,
                staff,
                _("Reopened: the resident is not satisfied."),
                actor_label=actor_label,
                organization=current.organization,
            )
            notify(
                routing.handlers_of(current),
                current,
                EventKind.RATING,
                _("Request %(code)s was reopened after an unsatisfied rating.") % {"code": current.code},
            )
        else:
            _set_status(current, Status.RATED, staff, "", public=False, actor_label=actor_label)
    return current


def do_close(request: ServiceRequest, *, acting_user: Any, note: str = "") -> ServiceRequest:
    """Close a rated request (or a resolved one the resident did not rate)."""
    with acting_as(acting_user), transaction.atomic():
        current = _locked(acting_user, request.pk)
        _intake_side(acting_user, current)
        _expect(current, Status.RATED, Status.RESOLVED)
        current.closed_at = timezone.now()
        _set_status(current, Status.CLOSED, acting_user, (note or "").strip() or _("Closed."))
    return current


def do_merge(request: ServiceRequest, *, acting_user: Any, into: ServiceRequest) -> ServiceRequest:
    """A duplicate of *into*: closed, pointing to it; the resident follows the other request."""
    with acting_as(acting_user), transaction.atomic():
        current = _locked(acting_user, request.pk)
        _intake_side(acting_user, current)
        _expect(current, Status.SUBMITTED, Status.ACCEPTED)
        target = _locked(acting_user, into.pk, "view")
        if target.pk == current.pk or target.duplicate_of_id is not None:
            raise ActionError(_("Merge into another, original request."), code="invalid_merge")
        current.duplicate_of = target
        current.closed_at = timezone.now()
        _set_status(current, Status.CLOSED, acting_user, _("Merged into %(code)s.") % {"code": target.code})
        log(
            target,
            EventKind.COMMENT,
            user=acting_user,
            text=_("%(code)s was merged into this request.") % {"code": current.code},
        )
    return current


def do_comment(request: ServiceRequest, *, acting_user: Any, text: str, public: bool = False) -> CaseEvent:
    """A note in the shared case file (every organization working on it may write)."""
    if not (text or "").strip():
        raise ActionError(_("Write the comment."), code="text_required")
    with acting_as(acting_user), transaction.atomic():
        current = _locked(acting_user, request.pk)
        if public:
            current.status_notes = text.strip()[:500]
            current.save(update_fields=["status_notes", "updated"])
        return log(current, EventKind.COMMENT, user=acting_user, text=text.strip(), public=public)


# -- sub-tasks ------------------------------------------------------------------------------------------------------


def do_open_subtask(
    request: ServiceRequest, *, acting_user: Any, organization: Any, instruction: str, due: datetime | None = None
) -> SubTask:
    """The handler asks another organization to do part of the work; it shares the case file."""
    if not (instruction or "").strip():
        raise ActionError(_("Say what is to be done."), code="instruction_required")
    with acting_as(acting_user), transaction.atomic():
        current = _locked(acting_user, request.pk)
        _handler_side(acting_user, current)
        _expect(current, Status.ASSIGNED, Status.IN_PROGRESS, Status.REOPENED)
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
        log(
            current,
            EventKind.SUBTASK,
            user=acting_user,
            text=_("Sub-task for %(org)s: %(what)s") % {"org": organization.name, "what": task.instruction},
            organization=organization,
        )
        levels = routing.officer_levels(organization.path)
        notify(
            levels[0] if levels else [],
            current,
            EventKind.SUBTASK,
            _("Sub-task of request %(code)s for %(org)s: %(what)s")
            % {"code": current.code, "org": organization.name, "what": task.instruction},
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
            current.request,
            EventKind.SUBTASK,
            _("%(org)s reported on the sub-task of %(code)s.")
            % {"org": current.organization.name, "code": current.request.code},
        )
    return current
