"""The report's pure rules: expected sessions (fixed intervals, the day-90 split), the period,
and the order of the complementary suppression steps, with ties broken by name."""

from __future__ import annotations

from datetime import date

import pytest

from bot.errors import FieldError
from bot.report_privacy import CompletionFigures, release_completion
from bot.services.reports import Period, expected_sessions, parse_period

PERIOD = Period.ending(date(2026, 6, 30), 90)  # 2026-04-02 .. 2026-06-30


def test_period_is_n_days_ending_on_the_as_of_date() -> None:
    assert Period(date(2026, 4, 2), date(2026, 6, 30)) == PERIOD
    assert Period.ending(date(2026, 3, 1), 30) == Period(date(2026, 1, 31), date(2026, 3, 1))


@pytest.mark.parametrize(
    ("cadence", "start", "expected"),
    [
        ("fortnightly", None, 6),  # 90 // 14
        ("monthly", None, 3),  # 90 // 30
        ("quarterly", None, 0),  # 90 // 91
        (None, None, 3),  # blank, no start date: monthly
        ("monthly", date(2026, 5, 2), 2),  # 60 active days
        ("monthly", date(2026, 5, 3), 1),  # 59 active days
        ("fortnightly", date(2026, 6, 17), 1),  # 14 active days
        ("fortnightly", date(2026, 6, 18), 0),  # 13 active days
        ("monthly", date(2026, 6, 30), 0),  # started on the last day
        # blank, started 2026-02-01: day 90 is 05-02, so 04-02..05-01 (30 days) fortnightly
        # -> 2, and 05-02..06-30 (60 days) monthly -> 2; one day later it would be 3
        (None, date(2026, 2, 1), 4),
        # blank, started 2026-04-02: the whole period is before day 90 -> 90 // 14
        (None, date(2026, 4, 2), 6),
        # blank, started 2026-01-02: day 90 is 04-02, the first day: all monthly
        (None, date(2026, 1, 2), 3),
        # blank, started 2026-01-03: 04-02 is day 89: one fortnightly day, 89 monthly -> 2
        (None, date(2026, 1, 3), 2),
    ],
)
def test_expected_sessions(cadence: str | None, start: date | None, expected: int) -> None:
    assert expected_sessions(cadence, start, PERIOD) == expected


def test_period_parsing_accepts_the_four_periods_only() -> None:
    assert [parse_period(text) for text in ["30d", "90d", "180D", " 365d "]] == [30, 90, 180, 365]
    error = parse_period("7d")
    assert isinstance(error, FieldError)
    assert error.field == "period"
    assert "30d, 90d, 180d, 365d" in error.message


def dept(name: str, people: int) -> CompletionFigures:
    return CompletionFigures("department", name, name, people, 3 * people, people)


def team(department: str, name: str, people: int) -> CompletionFigures:
    return CompletionFigures("team", department, name, people, 3 * people, people)


def hidden_names(rows: list[CompletionFigures], k: int = 5) -> list[str]:
    return [
        f"{row.group_type}:{row.department}/{row.name}"
        for row in release_completion(rows, k)
        if row.suppressed
    ]


def test_one_small_department_hides_the_smallest_released_one_ties_by_name() -> None:
    rows = [dept("A", 4), dept("B", 7), dept("C", 7), dept("D", 9)]
    assert hidden_names(rows) == ["department:A/A", "department:B/B"]


def test_two_small_departments_need_no_complement() -> None:
    rows = [dept("A", 4), dept("B", 3), dept("C", 7)]
    assert hidden_names(rows) == ["department:A/A", "department:B/B"]


def test_every_team_of_a_hidden_department_is_hidden() -> None:
    rows = [dept("A", 4), dept("B", 12), dept("C", 20), team("B", "x", 6), team("B", "y", 6)]
    rows += [team("C", "z", 20)]
    # A is small; B is the smallest released department, so B and its teams go too
    assert hidden_names(rows) == [
        "department:A/A",
        "department:B/B",
        "team:B/x",
        "team:B/y",
    ]


def test_one_small_team_hides_its_smallest_released_sibling_ties_by_name() -> None:
    rows = [dept("A", 30), team("A", "t1", 2), team("A", "t3", 6), team("A", "t2", 6)]
    rows += [team("A", "t4", 16)]
    assert hidden_names(rows) == ["team:A/t1", "team:A/t2"]


def test_a_lone_small_team_has_no_sibling_to_hide() -> None:
    rows = [dept("A", 9), team("A", "t1", 2)]
    assert hidden_names(rows) == ["team:A/t1"]


def test_released_rows_keep_their_figures_and_hidden_rows_lose_them() -> None:
    rows = release_completion([dept("A", 5), dept("B", 4), dept("C", 6)], 5)
    hidden, released = rows[1], rows[2]  # B is small; A is the smallest released
    assert (released.people, released.expected, released.held, released.rate) == (6, 18, 6, 1 / 3)
    assert not released.suppressed
    assert (hidden.people, hidden.expected, hidden.held, hidden.rate) == (None, None, None, None)
    assert (hidden.group_type, hidden.department, hidden.name, hidden.suppressed) == (
        "department",
        "B",
        "B",
        True,
    )
