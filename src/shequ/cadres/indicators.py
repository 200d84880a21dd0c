"""The community workers' policy indicators (``core.indicators``), per community:

- training: the share of workers with at least 160 training hours in the year (000 §14; target: all);
- annual rotation: the share of workers who attended a rotation course in the year (000 §14; target: all);
- social-work professionals: the community has at least 1 qualified social worker and 3 workers with social-work
  degrees (000 §14; target: every community);
- pay at the average wage: the share of workers paid at least the local average wage of the previous year
  (000 §16; target: all) — confidential, shown only to who may read pay tables;
- reserve cadres: reserve cadres per community.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from datetime import date
from typing import Any

from django.db.models import Count, Q, Sum
from django.utils.translation import gettext_lazy as _

from shequ.core.indicators import MEAN, RATIO, Indicator, Pairs, drill_to, per_community, register

TRAINING = "cadres.training_hours"
ROTATION = "cadres.rotation"
SOCIAL_WORK = "cadres.social_work"
PAY = "cadres.pay_average"
RESERVE = "cadres.reserve"
MIN_PROFESSIONALS, MIN_DEGREES = 1, 3


def _within(places: Sequence[Any], field: str = "path") -> Q:
    q = Q()
    for place in places:
        q |= Q(**{f"{field}__within": place.path})
    return q


def _community(places: Sequence[Any], path: str) -> int | None:
    for place in places:
        if path.startswith(place.path):
            return int(place.pk)
    return None


def active_cadres(places: Sequence[Any]) -> Any:
    from .models import Cadre

    return Cadre.objects.filter(_within(places), active=True)


def hours_by_cadre(cadre_ids: Any, year: int) -> dict[int, float]:
    from .models import TrainingRecord

    rows = (
        TrainingRecord.objects.filter(cadre_id__in=cadre_ids, attended_on__year=year)
        .values("cadre_id")
        .annotate(h=Sum("hours"))
    )
    return {r["cadre_id"]: float(r["h"] or 0) for r in rows}


def training(places: Sequence[Any], year: int) -> Pairs:
    from .models import HOURS_TARGET

    cadres = list(active_cadres(places).values_list("pk", "path"))
    hours = hours_by_cadre([pk for pk, _p in cadres], year)
    good: Counter[int] = Counter()
    total: Counter[int] = Counter()
    for pk, path in cadres:
        place = _community(places, path)
        if place is None:
            continue
        total[place] += 1
        if hours.get(pk, 0) >= HOURS_TARGET:
            good[place] += 1
    return {pk: (float(good[pk]), float(n)) for pk, n in total.items()}


def rotation(places: Sequence[Any], year: int) -> Pairs:
    from .models import CourseKind, TrainingRecord

    cadres = list(active_cadres(places).values_list("pk", "path"))
    rotated = set(
        TrainingRecord.objects.filter(
            cadre_id__in=[pk for pk, _p in cadres], attended_on__year=year, course__kind=CourseKind.ROTATION
        ).values_list("cadre_id", flat=True)
    )
    good: Counter[int] = Counter()
    total: Counter[int] = Counter()
    for pk, path in cadres:
        place = _community(places, path)
        if place is not None:
            total[place] += 1
            good[place] += pk in rotated
    return {pk: (float(good[pk]), float(n)) for pk, n in total.items()}


def social_work(places: Sequence[Any], year: int) -> Pairs:
    """Per community: 1 when it has ≥ 1 qualified social worker (with a certificate) and ≥ 3 with degrees."""
    from .models import Qualification

    qs = active_cadres(places)
    degrees = per_community(qs.exclude(degree=""), places, n=Count("pk"))
    qualified = per_community(
        Qualification.objects.filter(_within(places), cadre__active=True).exclude(certificate_no=""),
        places,
        n=Count("cadre", distinct=True),
    )
    result: Pairs = {}
    for place in places:
        ok = (qualified.get(place.pk, {}).get("n") or 0) >= MIN_PROFESSIONALS and (
            degrees.get(place.pk, {}).get("n") or 0
        ) >= MIN_DEGREES
        result[place.pk] = (1.0 if ok else 0.0, 1.0)
    return result


def pay_average(places: Sequence[Any], year: int) -> Pairs:
    from .pay import pay_of

    day = date(year, 12, 1) if year < date.today().year else date.today()
    good: Counter[int] = Counter()
    total: Counter[int] = Counter()
    for p in pay_of(active_cadres(places).select_related("node"), day):
        if p.yearly is None or p.average_wage is None:
            continue
        place = _community(places, p.cadre.path)
        if place is not None:
            total[place] += 1
            good[place] += not p.below_average
    return {pk: (float(good[pk]), float(n)) for pk, n in total.items()}


def reserve(places: Sequence[Any], year: int) -> Pairs:
    rows = per_community(active_cadres(places).filter(reserve=True), places, n=Count("pk"))
    return {place.pk: (float(rows.get(place.pk, {}).get("n") or 0), 1.0) for place in places}


def register_all() -> None:
    register(
        Indicator(
            code=TRAINING,
            name=_("Community workers with 160 training hours"),
            compute=training,
            target=100,
            kind=RATIO,
            source="000 §14",
            model="cadres.trainingrecord",
            description=_("Share of the community workers with at least 160 training hours this year."),
            drill=drill_to("cadres:training_hours", "node", year="{year}"),
            order=410,
        )
    )
    register(
        Indicator(
            code=ROTATION,
            name=_("Community workers through the annual rotation"),
            compute=rotation,
            target=100,
            kind=RATIO,
            source="000 §14",
            model="cadres.trainingrecord",
            description=_("Share of the community workers who attended a rotation course this year."),
            drill=drill_to("cadres:training_hours", "node", year="{year}"),
            order=415,
        )
    )
    register(
        Indicator(
            code=SOCIAL_WORK,
            name=_("Communities with social-work professionals"),
            compute=social_work,
            target=100,
            kind=RATIO,
            source="000 §14",
            model="cadres.qualification",
            description=_(
                "Share of the communities with at least one qualified social worker and three workers with "
                "social-work degrees."
            ),
            drill=drill_to("cadres:professionals", "node", year="{year}"),
            order=420,
        )
    )
    register(
        Indicator(
            code=PAY,
            name=_("Community workers paid at least the average wage"),
            compute=pay_average,
            target=100,
            kind=RATIO,
            source="000 §16",
            model="cadres.paytable",
            description=_("Share of the community workers paid at least the local average wage of the previous year."),
            drill=drill_to("cadres:below_average", "node", year="{year}"),
            order=430,
        )
    )
    register(
        Indicator(
            code=RESERVE,
            name=_("Reserve cadres per community"),
            compute=reserve,
            unit="",
            target=1,
            kind=MEAN,
            source="000 §13",
            model="cadres.cadre",
            description=_("Reserve cadres in the pool, per community."),
            drill=drill_to("cadres:cadre_list", "node", year="{year}"),
            order=440,
        )
    )


def todo(user: Any) -> list[Any]:
    """Assessments recorded and waiting to be confirmed; workers due for their yearly physical examination."""
    from django.urls import reverse
    from django.utils import timezone

    from shequ.accounts.scope import can
    from shequ.core.today import Todo

    from .models import Assessment, Cadre

    result = []
    if can(user, Assessment, "change"):
        result.append(
            Todo(
                "cadres.to_confirm",
                _("Assessments to confirm"),
                Assessment.objects.restrict(user, "change").filter(is_open=True),
                f"{reverse('cadres:assessment_list')}?is_open=true",
            )
        )
    if can(user, Cadre, "change"):
        year = timezone.localdate().year
        due = (
            Cadre.objects.restrict(user, "change")
            .filter(active=True)
            .filter(Q(last_exam_on__isnull=True) | Q(last_exam_on__lt=date(year, 1, 1)))
        )
        result.append(
            Todo(
                "cadres.exam_due",
                _("Workers due for the yearly physical examination"),
                due,
                f"{reverse('cadres:cadre_list')}?exam_due=true",
            )
        )
    return result
