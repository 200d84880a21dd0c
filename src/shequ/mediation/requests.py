"""A residents' request about a dispute becomes a mediation case in one click (a step the mediation app adds to the
requests' workflow), and the request then follows the case: its clock is the case's, and the case's outcome
resolves it (listeners on the case's workflow, declared in ``wiring``)."""

from __future__ import annotations

from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from shequ.accounts.scope import can
from shequ.core.exceptions import ActionError
from shequ.core.models import TimelineKind
from shequ.core.workflow import Step

from .actions import PartyIn, do_register_case
from .models import Category, MediationCase, PartyRole, Risk

# Request categories (``services.catalogue``) that may go to mediation, and the kind of dispute they suggest.
DISPUTE_CATEGORIES = {
    "family-dispute": Category.FAMILY,
    "neighbour-dispute": Category.NEIGHBOUR,
    "property-dispute": Category.PROPERTY,
    "disputes": Category.OTHER,
}


def _requests() -> Any:
    from shequ.services.actions.requests import WORKFLOW

    return WORKFLOW


def may_mediate(user: Any, request: Any) -> bool:
    """A dispute (other requests are not offered the step), for who may register cases at its place."""
    return request.category.code in DISPUTE_CATEGORIES and can(user, MediationCase, "add", request.path)


def not_mediable(request: Any) -> str:
    if request.mediation_cases.filter(is_open=True).exists():
        return _("The request is being mediated already.")
    return ""


def do_mediate_request(
    request: Any,
    *,
    acting_user: Any,
    committee: Any,
    category: str = "",
    risk: str = Risk.LOW,
    respondent: Any = None,
    respondent_name: str = "",
    respondent_id_number: str = "",
    respondent_phone: str = "",
    merge: bool = False,
) -> MediationCase:
    """The request's dispute goes to a mediation committee: a case is registered with the request's resident
    (or contact) as the applicant; the request is in progress and follows the case.  With *merge*, when the
    same parties have an open case about the same matter, the request is merged into it and follows it."""
    from shequ.services.models import Status

    from .actions import DuplicateCase
    from .merging import do_merge_into

    with _requests().transition(request, "mediate", acting_user=acting_user) as move:
        current = move.case
        applicant = PartyIn(
            PartyRole.APPLICANT,
            resident=current.resident_id,
            name=current.contact_name if not current.resident_id else "",
            phone=current.phone if not current.resident_id else "",
        )
        respondent_party = PartyIn(
            PartyRole.RESPONDENT,
            resident=getattr(respondent, "pk", respondent),
            name=respondent_name,
            id_number=respondent_id_number,
            phone=respondent_phone,
        )
        try:
            case = do_register_case(
                acting_user=acting_user,
                committee=committee,
                category=category or DISPUTE_CATEGORIES.get(current.category.code, Category.OTHER),
                summary=current.description,
                parties=[applicant, respondent_party],
                risk=risk,
                request=current,
            )
        except DuplicateCase as exc:
            if not merge:
                raise
            if exc.case.request_id not in (None, current.pk):
                raise ActionError(
                    _("Case %(code)s follows another request already: it cannot take this one.")
                    % {"code": exc.case.code},
                    code="duplicate",
                ) from None
            case = do_merge_into(
                exc.case,
                acting_user=acting_user,
                summary=current.description,
                parties=[applicant, respondent_party],
                request=current,
            )
        # The case's clock is the request's from now on (set when the committee accepts; already, if it has).
        move.set_deadline(None)
        current.deadline, current.warn_at = case.deadline, case.warn_at
        move.to(Status.IN_PROGRESS, _("Handed to people's mediation."), public=True)
        move.log(TimelineKind.COMMENT, _("Mediation case %(code)s registered.") % {"code": case.code}, public=False)
    return case


def mediate_step() -> Step:
    from shequ.services.models import Status

    return Step(
        "mediate",
        gettext_lazy("Go to mediation"),
        lambda u, r, d: do_mediate_request(
            r,
            acting_user=u,
            committee=d["committee"],
            category=d.get("category") or "",
            risk=d.get("risk") or Risk.LOW,
            respondent=d.get("respondent"),
            respondent_name=d.get("respondent_name") or "",
            respondent_id_number=d.get("respondent_id_number") or "",
            respondent_phone=d.get("respondent_phone") or "",
            merge=bool(d.get("merge")),
        ),
        states=(Status.SUBMITTED, Status.ACCEPTED, Status.ASSIGNED, Status.IN_PROGRESS, Status.REOPENED),
        target=Status.IN_PROGRESS,
        form="shequ.mediation.forms.FromRequestForm",
        permission="view",
        side=may_mediate,
        guard=not_mediable,
        guard_code="not_mediable",
        initial=lambda req, r: {"category": DISPUTE_CATEGORIES.get(r.category.code, Category.OTHER)},
        response="shequ.mediation.api.CaseOut",
        done_url=lambda r, case: case.get_absolute_url(),
    )


# -- the request follows the case -------------------------------------------------------------------------------------


def _follow(case: Any, text: str) -> None:
    from shequ.services.models import ServiceRequest

    if not case.request_id:
        return
    request = ServiceRequest.objects.filter(pk=case.request_id).first()
    if request is not None:
        _requests().log(request, TimelineKind.COMMENT, user=None, text=text, actor_label=_("people's mediation"))


def on_case_accepted(case: Any, move: Any) -> None:
    """The request's deadline is the case's."""
    from shequ.services.models import ServiceRequest

    if case.request_id:
        ServiceRequest.objects.filter(pk=case.request_id, is_open=True).update(
            deadline=case.deadline, warn_at=case.warn_at, warned_at=None, escalated_at=None
        )
        _follow(
            case,
            _("Mediation case %(code)s accepted; due by %(day)s.")
            % {"code": case.code, "day": f"{timezone.localtime(case.deadline):%Y-%m-%d}"},
        )


def on_case_declined(case: Any, move: Any) -> None:
    _follow(case, _("Mediation case %(code)s declined: %(reason)s") % {"code": case.code, "reason": case.reason})


def on_case_concluded(case: Any, move: Any) -> None:
    """An agreement, a failure or a withdrawal resolves the request (what the resident reads names no one)."""
    from shequ.core.indicators import mark_dirty
    from shequ.services.indicators import ON_TIME
    from shequ.services.models import Status

    if not case.request_id:
        return
    outcome = {
        "agreed": _("Mediation reached an agreement."),
        "failed": _("Mediation ended without an agreement."),
        "withdrawn": _("Mediation was withdrawn."),
    }.get(case.status, _("Mediation concluded."))
    try:
        with _requests().transition(
            case.request_id, "resolve", acting_user=None, trusted=True, actor_label=_("people's mediation")
        ) as req:
            req.case.resolved_at = timezone.now()
            req.to(Status.RESOLVED, outcome, public=True)
            mark_dirty(ON_TIME, req.case.node)
    except ActionError:
        _follow(case, outcome)


def on_case_extended(case: Any, move: Any) -> None:
    on_case_accepted(case, move)
