"""Parsing one CSV value (e-mail, ISO date, bounded integer, IANA zone, country, list) into a
typed value, and `RowReader`, which reads a record's columns collecting a problem for each bad
one."""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from datetime import date
from typing import TypeVar
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from adapters.holidays import UnknownCountry, country_code
from adapters.imports.csvfile import CsvRecord, Problem

T = TypeVar("T")

_EMAIL = re.compile(r"[^@\s,;<>\"']+@[^@\s,;<>\"'.]+(\.[^@\s,;<>\"'.]+)+")
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


class Invalid(Exception):
    """A value that cannot be read; the message says why, for the user."""


def email(value: str) -> str:
    """An e-mail address, lower-cased (addresses are compared without case)."""
    if not _EMAIL.fullmatch(value):
        raise Invalid(f"{value!r} is not an e-mail address")
    return value.lower()


@functools.lru_cache(maxsize=8192)
def iso_date(value: str) -> date:
    if not _ISO_DATE.fullmatch(value):
        raise Invalid(f"{value!r} is not an ISO date (YYYY-MM-DD)")
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise Invalid(f"{value!r} is not a real date") from None


def remembered(parser: Callable[[str], T]) -> Callable[[str], T]:
    """`parser` remembering its valid results, for a column whose values repeat (a manager's
    e-mail on each of their reports' rows)."""
    known: dict[str, T] = {}

    def parse(value: str) -> T:
        try:
            return known[value]
        except KeyError:
            result = known[value] = parser(value)
            return result

    return parse


def past_date(today: date) -> Callable[[str], date]:
    """An ISO date not after `today`."""

    def parse(value: str) -> date:
        day = iso_date(value)
        if day > today:
            raise Invalid(f"{value} is in the future (today is {today.isoformat()})")
        return day

    return parse


def integer(low: int | None = None, high: int | None = None) -> Callable[[str], int]:
    """A whole number, within `low` and `high` (inclusive) where given."""

    def parse(value: str) -> int:
        if not re.fullmatch(r"[+-]?\d+", value):
            raise Invalid(f"{value!r} is not a whole number")
        number = int(value)
        if (low is not None and number < low) or (high is not None and number > high):
            if low is not None and high is not None:
                bounds = f"from {low} to {high}"
            else:
                bounds = f"at least {low}" if low is not None else f"at most {high}"
            raise Invalid(f"{number} is out of range (must be {bounds})")
        return number

    return parse


@functools.cache
def zone(value: str) -> str:
    """An IANA time zone name such as Europe/London."""
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        raise Invalid(f"{value!r} is not an IANA time zone (e.g. Europe/London)") from None
    return value


@functools.lru_cache(maxsize=1024)
def country(value: str) -> str:
    """An ISO 3166 country code, with a subdivision as `US-NY`, whose holidays are known."""
    try:
        return country_code(value)
    except UnknownCountry as exc:
        raise Invalid(str(exc)) from None


def choice(options: tuple[str, ...]) -> Callable[[str], str]:
    def parse(value: str) -> str:
        if value not in options:
            raise Invalid(f"{value!r} is not one of {', '.join(options)}")
        return value

    return parse


def identifier(value: str) -> str:
    """An id that may appear in a `;`- or `|`-separated list."""
    if any(sep in value for sep in ";|"):
        raise Invalid(f"{value!r} contains ';' or '|', which separate lists")
    return value


def url(value: str) -> str:
    if not re.fullmatch(r"https?://\S+", value):
        raise Invalid(f"{value!r} is not an http(s) URL")
    return value


def split(value: str, separator: str) -> list[str]:
    """The non-blank items of a separated list, stripped."""
    return [item.strip() for item in value.split(separator) if item.strip()]


class RowReader:
    """Reads one record's columns, adding a `Problem` for each value that is missing or bad."""

    __slots__ = ("cells", "index", "line", "ok", "problems")

    def __init__(self, record: CsvRecord, problems: list[Problem]) -> None:
        self.cells = record.cells
        self.index = record.index
        self.line = record.line
        self.problems = problems
        self.ok = True

    def problem(self, column: str, message: str) -> None:
        self.problems.append(Problem(self.line, column, message))
        self.ok = False

    def text(self, column: str, *, required: bool = False) -> str:
        value = self.cells[self.index[column]]
        if required and not value:
            self.problem(column, "required, but blank")
        return value

    def optional(self, column: str) -> str | None:
        return self.cells[self.index[column]] or None

    def parse(self, column: str, parser: Callable[[str], T], *, required: bool = False) -> T | None:
        """The column parsed, or None when blank (a problem if required) or invalid."""
        value = self.cells[self.index[column]]
        if not value:
            if required:
                self.problem(column, "required, but blank")
            return None
        try:
            return parser(value)
        except Invalid as exc:
            self.problem(column, str(exc))
            return None
