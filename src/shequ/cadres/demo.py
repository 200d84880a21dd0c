"""Demo community workers for ``shequ seed``: a handful per community (deterministic), with training
attendance, qualifications, a pay table of the city for this year, grades, and last year's assessments; some
workers miss 160 hours and some are paid below the average wage, so the lists have something to show."""

from __future__ import annotations

import random
from datetime import date
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone

from shequ.territory.models import Kind, Node

from .models import (
    MAX_GRADE,
    Assessment,
    AssessmentStatus,
    Cadre,
    Course,
    CourseKind,
    Degree,
    GradeReason,
    Level,
    PayGrade,
    PayRate,
    PayTable,
    PostCategory,
    Qualification,
    Result,
    Source,
    TrainingRecord,
)

PER_COMMUNITY = 6
MAX_COMMUNITIES = 40
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
GIVEN = ["伟", "芳", "娜", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "娟", "涛", "明", "超", "霞"]
BASE: dict[str, Decimal] = {
    PostCategory.HEAD: Decimal(4200),
    PostCategory.DEPUTY: Decimal(3800),
    PostCategory.OTHER: Decimal(3200),
}
STEP = Decimal(120)


def seed_cadres(city: Node, scale_name: str, seed: int) -> dict[str, Any]:
    if Cadre.objects.filter(path__within=city.path).exists():
        return {}
    rng = random.Random(seed + 15)
    today = timezone.localdate()
    year = today.year
    communities = list(
        Node.objects.filter(kind=Kind.COMMUNITY, path__within=city.path).order_by("path")[:MAX_COMMUNITIES]
    )
    if not communities:
        return {}
    with transaction.atomic():
        table = PayTable.objects.create(node=city, year=year, average_wage=Decimal(52000), city_share=50)
        PayRate.objects.bulk_create(
            PayRate(table=table, category=c, grade=g, amount=BASE[c] + STEP * (g - 1))
            for c in PostCategory.values
            for g in range(1, MAX_GRADE + 1)
        )
        course_day = date(year, 3, 4) if today >= date(year, 3, 8) else today
        rotation = Course.objects.create(
            node=city,
            title="社区工作者年度轮训",
            organiser="市委组织部",
            kind=CourseKind.ROTATION,
            starts_on=course_day,
            ends_on=course_day,
            hours=Decimal(8),
        )
        online = Course.objects.create(
            node=city,
            title="社会工作继续教育（网络）",
            organiser="市民政局",
            kind=CourseKind.SOCIAL_WORK,
            starts_on=date(year, 1, 1),
            ends_on=today,
            hours=Decimal(200),
        )
        cadres, records, quals, grades, assessments = [], [], [], [], []
        n = 0
        for community in communities:
            for i in range(PER_COMMUNITY):
                n += 1
                category = PostCategory.HEAD if i == 0 else PostCategory.DEPUTY if i == 1 else PostCategory.OTHER
                cadre = Cadre(
                    node=community,
                    path=community.path,
                    number=f"SG{n:05d}",
                    name=rng.choice(SURNAMES) + rng.choice(GIVEN) + rng.choice(GIVEN),
                    gender=rng.choice("MF"),
                    source=rng.choice(Source.values),
                    employer=community.name + "居委会",
                    contract_start=date(year - rng.randint(1, 8), 1, 1),
                    contract_end=date(year + 2, 12, 31),
                    service_start=date(year - rng.randint(1, 15), 7, 1),
                    degree=rng.choice(["", "", Degree.BACHELOR]),
                    reserve=(i == 2),
                    reserve_for="社区党组织书记" if i == 2 else "",
                    pension=True,
                    medical=True,
                    unemployment=True,
                    injury=True,
                    maternity=True,
                    housing_fund=rng.random() < 0.7,
                    last_exam_on=date(year - rng.randint(0, 1), 5, 10),
                )
                cadres.append((cadre, category))
        Cadre.objects.bulk_create([c for c, _cat in cadres])
        for index, (cadre, category) in enumerate(cadres):
            records.append(
                TrainingRecord(
                    node_id=cadre.node_id,
                    path=cadre.path,
                    cadre=cadre,
                    course=rotation,
                    attended_on=rotation.starts_on,
                    hours=Decimal(8),
                )
            )
            online_hours = rng.choice([80, 120, 152, 160, 170])
            days = max(1, (today - online.starts_on).days)
            for k in range(min(20, days)):
                day = date.fromordinal(online.starts_on.toordinal() + k * max(1, days // 20))
                if day == rotation.starts_on or day > today:
                    continue
                records.append(
                    TrainingRecord(
                        node_id=cadre.node_id,
                        path=cadre.path,
                        cadre=cadre,
                        course=online,
                        attended_on=day,
                        hours=Decimal(online_hours) / 20,
                    )
                )
            if index % 3 == 0:
                quals.append(
                    Qualification(
                        node_id=cadre.node_id,
                        path=cadre.path,
                        cadre=cadre,
                        level=rng.choice(Level.values),
                        certificate_no=f"S{year}{index:06d}",
                        obtained_on=date(year - 2, 6, 1),
                    )
                )
            grade = rng.randint(1, 9) if category == PostCategory.OTHER else rng.randint(4, 14)
            grades.append(
                PayGrade(
                    node_id=cadre.node_id,
                    path=cadre.path,
                    cadre=cadre,
                    category=category,
                    grade=grade,
                    since=date(year - 1, 1, 1),
                    reason=GradeReason.APPOINTED,
                )
            )
            assessments.append(
                Assessment(
                    node_id=cadre.node_id,
                    path=cadre.path,
                    cadre=cadre,
                    year=year - 1,
                    result=rng.choice([Result.EXCELLENT, Result.COMPETENT, Result.COMPETENT, Result.BASIC]),
                    status=AssessmentStatus.RECORDED,
                    is_open=True,
                )
            )
        TrainingRecord.objects.bulk_create(records, ignore_conflicts=True)
        Qualification.objects.bulk_create(quals)
        PayGrade.objects.bulk_create(grades)
        Assessment.objects.bulk_create(assessments)
    return {"community workers": len(cadres)}


def demo_logins(city: Node) -> list[tuple[str, str, str, Node, Any]]:
    """The street's organization officer (pay and assessments) and one worker with their own account."""
    street = Node.objects.filter(kind=Kind.STREET, path__within=city.path).order_by("path").first()
    return [("zuzhi", "organization_officer", "组织委员", street, None)] if street is not None else []
