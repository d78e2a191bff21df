"""The nudge planner (README, "Reminders"): which reminders are to go out at one moment,
each in its recipient's own working window (09:00-11:00 local, Monday to Friday, not on their
country's holidays, no leave).

Pure: the sweep job and `coachbot nudges preview` load the inputs below, call
`planned_nudges(at, ...)`, and drop what the outbox already holds (by `dedupe_key`).

A nudge becomes deliverable in the first working window on or after its day and stays
deliverable in each later working window until it is sent (the outbox's dedupe key makes
that once) or cancelled: messages are deferred, never dropped. A session logged in the
meantime moves the due date, so the old nudge is no longer planned. `session_overdue`
supersedes a `session_due` that never went out, so a manager gets at most two messages per
relationship and due period.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Container, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, time, timedelta
from functools import cache
from typing import Any, TypeVar
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bot.cadence import CoachingSchedule, schedule_for
from bot.model import Cadence

WINDOW_OPENS = time(9)
WINDOW_CLOSES = time(11)
"""Everyone's working window, in their own local time."""

UTC_OFFSETS = (timedelta(hours=-16), timedelta(hours=16))
"""Bounds of every time zone's UTC offset, past ones included (today -12 to +14; the local
mean times of the 19th century reach -15:56 and +15:13)."""

T = TypeVar("T")

MAX_SEARCH_STEPS = 4000
"""How many days `first_working_day_on_or_after` looks ahead (beyond leave it skips whole)."""


class Party(enum.StrEnum):
    """Who a nudge goes to, or whom it is about."""

    MANAGER = "manager"
    EMPLOYEE = "employee"
    LD_ADMIN = "ld_admin"


class Period(enum.StrEnum):
    """The period a nudge is sent once in: the last part of its dedupe key."""

    DUE_DATE = "due_date"
    """The relationship's due date, ISO (`2026-03-02`)."""
    MONTH = "month"
    """The calendar month, `2026-03`."""
    WEEK = "week"
    """The week's Monday, ISO."""

    def of(self, day: date) -> str:
        """The period `day` falls in, as its dedupe key ends."""
        if self is Period.MONTH:
            return day.strftime("%Y-%m")
        if self is Period.WEEK:
            return (day - timedelta(days=day.weekday())).isoformat()
        return day.isoformat()


class NudgeKind(enum.StrEnum):
    """The programme's reminders (their names appear in `nudges preview` and the outbox), each
    with what it is: who receives it, whom it is about (the other person of a coaching
    relationship, or nobody), whether a session logged since it was planned cancels it, and
    the period it is sent once in. Its dedupe key is
    `nudge:<kind>:<recipient>[:<about>]:<period>`."""

    SESSION_DUE = "session_due"
    SESSION_OVERDUE = "session_overdue"
    ACTION_CHECKIN = "action_checkin"
    MANAGER_MODULE = "manager_module"
    LD_DIGEST = "ld_digest"

    @classmethod
    def of(cls, kind: str) -> NudgeKind | None:
        """The nudge kind named `kind` (an outbox row's kind), None for other messages."""
        return cls._value2member_map_.get(kind)  # type: ignore[return-value]

    @property
    def recipient(self) -> Party:
        return _TRAITS[self][0]

    @property
    def about(self) -> Party | None:
        """The other person of the relationship the nudge concerns; None for no relationship."""
        return _TRAITS[self][1]

    @property
    def period(self) -> Period:
        return _TRAITS[self][2]

    @property
    def cancelled_by_session(self) -> bool:
        """Whether a session logged since the nudge was planned cancels it (it moves the due
        date: the nudges of a relationship's period)."""
        return self.about is not None

    def pair(self, recipient_id: int, about_id: int) -> tuple[int, int]:
        """(manager, employee) of a relationship nudge's recipient and about."""
        if self.recipient is Party.EMPLOYEE:
            return (about_id, recipient_id)
        return (recipient_id, about_id)

    def key_parts(self, recipient: T, about: T | None, period: T) -> list[str | T]:
        """The parts of a dedupe key, to be joined with `:`: `dedupe_key` joins strings; the
        sweep's query joins column expressions, so both build the same key."""
        if (about is None) != (self.about is None):
            raise ValueError(
                f"a {self.value} nudge is {'not ' if self.about is None else ''}about someone"
            )
        return ["nudge", self.value, recipient, *(() if about is None else (about,)), period]


_TRAITS: dict[NudgeKind, tuple[Party, Party | None, Period]] = {
    NudgeKind.SESSION_DUE: (Party.MANAGER, Party.EMPLOYEE, Period.DUE_DATE),
    NudgeKind.SESSION_OVERDUE: (Party.MANAGER, Party.EMPLOYEE, Period.DUE_DATE),
    NudgeKind.ACTION_CHECKIN: (Party.EMPLOYEE, Party.MANAGER, Period.DUE_DATE),
    NudgeKind.MANAGER_MODULE: (Party.MANAGER, None, Period.MONTH),
    NudgeKind.LD_DIGEST: (Party.LD_ADMIN, None, Period.WEEK),
}

RELATIONSHIP_KINDS = tuple(kind for kind in NudgeKind if kind.about is not None)
"""The nudges of a relationship's due period."""


HolidayRule = Callable[[date], bool] | Container[date]
"""A calendar of holidays: a set of dates (or a `holidays` library calendar, which is a
container of dates), or a function telling whether a date is a holiday."""

CountryHolidays = Callable[[str], HolidayRule | None]
"""The holidays of a country code (`GB`, `US-NY`); None for a code with no known calendar."""


def _holiday_in(rule: HolidayRule, day: date) -> bool:
    if callable(rule):
        return bool(rule(day))
    return day in rule


@dataclass(frozen=True, slots=True)
class LeavePeriod:
    """A person's leave, both days inclusive (`coachbot leave add EMAIL FROM TO`)."""

    first_day: date
    last_day: date

    def covers(self, day: date) -> bool:
        return self.first_day <= day <= self.last_day


@dataclass(frozen=True, slots=True)
class WorkingCalendar:
    """Who works when.

    `zones` maps a person id to their IANA time zone (from their chat profile); anyone not in
    it, or with a zone name that is not known, uses `default_zone` (`COACHBOT_TIMEZONE`).
    `countries` maps a person id to their country code (people.csv), whose holidays
    (`country_holidays`) are theirs; anyone else, or with a country whose calendar is not
    known, has the organisation's `holidays` (`COACHBOT_HOLIDAYS`). Holidays are in each
    person's local dates. `leave` maps a person id to their leave periods.
    """

    default_zone: str = "UTC"
    zones: Mapping[int, str] = field(default_factory=dict)
    holidays: HolidayRule = frozenset()
    leave: Mapping[int, Sequence[LeavePeriod]] = field(default_factory=dict)
    countries: Mapping[int, str] = field(default_factory=dict)
    country_holidays: CountryHolidays | None = None

    def zone_of(self, person_id: int) -> ZoneInfo:
        """The person's time zone."""
        return _zone(self.zones.get(person_id) or self.default_zone, self.default_zone)

    def holidays_of(self, person_id: int | None) -> HolidayRule:
        """The person's holidays: their country's, else the organisation's."""
        country = self.countries.get(person_id) if person_id is not None else None
        if country and self.country_holidays is not None:
            rule = self.country_holidays(country)
            if rule is not None:
                return rule
        return self.holidays

    def is_holiday(self, day: date, person_id: int | None = None) -> bool:
        """Whether `day` is a holiday for the person (without one: for the organisation)."""
        return _holiday_in(self.holidays_of(person_id), day)

    def leave_covering(self, person_id: int, day: date) -> LeavePeriod | None:
        """The person's leave period that includes `day`, if any."""
        for period in self.leave.get(person_id, ()):
            if period.covers(day):
                return period
        return None

    def is_working_day(self, person_id: int, day: date) -> bool:
        """Monday to Friday, not a holiday, and the person is not on leave."""
        return (
            day.weekday() < 5
            and not self.is_holiday(day, person_id)
            and self.leave_covering(person_id, day) is None
        )


def _zone(name: str, fallback: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo(fallback)


@dataclass(frozen=True, slots=True)
class Snooze:
    """A manager's *Snooze 3 days* on the nudge about `employee_id`: the nudges of the period
    whose due date it reaches past wait until `until`, so that period's remaining nudges come
    `until - due` days later (the `session_overdue` from due + 7 + those days). It still makes
    no third message; it lapses once a session is logged, since the next period has another
    due date. Several snoozes of one relationship: the latest."""

    manager_id: int
    employee_id: int
    until: date


@dataclass(frozen=True, slots=True)
class RelationshipState:
    """A current coaching relationship as the planner needs it.

    `started_on` is `bot.cadence.relationship_start(...)`; `cadence` and `start_date` are the
    employee's (a blank cadence is fortnightly for a new hire's first 90 days, then monthly);
    `last_session_on` is the date of the last session this manager logged with this employee
    (None before the first); `open_actions` counts the employee's open agreed actions.
    """

    manager_id: int
    employee_id: int
    started_on: date
    cadence: Cadence | None = None
    start_date: date | None = None
    last_session_on: date | None = None
    open_actions: int = 0

    @property
    def schedule(self) -> CoachingSchedule:
        """Its due, overdue and check-in days until the next session is logged."""
        return schedule_for(self.last_session_on, self.started_on, self.cadence, self.start_date)


@dataclass(frozen=True, slots=True)
class PlannedNudge:
    """One message to write to the outbox now.

    `about_id` is the report for a manager's nudge, the manager for an `action_checkin`, None
    otherwise; `due_on` is the session due date (None for `manager_module` and `ld_digest`);
    `first_window_on` is the recipient's local date of the nudge's first working window (before
    the moment planned for, the nudge is late: it was deferred or missed).
    """

    recipient_id: int
    kind: NudgeKind
    about_id: int | None
    due_on: date | None
    dedupe_key: str
    first_window_on: date | None = None

    @property
    def sort_key(self) -> tuple[int, str, int]:
        return (self.recipient_id, self.kind.value, -1 if self.about_id is None else self.about_id)

    @property
    def pair(self) -> tuple[int, int] | None:
        """(manager, employee) of a nudge about a relationship; None for the others."""
        if self.about_id is None:
            return None
        return self.kind.pair(self.recipient_id, self.about_id)


def working_window(day: date, zone: str | ZoneInfo) -> tuple[datetime, datetime]:
    """The working window of local date `day` in `zone`, as aware UTC datetimes [start, end)."""
    tz = zone if isinstance(zone, ZoneInfo) else ZoneInfo(zone)
    start = datetime.combine(day, WINDOW_OPENS, tzinfo=tz)
    end = datetime.combine(day, WINDOW_CLOSES, tzinfo=tz)
    return start.astimezone(UTC), end.astimezone(UTC)


def local_day_in_window(at: datetime, zone: ZoneInfo) -> date | None:
    """The local date at `at` if `at` lies within that day's working hours, else None (weekends,
    holidays and leave are not considered here)."""
    local = at.astimezone(zone)
    if WINDOW_OPENS <= local.time() < WINDOW_CLOSES:
        return local.date()
    return None


def days_in_window(at: datetime) -> tuple[date, date]:
    """The first and last local dates that anyone, in any time zone, can be in their working
    window at `at` (aware): the planner plans a person's nudges for that date only. (A date D
    is one if D + 09:00 <= `at` + offset < D + 11:00 for an offset in `UTC_OFFSETS`.)"""
    utc = at.astimezone(UTC)
    earliest, latest = UTC_OFFSETS
    closes = timedelta(hours=WINDOW_CLOSES.hour, minutes=WINDOW_CLOSES.minute)
    opens = timedelta(hours=WINDOW_OPENS.hour, minutes=WINDOW_OPENS.minute)
    return (utc + earliest - closes).date() + timedelta(days=1), (utc + latest - opens).date()


def zones_out_of_window(at: datetime, names: Iterable[str]) -> frozenset[str]:
    """Those of the time zone `names` in which `at` (aware) is outside the working hours (only
    the hours: a weekend or holiday is not considered). Names that are not time zones are left
    out."""
    return frozenset(
        name
        for name in names
        if (zone := _known_zone(name)) is not None and local_day_in_window(at, zone) is None
    )


@cache
def _known_zone(name: str) -> ZoneInfo | None:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return None


def _blocked(
    day: date,
    person_id: int,
    calendar: WorkingCalendar,
    about_id: int | None,
    not_before: date | None,
) -> date | None:
    """None if the person may be nudged on `day`, else the next day worth trying."""
    if not_before is not None and day < not_before:
        return not_before
    for who in (person_id, about_id):
        if who is not None and (period := calendar.leave_covering(who, day)) is not None:
            return period.last_day + timedelta(days=1)
    if day.weekday() >= 5 or calendar.is_holiday(day, person_id):
        return day + timedelta(days=1)
    return None


def first_working_day_on_or_after(
    day: date,
    person_id: int,
    calendar: WorkingCalendar,
    *,
    about_id: int | None = None,
    not_before: date | None = None,
) -> date:
    """The first of `person_id`'s working days on or after `day`: a weekday, not a holiday, not
    in their leave, nor in the leave of `about_id` (the employee a manager's nudge is about),
    and not before `not_before`. Raises ValueError if none comes within
    `MAX_SEARCH_STEPS` steps (a holiday rule that never ends)."""
    candidate = day
    for _ in range(MAX_SEARCH_STEPS):
        later = _blocked(candidate, person_id, calendar, about_id, not_before)
        if later is None:
            return candidate
        candidate = later
    raise ValueError(f"no working day for person {person_id} after {day.isoformat()}")


def dedupe_key(kind: NudgeKind, recipient_id: int, about_id: int | None, day: date) -> str:
    """The outbox key of a nudge for the period `day` falls in (`NudgeKind.key_parts`; a
    relationship's nudges: the due date)."""
    about = None if about_id is None else str(about_id)
    return ":".join(kind.key_parts(str(recipient_id), about, kind.period.of(day)))


class _Today:
    """Each person's local working day at the moment planned for, computed once per zone and
    country."""

    def __init__(self, at: datetime, calendar: WorkingCalendar) -> None:
        self._at = at
        self._calendar = calendar
        self._days: dict[tuple[str, str | None], date | None] = {}

    def in_window(self, person_id: int) -> date | None:
        """The person's local date if `at` is in their working hours on a weekday that is not
        one of their holidays (leave is checked by the caller, which knows whose leave
        matters)."""
        calendar = self._calendar
        zone_name = calendar.zones.get(person_id) or calendar.default_zone
        key = (zone_name, calendar.countries.get(person_id))
        if key not in self._days:
            zone = _zone(zone_name, calendar.default_zone)
            day = local_day_in_window(self._at, zone)
            if day is not None and (day.weekday() >= 5 or calendar.is_holiday(day, person_id)):
                day = None
            self._days[key] = day
        return self._days[key]


def _remembered(rule: HolidayRule) -> Callable[[date], bool]:
    known: dict[date, bool] = {}

    def is_holiday(day: date) -> bool:
        if day not in known:
            known[day] = _holiday_in(rule, day)
        return known[day]

    return is_holiday


def _with_holidays_remembered(calendar: WorkingCalendar) -> WorkingCalendar:
    """The calendar asking each holiday rule once per date (a sweep asks about the same days
    for thousands of relationships), and each country's rule once."""
    countries: dict[str, HolidayRule | None] = {}
    of_country = calendar.country_holidays

    def country_holidays(code: str) -> HolidayRule | None:
        if code not in countries:
            rule = of_country(code) if of_country is not None else None
            countries[code] = _remembered(rule) if rule is not None else None
        return countries[code]

    return replace(
        calendar,
        holidays=_remembered(calendar.holidays),
        country_holidays=country_holidays if of_country is not None else None,
    )


def _manager_nudge(
    today: date,
    relationship: RelationshipState,
    calendar: WorkingCalendar,
    snoozed: Mapping[tuple[int, int], date],
) -> PlannedNudge | None:
    manager, employee = relationship.manager_id, relationship.employee_id
    if calendar.leave_covering(employee, today) is not None:
        return None
    schedule = relationship.schedule
    snoozed_until = snoozed.get((manager, employee))
    later = timedelta(0)
    if snoozed_until is not None and snoozed_until > schedule.due_on:
        later = snoozed_until - schedule.due_on
    if today >= schedule.overdue_on + later:
        kind, since = NudgeKind.SESSION_OVERDUE, schedule.overdue_on + later
    elif today >= schedule.due_on + later:
        kind, since = NudgeKind.SESSION_DUE, schedule.due_on + later
    else:
        return None
    first = first_working_day_on_or_after(since, manager, calendar, about_id=employee)
    key = dedupe_key(kind, manager, employee, schedule.due_on)
    return PlannedNudge(manager, kind, employee, schedule.due_on, key, first)


def overdue_reminder_on(
    relationship: RelationshipState, calendar: WorkingCalendar, snoozed_days: int = 0
) -> date:
    """The manager's local date whose working window brings the period's `session_overdue`
    (moved by `snoozed_days`), as `_manager_nudge` plans it."""
    since = relationship.schedule.overdue_on + timedelta(days=snoozed_days)
    return first_working_day_on_or_after(
        since, relationship.manager_id, calendar, about_id=relationship.employee_id
    )


def _checkin_nudge(
    today: date, relationship: RelationshipState, calendar: WorkingCalendar
) -> PlannedNudge | None:
    if relationship.last_session_on is None or relationship.open_actions <= 0:
        return None
    schedule = relationship.schedule
    if schedule.checkin_on is None or today < schedule.checkin_on:
        return None
    if today >= schedule.due_on:
        return None  # its moment has passed: the manager's `session_due` takes over
    employee, manager = relationship.employee_id, relationship.manager_id
    first = first_working_day_on_or_after(schedule.checkin_on, employee, calendar)
    key = dedupe_key(NudgeKind.ACTION_CHECKIN, employee, manager, schedule.due_on)
    return PlannedNudge(employee, NudgeKind.ACTION_CHECKIN, manager, schedule.due_on, key, first)


ZonePair = tuple[str, str]
"""A relationship's manager's and employee's time zone names, as the planner resolves them."""


def by_zones(
    relationships: Iterable[RelationshipState], calendar: WorkingCalendar
) -> dict[ZonePair, list[RelationshipState]]:
    """`relationships` grouped by their two people's time zones (the default for no zone)."""
    zones, default = calendar.zones, calendar.default_zone
    groups: dict[ZonePair, list[RelationshipState]] = {}
    for relationship in relationships:
        pair = (
            zones.get(relationship.manager_id) or default,
            zones.get(relationship.employee_id) or default,
        )
        groups.setdefault(pair, []).append(relationship)
    return groups


def reachable_at(
    at: datetime, groups: dict[ZonePair, list[RelationshipState]]
) -> list[RelationshipState]:
    """The grouped relationships in which one of the two people may be in their working hours
    at `at` (aware): `planned_nudges` plans nothing for the others then."""
    closed = zones_out_of_window(at, {name for pair in groups for name in pair})
    return [
        relationship
        for (manager_zone, employee_zone), members in groups.items()
        if manager_zone not in closed or employee_zone not in closed
        for relationship in members
    ]


def planned_nudges(
    at: datetime,
    relationships: Iterable[RelationshipState],
    calendar: WorkingCalendar,
    *,
    snoozes: Iterable[Snooze] = (),
    module_pending: Iterable[int] = (),
    ld_admins: Iterable[int] = (),
) -> list[PlannedNudge]:
    """The nudges whose delivery window contains `at` (aware), sorted by recipient, kind, about.

    - `session_due` to the manager from the first working window on or after the due date, and
      `session_overdue` from the first on or after due + 7 days (superseding a `session_due`
      not yet sent); deferred by the manager's leave and holidays, by the employee's leave, and
      by a snooze reaching past the due date; `due_on` is the due date.
    - `action_checkin` to the employee from the first working window on or after the midpoint
      from the last session to the due date, while any action is open; deferred by the
      employee's own leave and holidays only, and dropped once the due date has come (the
      manager's `session_due` takes over); `due_on` is the next due date.
    - `manager_module` to each manager in `module_pending` (those who have not completed the
      coaching-skills module, when `COACHBOT_MANAGER_MODULE_COURSE` is set) in the first
      working window of each calendar month.
    - `ld_digest` to each L&D admin in `ld_admins` from the first working window of each week
      (Monday, unless it is a holiday or they are on leave).
    """
    if at.tzinfo is None:
        raise ValueError("planned_nudges needs an aware datetime")
    calendar = _with_holidays_remembered(calendar)
    windows = _Today(at, calendar)
    snoozed: dict[tuple[int, int], date] = {}
    for snooze in snoozes:
        pair = (snooze.manager_id, snooze.employee_id)
        snoozed[pair] = max(snooze.until, snoozed.get(pair, snooze.until))

    def working_today(person_id: int) -> date | None:
        day = windows.in_window(person_id)
        if day is None or calendar.leave_covering(person_id, day) is not None:
            return None
        return day

    planned: list[PlannedNudge] = []
    for relationship in relationships:
        manager_day = working_today(relationship.manager_id)
        if manager_day is not None:
            nudge = _manager_nudge(manager_day, relationship, calendar, snoozed)
            if nudge is not None:
                planned.append(nudge)
        employee_day = working_today(relationship.employee_id)
        if employee_day is not None:
            checkin = _checkin_nudge(employee_day, relationship, calendar)
            if checkin is not None:
                planned.append(checkin)

    for manager in set(module_pending):
        day = working_today(manager)
        if day is not None:
            month = day.replace(day=1)
            first = first_working_day_on_or_after(month, manager, calendar)
            key = dedupe_key(NudgeKind.MANAGER_MODULE, manager, None, month)
            planned.append(PlannedNudge(manager, NudgeKind.MANAGER_MODULE, None, None, key, first))

    for admin in set(ld_admins):
        day = working_today(admin)
        if day is not None:
            monday = day - timedelta(days=day.weekday())
            first = first_working_day_on_or_after(monday, admin, calendar)
            key = dedupe_key(NudgeKind.LD_DIGEST, admin, None, monday)
            planned.append(PlannedNudge(admin, NudgeKind.LD_DIGEST, None, None, key, first))

    return sorted(planned, key=lambda nudge: nudge.sort_key)


def group_by_recipient(nudges: Iterable[PlannedNudge]) -> dict[int, tuple[PlannedNudge, ...]]:
    """The nudges per recipient, in order: a recipient with several in one window gets one
    message listing them all."""
    grouped: dict[int, list[PlannedNudge]] = {}
    for nudge in sorted(nudges, key=lambda n: n.sort_key):
        grouped.setdefault(nudge.recipient_id, []).append(nudge)
    return {recipient: tuple(items) for recipient, items in grouped.items()}


def session_pair(kind: str, payload: Mapping[str, Any]) -> tuple[int, int] | None:
    """(manager, employee) whose logged session would cancel a queued outbox row of `kind`;
    None for rows no session cancels."""
    nudge = NudgeKind.of(kind)
    if nudge is None or not nudge.cancelled_by_session or "employee_id" not in payload:
        return None
    return (payload["manager_id"], payload["employee_id"])


def cancelled(
    kind: str,
    payload: Mapping[str, Any],
    now: datetime,
    last_sessions: Mapping[tuple[int, int], date],
) -> bool:
    """Whether a queued outbox row must not go at `now`: a nudge whose recipient's working
    window has passed (the sweep plans it again for the next window, so it is deferred, not
    lost), or a nudge of a relationship's period with a session logged since it was planned
    (`last_sessions` holds the last session per (manager, employee), as `session_pair`
    names them). Other messages are never cancelled."""
    if NudgeKind.of(kind) is None:
        return False
    window_ends = payload.get("window_ends")
    if window_ends and datetime.fromisoformat(window_ends) <= now:
        return True
    pair = session_pair(kind, payload)
    if pair is None or pair not in last_sessions:
        return False
    planned_from = payload.get("last_session_on")
    return planned_from is None or last_sessions[pair] > date.fromisoformat(planned_from)
