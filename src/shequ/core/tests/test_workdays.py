"""Working-time deadlines with Chinese statutory holidays and adjusted workdays (chinese-calendar)."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from django.test import SimpleTestCase

from shequ.core import workdays
from shequ.services.models import DeadlineTier, DeadlineUnit

CST = ZoneInfo("Asia/Shanghai")


def at(*args: int) -> datetime:
    return datetime(*args, tzinfo=CST)  # type: ignore[misc, arg-type]


def tier(amount: int, unit: str, warn: int = 80) -> DeadlineTier:
    return DeadlineTier(code="t", name="t", amount=amount, unit=unit, warn_percent=warn)


class WorkdayTests(SimpleTestCase):
    def test_calendar(self) -> None:
        self.assertFalse(workdays.is_workday(date(2025, 10, 1)))  # National Day
        self.assertFalse(workdays.is_workday(date(2025, 10, 6)))  # Mid-Autumn joined to it (a Monday)
        self.assertTrue(workdays.is_workday(date(2025, 9, 28)))  # an adjusted Sunday workday (调休)
        self.assertTrue(workdays.is_workday(date(2025, 10, 11)))  # an adjusted Saturday workday
        self.assertFalse(workdays.is_workday(date(2025, 10, 18)))  # an ordinary Saturday

    def test_year_without_data_falls_back_to_weekdays(self) -> None:
        self.assertTrue(workdays.is_workday(date(2099, 1, 5)))  # a Monday
        self.assertFalse(workdays.is_workday(date(2099, 1, 3)))  # a Saturday

    def test_working_days_across_national_day(self) -> None:
        # Accepted on Tuesday 30 September 2025: 1–8 October are off, Saturday 11 October is worked.
        # Working days: 9, 10, 11 (Sat), 13, 14, 15, 16 → due at the end of Thursday 16 October.
        due = workdays.deadline_for(tier(7, DeadlineUnit.WORKING_DAYS), at(2025, 9, 30, 15, 0))
        self.assertEqual(due, at(2025, 10, 16, 23, 59, 59))
        # Without the adjusted Saturday it would have been Friday 17 October.
        self.assertEqual(workdays.add_working_days(date(2025, 9, 30), 3), date(2025, 10, 11))

    def test_working_days_accepted_on_a_holiday(self) -> None:
        due = workdays.deadline_for(tier(1, DeadlineUnit.WORKING_DAYS), at(2025, 10, 3, 10, 0))
        self.assertEqual(due, at(2025, 10, 9, 23, 59, 59))

    def test_working_days_on_an_adjusted_sunday(self) -> None:
        # Accepted on Sunday 28 September 2025 (a workday): the next working day is Monday 29.
        due = workdays.deadline_for(tier(2, DeadlineUnit.WORKING_DAYS), at(2025, 9, 28, 9, 0))
        self.assertEqual(due, at(2025, 9, 30, 23, 59, 59))

    def test_fifteen_working_days_across_spring_festival(self) -> None:
        # 2025: 28 Jan – 4 Feb off; Sunday 26 Jan and Saturday 8 Feb worked.
        due = workdays.deadline_for(tier(15, DeadlineUnit.WORKING_DAYS), at(2025, 1, 24, 9, 0))
        # 26 (Sun), 27, Feb 5, 6, 7, 8 (Sat), 10, 11, 12, 13, 14, 17, 18, 19, 20
        self.assertEqual(due, at(2025, 2, 20, 23, 59, 59))

    def test_working_hours_skip_the_holiday(self) -> None:
        # 20:00 on 30 September: 4 hours that day, then nothing until 9 October.
        due = workdays.deadline_for(tier(24, DeadlineUnit.WORKING_HOURS), at(2025, 9, 30, 20, 0))
        self.assertEqual(due, at(2025, 10, 9, 20, 0))
        # Accepted during the holiday: the clock starts on 9 October.
        due = workdays.deadline_for(tier(24, DeadlineUnit.WORKING_HOURS), at(2025, 10, 4, 12, 0))
        self.assertEqual(due, at(2025, 10, 10, 0, 0))
        # Friday 10 October 18:00 + 24 working hours: Saturday 11 October is worked.
        due = workdays.deadline_for(tier(24, DeadlineUnit.WORKING_HOURS), at(2025, 10, 10, 18, 0))
        self.assertEqual(due, at(2025, 10, 11, 18, 0))
        self.assertEqual(workdays.working_hours_between(at(2025, 9, 30, 20, 0), at(2025, 10, 9, 20, 0)), 24)

    def test_emergency_hours_run_around_the_clock(self) -> None:
        due = workdays.deadline_for(tier(2, DeadlineUnit.HOURS), at(2025, 10, 1, 23, 0))
        self.assertEqual(due, at(2025, 10, 2, 1, 0))

    def test_warning(self) -> None:
        start = at(2025, 9, 30, 20, 0)
        t = tier(24, DeadlineUnit.WORKING_HOURS, warn=50)
        due = workdays.deadline_for(t, start)
        # Half of 24 working hours: 4 on 30 September, 8 more on 9 October.
        self.assertEqual(workdays.warning_for(t, start, due), at(2025, 10, 9, 8, 0))
        e = tier(2, DeadlineUnit.HOURS, warn=75)
        self.assertEqual(workdays.warning_for(e, start, workdays.deadline_for(e, start)), at(2025, 9, 30, 21, 30))
