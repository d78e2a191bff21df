"""Per-method rate limits answered with 429 + Retry-After, and slack_sdk's retry handler obeying."""

from __future__ import annotations

from collections.abc import AsyncIterator

import aiohttp
import pytest
from slack_sdk.http_retry.builtin_async_handlers import AsyncRateLimitErrorRetryHandler
from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack_emulator import Limit, RateLimits, SlackEmulator, WorkspaceUser
from bot.clock import FixedClock
from tests.slack_emulator.conftest import CHANNEL, EMPLOYEE, MANAGER, refusal, tick


async def test_tier_3_allows_50_conversations_open_a_minute(
    client: AsyncWebClient, slack: SlackEmulator
) -> None:
    for _ in range(50):
        await client.conversations_open(users=EMPLOYEE.id)

    answer = await refusal(client.conversations_open(users=EMPLOYEE.id))

    assert answer["error"] == "ratelimited"
    limited = slack.calls("conversations.open")[-1]
    assert limited.status == 429


async def test_a_limited_call_says_when_to_come_back(
    client: AsyncWebClient, slack: SlackEmulator
) -> None:
    for _ in range(50):
        await client.users_lookupByEmail(email=EMPLOYEE.email)
    headers = {"Authorization": f"Bearer {slack.bot_token}"}
    url = f"{slack.base_url}users.lookupByEmail"

    async with (
        aiohttp.ClientSession() as http,
        http.get(url, params={"email": EMPLOYEE.email}, headers=headers) as response,
    ):
        body = await response.json()

    assert response.status == 429
    assert body == {"ok": False, "error": "ratelimited"}
    assert response.headers["Retry-After"] == "2"  # 50 a minute: the next one in 1.2 s


async def test_the_bucket_refills_at_the_tiers_rate(
    client: AsyncWebClient, clock: FixedClock
) -> None:
    for _ in range(100):
        await client.users_info(user=EMPLOYEE.id)
    await refusal(client.users_info(user=EMPLOYEE.id))
    tick(clock, 0.6)  # 100 a minute: one more every 0.6 s

    answer = await client.users_info(user=EMPLOYEE.id)

    assert answer["ok"] is True


async def test_limits_are_per_method(client: AsyncWebClient) -> None:
    for _ in range(50):
        await client.conversations_open(users=EMPLOYEE.id)

    home = {"type": "home", "blocks": [{"type": "divider"}]}
    answer = await client.views_publish(user_id=EMPLOYEE.id, view=home)

    assert answer["ok"] is True


async def test_chat_post_message_allows_one_a_second_per_channel(
    client: AsyncWebClient, slack: SlackEmulator, clock: FixedClock
) -> None:
    await client.chat_postMessage(channel=EMPLOYEE.id, text="first")
    too_soon = await refusal(client.chat_postMessage(channel=EMPLOYEE.id, text="second"))
    other_person = await client.chat_postMessage(channel=MANAGER.id, text="to Ana")
    tick(clock)
    a_second_later = await client.chat_postMessage(channel=EMPLOYEE.id, text="second")

    assert too_soon["error"] == "ratelimited"
    assert (other_person["ok"], a_second_later["ok"]) == (True, True)
    assert [m["text"] for m in slack.messages_to(EMPLOYEE.id)] == ["first", "second"]


async def test_the_dm_id_and_the_user_id_share_one_channel_limit(client: AsyncWebClient) -> None:
    posted = await client.chat_postMessage(channel=EMPLOYEE.id, text="first")

    answer = await refusal(client.chat_postMessage(channel=posted["channel"], text="second"))

    assert answer["error"] == "ratelimited"


async def test_chat_post_message_has_a_workspace_wide_limit(clock: FixedClock) -> None:
    people = [WorkspaceUser(f"U{i:04d}", f"p{i}@example.org", f"P{i}") for i in range(6)]
    limits = RateLimits(chat_post_per_second=5)
    async with SlackEmulator(users=people, clock=clock, rate_limits=limits) as slack:
        client = AsyncWebClient(token=slack.bot_token, base_url=slack.base_url)
        for person in people[:5]:
            await client.chat_postMessage(channel=person.id, text="nudge")

        answer = await refusal(client.chat_postMessage(channel=people[5].id, text="nudge"))

    assert answer["error"] == "ratelimited"


async def test_limits_can_be_set_per_method(clock: FixedClock) -> None:
    limits = RateLimits(per_method={"views.publish": Limit(2, 60.0)})
    async with SlackEmulator(users=[EMPLOYEE], clock=clock, rate_limits=limits) as slack:
        client = AsyncWebClient(token=slack.bot_token, base_url=slack.base_url)
        view = {"type": "home", "blocks": [{"type": "divider"}]}
        for _ in range(2):
            await client.views_publish(user_id=EMPLOYEE.id, view=view)

        answer = await refusal(client.views_publish(user_id=EMPLOYEE.id, view=view))

    assert answer["error"] == "ratelimited"


async def test_rate_limits_can_be_turned_off(clock: FixedClock) -> None:
    async with SlackEmulator(users=[EMPLOYEE], clock=clock, rate_limits=False) as slack:
        client = AsyncWebClient(token=slack.bot_token, base_url=slack.base_url)
        for i in range(60):
            await client.chat_postMessage(channel=EMPLOYEE.id, text=str(i))

        assert len(slack.messages_to(EMPLOYEE.id)) == 60


@pytest.fixture
async def strict_slack() -> AsyncIterator[SlackEmulator]:
    """On the real clock: slack_sdk's retry handler really sleeps for Retry-After."""
    limits = RateLimits(per_method={"users.info": Limit(1, 1.0)})
    async with SlackEmulator(users=[EMPLOYEE], channels=[CHANNEL], rate_limits=limits) as slack:
        yield slack


async def test_the_rate_limit_retry_handler_waits_and_succeeds(
    strict_slack: SlackEmulator,
) -> None:
    client = AsyncWebClient(
        token=strict_slack.bot_token,
        base_url=strict_slack.base_url,
        retry_handlers=[AsyncRateLimitErrorRetryHandler(max_retry_count=1)],
    )
    await client.users_info(user=EMPLOYEE.id)

    answer = await client.users_info(user=EMPLOYEE.id)

    assert answer["user"]["id"] == EMPLOYEE.id
    statuses = [c.status for c in strict_slack.calls("users.info")]
    assert statuses == [200, 429, 200]
    assert strict_slack.calls("users.info")[1].response == {"ok": False, "error": "ratelimited"}
