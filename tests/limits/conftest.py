"""The large organisation (`tests/support/big_org.py`) in Slack, on both databases, on a
Monday morning when every report is due a session."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime

import pytest

from adapters.slack_emulator import WorkspaceUser
from bot.clock import FixedClock
from storage.db import create_engine
from tests.support.big_org import LD_ADMIN, REPORTS, BigOrg, person_name, populate, slack_id
from tests.support.slack_world import SlackWorld, start_world
from tests.teams.conftest import metadata_url, signing_key

__all__ = ["big_org", "big_world", "metadata_url", "signing_key"]  # the Teams tests' fixtures too

MONDAY_MORNING = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)
USERS = [
    WorkspaceUser(
        slack_id(n), "boss@example.org" if n < 0 else f"r{n}@example.org", person_name(n), tz="UTC"
    )
    for n in range(-1, REPORTS)
] + [WorkspaceUser(LD_ADMIN, "ld@example.org", "Lee Analyst", tz="UTC")]


@pytest.fixture
async def big_org(database_url: str) -> BigOrg:
    engine = create_engine(database_url)
    try:
        return await populate(engine, MONDAY_MORNING.date())
    finally:
        await engine.dispose()


@pytest.fixture
async def big_world(database_url: str, big_org: BigOrg) -> AsyncIterator[SlackWorld]:
    world, close = await start_world(
        database_url,
        USERS,
        clock=FixedClock(MONDAY_MORNING),
        COACHBOT_MANAGER_MODULE_COURSE="C-007",
    )
    yield world
    await close()
