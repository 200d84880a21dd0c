"""Deadlines in working time for every case workflow (requests, mediation, consent …): Chinese statutory
holidays and adjusted workdays (chinese-calendar).

A year the calendar does not know yet (it is published each November for the next year) falls back to
Monday–Friday, and the log says so once.

* ``hours``: around the clock (an emergency does not wait for a holiday);
* ``working_hours``: only the hours of working days count (a day from 00:00 to 24:00 local time);
* ``working_days``: to the end (24:00 local time) of the Nth working day after the day of acceptance;
* ``days``: to the end of the Nth calendar day after it (the People's Mediation Law's month, say).
"""

from __future__ import annotations

import logging
from datetime import date, datetime, time, timedelta
from functools import lru_cache
from typing import Any

import chinese_calendar
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

logger = logging.getLogger(__name__)
_warned_years: set[int] = set()


@lru_cache(maxsize=4096)
def is_workday(day: date) -> bool:
    """A working day: statutory holidays are off, adjusted weekend workdays (调休) are on."""
    try:
        return bool(chinese_calendar.is_workday(day))
    except NotImplementedError:
        if day.year not in _warned_years:
            _warned_years.add(day.year)
            logger.warning("chinese-calendar has no data for %s: counting Monday to Friday", day.year)
        return day.weekday() < 5


def add_working_days(day: date, count: int) -> date:
    """The *count*-th working day after *day* (*day* itself not counted)."""
    current = day
    remaining = count
    while remaining > 0:
        current += timedelta(days=1)
        if is_workday(current):
            remaining -= 1
    return current


def _local_midnight(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def add_working_hours(start: datetime, hours: float) -> datetime:
    """*start* plus *hours*, counting only time on working days."""
    remaining = timedelta(hours=hours)
    current = timezone.localtime(start)
    while True:
        day = current.date()
        next_midnight = _local_midnight(day + timedelta(days=1))
        if is_workday(day):
            left_today = next_midnight - current
            if remaining <= left_today:
                return current + remaining
            remaining -= left_today
        current = next_midnight


def working_hours_between(start: datetime, end: datetime) -> float:
    """Working hours from *start* to *end* (0 if *end* is earlier)."""
    if end <= start:
        return 0.0
    total = timedelta()
    current = timezone.localtime(start)
    end = timezone.localtime(end)
    while current < end:
        next_midnight = _local_midnight(current.date() + timedelta(days=1))
        stop = min(end, next_midnight)
        if is_workday(current.date()):
            total += stop - current
        current = stop
    return total.total_seconds() / 3600


class DeadlineUnit(models.TextChoices):
    HOURS = "hours", _("hours, around the clock")
    WORKING_HOURS = "working_hours", _("working hours (only working days count)")
    WORKING_DAYS = "working_days", _("working days (to the end of the last one)")
    DAYS = "days", _("calendar days (to the end of the last one)")


class Duration:
    """How long a step may take: *amount* of *unit* (``DeadlineUnit``), warned once *warn_percent* is used.

    Anything with ``amount``, ``unit`` and ``warn_percent`` (a request's deadline tier) works alike."""

    def __init__(self, amount: float, unit: str = DeadlineUnit.WORKING_DAYS, warn_percent: int = 80) -> None:
        self.amount, self.unit, self.warn_percent = amount, unit, warn_percent

    def __repr__(self) -> str:
        return f"Duration({self.amount}, {self.unit!r})"


def _end_of(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(23, 59, 59)))


def deadline_for(tier: Any, start: datetime) -> datetime:
    """When something allowed *tier* (a ``Duration`` or a deadline tier) and started at *start* is due."""
    if tier.unit == DeadlineUnit.HOURS:
        return start + timedelta(hours=tier.amount)
    if tier.unit == DeadlineUnit.WORKING_HOURS:
        return add_working_hours(start, tier.amount)
    if tier.unit == DeadlineUnit.DAYS:
        return _end_of(timezone.localtime(start).date() + timedelta(days=int(tier.amount)))
    return _end_of(add_working_days(timezone.localtime(start).date(), int(tier.amount)))


def warning_for(tier: Any, start: datetime, deadline: datetime) -> datetime:
    """When to warn: once *warn_percent* of the allowed (working) time is used."""
    share = min(max(tier.warn_percent, 1), 99) / 100
    if tier.unit in (DeadlineUnit.HOURS, DeadlineUnit.DAYS):
        return start + (deadline - start) * share
    allowed = working_hours_between(start, deadline)
    return add_working_hours(start, allowed * share)
