"""How every message writes a day: `15 January` in the current year, `15 January 2099` in any
other. Pure: the caller says which day is today, so both chat doors and the Home tab agree."""

from __future__ import annotations

from datetime import date


def day_text(day: date, today: date | None) -> str:
    """`3 November`, or `3 November 2027` when the day is not in today's year. `today` is None
    for text that is stored and read on some later day: it always has the year."""
    words = f"{day.day} {day.strftime('%B')}"
    return words if today is not None and day.year == today.year else f"{words} {day.year}"


def iso_day_text(iso: str, today: date | None) -> str:
    """`day_text` of a `YYYY-MM-DD` day, as outbox payloads hold them."""
    return day_text(date.fromisoformat(iso), today)
