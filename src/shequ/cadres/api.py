"""/api/v1/cadres/: community workers, training attendance, qualifications, pay grades and tables, assessments
(every step of their workflow) — within scope, through the ``do_*`` actions.  Pay and assessments answer only
to the organization departments (the confidential models of ``accounts.roles``)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from ninja import Field, Router, Schema

from shequ.core.api import crud_router
from shequ.core.exceptions import NotFound

from . import actions
from .filtersets import (
    AssessmentFilterSet,
    CadreFilterSet,
    PayGradeFilterSet,
    PayTableFilterSet,
    QualificationFilterSet,
    TrainingRecordFilterSet,
)
from .models import (
    MAX_GRADE,
    MAX_HOURS_A_DAY,
    Assessment,
    Cadre,
    Course,
    Degree,
    GradeReason,
    Level,
    PayGrade,
    PayTable,
    PostCategory,
    Qualification,
    Result,
    Source,
    TrainingRecord,
)

router = Router(tags=["cadres"])


def _value(choice: Any) -> str:
    return str(getattr(choice, "value", choice))


def _place(user: Any, pk: int, model: Any) -> Any:
    from shequ.territory.models import Node

    found = Node.objects.restrict(user, "add", perm_model=model).filter(pk=pk).first()
    if found is None:
        raise NotFound()
    return found


class CadreOut(Schema):
    id: int
    number: str
    name: str
    node_id: int
    source: str
    employer: str
    contract_start: date | None
    contract_end: date | None
    degree: str
    reserve: bool
    reserve_for: str
    active: bool


class CadreIn(Schema):
    number: str = Field(..., min_length=1, max_length=30)
    name: str = Field(..., min_length=1, max_length=50)
    node_id: int
    source: Source
    employer: str = Field("", max_length=100)
    contract_start: date | None = None
    contract_end: date | None = None
    degree: Degree | None = None
    reserve: bool = False
    reserve_for: str = Field("", max_length=50)


def _create_cadre(user: Any, p: CadreIn) -> Cadre:
    cadre = Cadre(
        number=p.number, name=p.name, node=_place(user, p.node_id, Cadre), source=_value(p.source),
        employer=p.employer, contract_start=p.contract_start, contract_end=p.contract_end,
        degree=_value(p.degree) if p.degree else "", reserve=p.reserve, reserve_for=p.reserve_for,
    )  # fmt: skip
    return actions.do_save_cadre(cadre, acting_user=user)


cadres_router = crud_router(
    model=Cadre,
    out_schema=CadreOut,
    filterset=CadreFilterSet,
    create_schema=CadreIn,
    create=_create_cadre,
    tags=["cadres"],
)


class TrainingOut(Schema):
    id: int
    cadre_id: int
    course_id: int
    attended_on: date
    hours: Decimal


class TrainingIn(Schema):
    cadre_id: int
    course_id: int
    attended_on: date
    hours: Decimal = Field(..., gt=0, le=MAX_HOURS_A_DAY, max_digits=4, decimal_places=1)


def _course(user: Any, pk: int) -> Course:
    found = Course.objects.restrict(user, "view").filter(pk=pk).first()
    if found is None:
        raise NotFound()
    return found


def _training(user: Any, p: TrainingIn) -> TrainingRecord:
    return actions.do_record_training(
        acting_user=user, cadre=p.cadre_id, course=_course(user, p.course_id), attended_on=p.attended_on,
        hours=p.hours,
    )  # fmt: skip


training_router = crud_router(
    model=TrainingRecord,
    out_schema=TrainingOut,
    filterset=TrainingRecordFilterSet,
    create_schema=TrainingIn,
    create=_training,
    tags=["cadres"],
)


class QualificationOut(Schema):
    id: int
    cadre_id: int
    level: str
    certificate_no: str
    obtained_on: date


class QualificationIn(Schema):
    cadre_id: int
    level: Level
    certificate_no: str = Field(..., min_length=1, max_length=50)
    obtained_on: date


def _qualification(user: Any, p: QualificationIn) -> Qualification:
    obj = Qualification(cadre_id=p.cadre_id, level=_value(p.level), certificate_no=p.certificate_no.strip(),
                        obtained_on=p.obtained_on)  # fmt: skip
    return actions.do_save_qualification(obj, acting_user=user)


qualifications_router = crud_router(
    model=Qualification,
    out_schema=QualificationOut,
    filterset=QualificationFilterSet,
    create_schema=QualificationIn,
    create=_qualification,
    tags=["cadres"],
)


class GradeOut(Schema):
    id: int
    cadre_id: int
    category: str
    grade: int
    since: date
    reason: str


class GradeIn(Schema):
    cadre_id: int
    category: PostCategory
    grade: int = Field(..., ge=1, le=MAX_GRADE)
    since: date
    reason: GradeReason = GradeReason.APPOINTED


def _grade(user: Any, p: GradeIn) -> PayGrade:
    return actions.do_set_grade(
        acting_user=user, cadre=p.cadre_id, category=_value(p.category), grade=p.grade, since=p.since,
        reason=_value(p.reason),
    )  # fmt: skip


grades_router = crud_router(
    model=PayGrade,
    out_schema=GradeOut,
    filterset=PayGradeFilterSet,
    create_schema=GradeIn,
    create=_grade,
    tags=["cadres"],
)


class PayTableOut(Schema):
    id: int
    node_id: int
    year: int
    average_wage: Decimal | None
    city_share: int


pay_tables_router = crud_router(model=PayTable, out_schema=PayTableOut, filterset=PayTableFilterSet, tags=["cadres"])


class AssessmentOut(Schema):
    id: int
    year: int
    cadre_id: int | None
    organization_id: int | None
    result: str
    use: str
    status: str
    note: str


class AssessmentIn(Schema):
    year: int = Field(..., ge=2000, le=2100)
    result: Result
    cadre_id: int | None = None
    organization_id: int | None = None
    note: str = Field("", max_length=500)


def _assessment(user: Any, p: AssessmentIn) -> Assessment:
    return actions.do_record_assessment(
        acting_user=user, year=p.year, result=_value(p.result), cadre=p.cadre_id, organization=p.organization_id,
        note=p.note,
    )  # fmt: skip


assessments_router = crud_router(
    model=Assessment,
    out_schema=AssessmentOut,
    filterset=AssessmentFilterSet,
    create_schema=AssessmentIn,
    create=_assessment,
    tags=["cadres"],
    workflow=actions.WORKFLOW,
)

router.add_router("/workers", cadres_router)
router.add_router("/training", training_router)
router.add_router("/qualifications", qualifications_router)
router.add_router("/grades", grades_router)
router.add_router("/pay-tables", pay_tables_router)
router.add_router("/assessments", assessments_router)
