"""The console in a real browser: Debian's headless Chromium (through `harness.py`) against the
real coachbot app on a real loopback port, with the Slack emulator; the admin signs in with a
link obtained through the Slack door, as in `tests/console/`."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.clock import FixedClock
from tests.browser.harness import MISSING, InLoop, available, chromium_in_loop
from tests.console.conftest import DANA, PUBLIC_URL, ConsoleWorld
from tests.slack.conftest import USERS, seed
from tests.support.slack_world import start_world


@pytest.fixture
async def world(sqlite_url: str) -> AsyncIterator[ConsoleWorld]:
    people = await seed(sqlite_url)
    clock = FixedClock(datetime.now(UTC))
    slack, close = await start_world(sqlite_url, USERS, clock=clock, COACHBOT_PUBLIC_URL=PUBLIC_URL)
    async with slack.coachbot.application.unit_of_work() as uow:
        dana = await uow.people.by_email("dana@example.org")
    assert dana is not None
    console = ConsoleWorld(slack, clock, people, dana.id)
    yield console
    await console.close()
    await close()


@pytest.fixture
async def page(world: ConsoleWorld, tmp_path: Path) -> AsyncIterator[InLoop]:
    """A Chromium window on the world's server, signed out."""
    if not available():
        pytest.fail(MISSING)
    async with chromium_in_loop(world.slack.url, tmp_path / "chromium") as browser:
        yield browser


async def sign_in(world: ConsoleWorld, page: InLoop, user_id: str = DANA) -> None:
    """Ask for a link in Slack (`/coaching-report console`), open it, press *Sign in*."""
    link = await world.link_by_command(user_id)
    assert link is not None
    await page.open(world.local(link))
    await page.assert_accessible()
    await page.press("Sign in")
    assert await page.path == "/console/programme"
