"""The requests' policy indicators (``core.indicators``): on-time rate and satisfaction, per community and year."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db.models import Count, F, Q
from django.utils.translation import gettext_lazy as _

from shequ.core.indicators import RATIO, Indicator, Pairs, drill_to, pairs, per_community, register

from .models import ServiceRequest
from .stats import SATISFIED_MIN

ON_TIME = "services.on_time_rate"
SATISFACTION = "services.satisfaction"


def on_time(places: Sequence[Any], year: int) -> Pairs:
    """Resolved requests with a deadline (resolved in *year*), and those resolved by it."""
    qs = ServiceRequest.objects.filter(resolved_at__year=year, deadline__isnull=False)
    rows = per_community(qs, places, done=Count("pk"), in_time=Count("pk", filter=Q(resolved_at__lte=F("deadline"))))
    return pairs(rows, "in_time", "done")


def satisfaction(places: Sequence[Any], year: int) -> Pairs:
    """Requests rated in *year* (filed that year), and those rated 4 or 5 stars."""
    qs = ServiceRequest.objects.filter(created__year=year, rating__isnull=False)
    rows = per_community(qs, places, rated=Count("pk"), satisfied=Count("pk", filter=Q(rating__gte=SATISFIED_MIN)))
    return pairs(rows, "satisfied", "rated")


def register_all() -> None:
    register(
        Indicator(
            code=ON_TIME,
            drill=drill_to("services:servicerequest_list", open="false"),
            name=_("Requests resolved on time"),
            compute=on_time,
            unit="%",
            target=90,
            kind=RATIO,
            model="services.servicerequest",
            description=_("Share of the requests resolved this year by their deadline (working time)."),
            order=200,
        )
    )
    register(
        Indicator(
            code=SATISFACTION,
            drill=drill_to("services:servicerequest_list", open="false"),
            name=_("Residents satisfied with the handling"),
            compute=satisfaction,
            unit="%",
            target=90,
            kind=RATIO,
            model="services.servicerequest",
            description=_("Share of the rated requests rated 4 or 5 stars."),
            order=210,
        )
    )


def todo(user: Any) -> list[Any]:
    """The requests awaiting *user*: to accept (their place's intake), and overdue (theirs to handle)."""
    from django.urls import reverse
    from django.utils import timezone

    from shequ.accounts.scope import can
    from shequ.core.today import Todo

    from .models import Status, SubTask, SubTaskStatus

    items: list[Any] = []
    if can(user, SubTask, "change"):
        # Sub-tasks handed to an organization of the user's area (internal collaboration): to do, overdue.
        tasks = SubTask.objects.assigned_to(user).filter(status=SubTaskStatus.OPEN)
        to_do = f"{reverse('services:subtask_list')}?to_us=true&status={SubTaskStatus.OPEN}"
        items += [
            Todo("services.subtasks", _("Sub-tasks to do"), tasks, to_do),
            Todo(
                "services.subtasks_overdue",
                _("Overdue sub-tasks"),
                tasks.filter(due__lt=timezone.now()),
                f"{to_do}&overdue=true",
                urgent=True,
            ),
        ]
    if not can(user, ServiceRequest, "change"):
        return items
    mine = ServiceRequest.objects.restrict(user, "change")
    url = reverse("services:servicerequest_list")
    return items + [
        Todo(
            "services.to_accept",
            _("Requests to accept"),
            mine.filter(status=Status.SUBMITTED),
            f"{url}?status={Status.SUBMITTED}",
        ),
        Todo(
            "services.overdue",
            _("Overdue requests"),
            mine.filter(is_open=True, deadline__lt=timezone.now()),
            f"{url}?overdue=true",
            urgent=True,
        ),
    ]
