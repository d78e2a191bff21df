"""The scheduler's storage (`bot.ports.NudgeStore`): the sweep's inputs (through
`storage.sweep_query`, plus leave and snoozes), the nudges queued and what the sweep remembers
of them (`queued_nudges`), snoozes and leave."""

from __future__ import annotations

import logging
from collections.abc import Collection, Sequence
from datetime import date, datetime, timedelta

from sqlalchemy import case, func, select
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from bot.model import ActionStatus, AgreedAction, Course, OutboxMessage, OutboxStatus
from bot.nudges import RELATIONSHIP_KINDS, LeavePeriod, PlannedNudge, Snooze
from bot.ports import LeaveEntry, NudgeParty, SweepSnapshot
from storage.repositories import (
    ACTION,
    COURSE,
    OUTBOX,
    PERSON,
    SqlOutbox,
    action_from_row,
    chunks,
    dialect_insert,
)
from storage.sweep_query import QUEUED, SNOOZE, Settled, module_pending, relationships
from storage.tables import metadata

log = logging.getLogger(__name__)

LEAVE = metadata.tables["leave"]

LOOK_BACK = timedelta(days=62)
"""Leave and snoozes that ended longer ago than this cannot matter to a sweep."""

QUEUED_COLUMNS = tuple(f"{kind.value}_id" for kind in RELATIONSHIP_KINDS)
"""Each relationship nudge of a period has its outbox id in a column of `queued_nudges`."""


class SqlNudgeRecords:
    """The nudges' reads and the snooze and leave writes on one connection: implements
    `bot.ports.NudgeRecords` in a unit of work, and serves `SqlNudgeStore`."""

    def __init__(self, connection: AsyncConnection) -> None:
        self._db = connection

    async def snapshot(
        self, on: date, module_course: str | None, settled: Settled | None = None
    ) -> SweepSnapshot:
        """`bot.ports.NudgeStore.snapshot`; with `settled`, leaving out in SQL the
        relationships whose every nudge that may be planned then is already in the outbox
        with one of its statuses (`NudgeStore.unsettled_snapshot`)."""
        return await self._snapshot(on, module_course, settled)

    async def pair_snapshot(self, manager_id: int, employee_id: int, on: date) -> SweepSnapshot:
        return await self._snapshot(on, None, None, (manager_id, employee_id))

    async def _snapshot(
        self,
        on: date,
        module_course: str | None,
        settled: Settled | None,
        pair: tuple[int, int] | None = None,
    ) -> SweepSnapshot:
        states, zones, countries = await relationships(self._db, on, settled, pair)
        leave: dict[int, list[LeavePeriod]] = {}
        whose = () if pair is None else (LEAVE.c.person_id.in_(pair),)
        for row in await self._db.execute(
            select(LEAVE.c.person_id, LEAVE.c.starts_on, LEAVE.c.ends_on)
            .where(LEAVE.c.ends_on >= on - LOOK_BACK, *whose)
            .order_by(LEAVE.c.person_id, LEAVE.c.starts_on)
        ):
            leave.setdefault(row.person_id, []).append(LeavePeriod(row.starts_on, row.ends_on))
        snoozed = (
            ()
            if pair is None
            else (SNOOZE.c.manager_id == pair[0], SNOOZE.c.employee_id == pair[1])
        )
        snoozes = tuple(
            Snooze(row.manager_id, row.employee_id, row.until)
            for row in await self._db.execute(
                select(
                    SNOOZE.c.manager_id,
                    SNOOZE.c.employee_id,
                    func.max(SNOOZE.c.until).label("until"),
                )
                .where(SNOOZE.c.until >= on - LOOK_BACK, *snoozed)
                .group_by(SNOOZE.c.manager_id, SNOOZE.c.employee_id)
            )
        )
        pending: tuple[int, ...] = ()
        if module_course:
            pending, module_zones, module_countries = await module_pending(
                self._db, on, module_course
            )
            zones |= module_zones
            countries |= module_countries
        return SweepSnapshot(
            relationships=tuple(states),
            zones=zones,
            leave={person: tuple(periods) for person, periods in leave.items()},
            snoozes=snoozes,
            module_pending=pending,
            countries=countries,
        )

    async def parties(self, person_ids: Sequence[int]) -> dict[int, NudgeParty]:
        found: dict[int, NudgeParty] = {}
        for chunk in chunks(sorted(set(person_ids))):
            query = select(
                PERSON.c.id,
                PERSON.c.email,
                PERSON.c.name,
                PERSON.c.slack_user_id,
                PERSON.c.teams_user_id,
            ).where(PERSON.c.id.in_(chunk))
            for row in await self._db.execute(query):
                reachable = bool(row.slack_user_id or row.teams_user_id)
                found[row.id] = NudgeParty(row.id, row.email, row.name, reachable)
        return found

    async def open_actions(self, employee_ids: Sequence[int]) -> dict[int, list[AgreedAction]]:
        found: dict[int, list[AgreedAction]] = {}
        for chunk in chunks(sorted(set(employee_ids))):
            query = (
                select(ACTION)
                .where(
                    ACTION.c.employee_id.in_(chunk),
                    ACTION.c.status == ActionStatus.OPEN.value,
                )
                .order_by(ACTION.c.employee_id, ACTION.c.id)
            )
            for row in (await self._db.execute(query)).mappings():
                found.setdefault(row["employee_id"], []).append(action_from_row(row))
        return found

    async def course(self, course_id: str) -> Course | None:
        row = (
            (await self._db.execute(select(COURSE).where(COURSE.c.course_id == course_id)))
            .mappings()
            .first()
        )
        if row is None:
            return None
        return Course(course_id=row["course_id"], title=row["title"], url=row["url"] or "")

    async def keys_with_status(self, keys: Sequence[str]) -> dict[str, OutboxStatus]:
        found: dict[str, OutboxStatus] = {}
        for chunk in chunks(sorted(set(keys))):
            query = select(OUTBOX.c.dedupe_key, OUTBOX.c.status).where(
                OUTBOX.c.dedupe_key.in_(chunk)
            )
            for key, status in await self._db.execute(query):
                found[key] = OutboxStatus(status)
        return found

    async def add_snooze(self, snooze: Snooze) -> None:
        await self._db.execute(
            SNOOZE.insert().values(
                manager_id=snooze.manager_id,
                employee_id=snooze.employee_id,
                until=snooze.until,
            )
        )

    async def add_leave(self, person_id: int, period: LeavePeriod) -> None:
        await self._db.execute(
            LEAVE.insert().values(
                person_id=person_id, starts_on=period.first_day, ends_on=period.last_day
            )
        )

    async def remove_leave(self, person_id: int, first_day: date) -> list[LeavePeriod]:
        mine = (LEAVE.c.person_id == person_id, LEAVE.c.starts_on == first_day)
        query = select(LEAVE.c.starts_on, LEAVE.c.ends_on).where(*mine)
        rows = (await self._db.execute(query)).all()
        await self._db.execute(LEAVE.delete().where(*mine))
        return [LeavePeriod(row.starts_on, row.ends_on) for row in rows]

    async def leave_list(self, on_or_after: date | None = None) -> list[LeaveEntry]:
        query = (
            select(PERSON.c.email, PERSON.c.name, LEAVE.c.starts_on, LEAVE.c.ends_on)
            .join(PERSON, PERSON.c.id == LEAVE.c.person_id)
            .order_by(LEAVE.c.starts_on, PERSON.c.email)
        )
        if on_or_after is not None:
            query = query.where(LEAVE.c.ends_on >= on_or_after)
        rows = (await self._db.execute(query)).all()
        return [LeaveEntry(r.email, r.name, r.starts_on, r.ends_on) for r in rows]


class SqlNudgeStore:
    """Implements `bot.ports.NudgeStore` on an engine: each call is a short transaction of
    its own (the sweep reads its snapshots and queues in batches outside any use case's unit
    of work; `note_queued` may fail alone without losing what was queued)."""

    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine

    async def snapshot(self, on: date, module_course: str | None) -> SweepSnapshot:
        async with self._engine.connect() as db:
            return await SqlNudgeRecords(db).snapshot(on, module_course)

    async def unsettled_snapshot(
        self,
        at: datetime,
        on: date,
        module_course: str | None,
        settled: Collection[OutboxStatus],
        default_zone: str,
        *,
        until: datetime | None = None,
    ) -> SweepSnapshot:
        """`snapshot`, leaving out in SQL the relationships whose every nudge that may be
        planned at `at` (or at any moment until `until`) is already in the outbox with one of
        the `settled` statuses."""
        filtered = (
            Settled.at(at, settled, default_zone)
            if until is None
            else Settled.during(at, until, settled)
        )
        async with self._engine.connect() as db:
            return await SqlNudgeRecords(db).snapshot(on, module_course, filtered)

    async def pair_snapshot(self, manager_id: int, employee_id: int, on: date) -> SweepSnapshot:
        async with self._engine.connect() as db:
            return await SqlNudgeRecords(db).pair_snapshot(manager_id, employee_id, on)

    async def parties(self, person_ids: Sequence[int]) -> dict[int, NudgeParty]:
        async with self._engine.connect() as db:
            return await SqlNudgeRecords(db).parties(person_ids)

    async def open_actions(self, employee_ids: Sequence[int]) -> dict[int, list[AgreedAction]]:
        async with self._engine.connect() as db:
            return await SqlNudgeRecords(db).open_actions(employee_ids)

    async def course(self, course_id: str) -> Course | None:
        async with self._engine.connect() as db:
            return await SqlNudgeRecords(db).course(course_id)

    async def keys_with_status(self, keys: Sequence[str]) -> dict[str, OutboxStatus]:
        async with self._engine.connect() as db:
            return await SqlNudgeRecords(db).keys_with_status(keys)

    async def add_snooze(self, snooze: Snooze) -> None:
        async with self._engine.begin() as db:
            await SqlNudgeRecords(db).add_snooze(snooze)

    async def add_leave(self, person_id: int, period: LeavePeriod) -> None:
        async with self._engine.begin() as db:
            await SqlNudgeRecords(db).add_leave(person_id, period)

    async def remove_leave(self, person_id: int, first_day: date) -> list[LeavePeriod]:
        async with self._engine.begin() as db:
            return await SqlNudgeRecords(db).remove_leave(person_id, first_day)

    async def leave_list(self, on_or_after: date | None = None) -> list[LeaveEntry]:
        async with self._engine.connect() as db:
            return await SqlNudgeRecords(db).leave_list(on_or_after)

    async def queue(self, messages: Sequence[OutboxMessage], now: datetime) -> int:
        async with self._engine.begin() as db:
            return await SqlOutbox(db, now).add(*messages)

    async def note_queued(self, nudges: Sequence[PlannedNudge]) -> None:
        """Remember, in `queued_nudges`, which of these relationship nudges the outbox holds
        (any status), so that the next sweeps leave their relationships out without probing
        the outbox. A hint only: if a row goes meanwhile, the foreign key refuses the write and
        nothing is remembered this time."""
        periods: dict[tuple[int, int], tuple[date, dict[str, str]]] = {}
        for nudge in nudges:
            pair = nudge.pair
            if nudge.kind not in RELATIONSHIP_KINDS or pair is None or not nudge.due_on:
                continue
            due_on, keys = periods.setdefault(pair, (nudge.due_on, {}))
            if due_on == nudge.due_on:
                keys[nudge.kind.value] = nudge.dedupe_key
        if not periods:
            return
        wanted = [key for _, keys in periods.values() for key in keys.values()]
        try:
            async with self._engine.begin() as db:
                ids: dict[str, int] = {}
                for chunk in chunks(wanted):
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
