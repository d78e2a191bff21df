"""The organisation's holidays from `COACHBOT_HOLIDAYS`: a country (and subdivision) code for
the maintained `holidays` library (`GB`, `US-CA`), or a file of ISO dates, one a line, `#`
starting a comment. A holiday defers every message to the next working window."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import holidays

from adapters.config import ConfigError
from bot.nudges import HolidayRule

SETTING = "COACHBOT_HOLIDAYS"


def holiday_rule(setting: str | None) -> HolidayRule:
    """The holidays the setting names; none when it is unset."""
    if not setting:
        return frozenset()
    path = Path(setting)
    if path.is_file():
        return read_holiday_file(path)
    country, _, subdivision = setting.partition("-")
    try:
        return holidays.country_holidays(country, subdiv=subdivision or None)
    except NotImplementedError:
        raise ConfigError(
            f"{SETTING}: {setting!r} is neither a file nor a country code the holidays "
            "library knows"
        ) from None


def read_holiday_file(path: Path) -> frozenset[date]:
    """The dates in a holiday file; a line that is not a date stops start-up naming it."""
    days = set()
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        text = line.split("#", 1)[0].strip()
        if not text:
            continue
        try:
            days.add(date.fromisoformat(text))
        except ValueError:
            raise ConfigError(
                f"{SETTING}: {path}:{number}: {text!r} is not a YYYY-MM-DD date"
            ) from None
    return frozenset(days)
