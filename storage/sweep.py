"""The scheduler's storage: the sweep's inputs in a few set-based queries (never one per
relationship), nudges queued, leave and snoozes (`bot.ports.NudgeStore`), and the hardened
dispatcher's claims: a recipient's nudges of one window together, rows left in doubt by a crash
(`bot.ports.DispatchQueue`)."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from datetime import date, datetime, timedelta
from typing import Any, TypeVar

from sqlalchemy import (
    ColumnElement,
    and_,
    case,
    func,
    literal,
    or_,
    select,
    text,
    tuple_,
    update,
)
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from bot.model import ActionStatus, AgreedAction, Cadence, Course, OutboxMessage, OutboxStatus
from bot.nudges import LeavePeriod, NudgeKind, RelationshipState
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

LEAVE = metadata.tables["leave"]
SNOOZE = metadata.tables["snooze"]

CHUNK = 5000
"""Ids per IN list (SQLite allows 32,766 bound parameters)."""

ROWS_PER_INSERT = 500
"""Outbox rows per multi-row INSERT (10 parameters each)."""

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

T = TypeVar("T")


def _chunks(items: Sequence[T]) -> Iterator[Sequence[T]]:
    for start in range(0, len(items), CHUNK):
        yield items[start : start + CHUNK]


class SqlNudgeStore:
    """Implements `bot.ports.NudgeStore` on an engine; each call is one transaction."""

    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine

    async def snapshot(self, on: date, module_course: str | None) -> SweepSnapshot:
        async with self._engine.connect() as db:
            relationships, zones = await _relationships(db, on)
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
        new = 0
        async with self._engine.begin() as db:
            for start in range(0, len(rows), ROWS_PER_INSERT):
                insert = dialect_insert(db, OUTBOX).values(rows[start : start + ROWS_PER_INSERT])
                result = await db.execute(
                    insert.on_conflict_do_nothing(index_elements=["dedupe_key"]).returning(
                        OUTBOX.c.id
                    )
                )
                new += len(result.all())
        return new

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


async def _relationships(
    db: AsyncConnection, on: date
) -> tuple[list[RelationshipState], dict[int, str]]:
    """Current relationships that may have a nudge around `on`, with their first start, last
    session, open actions and both people's zones: one query joining three aggregates. Those
    whose session cannot be due yet, nor their check-in day come, are left out in SQL (a
    conservative filter; the planner decides the rest)."""
    first_named = (
        select(
            RELATIONSHIP.c.manager_id,
            RELATIONSHIP.c.employee_id,
            func.min(RELATIONSHIP.c.started_on).label("first_named_on"),
        )
        .group_by(RELATIONSHIP.c.manager_id, RELATIONSHIP.c.employee_id)
        .subquery()
    )
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
    open_actions = (
        select(ACTION.c.employee_id, func.count().label("open_actions"))
        .where(ACTION.c.status == ActionStatus.OPEN.value)
        .group_by(ACTION.c.employee_id)
        .subquery()
    )
    employee = PERSON.alias("employee")
    manager = PERSON.alias("manager")
    latest = on + LOCAL_DAYS_AHEAD
    since = func.coalesce(last_session.c.last_session_on, first_named.c.first_named_on)
    may_be_due = since <= _by_cadence(employee.c.cadence, DUE_AFTER_AT_LEAST, latest)
    may_check_in = and_(
        open_actions.c.open_actions > 0,
        last_session.c.last_session_on
        <= _by_cadence(employee.c.cadence, CHECKIN_AFTER_AT_LEAST, latest),
    )
    query = (
        select(
            RELATIONSHIP.c.manager_id,
            RELATIONSHIP.c.employee_id,
            first_named.c.first_named_on,
            employee.c.cadence,
            employee.c.start_date,
            last_session.c.last_session_on,
            open_actions.c.open_actions,
            manager.c.timezone,
            employee.c.timezone,
        )
        .join(employee, employee.c.id == RELATIONSHIP.c.employee_id)
        .join(manager, manager.c.id == RELATIONSHIP.c.manager_id)
        .join(
            first_named,
            and_(
                first_named.c.manager_id == RELATIONSHIP.c.manager_id,
                first_named.c.employee_id == RELATIONSHIP.c.employee_id,
            ),
        )
        .outerjoin(
            last_session,
            and_(
                last_session.c.manager_id == RELATIONSHIP.c.manager_id,
                last_session.c.employee_id == RELATIONSHIP.c.employee_id,
            ),
        )
        .outerjoin(open_actions, open_actions.c.employee_id == RELATIONSHIP.c.employee_id)
        .where(
            _current(on),
            employee.c.active,
            manager.c.active,
            or_(employee.c.start_date.is_(None), employee.c.start_date <= on),
            or_(may_be_due, may_check_in),
        )
    )
    states: dict[tuple[int, int], RelationshipState] = {}
    zones: dict[int, str] = {}
    cadences = {cadence.value: cadence for cadence in Cadence}
    for m, e, first, cadence, start, last, actions, m_zone, e_zone in await db.execute(query):
        started = start if start is not None and start > first else first
        states[(m, e)] = RelationshipState(
            m, e, started, cadences.get(cadence or ""), start, last, actions or 0
        )
        if m_zone:
            zones[m] = m_zone
        if e_zone:
            zones[e] = e_zone
    return list(states.values()), zones


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
