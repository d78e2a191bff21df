"""Cadence and due dates: calendar months, new hires, relationship start, overdue, check-in."""

from __future__ import annotations

import calendar
from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.cadence import (
    CoachingSchedule,
    add_months,
    cadence_on,
    checkin_on,
    due_on,
    interval_end,
    is_due,
    is_overdue,
    overdue_on,
    relationship_start,
    schedule_for,
)
from bot.model import Cadence

days = st.dates(min_value=date(1990, 1, 1), max_value=date(2090, 12, 31))
cadences = st.sampled_from(Cadence)


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        (date(2026, 1, 31), 1, date(2026, 2, 28)),
        (date(2028, 1, 31), 1, date(2028, 2, 29)),  # leap year
        (date(2026, 3, 31), 1, date(2026, 4, 30)),
        (date(2026, 1, 15), 1, date(2026, 2, 15)),
        (date(2026, 11, 30), 3, date(2027, 2, 28)),
        (date(2026, 12, 31), 1, date(2027, 1, 31)),
        (date(2026, 3, 31), -1, date(2026, 2, 28)),
        (date(2026, 5, 31), 0, date(2026, 5, 31)),
    ],
)
def test_add_months_clamps_to_the_months_end(day: date, months: int, expected: date) -> None:
    assert add_months(day, months) == expected


@given(days, st.integers(min_value=-24, max_value=24))
def test_add_months_lands_in_the_right_month_on_the_same_or_last_day(day: date, n: int) -> None:
    moved = add_months(day, n)
    assert (moved.year * 12 + moved.month) - (day.year * 12 + day.month) == n
    last = calendar.monthrange(moved.year, moved.month)[1]
    assert moved.day == min(day.day, last)


def test_intervals_are_14_days_one_and_three_calendar_months() -> None:
    start = date(2026, 1, 31)
    assert interval_end(start, Cadence.FORTNIGHTLY) == date(2026, 2, 14)
    assert interval_end(start, Cadence.MONTHLY) == date(2026, 2, 28)
    assert interval_end(start, Cadence.QUARTERLY) == date(2026, 4, 30)
    assert interval_end(date(2026, 2, 10), Cadence.MONTHLY) == date(2026, 3, 10)


def test_a_set_cadence_applies_whatever_the_start_date() -> None:
    hired = date(2026, 1, 1)
    for cadence in Cadence:
        assert cadence_on(cadence, hired, hired) is cadence
        assert cadence_on(cadence, None, hired) is cadence


def test_a_blank_cadence_is_fortnightly_for_a_new_hires_first_90_days_then_monthly() -> None:
    hired = date(2026, 1, 1)
    assert cadence_on(None, hired, hired) is Cadence.FORTNIGHTLY
    assert cadence_on(None, hired, hired + timedelta(days=89)) is Cadence.FORTNIGHTLY
    assert cadence_on(None, hired, hired + timedelta(days=90)) is Cadence.MONTHLY
    assert cadence_on(None, hired, hired + timedelta(days=400)) is Cadence.MONTHLY
    assert cadence_on(None, hired, hired - timedelta(days=3)) is Cadence.FORTNIGHTLY


def test_a_blank_cadence_without_start_date_is_monthly() -> None:
    assert cadence_on(None, None, date(2026, 6, 1)) is Cadence.MONTHLY


def test_the_relationship_starts_at_the_first_naming_or_the_later_start_date() -> None:
    named = date(2026, 3, 1)
    assert relationship_start(named, None) == named
    assert relationship_start(named, date(2025, 1, 1)) == named
    assert relationship_start(named, date(2026, 4, 6)) == date(2026, 4, 6)


def test_due_one_interval_after_the_last_session() -> None:
    started = date(2025, 1, 1)
    assert due_on(date(2026, 1, 31), started, Cadence.MONTHLY, None) == date(2026, 2, 28)
    assert due_on(date(2026, 1, 31), started, Cadence.FORTNIGHTLY, None) == date(2026, 2, 14)
    assert due_on(date(2026, 1, 31), started, Cadence.QUARTERLY, None) == date(2026, 4, 30)
    assert due_on(date(2026, 1, 31), started, None, None) == date(2026, 2, 28)


def test_due_one_interval_after_the_relationship_starts_before_any_session() -> None:
    assert due_on(None, date(2026, 3, 1), Cadence.MONTHLY, None) == date(2026, 4, 1)
    hired = date(2026, 3, 2)
    started = relationship_start(date(2026, 2, 20), hired)
    assert due_on(None, started, None, hired) == date(2026, 3, 16)


def test_the_interval_is_chosen_on_the_day_it_starts_for_a_new_hire() -> None:
    hired = date(2026, 1, 5)
    day_89 = hired + timedelta(days=89)
    day_90 = hired + timedelta(days=90)
    # A session on day 89 is followed by a fortnightly due date, past day 90.
    assert due_on(day_89, hired, None, hired) == day_89 + timedelta(days=14)
    # From day 90 the next session is a calendar month away.
    assert due_on(day_90, hired, None, hired) == add_months(day_90, 1)
    # A set cadence is never switched.
    assert due_on(day_89, hired, Cadence.MONTHLY, hired) == add_months(day_89, 1)


def test_overdue_seven_days_after_due() -> None:
    assert overdue_on(date(2026, 2, 28)) == date(2026, 3, 7)


@pytest.mark.parametrize(
    ("last", "due", "checkin"),
    [
        (date(2026, 1, 1), date(2026, 1, 15), date(2026, 1, 8)),  # 14 days -> 7
        (date(2026, 1, 31), date(2026, 2, 28), date(2026, 2, 14)),  # 28 days -> 14
        (date(2026, 3, 1), date(2026, 4, 1), date(2026, 3, 16)),  # 31 days -> 15 (floor)
    ],
)
def test_checkin_falls_midway_rounded_down(last: date, due: date, checkin: date) -> None:
    assert checkin_on(last, due) == checkin


def test_schedule_gathers_due_overdue_and_checkin() -> None:
    schedule = schedule_for(date(2026, 1, 31), date(2025, 6, 1), Cadence.MONTHLY, None)
    assert schedule == CoachingSchedule(
        due_on=date(2026, 2, 28), overdue_on=date(2026, 3, 7), checkin_on=date(2026, 2, 14)
    )


def test_no_checkin_before_the_first_session() -> None:
    schedule = schedule_for(None, date(2026, 3, 1), Cadence.MONTHLY, None)
    assert schedule == CoachingSchedule(date(2026, 4, 1), date(2026, 4, 8), None)


def test_due_and_overdue_from_their_day_on() -> None:
    schedule = CoachingSchedule(date(2026, 2, 28), date(2026, 3, 7), None)
    assert not is_due(schedule, date(2026, 2, 27))
    assert is_due(schedule, date(2026, 2, 28))
    assert not is_overdue(schedule, date(2026, 3, 6))
    assert is_overdue(schedule, date(2026, 3, 7))
    assert is_overdue(schedule, date(2026, 5, 1))


@given(st.one_of(st.none(), days), days, st.one_of(st.none(), cadences), st.one_of(st.none(), days))
def test_the_schedule_is_ordered(
    last: date | None, started: date, cadence: Cadence | None, hired: date | None
) -> None:
    schedule = schedule_for(last, started, cadence, hired)
    since = last or started
    assert since + timedelta(days=14) <= schedule.due_on <= since + timedelta(days=92)
    assert schedule.overdue_on == schedule.due_on + timedelta(days=7)
    if last is None:
        assert schedule.checkin_on is None
    else:
        assert schedule.checkin_on is not None
        assert last < schedule.checkin_on < schedule.due_on
