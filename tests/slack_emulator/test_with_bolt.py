"""A Bolt app pointed at the emulator: a signed /coaching request opens its modal."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import time
from collections.abc import Sequence
from urllib.parse import urlencode

from slack_bolt.async_app import AsyncAck, AsyncApp, AsyncRespond
from slack_bolt.request.async_request import AsyncBoltRequest
from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack_emulator import SlackEmulator
from tests.slack_emulator.conftest import MANAGER

SIGNING_SECRET = "emulated-signing-secret"
MODAL = {
    "type": "modal",
    "title": {"type": "plain_text", "text": "Log a session"},
    "blocks": [{"type": "section", "text": {"type": "mrkdwn", "text": "Loading..."}}],
}


def signed(body: str) -> dict[str, str | Sequence[str]]:
    timestamp = str(int(time.time()))
    base = f"v0:{timestamp}:{body}".encode()
    signature = "v0=" + hmac.new(SIGNING_SECRET.encode(), base, hashlib.sha256).hexdigest()
    return {
        "content-type": "application/x-www-form-urlencoded",
        "x-slack-request-timestamp": timestamp,
        "x-slack-signature": signature,
    }


async def test_a_bolt_app_opens_its_modal_on_the_emulator(slack: SlackEmulator) -> None:
    client = AsyncWebClient(token=slack.bot_token, base_url=slack.base_url)
    app = AsyncApp(client=client, signing_secret=SIGNING_SECRET)

    @app.command("/coaching")
    async def coaching(ack: AsyncAck, body: dict[str, str], client: AsyncWebClient) -> None:
        await ack()
        await client.views_open(trigger_id=body["trigger_id"], view=MODAL)

    form = {
        "command": "/coaching",
        "text": "",
        "user_id": MANAGER.id,
        "team_id": "T0EMULATED",
        "channel_id": "D0ANA",
        "trigger_id": slack.new_trigger_id(MANAGER.id),
        "response_url": "http://127.0.0.1/unused",
    }
    body = urlencode(form)

    response = await app.async_dispatch(AsyncBoltRequest(body=body, headers=signed(body)))

    assert response.status == 200
    for _ in range(200):  # Bolt acks first and lets the listener finish in the background
        if slack.opened_views():
            break
        await asyncio.sleep(0.01)
    [opened] = slack.opened_views(MANAGER.id)
    assert opened["title"]["text"] == "Log a session"


async def test_what_bolt_responds_reaches_the_person_only(slack: SlackEmulator) -> None:
    client = AsyncWebClient(token=slack.bot_token, base_url=slack.base_url)
    app = AsyncApp(client=client, signing_secret=SIGNING_SECRET)

    @app.command("/coaching-report")
    async def report(ack: AsyncAck, respond: AsyncRespond) -> None:
        await ack()
        await respond("The report arrives with the report issue.")

    form = {
        "command": "/coaching-report",
        "user_id": MANAGER.id,
        "channel_id": "C0LEARNING",
        "trigger_id": slack.new_trigger_id(MANAGER.id),
        "response_url": slack.new_response_url(MANAGER.id, "C0LEARNING"),
    }
    body = urlencode(form)

    await app.async_dispatch(AsyncBoltRequest(body=body, headers=signed(body)))
    for _ in range(200):
        if slack.calls("response_url"):
            break
        await asyncio.sleep(0.01)

    assert [m["text"] for m in slack.ephemeral_to(MANAGER.id)] == [
        "The report arrives with the report issue."
    ]
    assert slack.messages_in("C0LEARNING") == []
