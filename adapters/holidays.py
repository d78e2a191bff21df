"""Holidays: the organisation's from `COACHBOT_HOLIDAYS` (a country and subdivision code for the
maintained `holidays` library, `GB`, `US-CA`, or a file of ISO dates, one a line, `#` starting a
comment), and each person's from their own `country` in people.csv (an ISO 3166 code, with a
subdivision as `US-NY`). A holiday defers a message to the recipient's next working window."""

from __future__ import annotations

from datetime import date
from functools import cache
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


class UnknownCountry(ValueError):
    """A country code the holidays library does not know; the message says why."""


def country_code(value: str) -> str:
    """An ISO 3166 country code with an optional subdivision (`GB`, `us-ny`), upper-cased;
    UnknownCountry when the holidays library knows no such country or subdivision."""
    code = value.strip().upper()
    country, _, subdivision = code.partition("-")
    supported = holidays.list_supported_countries()
    if country not in supported:
        raise UnknownCountry(f"{value!r} is not an ISO 3166 country code (e.g. GB, US-NY)")
    if subdivision and subdivision not in supported[country]:
        raise UnknownCountry(
            f"{value!r}: {country} has no subdivision {subdivision!r} "
            f"(e.g. {country}-{supported[country][0]})"
            if supported[country]
            else f"{value!r}: {country} has no subdivisions (write {country})"
        )
    return code


@cache
def country_holidays(code: str) -> HolidayRule | None:
    """A person's holidays from their country code; None for a code the library does not
    know (they then follow `COACHBOT_HOLIDAYS`)."""
    country, _, subdivision = code.partition("-")
    try:
        return holidays.country_holidays(country, subdiv=subdivision or None)
    except NotImplementedError:
        return None
