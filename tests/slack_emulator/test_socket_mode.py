"""The emulator's Socket Mode: only the app-level token opens a connection, the socket says
`hello` first, and an envelope is answered only by an acknowledgement naming it."""

from __future__ import annotations

import asyncio
import json

import pytest
from aiohttp import ClientSession
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack_emulator import SlackEmulator


async def test_only_the_app_level_token_opens_a_connection(
    slack: SlackEmulator, client: AsyncWebClient
) -> None:
    with pytest.raises(SlackApiError) as refused:
        await client.apps_connections_open(app_token=slack.bot_token)
    assert refused.value.response["error"] == "not_allowed_token_type"
    with pytest.raises(SlackApiError) as wrong:
        await client.apps_connections_open(app_token="xapp-1-someone-else")
    assert wrong.value.response["error"] == "invalid_auth"
    opened = await client.apps_connections_open(app_token=slack.app_token)
    assert opened["url"].startswith("ws://")


async def test_a_socket_says_hello_and_an_envelope_waits_for_its_own_ack(
    slack: SlackEmulator, client: AsyncWebClient
) -> None:
    url = (await client.apps_connections_open(app_token=slack.app_token))["url"]
    async with ClientSession() as http, http.ws_connect(url) as socket:
        hello = await socket.receive_json()
        assert hello["type"] == "hello"
        sending = asyncio.create_task(
            slack.socket_mode.send("slash_commands", {"command": "/coaching"})
        )
        envelope = await socket.receive_json()
        assert envelope["type"] == "slash_commands" and envelope["accepts_response_payload"]
        await socket.send_str(json.dumps({"envelope_id": "not-this-one"}))
        await socket.send_str(json.dumps({"envelope_id": envelope["envelope_id"]}))
        ack = await sending
    assert ack == {"envelope_id": envelope["envelope_id"]}
    acks = slack.calls("socket_mode_ack")
    assert [c.response.get("error") for c in acks] == ["no_envelope", None]
    async with ClientSession() as http:  # a URL is good for one connection only
        response = await http.get(url.replace("ws://", "http://"))
        assert response.status == 401
