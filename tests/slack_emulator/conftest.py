"""An emulator per test, with three people and one channel, on a clock the test moves."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack_emulator import SlackEmulator, WorkspaceUser
from bot.clock import FixedClock

MANAGER = WorkspaceUser("U0ANA", "ana@example.org", "Ana Manager", tz="Europe/London")
EMPLOYEE = WorkspaceUser("U0BEN", "ben@example.org", "Ben Employee", tz="America/New_York")
LEAVER = WorkspaceUser("U0GONE", "gone@example.org", "Gone Person", deleted=True)
CHANNEL = "C0LEARNING"


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(datetime(2026, 3, 2, 9, 0, tzinfo=UTC))


@pytest.fixture
async def slack(clock: FixedClock) -> AsyncIterator[SlackEmulator]:
    users = [replace(u) for u in (MANAGER, EMPLOYEE, LEAVER)]
    async with SlackEmulator(users=users, channels=[CHANNEL], clock=clock) as emulator:
        yield emulator


@pytest.fixture
def client(slack: SlackEmulator) -> AsyncWebClient:
    return AsyncWebClient(token=slack.bot_token, base_url=slack.base_url)


def tick(clock: FixedClock, seconds: float = 1.0) -> None:
    clock.set(clock.now() + timedelta(seconds=seconds))


async def refusal(call: Any) -> dict[str, Any]:
    """The body of a refused Web API call (slack_sdk raises SlackApiError for it)."""
    with pytest.raises(SlackApiError) as raised:
        await call
    data: dict[str, Any] = raised.value.response.data
    return data
