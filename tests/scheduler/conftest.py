"""A scheduler world: a database, the Slack emulator on the same injected clock, the sweep and
the real dispatcher sending through the real Slack messenger. `run_at(moment)` moves the clock,
sweeps and delivers everything due, as `coachbot serve` would at that moment."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

import pytest
from slack_sdk.web.async_client import AsyncWebClient
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from adapters.slack.messenger import SlackMessenger
from adapters.slack_emulator import SlackEmulator, WorkspaceUser
from bot.clock import FixedClock
from bot.nudges import HolidayRule
from bot.ports import Messenger
from bot.services.nudges import NudgePolicy, SweepOutcome, sweep
from scheduler.outbox import OutboxDispatcher
from scheduler.pacing import Pacer
from storage.db import create_engine
from storage.dispatch_queue import SqlDispatchQueue
from storage.nudge_store import SqlNudgeStore
from storage.tables import metadata
from storage.unit_of_work import unit_of_work_factory
from tests.storage.org import insert

OUTBOX = metadata.tables["outbox"]


def at(text: str) -> datetime:
    """An aware moment from ISO text with an offset (`2026-03-30T08:30+00:00`)."""
    moment = datetime.fromisoformat(text)
    assert moment.tzinfo is not None
    return moment


def unpaced() -> Pacer:
    """No pacing: tests assert what is sent, not how fast."""
    return Pacer(rates={}, per_channel_seconds=0)


@dataclass
class World:
    engine: AsyncEngine
    emulator: SlackEmulator
    clock: FixedClock
    policy: NudgePolicy
    dispatcher: OutboxDispatcher
    store: SqlNudgeStore
    queue: SqlDispatchQueue
    slack_ids: dict[int, str] = field(default_factory=dict)
    _serial: int = 0

    async def person(
        self,
        name: str,
        *,
        tz: str | None = "Europe/London",
        slack: bool = True,
        **extra: Any,
    ) -> int:
        self._serial += 1
        first = name.split()[0].lower()
        email = f"{first}{self._serial}@example.org"
        slack_id = f"U{self._serial:04d}{first.upper()}" if slack else None
        person_id = await insert(
            self.engine,
            "person",
            email=email,
            name=name,
            timezone=tz,
            slack_user_id=slack_id,
            **extra,
        )
        if slack_id:
            self.emulator.add_user(WorkspaceUser(slack_id, email, name, tz=tz or "UTC"))
            self.slack_ids[person_id] = slack_id
        return person_id

    async def coaches(self, manager: int, employee: int, since: date) -> None:
        await insert(
            self.engine,
            "coaching_relationship",
            manager_id=manager,
            employee_id=employee,
            started_on=since,
        )

    async def session(
        self, manager: int, employee: int, held_on: date, actions: Iterable[str] = ()
    ) -> int:
        skill = "SK-COMM"
        async with self.engine.connect() as db:
            known = (
                await db.execute(
                    select(metadata.tables["skill"].c.skill_id).where(
                        metadata.tables["skill"].c.skill_id == skill
                    )
                )
            ).first()
        if known is None:
            await insert(self.engine, "skill", skill_id=skill, name="Communication")
        session_id = await insert(
            self.engine,
            "coaching_session",
            manager_id=manager,
            employee_id=employee,
            held_on=held_on,
            duration_minutes=30,
            focus_type="skill_development",
            skill_id=skill,
            key_points=["Talked about clarity"],
        )
        for text in actions:
            await insert(
                self.engine,
                "agreed_action",
                session_id=session_id,
                employee_id=employee,
                text=text,
            )
        return session_id

    async def sweep_at(self, moment: datetime) -> SweepOutcome:
        self.clock.set(moment)
        return await sweep(self.store, moment, self.policy)

    async def deliver(self) -> None:
        while await self.dispatcher.deliver_due():
            pass

    async def run_at(self, moment: datetime | str) -> SweepOutcome:
        """The clock moves to `moment`; the sweep runs; everything due is delivered."""
        moment = at(moment) if isinstance(moment, str) else moment
        outcome = await self.sweep_at(moment)
        await self.deliver()
        return outcome

    def messages_to(self, person_id: int) -> list[dict[str, Any]]:
        return self.emulator.messages_to(self.slack_ids[person_id])

    def posts(self) -> int:
        return len(self.emulator.calls("chat.postMessage"))

    async def outbox(self) -> list[dict[str, Any]]:
        async with self.engine.connect() as db:
            rows = (await db.execute(select(OUTBOX).order_by(OUTBOX.c.id))).mappings().all()
        return [dict(row) for row in rows]


async def make_world(
    database_url: str,
    *,
    holidays: HolidayRule = frozenset(),
    module_course: str | None = None,
    start: datetime | None = None,
) -> tuple[World, Any]:
    clock = FixedClock(start or at("2026-01-05T08:00+00:00"))
    emulator = SlackEmulator(rate_limits=False, clock=clock)
    await emulator.start()
    engine = create_engine(database_url)
    client = AsyncWebClient(token=emulator.bot_token, base_url=emulator.base_url)
    messengers: dict[str, Messenger] = {"slack": SlackMessenger(client)}
    queue = SqlDispatchQueue(engine)
    dispatcher = OutboxDispatcher(
        queue,
        unit_of_work_factory(engine),
        messengers,
        clock,
        pacer=unpaced(),
        in_doubt_after=timedelta(seconds=60),
    )
    policy = NudgePolicy("Europe/London", holidays, module_course)
    world = World(engine, emulator, clock, policy, dispatcher, SqlNudgeStore(engine), queue)

    async def close() -> None:
        await engine.dispose()
        await emulator.close()

    return world, close


@pytest.fixture
async def world(sqlite_url: str) -> AsyncIterator[World]:
    """A scheduler world on SQLite (the storage itself is tested on both databases)."""
    made, close = await make_world(sqlite_url)
    yield made
    await close()


@pytest.fixture
async def both_world(database_url: str) -> AsyncIterator[World]:
    """A scheduler world on SQLite and on PostgreSQL."""
    made, close = await make_world(database_url)
    yield made
    await close()
