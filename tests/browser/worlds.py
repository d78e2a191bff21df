"""The coachbots the browser tests and `make screenshots` drive: the real app on a real loopback
port with the Slack emulator, holding either the tests' small organisation or the shipped
sample one (20 people with a year of coaching history, as `make run` shows it)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime

from adapters.sandbox.organisation import load_sample_organisation, sample_users
from bot.clock import FixedClock
from storage.db import create_engine
from tests.console.conftest import PUBLIC_URL, ConsoleWorld
from tests.slack.conftest import USERS, seed
from tests.support.slack_world import start_world

SAMPLE_ADMIN = "U0LD00001"  # Dana Okafor, the sample organisation's L&D admin
SMALL_ADMIN = "U0DANA"


@asynccontextmanager
async def console_world(database_url: str, *, sample: bool = False) -> AsyncIterator[ConsoleWorld]:
    """A coachbot serving the console on `database_url` (a migrated, empty database), filled
    with the sample organisation or the tests' small one."""
    clock = FixedClock(datetime.now(UTC))
    if sample:
        engine = create_engine(database_url)
        try:
            await load_sample_organisation(engine, clock, "UTC")
        finally:
            await engine.dispose()
        people, users, admin = None, sample_users(), "dana.okafor@example.org"
    else:
        people, users, admin = await seed(database_url), USERS, "dana@example.org"
    slack, close = await start_world(
        database_url, users, clock=clock, COACHBOT_PUBLIC_URL=PUBLIC_URL
    )
    try:
        async with slack.coachbot.application.unit_of_work() as uow:
            dana = await uow.people.by_email(admin)
        assert dana is not None
        world = ConsoleWorld(slack, clock, people, dana.id)  # type: ignore[arg-type]
        yield world
        await world.close()
    finally:
        await close()
