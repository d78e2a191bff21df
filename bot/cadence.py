"""Cadence and due dates: which cadence applies on a day, when the next session is due, when it is
overdue and when the employee's mid-period check-in falls."""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, timedelta

from bot.model import Cadence

NEW_HIRE_DAYS = 90
"""A blank cadence with a start date is fortnightly while fewer than this many days employed."""

OVERDUE_AFTER = timedelta(days=7)
"""A session is overdue this long after it is due."""

FORTNIGHT = timedelta(days=14)


def add_months(day: date, months: int) -> date:
    """`day` moved by whole calendar months, clamped to the month's end (31 Jan + 1 = 28/29 Feb)."""
    index = day.year * 12 + (day.month - 1) + months
    year, month = divmod(index, 12)
    month += 1
    last_day = 29 if month == 2 and calendar.isleap(year) else _MONTH_DAYS[month]
    return date(year, month, min(day.day, last_day))


_MONTH_DAYS = (0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)
"""Days in each month of a common year (`calendar.monthrange` also works out a weekday)."""


def interval_end(start: date, cadence: Cadence) -> date:
    """One interval of `cadence` after `start`: 14 days, one or three calendar months."""
    if cadence is Cadence.FORTNIGHTLY:
        return start + FORTNIGHT
    if cadence is Cadence.MONTHLY:
        return add_months(start, 1)
    return add_months(start, 3)


def cadence_on(cadence: Cadence | None, start_date: date | None, on: date) -> Cadence:
    """The cadence in force on `on`: the person's own, else fortnightly for a new hire's first
    90 days and monthly after, else (no start date) monthly."""
    if cadence is not None:
        return cadence
    if start_date is not None and (on - start_date).days < NEW_HIRE_DAYS:
        return Cadence.FORTNIGHTLY
    return Cadence.MONTHLY


def relationship_start(first_named_on: date, start_date: date | None) -> date:
    """When a relationship starts for due dates: the day the import first named this manager,
    or the person's start date if later."""
    if start_date is not None and start_date > first_named_on:
        return start_date
    return first_named_on


def due_on(
    last_session_on: date | None,
    relationship_started_on: date,
    cadence: Cadence | None,
    start_date: date | None,
) -> date:
    """When the next session is due: one interval after the last session, or after the start of
    the relationship when there is none; the interval is the cadence in force on that day."""
    since = last_session_on if last_session_on is not None else relationship_started_on
    return interval_end(since, cadence_on(cadence, start_date, since))


def overdue_on(due: date) -> date:
    """The day a session due on `due` becomes overdue."""
    return due + OVERDUE_AFTER


def checkin_on(last_session_on: date, due: date) -> date:
    """The employee's "log your actions" day: midway from the last session to the due date
    (rounded down)."""
    return last_session_on + timedelta(days=(due - last_session_on).days // 2)


@dataclass(frozen=True, slots=True)
class CoachingSchedule:
    """The dates that matter for one relationship until its next session is logged.
    `checkin_on` is None before the first session (there are no actions to check in on)."""

    due_on: date
    overdue_on: date
    checkin_on: date | None


def schedule_for(
    last_session_on: date | None,
    relationship_started_on: date,
    cadence: Cadence | None,
    start_date: date | None,
) -> CoachingSchedule:
    """The relationship's schedule from its last session (or its start)."""
    due = due_on(last_session_on, relationship_started_on, cadence, start_date)
    checkin = checkin_on(last_session_on, due) if last_session_on is not None else None
    return CoachingSchedule(due_on=due, overdue_on=overdue_on(due), checkin_on=checkin)


def is_due(schedule: CoachingSchedule, today: date) -> bool:
    """Whether a session is due (or overdue) on `today`."""
    return today >= schedule.due_on


def is_overdue(schedule: CoachingSchedule, today: date) -> bool:
    """Whether the session is overdue on `today` (7 days or more past its due date)."""
    return today >= schedule.overdue_on
