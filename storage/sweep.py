"""The scheduler's storage: the sweep's inputs in a few set-based queries (never one per
relationship), nudges queued, leave and snoozes (`bot.ports.NudgeStore`), and the hardened
dispatcher's claims: a recipient's nudges of one window together, rows left in doubt by a crash
(`bot.ports.DispatchQueue`)."""

from __future__ import annotations

import logging
from collections.abc import Collection, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import cache
from typing import Any, TypeVar
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
    tuple_,
    update,
)
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from bot.cadence import NEW_HIRE_DAYS, OVERDUE_AFTER
from bot.model import ActionStatus, AgreedAction, Cadence, Course, OutboxMessage, OutboxStatus
from bot.nudges import (
    LeavePeriod,
    NudgeKind,
    PlannedNudge,
    RelationshipState,
    days_in_window,
    zones_out_of_window,
)
from bot.ports import (
    InDoubtEntry,
    LeaveEntry,
    NudgeParty,
    OutboxEntry,
    SnoozeRecord,
    SweepSnapshot,
)
from storage.outbox import SqlDeliveryQueue, entry_from_row
from storage.repositories import (
    ACTION,
    COMPLETION,
    COURSE,
    OUTBOX,
    PERSON,
    RELATIONSHIP,
    SESSION,
    dialect_insert,
)
from storage.tables import metadata

log = logging.getLogger(__name__)

LEAVE = metadata.tables["leave"]
SNOOZE = metadata.tables["snooze"]
QUEUED = metadata.tables["queued_nudges"]

CHUNK = 5000
"""Ids per IN list (SQLite allows 32,766 bound parameters)."""

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

LOOK_BACK = timedelta(days=62)
"""Leave and snoozes that ended longer ago than this cannot matter to a sweep."""

CLAIM_LOCK = 0x636F6163
"""PostgreSQL advisory lock taken by every claim, so that replicas claim one after another (a
short transaction): a recipient's nudges of one window are never split between two of them."""

NUDGE_KINDS = tuple(kind.value for kind in NudgeKind)

RELATIONSHIP_KINDS = (NudgeKind.SESSION_DUE, NudgeKind.SESSION_OVERDUE, NudgeKind.ACTION_CHECKIN)
"""The nudges of a relationship's period, each with its outbox id in `queued_nudges`."""

QUEUED_COLUMNS = tuple(f"{kind.value}_id" for kind in RELATIONSHIP_KINDS)

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class _Settled:
    """What makes a relationship's nudges settled at the moment planned for: `days` are the
    first and last local dates anyone can be in their working window then (`bot.nudges.
    days_in_window`); `statuses` the outbox statuses that count; `closed_zones` the person
    time zones outside working hours then ("" for people with no zone, when the default
    zone's are)."""

    days: tuple[date, date]
    statuses: Collection[OutboxStatus]
    closed_zones: frozenset[str]


@cache
def _time_zones() -> frozenset[str]:
    """The IANA time zone names (read from disk once)."""
    return frozenset(available_timezones())


def _chunks(items: Sequence[T]) -> Iterator[Sequence[T]]:
    for start in range(0, len(items), CHUNK):
        yield items[start : start + CHUNK]


class SqlNudgeStore:
    """Implements `bot.ports.NudgeStore` on an engine; each call is one transaction."""

    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine

    async def snapshot(self, on: date, module_course: str | None) -> SweepSnapshot:
        return await self._snapshot(on, module_course, None)

    async def unsettled_snapshot(
        self,
        at: datetime,
        on: date,
        module_course: str | None,
        settled: Collection[OutboxStatus],
        default_zone: str,
    ) -> SweepSnapshot:
        """`snapshot`, leaving out in SQL the relationships whose every nudge that may be
        planned at `at` is already in the outbox with one of the `settled` statuses
        (`bot.ports.NudgeStore.unsettled_snapshot`)."""
        closed = zones_out_of_window(at, _time_zones() | {default_zone})
        if default_zone in closed:
            closed |= {""}
        filters = _Settled(days_in_window(at), settled, closed)
        return await self._snapshot(on, module_course, filters)

    async def _snapshot(
        self, on: date, module_course: str | None, settled: _Settled | None
    ) -> SweepSnapshot:
        async with self._engine.connect() as db:
            relationships, zones = await _relationships(db, on, settled)
            leave: dict[int, list[LeavePeriod]] = {}
            for row in await db.execute(
                select(LEAVE.c.person_id, LEAVE.c.starts_on, LEAVE.c.ends_on)
                .where(LEAVE.c.ends_on >= on - LOOK_BACK)
                .order_by(LEAVE.c.person_id, LEAVE.c.starts_on)
            ):
                leave.setdefault(row.person_id, []).append(LeavePeriod(row.starts_on, row.ends_on))
            snoozes = tuple(
                SnoozeRecord(row.manager_id, row.employee_id, row.until)
                for row in await db.execute(
                    select(
                        SNOOZE.c.manager_id,
                        SNOOZE.c.employee_id,
                        func.max(SNOOZE.c.until).label("until"),
                    )
                    .where(SNOOZE.c.until >= on - LOOK_BACK)
                    .group_by(SNOOZE.c.manager_id, SNOOZE.c.employee_id)
                )
            )
            module_pending: tuple[int, ...] = ()
            if module_course:
                module_pending, module_zones = await _module_pending(db, on, module_course)
                zones |= module_zones
        return SweepSnapshot(
            relationships=tuple(relationships),
            zones=zones,
            leave={person: tuple(periods) for person, periods in leave.items()},
            snoozes=snoozes,
            module_pending=module_pending,
        )

    async def parties(self, person_ids: Sequence[int]) -> dict[int, NudgeParty]:
        found: dict[int, NudgeParty] = {}
        async with self._engine.connect() as db:
            for chunk in _chunks(sorted(set(person_ids))):
                query = select(
                    PERSON.c.id,
                    PERSON.c.email,
                    PERSON.c.name,
                    PERSON.c.slack_user_id,
                    PERSON.c.teams_user_id,
                ).where(PERSON.c.id.in_(chunk))
                for row in await db.execute(query):
                    reachable = bool(row.slack_user_id or row.teams_user_id)
                    found[row.id] = NudgeParty(row.id, row.email, row.name, reachable)
        return found

    async def open_actions(self, employee_ids: Sequence[int]) -> dict[int, list[AgreedAction]]:
        found: dict[int, list[AgreedAction]] = {}
        async with self._engine.connect() as db:
            for chunk in _chunks(sorted(set(employee_ids))):
                query = (
                    select(ACTION)
                    .where(
                        ACTION.c.employee_id.in_(chunk),
                        ACTION.c.status == ActionStatus.OPEN.value,
                    )
                    .order_by(ACTION.c.employee_id, ACTION.c.id)
                )
                for row in (await db.execute(query)).mappings():
                    found.setdefault(row["employee_id"], []).append(
                        AgreedAction(
                            id=row["id"],
                            session_id=row["session_id"],
                            employee_id=row["employee_id"],
                            text=row["text"],
                            due_on=row["due_on"],
                        )
                    )
        return found

    async def course(self, course_id: str) -> Course | None:
        async with self._engine.connect() as db:
            row = (
                (await db.execute(select(COURSE).where(COURSE.c.course_id == course_id)))
                .mappings()
                .first()
            )
        if row is None:
            return None
        return Course(course_id=row["course_id"], title=row["title"], url=row["url"] or "")

    async def keys_with_status(self, keys: Sequence[str]) -> dict[str, OutboxStatus]:
        found: dict[str, OutboxStatus] = {}
        async with self._engine.connect() as db:
            for chunk in _chunks(sorted(set(keys))):
                query = select(OUTBOX.c.dedupe_key, OUTBOX.c.status).where(
                    OUTBOX.c.dedupe_key.in_(chunk)
                )
                for key, status in await db.execute(query):
                    found[key] = OutboxStatus(status)
        return found

    async def queue(
        self, messages: Sequence[tuple[OutboxMessage, int | None]], now: datetime
    ) -> int:
        """Multi-row INSERT ... ON CONFLICT DO NOTHING, a few hundred rows a statement."""
        rows = [
            {
                "dedupe_key": message.dedupe_key,
                "kind": message.kind,
                "channel": message.channel,
                "recipient_id": message.recipient_id,
                "about_id": about_id,
                "payload": message.payload,
                "status": OutboxStatus.PENDING.value,
                "attempts": 0,
                "not_before": message.not_before,
                "created_at": now,
            }
            for message, about_id in messages
        ]
        if not rows:
            return 0
        async with self._engine.begin() as db:
            insert = dialect_insert(db, OUTBOX).on_conflict_do_nothing(
                index_elements=["dedupe_key"]
            )
            result = await db.execute(insert.returning(OUTBOX.c.id), rows)
            new = len(result.all())
        return new

    async def note_queued(self, nudges: Sequence[PlannedNudge]) -> None:
        """Remember, in `queued_nudges`, which of these relationship nudges the outbox holds
        (any status), so that the next sweeps leave their relationships out without probing
        the outbox. A hint only: if a row goes meanwhile, the foreign key refuses the write and
        nothing is remembered this time."""
        periods: dict[tuple[int, int], tuple[date, dict[str, str]]] = {}
        for nudge in nudges:
            if nudge.kind not in RELATIONSHIP_KINDS or nudge.about_id is None or not nudge.due_on:
                continue
            if nudge.kind is NudgeKind.ACTION_CHECKIN:
                pair = (nudge.about_id, nudge.recipient_id)
            else:
                pair = (nudge.recipient_id, nudge.about_id)
            due_on, keys = periods.setdefault(pair, (nudge.due_on, {}))
            if due_on == nudge.due_on:
                keys[nudge.kind.value] = nudge.dedupe_key
        if not periods:
            return
        wanted = [key for _, keys in periods.values() for key in keys.values()]
        try:
            async with self._engine.begin() as db:
                ids: dict[str, int] = {}
                for chunk in _chunks(wanted):
                    query = select(OUTBOX.c.dedupe_key, OUTBOX.c.id).where(
                        OUTBOX.c.dedupe_key.in_(chunk)
                    )
                    ids.update((row.dedupe_key, row.id) for row in await db.execute(query))
                rows = [
                    {
                        "manager_id": manager_id,
                        "employee_id": employee_id,
                        "due_on": due_on,
                        **{
                            f"{kind.value}_id": ids.get(keys.get(kind.value, ""))
                            for kind in RELATIONSHIP_KINDS
                        },
                    }
                    for (manager_id, employee_id), (due_on, keys) in sorted(periods.items())
                    if any(key in ids for key in keys.values())
                ]
                if not rows:
                    return
                insert = dialect_insert(db, QUEUED)
                same_period = QUEUED.c.due_on == insert.excluded.due_on
                upsert = insert.on_conflict_do_update(
                    index_elements=["manager_id", "employee_id"],
                    set_={
                        "due_on": insert.excluded.due_on,
                        **{
                            column: case(
                                (
                                    same_period,
                                    func.coalesce(insert.excluded[column], QUEUED.c[column]),
                                ),
                                else_=insert.excluded[column],
                            )
                            for column in QUEUED_COLUMNS
                        },
                    },
                )
                await db.execute(upsert, rows)
        except DBAPIError as error:  # e.g. a row dropped meanwhile (or a deadlock with it)
            log.warning("queued nudges not remembered this time: %s", error.orig)

    async def add_snooze(self, snooze: SnoozeRecord) -> None:
        async with self._engine.begin() as db:
            await db.execute(
                SNOOZE.insert().values(
                    manager_id=snooze.manager_id,
                    employee_id=snooze.employee_id,
                    until=snooze.until,
                )
            )

    async def add_leave(self, person_id: int, period: LeavePeriod) -> None:
        async with self._engine.begin() as db:
            await db.execute(
                LEAVE.insert().values(
                    person_id=person_id, starts_on=period.first_day, ends_on=period.last_day
                )
            )

    async def leave_list(self, on_or_after: date | None = None) -> list[LeaveEntry]:
        query = (
            select(PERSON.c.email, PERSON.c.name, LEAVE.c.starts_on, LEAVE.c.ends_on)
            .join(PERSON, PERSON.c.id == LEAVE.c.person_id)
            .order_by(LEAVE.c.starts_on, PERSON.c.email)
        )
        if on_or_after is not None:
            query = query.where(LEAVE.c.ends_on >= on_or_after)
        async with self._engine.connect() as db:
            rows = (await db.execute(query)).all()
        return [LeaveEntry(r.email, r.name, r.starts_on, r.ends_on) for r in rows]


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


def _probe(
    kind: NudgeKind, recipient: Any, about: Any, due_iso: Any, settled: Collection[OutboxStatus]
) -> Any:
    """Whether the outbox holds this nudge (its `bot.nudges.dedupe_key`) with a settled status:
    one probe of the unique key."""
    key = (
        literal(f"nudge:{kind.value}:")
        + cast(recipient, String)
        + literal(":")
        + cast(about, String)
        + literal(":")
        + due_iso
    )
    query = select(literal(1)).where(OUTBOX.c.dedupe_key == key)
    query = query.where(OUTBOX.c.status.in_(sorted(status.value for status in settled)))
    return query.exists()


async def _relationships(
    db: AsyncConnection, on: date, settled: _Settled | None = None
) -> tuple[list[RelationshipState], dict[int, str]]:
    """Current relationships that may have a nudge around `on`, with their first start, last
    session, open actions and both people's zones, in one query. Those whose session cannot be
    due yet, nor their check-in day come, are left out in SQL (a conservative filter; the
    planner decides the rest); with `settled`, so are those whose possible nudges at that
    moment are all in the outbox already (`_unsettled`). Each step is computed once per
    relationship (materialised)."""
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
        _first_named(k.manager_id, k.employee_id),
        k.cadence,
        k.start_date,
        k.last_session_on,
        open_actions,
        k.manager_zone,
        k.employee_zone,
    )
    states: dict[tuple[int, int], RelationshipState] = {}
    zones: dict[int, str] = {}
    cadences = {cadence.value: cadence for cadence in Cadence}
    for m, e, first, cadence, start, last_on, actions, m_zone, e_zone in await db.execute(query):
        started = start if start is not None and start > first else first
        states[(m, e)] = RelationshipState(
            m, e, started, cadences.get(cadence or ""), start, last_on, actions or 0
        )
        if m_zone:
            zones[m] = m_zone
        if e_zone:
            zones[e] = e_zone
    return list(states.values()), zones


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


def _first_named(manager_id: Any, employee_id: Any) -> Any:
    """The day the import first named this manager for this employee."""
    named = RELATIONSHIP.alias("named")
    return (
        select(func.min(named.c.started_on))
        .where(named.c.manager_id == manager_id, named.c.employee_id == employee_id)
        .scalar_subquery()
    )


def _has_open_action(employee_id: Any) -> Any:
    """Whether the employee has an open agreed action (an uncorrelated IN: the databases read
    the open actions once, into a hash or an index)."""
    open_actions = select(ACTION.c.employee_id).where(ACTION.c.status == ActionStatus.OPEN.value)
    return employee_id.in_(open_actions)


def _at_work(dialect: str, zone: Any, settled: _Settled) -> Any:
    """Whether a person with this time zone may be in their working hours (a name that is
    not a time zone counts as one that may). PostgreSQL gets the closed zones as one array."""
    closed = sorted(settled.closed_zones)
    if dialect == "postgresql":
        return func.coalesce(zone, "") != all_(literal(closed, ARRAY(Text)))
    return func.coalesce(zone, "").not_in(closed)


def _unsettled(dialect: str, dated: Any, settled: _Settled) -> Any:
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
            if kind is NudgeKind.ACTION_CHECKIN:
                return _probe(kind, e, m, due_iso, settled.statuses)
            return _probe(kind, m, e, due_iso, settled.statuses)

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
    checkin_unsettled = and_(
        _at_work(dialect, d.employee_zone, settled),
        _checkin_on(dialect, d.last_session_on, d.due_on) <= _day(dialect, last_day),
        d.has_open_action,
        not_(queued(NudgeKind.ACTION_CHECKIN)),
    )
    return (
        select(dated)
        .select_from(rows)
        .where(or_(manager_unsettled, checkin_unsettled))
        .subquery("unsettled")
    )


async def _module_pending(
    db: AsyncConnection, on: date, course_id: str
) -> tuple[tuple[int, ...], dict[int, str]]:
    """Managers of a current relationship who have not completed the course, and their zones."""
    employee = PERSON.alias("employee")
    manager = PERSON.alias("manager")
    completed = select(COMPLETION.c.employee_id).where(COMPLETION.c.course_id == course_id)
    query = (
        select(manager.c.id, manager.c.timezone)
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
    return tuple(sorted(row[0] for row in rows)), {row[0]: row[1] for row in rows if row[1]}


class SqlDispatchQueue(SqlDeliveryQueue):
    """Implements `bot.ports.DispatchQueue`: the plain queue, plus bundled claims, in-doubt
    take-overs and the dispatcher's drops."""

    async def _lock_claims(self, db: AsyncConnection) -> None:
        if db.dialect.name == "postgresql":
            await db.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": CLAIM_LOCK})

    async def claim_due(self, now: datetime, limit: int) -> list[OutboxEntry]:
        """The oldest due rows, plus every other pending nudge of the same recipient and window
        (same `not_before`), claimed in one transaction."""
        due = (
            select(OUTBOX.c.id, OUTBOX.c.kind, OUTBOX.c.recipient_id, OUTBOX.c.not_before)
            .where(OUTBOX.c.status == OutboxStatus.PENDING.value)
            .where(or_(OUTBOX.c.not_before.is_(None), OUTBOX.c.not_before <= now))
            .order_by(OUTBOX.c.id)
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
        async with self._engine.begin() as db:
            await self._lock_claims(db)
            rows = (await db.execute(due)).all()
            ids = {row.id for row in rows}
            windows = {
                (row.recipient_id, row.not_before)
                for row in rows
                if row.kind in NUDGE_KINDS and row.recipient_id is not None and row.not_before
            }
            for chunk in _chunks(sorted(windows)):
                members = (
                    select(OUTBOX.c.id)
                    .where(
                        OUTBOX.c.status == OutboxStatus.PENDING.value,
                        OUTBOX.c.kind.in_(NUDGE_KINDS),
                        tuple_(OUTBOX.c.recipient_id, OUTBOX.c.not_before).in_(list(chunk)),
                    )
                    .with_for_update(skip_locked=True)
                )
                ids.update(row.id for row in await db.execute(members))
            claimed: list[OutboxEntry] = []
            for chunk_ids in _chunks(sorted(ids)):
                claim = (
                    update(OUTBOX)
                    .where(
                        OUTBOX.c.id.in_(chunk_ids),
                        OUTBOX.c.status == OutboxStatus.PENDING.value,
                    )
                    .values(
                        status=OutboxStatus.SENDING.value,
                        claimed_at=now,
                        attempts=OUTBOX.c.attempts + 1,
                    )
                    .returning(*OUTBOX.columns)
                )
                claimed += [entry_from_row(r) for r in (await db.execute(claim)).mappings()]
        return sorted(claimed, key=lambda entry: entry.id)

    async def claim_in_doubt(
        self, now: datetime, claimed_before: datetime, limit: int
    ) -> list[InDoubtEntry]:
        stale = (
            select(OUTBOX.c.id, OUTBOX.c.claimed_at)
            .where(
                OUTBOX.c.status == OutboxStatus.SENDING.value,
                OUTBOX.c.claimed_at < claimed_before,
            )
            .order_by(OUTBOX.c.id)
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
        async with self._engine.begin() as db:
            await self._lock_claims(db)
            claimed_at = {row.id: row.claimed_at for row in await db.execute(stale)}
            if not claimed_at:
                return []
            take = (
                update(OUTBOX)
                .where(
                    OUTBOX.c.id.in_(list(claimed_at)),
                    OUTBOX.c.status == OutboxStatus.SENDING.value,
                    OUTBOX.c.claimed_at < claimed_before,
                )
                .values(claimed_at=now)
                .returning(*OUTBOX.columns)
            )
            rows = (await db.execute(take)).mappings().all()
        return sorted(
            (InDoubtEntry(entry_from_row(row), claimed_at[row["id"]]) for row in rows),
            key=lambda doubt: doubt.entry.id,
        )

    async def mark_all_sent(
        self, entry_ids: Sequence[int], message_ref: str | None, now: datetime
    ) -> None:
        async with self._engine.begin() as db:
            await db.execute(
                update(OUTBOX)
                .where(OUTBOX.c.id.in_(list(entry_ids)))
                .values(
                    status=OutboxStatus.SENT.value,
                    sent_at=now,
                    message_ref=message_ref,
                    last_error=None,
                )
            )

    async def drop(self, entry_ids: Sequence[int]) -> None:
        if not entry_ids:
            return
        async with self._engine.begin() as db:
            await db.execute(
                OUTBOX.delete().where(
                    OUTBOX.c.id.in_(list(entry_ids)),
                    OUTBOX.c.status != OutboxStatus.SENT.value,
                )
            )

    async def last_sessions(self, pairs: Sequence[tuple[int, int]]) -> dict[tuple[int, int], date]:
        found: dict[tuple[int, int], date] = {}
        async with self._engine.connect() as db:
            for chunk in _chunks(sorted(set(pairs))):
                query = (
                    select(
                        SESSION.c.manager_id,
                        SESSION.c.employee_id,
                        func.max(SESSION.c.held_on),
                    )
                    .where(tuple_(SESSION.c.manager_id, SESSION.c.employee_id).in_(list(chunk)))
                    .group_by(SESSION.c.manager_id, SESSION.c.employee_id)
                )
                for manager_id, employee_id, held_on in await db.execute(query):
                    found[(manager_id, employee_id)] = held_on
        return found
