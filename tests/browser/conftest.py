"""The console in a real browser: Debian's headless Chromium (through `harness.py`) against the
real coachbot app on a real loopback port, with the Slack emulator; the admin signs in with a
link obtained through the Slack door, as in `tests/console/`."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from tests.browser.harness import MISSING, InLoop, available, chromium_in_loop
from tests.browser.worlds import console_world
from tests.console.conftest import DANA, ConsoleWorld


@pytest.fixture
async def world(sqlite_url: str) -> AsyncIterator[ConsoleWorld]:
    """The tests' small organisation: Maya and Olu coach three people; Dana runs L&D."""
    async with console_world(sqlite_url) as console:
        yield console


@pytest.fixture
async def sample(sqlite_url: str) -> AsyncIterator[ConsoleWorld]:
    """The shipped sample organisation, with a year of coaching history."""
    async with console_world(sqlite_url, sample=True) as console:
        yield console


@pytest.fixture
async def page(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[InLoop]:
    """A Chromium window on the test's coachbot (`sample` if it asks for it, else `world`),
    signed out."""
    if not available():
        pytest.fail(MISSING)
    served: ConsoleWorld = request.getfixturevalue(
        "sample" if "sample" in request.fixturenames else "world"
    )
    async with chromium_in_loop(served.slack.url, tmp_path / "chromium") as browser:
        yield browser


async def sign_in(world: ConsoleWorld, page: InLoop, user_id: str = DANA) -> None:
    """Ask for a link in Slack (`/coaching-report console`), open it, press *Sign in*."""
    link = await world.link_by_command(user_id)
    assert link is not None
    await page.open(world.local(link))
    await page.assert_accessible()
    await page.press("Sign in")
    assert await page.path == "/console/programme"
