"""The words of the report command in chat (`/coaching-report`, Teams' `report`):
`[department NAME | team NAME] [30d|90d|180d|365d]`, parsed into a `ReportRequest`."""

from __future__ import annotations

import re
from datetime import date

from bot.errors import FieldError
from bot.services.reports import DEFAULT_PERIOD_DAYS, ReportRequest, parse_period

EARLIEST_AS_OF = date(1900, 1, 1)
LATEST_AS_OF = date(2999, 12, 31)
USAGE = "Usage: `/coaching-report [department NAME | team NAME] [30d|90d|180d|365d]`"
_PERIOD = re.compile(r"^(.*?)\s*\b(\d+d)\s*$", re.IGNORECASE)


def parse_report_command(text: str) -> ReportRequest | FieldError:
    """The request the words describe, or a field error naming what is wrong."""
    words = " ".join(text.split())
    period_days = DEFAULT_PERIOD_DAYS
    match = _PERIOD.match(words)
    if match:
        parsed = parse_period(match.group(2))
        if isinstance(parsed, FieldError):
            return parsed
        period_days, words = parsed, match.group(1)
    if not words:
        return ReportRequest(period_days=period_days)
    keyword, _, name = words.partition(" ")
    name = name.strip().strip("\"'“”")
    if keyword.lower() not in {"department", "team"}:
        return FieldError("scope", f"I don't understand {words!r}. {USAGE}")
    if not name:
        return FieldError("scope", f"Say which {keyword.lower()}. {USAGE}")
    if keyword.lower() == "department":
        return ReportRequest(period_days=period_days, department=name)
    return ReportRequest(period_days=period_days, team=name)


def report_request(
    period: str, as_of: str | None, department: str | None, team: str | None
) -> ReportRequest | FieldError:
    """The request of a form of fields (`coachbot report`'s options, the console's filters):
    the period as `90d`, the last day as YYYY-MM-DD (today when empty), a department and a
    team (all when empty); a field error naming the field that is wrong."""
    days = parse_period(period)
    if isinstance(days, FieldError):
        return days
    last_day = None
    if as_of:
        try:
            last_day = date.fromisoformat(as_of)
        except ValueError:
            return FieldError("as-of", f"{as_of!r} is not a date (YYYY-MM-DD)")
        if not EARLIEST_AS_OF <= last_day <= LATEST_AS_OF:
            return FieldError(
                "as-of", f"{as_of!r} is out of range ({EARLIEST_AS_OF} to {LATEST_AS_OF})"
            )
    return ReportRequest(
        period_days=days, as_of=last_day, department=department or None, team=team or None
    )
