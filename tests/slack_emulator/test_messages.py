"""Messages: DMs by user id, what each person sees, metadata through history, edits, refusals."""

from __future__ import annotations

from typing import Any

import aiohttp
import pytest
from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack_emulator import SlackEmulator
from bot.clock import FixedClock
from tests.slack_emulator.conftest import CHANNEL, EMPLOYEE, MANAGER, refusal, tick

SECTION = {"type": "section", "text": {"type": "mrkdwn", "text": "*Focus*: delegation"}}


def section(block_id: str | None = None, text: str = "A line") -> dict[str, Any]:
    block: dict[str, Any] = {"type": "section", "text": {"type": "mrkdwn", "text": text}}
    if block_id is not None:
        block["block_id"] = block_id
    return block


async def test_a_user_id_as_channel_posts_in_the_apps_dm_with_them(
    client: AsyncWebClient, slack: SlackEmulator
) -> None:
    answer = await client.chat_postMessage(channel=EMPLOYEE.id, text="Ana logged a session")

    assert answer["channel"].startswith("D")
    assert answer["message"]["text"] == "Ana logged a session"
    assert [m["text"] for m in slack.messages_to(EMPLOYEE.id)] == ["Ana logged a session"]
    assert slack.messages_to(MANAGER.id) == []


async def test_the_dm_id_from_conversations_open_reaches_the_same_person(
    client: AsyncWebClient, slack: SlackEmulator
) -> None:
    opened = await client.conversations_open(users=EMPLOYEE.id)

    await client.chat_postMessage(channel=opened["channel"]["id"], blocks=[SECTION], text="x")

    assert slack.messages_to(EMPLOYEE.id)[0]["blocks"] == [SECTION]


async def test_unknown_people_and_channels_are_channel_not_found(client: AsyncWebClient) -> None:
    to_stranger = await refusal(client.chat_postMessage(channel="U0NOBODY", text="hi"))
    to_nowhere = await refusal(client.chat_postMessage(channel="C0NOWHERE", text="hi"))

    assert to_stranger["error"] == to_nowhere["error"] == "channel_not_found"


async def test_a_deactivated_person_cannot_be_messaged(
    client: AsyncWebClient, slack: SlackEmulator
) -> None:
    by_user_id = await refusal(client.chat_postMessage(channel="U0GONE", text="hi"))
    by_dm = await refusal(client.conversations_open(users="U0GONE"))

    assert by_user_id["error"] == "account_inactive"
    assert by_dm["error"] == "user_disabled"
    assert slack.messages_to("U0GONE") == []


@pytest.mark.filterwarnings("ignore:The top-level `text` argument is missing")
async def test_a_message_needs_text_or_blocks(client: AsyncWebClient) -> None:
    answer = await refusal(client.chat_postMessage(channel=EMPLOYEE.id))

    assert answer["error"] == "no_text"


async def test_more_than_50_blocks_in_a_message_are_refused(
    client: AsyncWebClient, slack: SlackEmulator, clock: FixedClock
) -> None:
    await client.chat_postMessage(channel=EMPLOYEE.id, text="x", blocks=[section()] * 50)
    tick(clock)

    answer = await refusal(
        client.chat_postMessage(channel=EMPLOYEE.id, text="x", blocks=[section()] * 51)
    )

    assert answer["error"] == "invalid_blocks"
    assert any("50" in line for line in answer["response_metadata"]["messages"])
    assert len(slack.messages_to(EMPLOYEE.id)) == 1


async def test_duplicate_block_ids_in_a_message_are_refused(client: AsyncWebClient) -> None:
    blocks = [section("focus"), section("focus")]

    answer = await refusal(client.chat_postMessage(channel=EMPLOYEE.id, text="x", blocks=blocks))

    assert answer["error"] == "invalid_blocks"
    assert "/blocks/1/block_id" in answer["response_metadata"]["messages"][0]


async def test_an_unknown_block_type_in_a_message_is_refused(client: AsyncWebClient) -> None:
    blocks = [section(), {"type": "sectoin", "text": {"type": "mrkdwn", "text": "x"}}]

    answer = await refusal(client.chat_postMessage(channel=EMPLOYEE.id, text="x", blocks=blocks))

    assert answer["error"] == "invalid_blocks"
    assert "unknown block type `sectoin`" in answer["errors"][0]


async def test_an_unknown_element_in_a_message_is_refused(client: AsyncWebClient) -> None:
    actions = {"type": "actions", "elements": [{"type": "buton", "text": "Done"}]}

    answer = await refusal(client.chat_postMessage(channel=EMPLOYEE.id, text="x", blocks=[actions]))

    assert "/blocks/0/elements/0/type" in answer["response_metadata"]["messages"][0]


async def test_limits_the_models_know_are_enforced(client: AsyncWebClient) -> None:
    answer = await refusal(
        client.chat_postMessage(channel=EMPLOYEE.id, text="x", blocks=[section(text="a" * 3001)])
    )

    assert answer["error"] == "invalid_blocks"
    assert "3000" in answer["response_metadata"]["messages"][0]


async def test_unknown_block_properties_are_refused(client: AsyncWebClient) -> None:
    block = {**section(), "colour": "red"}

    answer = await refusal(client.chat_postMessage(channel=EMPLOYEE.id, text="x", blocks=[block]))

    assert "colour" in answer["response_metadata"]["messages"][0]


async def test_blocks_that_are_not_json_are_invalid_blocks_format(slack: SlackEmulator) -> None:
    form = {"channel": EMPLOYEE.id, "text": "x", "blocks": "[{not json"}
    headers = {"Authorization": f"Bearer {slack.bot_token}"}
    async with (
        aiohttp.ClientSession() as http,
        http.post(f"{slack.base_url}chat.postMessage", data=form, headers=headers) as response,
    ):
        body = await response.json()

    assert body["error"] == "invalid_blocks_format"


async def test_a_form_encoded_message_is_taken_like_a_json_one(slack: SlackEmulator) -> None:
    form = {"channel": EMPLOYEE.id, "text": "x", "blocks": '[{"type": "divider"}]'}
    headers = {"Authorization": f"Bearer {slack.bot_token}"}
    async with (
        aiohttp.ClientSession() as http,
        http.post(f"{slack.base_url}chat.postMessage", data=form, headers=headers) as response,
    ):
        body = await response.json()

    assert body["ok"] is True
    assert slack.messages_to(EMPLOYEE.id)[0]["blocks"] == [{"type": "divider"}]
    assert slack.calls("chat.postMessage")[0].args["blocks"] == [{"type": "divider"}]


async def test_metadata_comes_back_from_history_only_when_asked(
    client: AsyncWebClient, clock: FixedClock
) -> None:
    metadata = {"event_type": "coaching_dm", "event_payload": {"dedupe_key": "dm:42"}}
    posted = await client.chat_postMessage(channel=EMPLOYEE.id, text="hi", metadata=metadata)
    tick(clock)
    await client.chat_postMessage(channel=EMPLOYEE.id, text="later")

    plain = await client.conversations_history(channel=posted["channel"])
    full = await client.conversations_history(channel=posted["channel"], include_all_metadata=True)

    assert [m["text"] for m in full["messages"]] == ["later", "hi"]
    assert full["messages"][1]["metadata"] == metadata
    assert all("metadata" not in m for m in plain["messages"])


async def test_malformed_metadata_is_refused(client: AsyncWebClient) -> None:
    answer = await refusal(
        client.chat_postMessage(channel=EMPLOYEE.id, text="hi", metadata={"event_payload": {}})
    )

    assert answer["error"] == "invalid_metadata_format"


async def test_history_of_an_unknown_channel_is_channel_not_found(client: AsyncWebClient) -> None:
    answer = await refusal(client.conversations_history(channel="D0NOBODY"))

    assert answer["error"] == "channel_not_found"


async def test_chat_update_changes_what_the_person_reads(
    client: AsyncWebClient, slack: SlackEmulator
) -> None:
    posted = await client.chat_postMessage(channel=EMPLOYEE.id, text="Action: draft plan")

    await client.chat_update(channel=posted["channel"], ts=posted["ts"], text="Action: done")

    assert [m["text"] for m in slack.messages_to(EMPLOYEE.id)] == ["Action: done"]


async def test_chat_update_of_a_missing_message_is_message_not_found(
    client: AsyncWebClient,
) -> None:
    answer = await refusal(client.chat_update(channel=CHANNEL, ts="1.000001", text="x"))

    assert answer["error"] == "message_not_found"


async def test_an_ephemeral_message_is_seen_by_that_person_only(
    client: AsyncWebClient, slack: SlackEmulator
) -> None:
    answer = await client.chat_postEphemeral(channel=CHANNEL, user=MANAGER.id, text="Only you")

    assert answer["message_ts"]
    assert [m["text"] for m in slack.ephemeral_to(MANAGER.id)] == ["Only you"]
    assert slack.ephemeral_to(EMPLOYEE.id) == []
    assert slack.messages_in(CHANNEL) == []


async def test_an_ephemeral_message_to_a_stranger_is_user_not_found(
    client: AsyncWebClient,
) -> None:
    answer = await refusal(client.chat_postEphemeral(channel=CHANNEL, user="U0NOBODY", text="x"))

    assert answer["error"] == "user_not_found"


async def test_a_body_that_is_not_json_is_invalid_json(slack: SlackEmulator) -> None:
    headers = {
        "Authorization": f"Bearer {slack.bot_token}",
        "Content-Type": "application/json",
    }
    async with (
        aiohttp.ClientSession() as http,
        http.post(f"{slack.base_url}chat.postMessage", data="{oops", headers=headers) as response,
    ):
        body = await response.json()

    assert body == {"ok": False, "error": "invalid_json"}


async def test_arguments_of_the_wrong_kind_are_invalid_arguments(client: AsyncWebClient) -> None:
    answer = await refusal(client.conversations_history(channel=CHANNEL, limit="many"))  # type: ignore[arg-type]

    assert answer["error"] == "invalid_arguments"
