"""Writes on household links, visit intervals, visits and must-arrive tasks (a workflow with a deadline in
hours: ``WORKFLOW``).  Must-arrive tasks also come from the residents' requests: an unsatisfied rating, a
request about a family dispute (``on_request_rated`` / ``on_request_created``, declared in ``wiring``)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, datetime, timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from shequ.accounts.scope import can
from shequ.core.actions import acting_as, ensure_in_scope
from shequ.core.exceptions import ActionError, NotFound
from shequ.core.indicators import community_of, mark_dirty
from shequ.core.models import TimelineKind
from shequ.core.workdays import DeadlineUnit, Duration
from shequ.core.workflow import Step, Workflow

from .indicators import LINK_COVERAGE, VISITS_ON_TIME
from .lists import committee_members, member_communities
from .models import (
    ARRIVE_HOURS,
    ArrivalReason,
    HouseholdLink,
    MustArriveTask,
    TaskEvent,
    TaskStatus,
    Visit,
    VisitKind,
    VisitPhoto,
    VisitRule,
)

# Residents' request categories (``services.catalogue``) that make a must-arrive task when filed.
DISPUTE_CATEGORIES = ("family-dispute",)
FUTURE_TOLERANCE = timedelta(minutes=5)


def _staff(user: Any) -> Any:
    return user if getattr(user, "is_authenticated", False) else None


def _household(user: Any, household: Any, action: str, model: Any) -> Any:
    from shequ.people.models import Household

    found = (
        Household.objects.restrict(user, "view")
        .select_related("node")
        .filter(pk=getattr(household, "pk", household))
        .first()
    )
    if found is None or not can(user, model, action, found.path):
        raise NotFound()
    if found.dissolved:
        raise ActionError(_("The household is dissolved."), code="household_dissolved")
    return found


def _check_member(member: Any, community: Any) -> None:
    """*member* must sit on one of the two committees of *community*."""
    if member is None:
        raise ActionError(_("Choose the committee member."), code="member_required")
    if any(c.pk == community.pk for c in member_communities(member)):
        return
    elsewhere = member_communities(member)
    if elsewhere:
        raise ActionError(
            _("%(name)s sits on the committees of %(theirs)s: a household of %(community)s is outside their community.")
            % {"name": member.name, "theirs": "、".join(c.name for c in elsewhere), "community": community.name},
            code="outside_community",
        )
    raise ActionError(
        _("%(name)s is not a member of the two committees of %(community)s.")
        % {"name": member.name, "community": community.name},
        code="not_committee_member",
    )


# -- links ---------------------------------------------------------------------------------------------------------


def do_link(
    *, acting_user: Any, member: Any, household: Any, started_on: date | None = None, import_job: Any = None
) -> HouseholdLink:
    """A member of the two committees answers for a household of their community (from *started_on*)."""
    started_on = started_on or timezone.localdate()
    if started_on > timezone.localdate():
        raise ActionError(_("A link cannot start in the future."), code="date_in_future")
    with acting_as(acting_user), transaction.atomic():
        found = _household(acting_user, household, "add", HouseholdLink)
        community = community_of(found.node)
        if community is None:
            raise ActionError(_("The household lies in no community."), code="no_community")
        _check_member(member, community)
        if HouseholdLink.objects.filter(member=member, household=found, ended_on__isnull=True).exists():
            raise ActionError(
                _("%(name)s already answers for %(household)s.") % {"name": member.name, "household": found},
                code="duplicate",
            )
        link = HouseholdLink(
            household=found,
            member=member,
            community=community,
            node=found.node,
            started_on=started_on,
            import_job=import_job,
        )
        link.save()
        mark_dirty(LINK_COVERAGE, community)
    return link


def do_unlink(link: HouseholdLink, *, acting_user: Any, ended_on: date | None = None) -> HouseholdLink:
    """The member no longer answers for the household (from *ended_on*, default today)."""
    ended_on = ended_on or timezone.localdate()
    with acting_as(acting_user), transaction.atomic():
        current = (
            HouseholdLink.objects.restrict(acting_user, "change")
            .select_for_update(of=("self",))
            .select_related("community")
            .filter(pk=link.pk)
            .first()
        )
        if current is None:
            raise NotFound()
        if current.ended_on is not None:
            raise ActionError(_("The link has ended already."), code="wrong_status")
        if ended_on < current.started_on:
            raise ActionError(_("A link cannot end before it starts."), code="invalid_dates")
        current.ended_on = ended_on
        current.save()
        mark_dirty(LINK_COVERAGE, current.community)
    return current


def do_apply_proposal(*, acting_user: Any, community: Any, pairs: Sequence[tuple[Any, Any]]) -> list[HouseholdLink]:
    """Make the proposed links (member, household) at once: all or none."""
    with acting_as(acting_user), transaction.atomic():
        members = {m.pk for m in committee_members(community)}
        links = []
        for member, household in pairs:
            if member.pk not in members:
                raise ActionError(
                    _("%(name)s is not a member of the two committees of %(community)s.")
                    % {"name": member.name, "community": community.name},
                    code="not_committee_member",
                )
            links.append(do_link(acting_user=acting_user, member=member, household=household))
    return links


# -- rules --------------------------------------------------------------------------------------------------------


def do_save_rule(rule: VisitRule, *, acting_user: Any) -> VisitRule:
    """A community's interval for a must-visit kind (new or changed)."""
    from shequ.territory.models import Kind

    if rule.node_id is None or rule.node.kind != Kind.COMMUNITY:
        raise ActionError(_("Visit intervals are set for a community."), code="not_a_community")
    action = "change" if rule.pk else "add"
    with acting_as(acting_user), transaction.atomic():
        if rule.pk and not VisitRule.objects.restrict(acting_user, "change").filter(pk=rule.pk).exists():
            raise NotFound()
        if VisitRule.objects.filter(node_id=rule.node_id, tag_id=rule.tag_id).exclude(pk=rule.pk).exists():
            raise ActionError(
                _("%(community)s has an interval for “%(tag)s” already.")
                % {"community": rule.node.name, "tag": rule.tag.name},
                code="duplicate",
            )
        rule.save()
        ensure_in_scope(rule, acting_user, action)
        mark_dirty(VISITS_ON_TIME, rule.node)
    return rule


# -- visits --------------------------------------------------------------------------------------------------------


def check_photo(upload: Any) -> tuple[str, str]:
    from shequ.services.actions.attachments import check_photo as photo_only

    return photo_only(upload, _("Only photos (JPEG, PNG, GIF, WebP) can be attached to a visit."))


def _store_photo(visit: Visit, upload: Any) -> VisitPhoto:
    name, content_type = check_photo(upload)
    return VisitPhoto.store(upload, folder="visits", key=visit.pk, name=name, content_type=content_type, visit=visit)


def _file_request(user: Any, visit: Visit, category: Any, description: str) -> Any:
    from shequ.services.actions import do_file_request
    from shequ.services.models import Channel

    household = visit.household
    head = household.head if household.head_id else None
    return do_file_request(
        acting_user=user,
        category=category,
        node=household.node,
        description=description,
        channel=Channel.GRID,
        resident=head,
        contact_name="" if head is not None else str(household),
        address=household.address,
    )


def do_log_visit(
    *,
    acting_user: Any,
    household: Any,
    findings: str,
    visited_at: datetime | None = None,
    member: Any = None,
    kind: str = VisitKind.VISIT,
    needs: str = "",
    follow_up: str = "",
    photos: Iterable[Any] = (),
    request_category: Any = None,
    task: MustArriveTask | None = None,
    import_job: Any = None,
) -> Visit:
    """Log a visit to a household (or, with *task*, the arrival of a must-arrive task).  With
    *request_category* the follow-up becomes a residents' request at once."""
    visited_at = visited_at or timezone.now()
    if visited_at > timezone.now() + FUTURE_TOLERANCE:
        raise ActionError(_("A visit cannot be in the future."), code="visit_in_future")
    if not (findings or "").strip():
        raise ActionError(_("Write what you found."), code="findings_required")
    photos = list(photos)
    for upload in photos:
        check_photo(upload)
    with acting_as(acting_user), transaction.atomic():
        found = _household(acting_user, household, "add", Visit)
        community = community_of(found.node)
        if member is not None and community is not None:
            _check_member(member, community)
        visit = Visit(
            household=found,
            node=found.node,
            member=member,
            kind=kind,
            visited_at=visited_at,
            task=task,
            findings=findings.strip()[:1000],
            needs=(needs or "").strip()[:1000],
            follow_up=(follow_up or "").strip()[:1000],
            recorded_by=_staff(acting_user),
            import_job=import_job,
        )
        visit.save()
        for upload in photos:
            _store_photo(visit, upload)
        if request_category is not None:
            text = visit.follow_up or visit.needs
            if not text:
                raise ActionError(_("Write the follow-up that the request is about."), code="follow_up_required")
            visit.request = _file_request(acting_user, visit, request_category, text)
            visit.save(update_fields=["request"])
        if community is not None:
            mark_dirty(VISITS_ON_TIME, community)
    return visit


def do_file_follow_up(visit: Visit, *, acting_user: Any, category: Any, description: str = "") -> Visit:
    """The visit's follow-up becomes a residents' request (once)."""
    with acting_as(acting_user), transaction.atomic():
        current = (
            Visit.objects.restrict(acting_user, "change")
            .select_for_update(of=("self",))
            .select_related("household__node__parent", "household__head")
            .filter(pk=visit.pk)
            .first()
        )
        if current is None:
            raise NotFound()
        if current.request_id is not None:
            raise ActionError(_("The follow-up is a request already."), code="duplicate")
        text = (description or "").strip() or current.follow_up or current.needs
        if not text:
            raise ActionError(_("Write the follow-up that the request is about."), code="follow_up_required")
        current.request = _file_request(acting_user, current, category, text)
        current.save(update_fields=["request", "updated"])
    return current


# -- must-arrive tasks ---------------------------------------------------------------------------------------------


def _linked_member(household: Any) -> Any:
    if household is None:
        return None
    link = (
        HouseholdLink.objects.filter(household=household, ended_on__isnull=True)
        .select_related("member")
        .order_by("started_on", "pk")
        .first()
    )
    return link.member if link is not None else None


def _member_users(member: Any) -> list[Any]:
    """The member's own account, if they have one (as a volunteer with an account)."""
    if member is None:
        return []
    from shequ.volunteers.models import Volunteer

    found = (
        Volunteer.objects.filter(resident=member, user__isnull=False, user__is_active=True)
        .select_related("user")
        .first()
    )
    return [found.user] if found is not None else []


def do_open_task(
    *,
    acting_user: Any,
    reason: str,
    description: str,
    household: Any = None,
    node: Any = None,
    request: Any = None,
    hours: int | None = None,
    trusted: bool = False,
) -> MustArriveTask:
    """Someone must arrive: the household's linked member, within *hours* (by default by the reason: an
    emergency 2 hours, a dissatisfaction or a family dispute 24).  *trusted*: made by the platform itself
    (a rating, a request), no user's rights to check."""
    from shequ.core.notifications import notify
    from shequ.core.recipients import officer_levels

    if reason not in ArrivalReason.values:
        raise ActionError(_("Choose the reason."), code="invalid_reason")
    if not (description or "").strip():
        raise ActionError(_("Say what happened."), code="description_required")
    hours = int(hours or ARRIVE_HOURS[reason])
    if not 1 <= hours <= 168:
        raise ActionError(_("Arrive within 1 to 168 hours."), code="invalid_hours")
    staff = _staff(acting_user)
    with acting_as(staff), transaction.atomic():
        if household is not None and not trusted:
            household = _household(staff, household, "add", MustArriveTask)
        place = household.node if household is not None else node
        if place is None:
            raise ActionError(_("Choose the household."), code="household_required")
        if not trusted and not can(staff, MustArriveTask, "add", place.path):
            raise NotFound()
        member = _linked_member(household)
        task = MustArriveTask(
            reason=reason,
            household=household,
            member=member,
            node=place,
            description=description.strip()[:500],
            request=request,
            hours=hours,
            created_by=staff,
        )
        WORKFLOW.set_deadline(task, Duration(hours, DeadlineUnit.HOURS))
        task.save()
        who = member.name if member is not None else _("no one answers for the household")
        WORKFLOW.log(
            task,
            TimelineKind.STATUS,
            user=staff,
            text=_("%(reason)s: arrive within %(hours)d hours (%(who)s).")
            % {"reason": task.get_reason_display(), "hours": hours, "who": who},
            to_status=TaskStatus.OPEN,
            actor_label="" if staff else _("the platform"),
        )
        levels = officer_levels(MustArriveTask._meta.label_lower, place.path)
        notify(
            [*(levels[0] if levels else []), *_member_users(member)],
            _("Must arrive within %(hours)d hours: %(task)s") % {"hours": hours, "task": task},
            obj=task,
            kind="must_arrive",
        )
    return task


def do_arrive(
    task: MustArriveTask,
    *,
    acting_user: Any,
    findings: str,
    visited_at: datetime | None = None,
    needs: str = "",
    follow_up: str = "",
) -> MustArriveTask:
    """The member arrived: the arrival is logged as a visit of the household and the task is done."""
    with WORKFLOW.transition(task, "arrive", acting_user=acting_user) as move:
        current = move.case
        when = visited_at or timezone.now()
        if current.household_id is not None:
            do_log_visit(
                acting_user=acting_user,
                household=current.household,
                findings=findings,
                visited_at=when,
                member=current.member,
                kind=VisitKind.ARRIVAL,
                needs=needs,
                follow_up=follow_up,
                task=current,
            )
        elif when > timezone.now() + FUTURE_TOLERANCE:
            raise ActionError(_("A visit cannot be in the future."), code="visit_in_future")
        current.arrived_at = when
        late = current.deadline is not None and when > current.deadline
        move.to(
            TaskStatus.ARRIVED,
            (_("Arrived late: %(findings)s") if late else _("Arrived: %(findings)s")) % {"findings": findings.strip()},
        )
    return move.case


def do_reassign(task: MustArriveTask, *, acting_user: Any, member: Any) -> MustArriveTask:
    """Another member of the two committees is to arrive."""
    with WORKFLOW.transition(task, "reassign", acting_user=acting_user) as move:
        current = move.case
        community = community_of(current.node)
        if community is not None:
            _check_member(member, community)
        current.member = member
        move.to(TaskStatus.OPEN, _("Now for %(name)s.") % {"name": member.name})
        move.notify(_member_users(member), _("Must arrive: %(task)s") % {"task": current})
    return move.case


def do_cancel_task(task: MustArriveTask, *, acting_user: Any, reason: str) -> MustArriveTask:
    """No arrival is needed after all (say why)."""
    if not (reason or "").strip():
        raise ActionError(_("Give the reason."), code="reason_required")
    with WORKFLOW.transition(task, "cancel", acting_user=acting_user) as move:
        move.to(TaskStatus.CANCELLED, _("Cancelled: %(reason)s") % {"reason": reason.strip()})
    return move.case


# -- from the residents' requests (declared in wiring.register_all) -------------------------------------------------


def _household_of_request(request: Any) -> Any:
    resident = request.resident if request.resident_id else None
    household = resident.household if resident is not None and resident.household_id else None
    return household if household is not None and not household.dissolved else None


def on_request_rated(request: Any, move: Any) -> None:
    """An unsatisfied rating: someone must arrive (once per request while a task is open)."""
    from shequ.services.models import UNSATISFIED_MAX

    if request.rating is None or request.rating > UNSATISFIED_MAX:
        return
    if MustArriveTask.objects.filter(request=request, is_open=True).exists():
        return
    do_open_task(
        acting_user=None,
        reason=ArrivalReason.DISSATISFACTION,
        description=_("Request %(code)s was rated %(rating)d of 5.") % {"code": request.code, "rating": request.rating},
        household=_household_of_request(request),
        node=request.node,
        request=request,
        trusted=True,
    )


def on_request_created(request: Any, move: Any) -> None:
    """A request about a family dispute: someone must arrive."""
    if request.category.code not in DISPUTE_CATEGORIES:
        return
    do_open_task(
        acting_user=None,
        reason=ArrivalReason.DISPUTE,
        description=_("Request %(code)s: %(text)s") % {"code": request.code, "text": request.description[:400]},
        household=_household_of_request(request),
        node=request.node,
        request=request,
        trusted=True,
    )


_FORMS = "shequ.visits.forms."

WORKFLOW = Workflow(
    MustArriveTask,
    states=TaskStatus,
    open_states=(TaskStatus.OPEN,),
    timeline=TaskEvent,
    timeline_fk="task",
    lock_related=("household", "household__node", "member", "node"),
    warning_text=lambda t: (
        _("Must arrive by %(deadline)s: %(task)s")
        % {"deadline": timezone.localtime(t.deadline).strftime("%Y-%m-%d %H:%M"), "task": t}
    ),
    steps=[
        Step(
            "arrive",
            gettext_lazy("Log the arrival"),
            lambda u, t, d: do_arrive(
                t,
                acting_user=u,
                findings=d["findings"],
                visited_at=d.get("visited_at"),
                needs=d.get("needs") or "",
                follow_up=d.get("follow_up") or "",
            ),
            states=(TaskStatus.OPEN,),
            target=TaskStatus.ARRIVED,
            form=_FORMS + "ArrivalForm",
            style="primary",
        ),
        Step(
            "reassign",
            gettext_lazy("Another member is to arrive"),
            lambda u, t, d: do_reassign(t, acting_user=u, member=d["member"]),
            states=(TaskStatus.OPEN,),
            form=_FORMS + "ReassignForm",
        ),
        Step(
            "cancel",
            gettext_lazy("Cancel the task"),
            lambda u, t, d: do_cancel_task(t, acting_user=u, reason=d["reason"]),
            states=(TaskStatus.OPEN,),
            target=TaskStatus.CANCELLED,
            form="shequ.core.forms.ReasonForm",
            style="danger",
        ),
    ],
)
