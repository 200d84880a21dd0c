"""Opinions on the promotion of civil servants living in the community (000 §19), on the shared workflow: the
employer's request (recorded by the party secretary) starts the clock in working days; the community party
organization answers (agree / agree with remarks / disagree); past the deadline the watch escalates.  Confidential:
see ``models_opinions``."""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from shequ.core.actions import acting_as
from shequ.core.exceptions import FieldErrors, NotFound
from shequ.core.models import TimelineKind
from shequ.core.workdays import DeadlineUnit, Duration
from shequ.core.workflow import Step, Workflow
from shequ.people.models import Resident
from shequ.territory.models import Kind

from .actions import _place, checked
from .models_opinions import Conclusion, OpinionStatus, PromotionEvent, PromotionOpinion


def _field(name: str, message: str) -> None:
    raise FieldErrors([{"field": name, "message": message}])


def do_request_opinion(
    *,
    acting_user: Any,
    node: Any,
    employer: str,
    person: Any,
    post_sought: str,
    requested_on: date,
    answer_days: int,
) -> PromotionOpinion:
    """Record the employer's request; the answer is due *answer_days* working days after *requested_on*."""
    with acting_as(acting_user), transaction.atomic():
        place = _place(acting_user, node, PromotionOpinion, (Kind.COMMUNITY,))
        pk = getattr(person, "pk", person)
        resident = Resident.objects.restrict(acting_user, "view").filter(pk=pk).first()
        if resident is None:
            raise NotFound()
        if not resident.path.startswith(place.path) or resident.archived:
            _field("person", _("Choose a resident living in %(place)s.") % {"place": place.name})
        case = PromotionOpinion(
            node=place,
            employer=(employer or "").strip(),
            person=resident,
            post_sought=(post_sought or "").strip(),
            requested_on=requested_on,
            answer_days=answer_days,
            status=OpinionStatus.REQUESTED,
        )
        checked(case, ("status",))
        if requested_on > timezone.localdate():
            _field("requested_on", _("The request cannot be dated in the future."))
        start = timezone.make_aware(datetime.combine(requested_on, time(9)))
        OPINIONS.set_deadline(case, Duration(answer_days, DeadlineUnit.WORKING_DAYS), start)
        case.save()
        OPINIONS.log(
            case,
            TimelineKind.STATUS,
            user=acting_user,
            text=_("Requested by %(who)s.") % {"who": case.employer},
            to_status=OpinionStatus.REQUESTED,
        )
    return case


def do_answer_opinion(case: Any, *, acting_user: Any, conclusion: str, opinion: str) -> PromotionOpinion:
    """The community party organization's answer: the conclusion and the opinion, by whom, when."""
    text = (opinion or "").strip()
    if conclusion not in Conclusion.values:
        _field("conclusion", _("Choose the conclusion."))
    if not text:
        _field("opinion", _("Write the opinion."))
    with OPINIONS.transition(case, "answer", acting_user=acting_user) as move:
        current = move.case
        current.conclusion = conclusion
        current.opinion = text
        current.answered_by = acting_user
        current.answered_on = timezone.localdate()
        checked(current, ("status",))
        move.to(
            OpinionStatus.ANSWERED, _("Answered: %(conclusion)s") % {"conclusion": current.get_conclusion_display()}
        )
    return move.case


OPINIONS = Workflow(
    PromotionOpinion,
    states=OpinionStatus,
    open_states=(OpinionStatus.REQUESTED,),
    timeline=PromotionEvent,
    lock_related=("node",),
    steps=[
        Step(
            "answer",
            gettext_lazy("Answer"),
            lambda u, c, d: do_answer_opinion(c, acting_user=u, conclusion=d["conclusion"], opinion=d["opinion"]),
            states=(OpinionStatus.REQUESTED,),
            target=OpinionStatus.ANSWERED,
            form="shequ.oversight.forms_opinions.AnswerOpinionForm",
            style="primary",
            api=False,
        ),
    ],
)
