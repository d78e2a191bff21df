"""The console through the real server: the Slack emulator and coachbot on a real port, on
both databases, a browser-like HTTP client per person (its own cookie jar), and the sign-in
link obtained as an L&D admin obtains it: through the Slack door."""

from __future__ import annotations

import html
import re
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import pytest
from aiohttp import ClientResponse, ClientSession, CookieJar
from sqlalchemy import func, select

from bot.clock import FixedClock
from bot.replies import Actions
from storage.db import create_engine
from storage.tables import metadata
from tests.reports.sample import MODULE, sample_org
from tests.slack.conftest import USERS, People, seed
from tests.storage.org import insert
from tests.support.slack_world import SlackWorld, start_world

PUBLIC_URL = "http://console.example.org"
DANA = "U0DANA"  # the L&D admin
MAYA = "U0MAYA"  # a manager, not an admin
LINK = re.compile(r"<(https?://[^|>]+)\|")


@dataclass
class Page:
    status: int
    text: str
    url: str
    headers: dict[str, str]


@dataclass
class ConsoleWorld:
    slack: SlackWorld
    clock: FixedClock
    people: People
    dana: int
    _browsers: list[ClientSession] = field(default_factory=list)

    def browser(self) -> ClientSession:
        """A fresh browser: its own cookies (kept for the server's IP address too)."""
        session = ClientSession(cookie_jar=CookieJar(unsafe=True))
        self._browsers.append(session)
        return session

    async def close(self) -> None:
        for session in self._browsers:
            await session.close()

    async def link_by_command(self, user_id: str = DANA) -> str | None:
        """`/coaching-report console` as `user_id`: the link they were sent, else None."""
        before = len(self.slack.emulator.ephemeral_to(user_id))
        await self.slack.slash(user_id, "console", command="/coaching-report")
        await self.slack.settled()
        told = self.slack.emulator.ephemeral_to(user_id)[before:]
        assert told, "nothing was said"
        return _link_in(told[-1]["text"])

    async def link_by_home_button(self, user_id: str = DANA) -> str | None:
        """*Open the L&D console* pressed on `user_id`'s Home: the link sent, else None."""
        before = len(self.slack.emulator.messages_to(user_id))
        await self.slack.click(user_id, Actions.OPEN_CONSOLE, "")
        await self.slack.settled()
        told = self.slack.emulator.messages_to(user_id)[before:]
        assert told, "nothing was said"
        return _link_in(told[-1]["text"])

    def local(self, link: str) -> str:
        """The link as this test server serves it (the public URL is the proxy's)."""
        assert link.startswith(PUBLIC_URL), link
        return self.slack.url + link.removeprefix(PUBLIC_URL)

    async def get(self, browser: ClientSession, path: str) -> Page:
        url = path if path.startswith("http") else self.slack.url + path
        async with browser.get(url) as response:
            return await _page(response)

    async def post(self, browser: ClientSession, path: str, data: Any) -> Page:
        async with browser.post(self.slack.url + path, data=data) as response:
            return await _page(response)

    async def signed_in(self, user_id: str = DANA) -> ClientSession:
        """A browser signed in as `user_id` through a link from the Slack door."""
        link = await self.link_by_command(user_id)
        assert link is not None
        browser = self.browser()
        page = await self.get(browser, self.local(link))
        assert page.status == 200, page.text
        form = hidden_fields(page.text)
        done = await self.post(browser, "/console/sign-in", form)
        assert done.status == 200 and done.url.endswith("/console/programme"), done.text
        return browser

    async def count(self, table: str) -> int:
        async with self.slack.coachbot.engine.connect() as db:
            return int(
                (
                    await db.execute(select(func.count()).select_from(metadata.tables[table]))
                ).scalar_one()
            )


def _link_in(text: str) -> str | None:
    found = LINK.search(text)
    return html.unescape(found.group(1)) if found else None


async def _page(response: ClientResponse) -> Page:
    return Page(response.status, await response.text(), str(response.url), dict(response.headers))


def hidden_fields(text: str) -> dict[str, str]:
    """The hidden inputs of the page's first form, as a browser would send them."""
    form = text[text.index("<form") :]
    form = form[: form.index("</form>")]
    return {
        html.unescape(name): html.unescape(value)
        for name, value in re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', form)
    }


def csrf_of(text: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', text)
    assert found, "no CSRF token on the page"
    return found.group(1)


async def _started(
    database_url: str, people: People, **environment: str
) -> tuple[ConsoleWorld, Any]:
    clock = FixedClock(datetime.now(UTC))
    slack, close = await start_world(
        database_url, USERS, clock=clock, COACHBOT_PUBLIC_URL=PUBLIC_URL, **environment
    )
    async with slack.coachbot.application.unit_of_work() as uow:
        dana = await uow.people.by_email("dana@example.org")
    assert dana is not None
    return ConsoleWorld(slack, clock, people, dana.id), close


@pytest.fixture
async def console(database_url: str) -> AsyncIterator[ConsoleWorld]:
    """The small Slack organisation of tests/slack (Maya coaches Ed and Zoe; Dana is L&D)."""
    world, close = await _started(database_url, await seed(database_url))
    yield world
    await world.close()
    await close()


ORG_DANA = 10_000  # clear of the sample organisation's ids


@pytest.fixture
async def org_console(database_url: str) -> AsyncIterator[ConsoleWorld]:
    """The report's hand-built sample organisation (tests/reports/sample.py: notes, actions
    and reasons hold planted strings), Dana as its L&D admin, groups of at least 3."""
    engine = create_engine(database_url)
    try:
        await sample_org().save(engine)
        await insert(
            engine,
            "person",
            id=ORG_DANA,
            email="dana@example.org",
            name="Dana Okafor",
            department="People",
            roles="ld_admin",
        )
    finally:
        await engine.dispose()
    world, close = await _started(
        database_url,
        People(0, 0, 0, 0, 0),
        COACHBOT_MIN_GROUP_SIZE="3",
        COACHBOT_MANAGER_MODULE_COURSE=MODULE,
    )
    yield world
    await world.close()
    await close()
