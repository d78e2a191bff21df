"""Every message writes a day the same way: the year only when it is not this year."""

from __future__ import annotations

from datetime import date

from bot.dates import day_text


def test_a_day_this_year_has_no_year() -> None:
    assert day_text(date(2026, 1, 15), date(2026, 12, 4)) == "15 January"


def test_a_day_of_another_year_has_its_year() -> None:
    assert day_text(date(2099, 1, 15), date(2026, 12, 4)) == "15 January 2099"
    assert day_text(date(2027, 1, 4), date(2026, 12, 4)) == "4 January 2027"


def test_stored_text_always_has_the_year() -> None:
    assert day_text(date(2026, 12, 4), None) == "4 December 2026"
