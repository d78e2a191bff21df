"""The `/_emulator` endpoints a separate process (a demo, a benchmark) reads and drives."""

from __future__ import annotations

from typing import Any

import aiohttp
from aiohttp import web
from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack_emulator import SlackEmulator
from bot.clock import FixedClock
from tests.slack_emulator.conftest import EMPLOYEE, refusal, tick


async def control(slack: SlackEmulator, verb: str, path: str, **kwargs: Any) -> dict[str, Any]:
    origin = slack.base_url.removesuffix("/api/")
    async with (
        aiohttp.ClientSession() as http,
        http.request(verb, f"{origin}/_emulator/{path}", **kwargs) as response,
    ):
        body: dict[str, Any] = await response.json()
        return body


async def test_every_call_is_recorded_with_its_arguments_and_answer(
    client: AsyncWebClient, slack: SlackEmulator
) -> None:
    await client.chat_postMessage(channel=EMPLOYEE.id, text="hello")
    await refusal(client.users_info(user="U0NOBODY"))

    calls = (await control(slack, "GET", "calls"))["calls"]

    assert [(c["method"], c["response"]["ok"]) for c in calls] == [
        ("chat.postMessage", True),
        ("users.info", False),
    ]
    assert calls[0]["args"] == {"channel": EMPLOYEE.id, "text": "hello"}
    assert "token" not in calls[0]["args"]
    only = (await control(slack, "GET", "calls", params={"method": "users.info"}))["calls"]
    assert [c["args"]["user"] for c in only] == ["U0NOBODY"]
    counted = await control(slack, "GET", "calls", params={"method": "users.info", "count": "1"})
    assert counted == {"count": 1}
    assert await control(slack, "GET", "calls", params={"count": "1"}) == {"count": 2}


async def test_what_a_person_sees_can_be_read_over_http(
    client: AsyncWebClient, slack: SlackEmulator
) -> None:
    await client.chat_postMessage(channel=EMPLOYEE.id, text="hello")
    await client.views_publish(
        user_id=EMPLOYEE.id, view={"type": "home", "blocks": [{"type": "divider"}]}
    )

    messages = (await control(slack, "GET", f"messages/{EMPLOYEE.id}"))["messages"]
    home = (await control(slack, "GET", f"home/{EMPLOYEE.id}"))["view"]

    assert [m["text"] for m in messages] == ["hello"]
    assert home["blocks"] == [{"type": "divider"}]


async def test_another_process_can_mint_trigger_ids_and_see_opened_views(
    client: AsyncWebClient, slack: SlackEmulator
) -> None:
    trigger_id = (await control(slack, "POST", "trigger_ids", json={"user_id": "U0ANA"}))[
        "trigger_id"
    ]
    view = {
        "type": "modal",
        "title": {"type": "plain_text", "text": "Hi"},
        "blocks": [{"type": "divider"}],
    }
    await client.views_open(trigger_id=trigger_id, view=view)

    views = (await control(slack, "GET", "views", params={"user_id": "U0ANA"}))["views"]

    assert [v["title"]["text"] for v in views] == ["Hi"]


async def test_people_can_be_added_over_http(client: AsyncWebClient, slack: SlackEmulator) -> None:
    person = {"id": "U0DEE", "email": "dee@example.org", "name": "Dee", "tz": "Europe/Paris"}
    await control(slack, "POST", "users", json=person)

    user = (await client.users_lookupByEmail(email="dee@example.org"))["user"]

    assert user["tz"] == "Europe/Paris"


async def test_reset_forgets_what_happened_but_keeps_the_people(
    client: AsyncWebClient, slack: SlackEmulator
) -> None:
    await client.chat_postMessage(channel=EMPLOYEE.id, text="hello")

    await control(slack, "POST", "reset")

    assert slack.calls() == []
    assert slack.messages_to(EMPLOYEE.id) == []
    assert (await client.users_info(user=EMPLOYEE.id))["ok"] is True


async def test_a_response_url_refuses_a_message_slack_would_refuse(
    slack: SlackEmulator,
) -> None:
    url = slack.new_response_url(EMPLOYEE.id, "C0LEARNING")
    blocks = [{"type": "divider", "block_id": "x"}, {"type": "divider", "block_id": "x"}]
    async with (
        aiohttp.ClientSession() as http,
        http.post(url, json={"text": "x", "blocks": blocks}) as response,
    ):
        text = await response.text()

    assert (response.status, text) == (400, "invalid_blocks")
    assert slack.ephemeral_to(EMPLOYEE.id) == []


async def test_in_channel_responses_are_posted_in_the_channel(slack: SlackEmulator) -> None:
    url = slack.new_response_url(EMPLOYEE.id, "C0LEARNING")
    async with (
        aiohttp.ClientSession() as http,
        http.post(url, json={"text": "Shared", "response_type": "in_channel"}) as response,
    ):
        assert await response.text() == "ok"

    assert [m["text"] for m in slack.messages_in("C0LEARNING")] == ["Shared"]


async def test_the_emulator_can_be_mounted_inside_another_app() -> None:
    emulator = SlackEmulator(users=[EMPLOYEE])
    host = web.Application()
    host.add_subapp("/slack-emulator/", emulator.build_app())
    runner = web.AppRunner(host)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    try:
        base_url = emulator.mounted_at(f"http://127.0.0.1:{port}/slack-emulator")
        client = AsyncWebClient(token=emulator.bot_token, base_url=base_url)

        dm = emulator.dm_channel_id(EMPLOYEE.id)
        answer = await client.files_upload_v2(channel=dm, content="x", filename="x.txt")
    finally:
        await runner.cleanup()

    assert answer["file"]["size"] == 1


async def test_someone_who_leaves_can_no_longer_be_messaged(
    client: AsyncWebClient, slack: SlackEmulator, clock: FixedClock
) -> None:
    await client.chat_postMessage(channel=EMPLOYEE.id, text="before")
    slack.deactivate_user(EMPLOYEE.id)
    tick(clock)

    answer = await refusal(client.chat_postMessage(channel=EMPLOYEE.id, text="after"))

    assert answer["error"] == "account_inactive"
    assert (await client.users_info(user=EMPLOYEE.id))["user"]["deleted"] is True
