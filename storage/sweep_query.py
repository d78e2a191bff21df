"""The sweep's one statement (`relationships`): the current coaching relationships that may
have a nudge at a moment, with what the planner needs of them, read in a few set-based steps;
with `Settled`, leaving out those whose possible nudges are all in the outbox already (from
`queued_nudges` when any status counts, else by dedupe key). Also the managers a coaching
module is still pending for. Dates are computed in SQL as `bot.cadence` computes them."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import cache
from typing import Any
from zoneinfo import available_timezones

from sqlalchemy import (
    ARRAY,
    ColumnElement,
    Date,
    Integer,
    String,
    Text,
    all_,
    and_,
    case,
    cast,
    func,
    literal,
    literal_column,
    not_,
    or_,
    select,
    text,
)
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.cadence import NEW_HIRE_DAYS, OVERDUE_AFTER
from bot.model import ActionStatus, Cadence, OutboxStatus
from bot.nudges import NudgeKind, Party, RelationshipState, days_in_window, zones_out_of_window
from storage.repositories import ACTION, COMPLETION, OUTBOX, PERSON, RELATIONSHIP, SESSION
from storage.tables import metadata

SNOOZE = metadata.tables["snooze"]
QUEUED = metadata.tables["queued_nudges"]

LOCAL_DAYS_AHEAD = timedelta(days=2)
"""Anyone's local date is at most a day ahead of the organisation's; one more for safety."""

DUE_AFTER_AT_LEAST = {
    Cadence.FORTNIGHTLY.value: 14,
    Cadence.MONTHLY.value: 28,
    Cadence.QUARTERLY.value: 89,
}
"""The shortest possible interval per cadence (a blank cadence may be fortnightly)."""

CHECKIN_AFTER_AT_LEAST = {name: days // 2 for name, days in DUE_AFTER_AT_LEAST.items()}
"""The earliest check-in day after a session per cadence (midway to the due date)."""


@dataclass(frozen=True, slots=True)
class Settled:
    """What makes a relationship's nudges settled at the moment planned for: `days` are the
    first and last local dates anyone can be in their working window then (`bot.nudges.
    days_in_window`); `statuses` the outbox statuses that count; `closed_zones` the person
    time zones outside working hours then ("" for people with no zone, when the default
    zone's are)."""

    days: tuple[date, date]
    statuses: Collection[OutboxStatus]
    closed_zones: frozenset[str]

    @classmethod
    def at(cls, at: datetime, statuses: Collection[OutboxStatus], default_zone: str) -> Settled:
        """The settled nudges at the moment `at` (people with no zone are in `default_zone`)."""
        closed = zones_out_of_window(at, _time_zones() | {default_zone})
        if default_zone in closed:
            closed |= {""}
        return cls(days_in_window(at), statuses, closed)

    @classmethod
    def during(cls, first: datetime, last: datetime, statuses: Collection[OutboxStatus]) -> Settled:
        """The nudges settled at every moment from `first` to `last`: the dates in anyone's
        window at either end and between, whatever their zone (each is open at some moment)."""
        return cls((days_in_window(first)[0], days_in_window(last)[1]), statuses, frozenset())


@cache
def _time_zones() -> frozenset[str]:
    """The IANA time zone names (read from disk once)."""
    return frozenset(available_timezones())


def _current(on: date) -> ColumnElement[bool]:
    return and_(
        RELATIONSHIP.c.started_on <= on,
        or_(RELATIONSHIP.c.ended_on.is_(None), RELATIONSHIP.c.ended_on > on),
    )


def _by_cadence(cadence: Any, days: Mapping[str, int], latest: date) -> Any:
    """`latest` minus the cadence's days, as a SQL expression (blank: the fortnightly days)."""
    return case(
        *((cadence == name, literal(latest - timedelta(days=n))) for name, n in days.items()),
        else_=literal(latest - timedelta(days=days[Cadence.FORTNIGHTLY.value])),
    )


def _plus_days(dialect: str, day: Any, days: int) -> Any:
    if dialect == "sqlite":
        return func.date(day, f"{days:+d} days")
    return day + days


def _plus_months(dialect: str, day: Any, months: int) -> Any:
    """`bot.cadence.add_months` in SQL: clamped to the month's end (PostgreSQL's interval
    arithmetic clamps; SQLite's rolls over, so the earlier of it and the month's last day)."""
    if dialect == "sqlite":
        return func.min(
            func.date(day, f"+{months} months"),
            func.date(day, "start of month", f"+{months + 1} months", "-1 day"),
        )
    return cast(day + literal_column(f"interval '{months} months'"), Date)


def _due_on(dialect: str, since: Any, cadence: Any, start_date: Any) -> Any:
    """`bot.cadence.due_on` in SQL, as the dialect's date (SQLite: ISO text)."""
    if dialect == "sqlite":
        employed_days = func.julianday(since) - func.julianday(start_date)
    else:
        employed_days = since - start_date
    fortnight = _plus_days(dialect, since, 14)
    month = _plus_months(dialect, since, 1)
    return case(
        (cadence == Cadence.FORTNIGHTLY.value, fortnight),
        (cadence == Cadence.MONTHLY.value, month),
        (cadence == Cadence.QUARTERLY.value, _plus_months(dialect, since, 3)),
        (and_(start_date.is_not(None), employed_days < NEW_HIRE_DAYS), fortnight),
        else_=month,
    )


def _checkin_on(dialect: str, last: Any, due: Any) -> Any:
    """`bot.cadence.checkin_on` in SQL: midway from the last session to the due date."""
    if dialect == "sqlite":
        half = cast((func.julianday(due) - func.julianday(last)) / 2, Integer)
        return func.date(last, literal("+") + cast(half, String) + literal(" days"))
    return last + (due - last) // 2


def _day(dialect: str, day: date) -> Any:
    """A date to compare with `_due_on`'s."""
    return literal(day.isoformat()) if dialect == "sqlite" else literal(day, Date)


def _iso(dialect: str, day: Any) -> Any:
    """A date as ISO text. (PostgreSQL writes dates as ISO text in its default `DateStyle`;
    in another, the keys built from it match nothing and relationships are left in.)"""
    return day if dialect == "sqlite" else cast(day, Text)


def _joined(parts: list[Any]) -> Any:
    """Key parts joined with `:` as SQL text, the strings among them joined here first."""
    pieces: list[Any] = []
    pending = ""
    for index, part in enumerate(parts):
        pending += ":" if index else ""
        if isinstance(part, str):
            pending += part
        else:
            pieces += [literal(pending), part] if pending else [part]
            pending = ""
    if pending:
        pieces.append(literal(pending))
    joined = pieces[0]
    for piece in pieces[1:]:
        joined = joined + piece
    return joined


def _probe(
    kind: NudgeKind, recipient: Any, about: Any, due_iso: Any, settled: Collection[OutboxStatus]
) -> Any:
    """Whether the outbox holds this nudge (its `bot.nudges.dedupe_key`, built in SQL from the
    same `NudgeKind.key_parts`) with a settled status: one probe of the unique key."""
    key = _joined(kind.key_parts(cast(recipient, String), cast(about, String), due_iso))
    query = select(literal(1)).where(OUTBOX.c.dedupe_key == key)
    query = query.where(OUTBOX.c.status.in_(sorted(status.value for status in settled)))
    return query.exists()


async def relationships(
    db: AsyncConnection,
    on: date,
    settled: Settled | None = None,
    pair: tuple[int, int] | None = None,
) -> tuple[list[RelationshipState], dict[int, str], dict[int, str]]:
    """Current relationships that may have a nudge around `on`, with their first start, last
    session, open actions and both people's zones and countries, in one query. Those whose
    session cannot be due yet, nor their check-in day come, are left out in SQL (a
    conservative filter; the planner decides the rest); with `settled`, so are those whose
    possible nudges at that moment are all in the outbox already (`_unsettled`). Each step is
    computed once per relationship (materialised). With `pair` (manager, employee), only that
    relationship."""
    dialect = db.dialect.name
    last_session = (
        select(
            SESSION.c.manager_id,
            SESSION.c.employee_id,
            func.max(SESSION.c.held_on).label("last_session_on"),
        )
        .where(SESSION.c.manager_id.is_not(None))
        .group_by(SESSION.c.manager_id, SESSION.c.employee_id)
        .subquery()
    )
    employee = PERSON.alias("employee")
    manager = PERSON.alias("manager")
    r = RELATIONSHIP.c
    last = last_session.c.last_session_on
    since = func.coalesce(last, _started(r.manager_id, r.employee_id, employee.c.start_date))
    current = (
        select(
            r.manager_id,
            r.employee_id,
            employee.c.cadence,
            employee.c.start_date,
            last.label("last_session_on"),
            manager.c.timezone.label("manager_zone"),
            employee.c.timezone.label("employee_zone"),
            manager.c.country.label("manager_country"),
            employee.c.country.label("employee_country"),
            since.label("since"),
            _has_open_action(r.employee_id).label("has_open_action"),
        )
        .select_from(
            RELATIONSHIP.join(employee, employee.c.id == r.employee_id)
            .join(manager, manager.c.id == r.manager_id)
            .outerjoin(
                last_session,
                and_(
                    last_session.c.manager_id == r.manager_id,
                    last_session.c.employee_id == r.employee_id,
                ),
            )
        )
        .where(
            _current(on),
            employee.c.active,
            manager.c.active,
            or_(employee.c.start_date.is_(None), employee.c.start_date <= on),
            *(() if pair is None else (r.manager_id == pair[0], r.employee_id == pair[1])),
        )
        .cte("current_relationship")
        .prefix_with("MATERIALIZED")
    )
    c = current.c
    latest = on + LOCAL_DAYS_AHEAD if settled is None else settled.days[1]
    may_be_due = c.since <= _by_cadence(c.cadence, DUE_AFTER_AT_LEAST, latest)
    may_check_in = and_(
        c.last_session_on <= _by_cadence(c.cadence, CHECKIN_AFTER_AT_LEAST, latest),
        c.has_open_action,
    )
    dated = (
        select(
            current,
            may_be_due.label("may_be_due"),
            _due_on(dialect, c.since, c.cadence, c.start_date).label("due_on"),
        )
        .where(or_(may_be_due, may_check_in))
        .cte("dated")
        .prefix_with("MATERIALIZED")
    )
    chosen = dated if settled is None else _unsettled(dialect, dated, settled)
    if dialect == "postgresql":
        # It reads whole tables, where hash joins are right at any size, but PostgreSQL
        # estimates a few dozen rows through the aggregates and steps: it would look rows up
        # one by one, compile the statement (JIT, ~1 s) every time, and after five runs
        # switch to a generic plan of the prepared statement (~300 ms).
        for setting in (
            "jit = off",
            "enable_nestloop = off",
            "plan_cache_mode = force_custom_plan",
        ):
            await db.execute(text(f"SET LOCAL {setting}"))
    k = chosen.c
    open_actions = (
        select(func.count())
        .where(ACTION.c.employee_id == k.employee_id, ACTION.c.status == ActionStatus.OPEN.value)
        .scalar_subquery()
    )
    query = select(
        k.manager_id,
        k.employee_id,
        _started(k.manager_id, k.employee_id, k.start_date),
        k.cadence,
        k.start_date,
        k.last_session_on,
        open_actions,
        k.manager_zone,
        k.employee_zone,
        k.manager_country,
        k.employee_country,
    )
    states: dict[tuple[int, int], RelationshipState] = {}
    zones: dict[int, str] = {}
    countries: dict[int, str] = {}
    cadences = {cadence.value: cadence for cadence in Cadence}
    for (
        m,
        e,
        started,
        cadence,
        start,
        last_on,
        actions,
        m_zone,
        e_zone,
        m_country,
        e_country,
    ) in await db.execute(query):
        states[(m, e)] = RelationshipState(
            m, e, started, cadences.get(cadence or ""), start, last_on, actions or 0
        )
        if m_zone:
            zones[m] = m_zone
        if e_zone:
            zones[e] = e_zone
        if m_country:
            countries[m] = m_country
        if e_country:
            countries[e] = e_country
    return list(states.values()), zones, countries


def _started(manager_id: Any, employee_id: Any, start_date: Any) -> Any:
    """`bot.cadence.relationship_start` in one look-up: the later of the employee's start date
    and the day the import first named this manager for them."""
    named = RELATIONSHIP.alias("named")
    first = func.min(named.c.started_on)
    return (
        select(case((first < start_date, start_date), else_=first))
        .where(named.c.manager_id == manager_id, named.c.employee_id == employee_id)
        .scalar_subquery()
    )


def _has_open_action(employee_id: Any) -> Any:
    """Whether the employee has an open agreed action (an uncorrelated IN: the databases read
    the open actions once, into a hash or an index)."""
    open_actions = select(ACTION.c.employee_id).where(ACTION.c.status == ActionStatus.OPEN.value)
    return employee_id.in_(open_actions)


def _at_work(dialect: str, zone: Any, settled: Settled) -> Any:
    """Whether a person with this time zone may be in their working hours (a name that is
    not a time zone counts as one that may). PostgreSQL gets the closed zones as one array."""
    closed = sorted(settled.closed_zones)
    if dialect == "postgresql":
        return func.coalesce(zone, "") != all_(literal(closed, ARRAY(Text)))
    return func.coalesce(zone, "").not_in(closed)


def _unsettled(dialect: str, dated: Any, settled: Settled) -> Any:
    """The `dated` relationships some of whose nudges at the moment planned for may not be in
    the outbox with a `settled` status yet. Whether each possible nudge is queued is read from
    `queued_nudges` when every status counts (one join), else by probing the outbox for its
    dedupe key. (A due date computed unlike `bot.cadence` matches neither and leaves the
    relationship in.)"""
    d = dated.c
    first_day, last_day = settled.days
    m, e = d.manager_id, d.employee_id
    latest_snooze = (
        select(SNOOZE.c.manager_id, SNOOZE.c.employee_id, func.max(SNOOZE.c.until).label("until"))
        .group_by(SNOOZE.c.manager_id, SNOOZE.c.employee_id)
        .subquery("latest_snooze")
    )
    rows = dated.outerjoin(
        latest_snooze,
        and_(latest_snooze.c.manager_id == m, latest_snooze.c.employee_id == e),
    )
    snoozed = func.coalesce(latest_snooze.c.until > d.due_on, False)
    if set(OutboxStatus) <= set(settled.statuses):
        rows = rows.outerjoin(QUEUED, and_(QUEUED.c.manager_id == m, QUEUED.c.employee_id == e))

        def queued(kind: NudgeKind) -> Any:
            # no row: NULL AND FALSE, so FALSE
            return and_(QUEUED.c.due_on == d.due_on, QUEUED.c[f"{kind.value}_id"].is_not(None))
    else:
        due_iso = _iso(dialect, d.due_on)

        def queued(kind: NudgeKind) -> Any:
            recipient, about = (e, m) if kind.recipient is Party.EMPLOYEE else (m, e)
            return _probe(kind, recipient, about, due_iso, settled.statuses)

    due_queued = queued(NudgeKind.SESSION_DUE)
    overdue_queued = queued(NudgeKind.SESSION_OVERDUE)
    # The planner's manager nudge of a period is `session_due` from the due date and
    # `session_overdue` from 7 days later, each only ever deferred: nothing new comes once
    # both are queued; nor once `session_due` is and the overdue day cannot have come; nor
    # once `session_overdue` is, its day has come everywhere and no snooze moves it back
    # (else the `session_due` it superseded would be planned again).
    manager_unsettled = and_(
        _at_work(dialect, d.manager_zone, settled),
        d.may_be_due,
        d.due_on <= _day(dialect, last_day),
        not_(
            case(
                (
                    d.due_on <= _day(dialect, first_day - OVERDUE_AFTER),
                    and_(overdue_queued, or_(not_(snoozed), due_queued)),
                ),
                else_=and_(
                    due_queued,
                    or_(d.due_on > _day(dialect, last_day - OVERDUE_AFTER), overdue_queued),
                ),
            )
        ),
    )
    # A check-in is planned only on a local day before the due date (then it is dropped).
    checkin_unsettled = and_(
        _at_work(dialect, d.employee_zone, settled),
        _checkin_on(dialect, d.last_session_on, d.due_on) <= _day(dialect, last_day),
        d.due_on > _day(dialect, first_day),
        d.has_open_action,
        not_(queued(NudgeKind.ACTION_CHECKIN)),
    )
    return (
        select(dated)
        .select_from(rows)
        .where(or_(manager_unsettled, checkin_unsettled))
        .subquery("unsettled")
    )


async def module_pending(
    db: AsyncConnection, on: date, course_id: str
) -> tuple[tuple[int, ...], dict[int, str], dict[int, str]]:
    """Managers of a current relationship who have not completed the course, their zones and
    their countries."""
    employee = PERSON.alias("employee")
    manager = PERSON.alias("manager")
    completed = select(COMPLETION.c.employee_id).where(COMPLETION.c.course_id == course_id)
    query = (
        select(manager.c.id, manager.c.timezone, manager.c.country)
        .distinct()
        .select_from(RELATIONSHIP)
        .join(employee, employee.c.id == RELATIONSHIP.c.employee_id)
        .join(manager, manager.c.id == RELATIONSHIP.c.manager_id)
        .where(
            _current(on),
            employee.c.active,
            manager.c.active,
            or_(employee.c.start_date.is_(None), employee.c.start_date <= on),
            manager.c.id.not_in(completed),
        )
    )
    rows = (await db.execute(query)).all()
    return (
        tuple(sorted(row[0] for row in rows)),
        {row[0]: row[1] for row in rows if row[1]},
        {row[0]: row[2] for row in rows if row[2]},
    )
