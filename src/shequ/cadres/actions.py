"""Writes on community workers: their file, training attendance, qualifications, pay tables and grades,
assessments (a workflow: ``WORKFLOW``) and rewards or punishments.  Every rule of issue 15 is enforced here, so
the pages, the API and the imports refuse alike (nothing written on a refusal)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from shequ.core.actions import acting_as, ensure_in_scope
from shequ.core.exceptions import ActionError, FieldErrors, NotFound
from shequ.core.indicators import mark_dirty
from shequ.core.workflow import Step, Workflow

from .indicators import PAY, RESERVE, SOCIAL_WORK, TRAINING
from .models import (
    MAX_GRADE,
    MAX_HOURS_A_DAY,
    Assessment,
    AssessmentEvent,
    AssessmentStatus,
    Cadre,
    Course,
    GradeReason,
    PayGrade,
    PayRate,
    PayTable,
    PostCategory,
    Qualification,
    Result,
    Sanction,
    SanctionKind,
    TrainingRecord,
    Use,
)


def checked(obj: Any, exclude: list[str] | None = None) -> None:
    """The model's own bounds and rules (``full_clean``): refused as field errors (422 in the API)."""
    try:
        obj.full_clean(exclude=exclude, validate_unique=False, validate_constraints=False)
    except ValidationError as exc:
        if hasattr(exc, "error_dict"):
            raise FieldErrors([{"field": f, "message": m} for f, ms in exc.message_dict.items() for m in ms]) from exc
        raise ActionError("；".join(exc.messages)) from exc


def _save_scoped(obj: Any, acting_user: Any) -> Any:
    action = "change" if obj.pk else "add"
    model = type(obj)
    if obj.pk and not model.objects.restrict(acting_user, "change").filter(pk=obj.pk).exists():
        raise NotFound()
    obj.save()
    ensure_in_scope(obj, acting_user, action)
    return obj


# -- the file -------------------------------------------------------------------------------------------------------


def do_save_cadre(cadre: Cadre, *, acting_user: Any) -> Cadre:
    """A worker's file, new or changed (its place in the user's area; the number unique)."""
    checked(cadre, exclude=["node", "resident", "user"])
    with acting_as(acting_user), transaction.atomic():
        if Cadre.objects.filter(number=cadre.number).exclude(pk=cadre.pk).exists():
            raise FieldErrors(
                [{"field": "number", "message": _("Another worker has the number %(n)s.") % {"n": cadre.number}}]
            )
        before: Any = Cadre.objects.filter(pk=cadre.pk).values_list("node_id", flat=True).first() if cadre.pk else None
        _save_scoped(cadre, acting_user)
        mark_dirty((TRAINING, SOCIAL_WORK, RESERVE, PAY), cadre.node)
        if before is not None and before != cadre.node_id:
            mark_dirty((TRAINING, SOCIAL_WORK, RESERVE, PAY), _node(before))
        # The worker's records follow them.
        for model in (TrainingRecord, Qualification, PayGrade, Sanction):
            model.objects.filter(cadre=cadre).exclude(path=cadre.path).update(node=cadre.node, path=cadre.path)
    return cadre


def _node(pk: int) -> Any:
    from shequ.territory.models import Node

    return Node.objects.get(pk=pk)


def _cadre(user: Any, cadre: Any, action: str, model: Any) -> Cadre:
    """*cadre* if the user may *action* records of *model* at its place (404 otherwise)."""
    from shequ.accounts.scope import can

    found = Cadre.objects.select_related("node").filter(pk=getattr(cadre, "pk", cadre)).first()
    if (
        found is None
        or not can(user, model, action, found.path)
        or not Cadre.objects.restrict(user, "view").filter(pk=found.pk).exists()
    ):
        raise NotFound()
    return found


# -- training -------------------------------------------------------------------------------------------------------


def do_save_course(course: Course, *, acting_user: Any) -> Course:
    checked(course, exclude=["node"])
    with acting_as(acting_user), transaction.atomic():
        _save_scoped(course, acting_user)
        if course.pk:
            outside = course.records.exclude(attended_on__range=(course.starts_on, course.ends_on)).first()
            if outside is not None:
                raise ActionError(
                    _("%(name)s attended on %(day)s, outside the new dates.")
                    % {"name": outside.cadre.name, "day": outside.attended_on},
                    code="invalid_dates",
                )
    return course


def check_day(
    cadre: Cadre, attended_on: date, hours: Decimal, exclude_pk: Any = None, pending: Decimal = Decimal(0)
) -> None:
    """No more than 24 training hours on one day, whatever the courses."""
    if hours > MAX_HOURS_A_DAY or hours <= 0:
        raise FieldErrors([{"field": "hours", "message": _("Between 0.5 and 24 hours a day.")}])
    taken = TrainingRecord.objects.filter(cadre=cadre, attended_on=attended_on).exclude(pk=exclude_pk).aggregate(
        h=Sum("hours")
    )["h"] or Decimal(0)
    if taken + pending + hours > MAX_HOURS_A_DAY:
        raise ActionError(
            _("%(name)s would have %(hours)s training hours on %(day)s: more than 24 hours a day.")
            % {"name": cadre.name, "hours": taken + pending + hours, "day": attended_on.isoformat()},
            code="over_24_hours",
        )


def do_record_training(
    *,
    acting_user: Any,
    cadre: Any,
    course: Course,
    attended_on: date,
    hours: Decimal,
    import_job: Any = None,
    record: TrainingRecord | None = None,
) -> TrainingRecord:
    """A worker attended *course* on *attended_on* for *hours* (at most 24 a day in all)."""
    hours = Decimal(str(hours))
    with acting_as(acting_user), transaction.atomic():
        found = _cadre(acting_user, cadre, "change" if record else "add", TrainingRecord)
        if not Course.objects.restrict(acting_user, "view").filter(pk=course.pk).exists():
            raise NotFound()
        if not course.starts_on <= attended_on <= course.ends_on:
            raise FieldErrors(
                [
                    {
                        "field": "attended_on",
                        "message": _("The course runs from %(start)s to %(end)s.")
                        % {"start": course.starts_on.isoformat(), "end": course.ends_on.isoformat()},
                    }
                ]
            )
        check_day(found, attended_on, hours, exclude_pk=getattr(record, "pk", None))
        clash = TrainingRecord.objects.filter(cadre=found, course=course, attended_on=attended_on)
        if record is not None:
            clash = clash.exclude(pk=record.pk)
        if clash.exists():
            raise ActionError(
                _("%(name)s's attendance on %(day)s is recorded already.")
                % {"name": found.name, "day": attended_on.isoformat()},
                code="duplicate",
            )
        record = record or TrainingRecord(import_job=import_job)
        record.cadre, record.course, record.attended_on, record.hours = found, course, attended_on, hours
        record.node = found.node
        record.save()
        mark_dirty(TRAINING, found.node)
    return record


# -- qualifications -------------------------------------------------------------------------------------------------


def do_save_qualification(qualification: Qualification, *, acting_user: Any) -> Qualification:
    """A social-work qualification: with its certificate number (no certificate, no allowance)."""
    checked(qualification, exclude=["node", "cadre"])
    with acting_as(acting_user), transaction.atomic():
        cadre = _cadre(acting_user, qualification.cadre_id, "change" if qualification.pk else "add", Qualification)
        if Qualification.objects.filter(cadre=cadre, level=qualification.level).exclude(pk=qualification.pk).exists():
            raise ActionError(_("%(name)s holds this qualification already.") % {"name": cadre.name}, code="duplicate")
        qualification.node = cadre.node
        _save_scoped(qualification, acting_user)
        mark_dirty((SOCIAL_WORK, PAY), cadre.node)
    return qualification


# -- pay ------------------------------------------------------------------------------------------------------------


def do_save_pay_table(
    *,
    acting_user: Any,
    node: Any,
    year: int,
    average_wage: Decimal | None = None,
    city_share: int | None = None,
    rates: Mapping[str, Mapping[int, Decimal]] | None = None,
    import_job: Any = None,
) -> tuple[PayTable, bool]:
    """The pay table of *node* for *year*, created or updated; *rates*: per post category the amounts of all 18
    grades (a category missing a grade is refused).  Returns the table and whether anything changed."""
    rates = rates or {}
    for category, amounts in rates.items():
        if category not in PostCategory.values:
            raise FieldErrors([{"field": "category", "message": _("Unknown post category.")}])
        missing = [g for g in range(1, MAX_GRADE + 1) if amounts.get(g) in (None, "")]
        if missing:
            raise ActionError(
                _("%(category)s: grade %(grades)s missing (a pay table gives all 18 grades).")
                % {"category": PostCategory(category).label, "grades": "、".join(str(g) for g in missing)},
                code="grade_missing",
            )
        extra = [g for g in amounts if not 1 <= int(g) <= MAX_GRADE]
        if extra:
            raise FieldErrors([{"field": "grade", "message": _("Grades run from 1 to 18.")}])
    with acting_as(acting_user), transaction.atomic():
        table = PayTable.objects.filter(node=node, year=year).first()
        changed = table is None
        table = table or PayTable(node=node, year=year, import_job=import_job)
        if average_wage is not None and table.average_wage != average_wage:
            table.average_wage, changed = average_wage, True
        if city_share is not None and table.city_share != city_share:
            table.city_share, changed = city_share, True
        checked(table, exclude=["node"])
        if changed:
            _save_scoped(table, acting_user)
        elif not PayTable.objects.restrict(acting_user, "change").filter(pk=table.pk).exists():
            raise NotFound()
        existing = {(r.category, r.grade): r for r in PayRate.objects.filter(table=table)}
        for category, amounts in rates.items():
            for grade, amount in amounts.items():
                amount = Decimal(str(amount))
                rate = existing.get((category, int(grade)))
                if rate is None:
                    rate = PayRate(table=table, category=category, grade=int(grade), amount=amount)
                elif rate.amount == amount:
                    continue
                rate.amount = amount
                checked(rate, exclude=["table"])
                rate.save()
                changed = True
        if changed:
            mark_dirty(PAY, table.node)
    return table, changed


def do_set_grade(
    *,
    acting_user: Any,
    cadre: Any,
    category: str,
    grade: int,
    since: date,
    reason: str = GradeReason.APPOINTED,
    grade_obj: PayGrade | None = None,
) -> PayGrade:
    """A worker's post category and grade from *since* (1 to 18)."""
    with acting_as(acting_user), transaction.atomic():
        found = _cadre(acting_user, cadre, "change" if grade_obj else "add", PayGrade)
        obj = grade_obj or PayGrade()
        obj.cadre, obj.category, obj.grade, obj.since, obj.reason, obj.node = (
            found,
            category,
            grade,
            since,
            reason,
            found.node,
        )
        checked(obj, exclude=["node", "cadre"])
        if PayGrade.objects.filter(cadre=found, since=since).exclude(pk=obj.pk).exists():
            raise ActionError(
                _("%(name)s has a grade from %(day)s already.") % {"name": found.name, "day": since.isoformat()},
                code="duplicate",
            )
        _save_scoped(obj, acting_user)
        mark_dirty(PAY, found.node)
    return obj


def current_grade(cadre: Cadre, day: date | None = None) -> PayGrade | None:
    day = day or timezone.localdate()
    return cadre.grades.filter(since__lte=day).order_by("-since", "-id").first()


# -- assessments (workflow 9) ---------------------------------------------------------------------------------------

USES_ALLOWED: dict[str, tuple[str, ...]] = {
    Result.EXCELLENT: (Use.NONE, Use.GRADE_RISE, Use.REWARD),
    Result.COMPETENT: (Use.NONE, Use.GRADE_RISE),
    Result.BASIC: (Use.NONE, Use.WARNING),
    Result.INCOMPETENT: (Use.NONE, Use.WARNING),
}


def do_record_assessment(
    *,
    acting_user: Any,
    year: int,
    result: str,
    cadre: Any = None,
    organization: Any = None,
    note: str = "",
) -> Assessment:
    """The year's assessment of a worker or of an organization, recorded (then confirmed with its use)."""
    if (cadre is None) == (organization is None):
        raise ActionError(_("Choose either a community worker or an organization."), code="subject_required")
    if result not in Result.values:
        raise FieldErrors([{"field": "result", "message": _("Unknown result.")}])
    if year > timezone.localdate().year:
        raise FieldErrors([{"field": "year", "message": _("A year not yet begun cannot be assessed.")}])
    with acting_as(acting_user), transaction.atomic():
        subject: Any
        if cadre is not None:
            subject = _cadre(acting_user, cadre, "add", Assessment)
            node, taken = (
                subject.node,
                Assessment.objects.filter(cadre=subject, year=year).exclude(status=AssessmentStatus.WITHDRAWN),
            )
        else:
            from shequ.orgs.models import Organization

            subject = (
                Organization.objects.restrict(acting_user, "view")
                .filter(pk=getattr(organization, "pk", organization))
                .select_related("node")
                .first()
            )
            if subject is None:
                raise NotFound()
            node, taken = (
                subject.node,
                Assessment.objects.filter(organization=subject, year=year).exclude(status=AssessmentStatus.WITHDRAWN),
            )
        if taken.exists():
            raise ActionError(
                _("%(subject)s is assessed for %(year)d already.") % {"subject": subject, "year": year},
                code="duplicate",
            )
        case = Assessment(
            year=year,
            result=result,
            note=note,
            node=node,
            cadre=subject if cadre is not None else None,
            organization=subject if organization is not None else None,
            status=AssessmentStatus.RECORDED,
        )
        checked(case, exclude=["node", "cadre", "organization"])
        case.save()
        ensure_in_scope(case, acting_user, "add")
        WORKFLOW.log(
            case,
            "status",
            user=acting_user,
            text=_("Recorded: %(result)s.") % {"result": case.get_result_display()},
            to_status=case.status,
        )
        WORKFLOW.fire("created", case)
    return case


def do_confirm_assessment(
    case: Any, *, acting_user: Any, use: str, document_no: str = "", title: str = "", decided_by: str = ""
) -> Assessment:
    """Confirm the assessment and use its result: a grade rise (excellent or competent workers), a reward
    (excellent) or a warning (basically competent or incompetent), each recorded with its document."""
    with WORKFLOW.transition(case, "confirm", acting_user=acting_user) as move:
        a = move.case
        if use not in USES_ALLOWED.get(a.result, ()):
            raise ActionError(
                _("A result of “%(result)s” cannot be used for “%(use)s”.")
                % {"result": a.get_result_display(), "use": Use(use).label if use in Use.values else use},
                code="use_not_allowed",
            )
        text = _("Confirmed: %(result)s, used for %(use)s.") % {"result": a.get_result_display(), "use": Use(use).label}
        if use == Use.GRADE_RISE:
            if a.cadre_id is None:
                raise ActionError(_("Only a worker's grade rises."), code="use_not_allowed")
            grade = current_grade(a.cadre)
            if grade is None:
                raise ActionError(_("%(name)s has no pay grade yet.") % {"name": a.cadre.name}, code="no_grade")
            if grade.grade >= MAX_GRADE:
                raise ActionError(_("%(name)s is at grade 18 already.") % {"name": a.cadre.name}, code="top_grade")
            since = max(date(a.year + 1, 1, 1), grade.since.replace(day=1))
            if since <= grade.since:
                since = grade.since.replace(year=grade.since.year + 1)
            rise = PayGrade(
                cadre=a.cadre,
                category=grade.category,
                grade=grade.grade + 1,
                since=since,
                reason=GradeReason.ASSESSMENT,
                node=a.cadre.node,
            )
            rise.save()
            mark_dirty(PAY, a.cadre.node)
            text += " " + _("Grade %(old)d → %(new)d from %(day)s.") % {
                "old": grade.grade,
                "new": rise.grade,
                "day": since.isoformat(),
            }
        elif use in (Use.REWARD, Use.WARNING):
            if not document_no.strip():
                raise FieldErrors(
                    [{"field": "document_no", "message": _("A reward or a warning needs its document number.")}]
                )
            Sanction.objects.create(
                kind=SanctionKind.REWARD if use == Use.REWARD else SanctionKind.PUNISHMENT,
                cadre=a.cadre,
                organization=a.organization,
                title=title.strip() or (Use(use).label + f" ({a.year})"),
                document_no=document_no.strip(),
                decided_on=timezone.localdate(),
                decided_by=decided_by,
                assessment=a,
                node=a.node,
            )
        a.use = use
        move.to(AssessmentStatus.CONFIRMED, text)
        if a.cadre_id and a.cadre.user_id:
            move.notify([a.cadre.user], _("Your assessment for %(year)d is confirmed.") % {"year": a.year})
    return move.case


def do_withdraw_assessment(case: Any, *, acting_user: Any, reason: str) -> Assessment:
    """Withdraw a recorded assessment (a mistake): it can then be recorded again."""
    with WORKFLOW.transition(case, "withdraw", acting_user=acting_user) as move:
        move.to(AssessmentStatus.WITHDRAWN, reason)
    return move.case


def do_save_sanction(sanction: Sanction, *, acting_user: Any) -> Sanction:
    """A reward or a punishment with its document."""
    checked(sanction, exclude=["node", "cadre", "organization", "assessment"])
    with acting_as(acting_user), transaction.atomic():
        if sanction.cadre_id:
            sanction.node = _cadre(acting_user, sanction.cadre_id, "change" if sanction.pk else "add", Sanction).node
        elif sanction.organization is not None:
            sanction.node = sanction.organization.node
        _save_scoped(sanction, acting_user)
    return sanction


WORKFLOW = Workflow(
    Assessment,
    states=AssessmentStatus,
    open_states=(AssessmentStatus.RECORDED,),
    timeline=AssessmentEvent,
    timeline_fk="assessment",
    steps=[
        Step(
            "confirm",
            gettext_lazy("Confirm and use the result"),
            form="shequ.cadres.forms.ConfirmAssessmentForm",
            states=(AssessmentStatus.RECORDED,),
            style="primary",
            run=lambda u, case, d: do_confirm_assessment(
                case,
                acting_user=u,
                use=d["use"],
                document_no=d.get("document_no") or "",
                title=d.get("title") or "",
                decided_by=d.get("decided_by") or "",
            ),
        ),
        Step(
            "withdraw",
            gettext_lazy("Withdraw"),
            form="shequ.core.forms.ReasonForm",
            states=(AssessmentStatus.RECORDED,),
            style="danger",
            run=lambda u, case, d: do_withdraw_assessment(case, acting_user=u, reason=d["reason"]),
        ),
    ],
)


# -- grade rises by years of service --------------------------------------------------------------------------------

SENIORITY_YEARS = 2  # full years at one grade that earn the next one
HELD_BACK = (Result.BASIC, Result.INCOMPETENT)


def seniority_due(cadres: Any, on: date) -> list[tuple[Cadre, PayGrade]]:
    """The workers (of *cadres*) whose grade in force on *on* is held for at least ``SENIORITY_YEARS`` full years,
    below grade 18, and whose confirmed assessments over those years were all competent or better."""
    from .pay import grade_on

    cadres = list(cadres)
    ids = [c.pk for c in cadres]
    grades: dict[int, list[PayGrade]] = {}
    for g in PayGrade.objects.filter(cadre_id__in=ids, since__lte=on).order_by("cadre_id", "-since", "-id"):
        grades.setdefault(g.cadre_id, []).append(g)
    held_back: dict[int, set[int]] = {}
    for cadre_id, year in Assessment.objects.filter(
        cadre_id__in=ids, status=AssessmentStatus.CONFIRMED, result__in=HELD_BACK
    ).values_list("cadre_id", "year"):
        held_back.setdefault(cadre_id, set()).add(year)
    due = []
    for cadre in cadres:
        current = grade_on(grades.get(cadre.pk, []), on)
        if current is None or current.grade >= MAX_GRADE:
            continue
        try:
            anniversary = current.since.replace(year=current.since.year + SENIORITY_YEARS)
        except ValueError:  # 29 February
            anniversary = date(current.since.year + SENIORITY_YEARS, 3, 1)
        if anniversary > on:
            continue
        if any(current.since.year <= y < on.year for y in held_back.get(cadre.pk, ())):
            continue
        due.append((cadre, current))
    return due


def do_seniority_rises(*, acting_user: Any, cadres: Any, on: date | None = None) -> list[PayGrade]:
    """Raise by one grade, from *on* (today), every worker of *cadres* due by years of service."""
    on = on or timezone.localdate()
    with acting_as(acting_user), transaction.atomic():
        allowed = (
            Cadre.objects.restrict(acting_user, "view").filter(pk__in=[c.pk for c in cadres]).select_related("node")
        )
        rises = []
        for cadre, current in seniority_due(allowed, on):
            rises.append(
                do_set_grade(
                    acting_user=acting_user, cadre=cadre, category=current.category, grade=current.grade + 1,
                    since=on, reason=GradeReason.SENIORITY,
                )
            )  # fmt: skip
    return rises
