"""`/coaching` (the session form, or one's own record) and `/coaching-report`."""

from __future__ import annotations

import asyncio
import re
import weakref
from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp
from slack_sdk.models.blocks import ActionsBlock, ButtonElement, SectionBlock
from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack.blocks import mrkdwn
from adapters.slack.door import SlackDoor, user_of
from adapters.slack.home import record_modal
from adapters.slack.replies import HELP, LOADING, notice
from adapters.slack.session_modal import session_view
from bot.refusals import NOT_YOUR_REPORT, UNKNOWN_PERSON

MENTION = re.compile(r"<@([UW][A-Z0-9]+)(?:\|[^>]*)?>")
OPEN_FORM_ACTION = "open_coaching"
"""The help message's button: does what `/coaching` does."""


def register(app: AsyncApp, door: SlackDoor) -> None:
    @app.command("/coaching")
    async def coaching(ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient) -> None:
        text = (body.get("text") or "").strip()
        if text.lower() in {"help", "?"}:
            await ack(text=HELP)
            return
        await ack()
        await open_coaching(door, client, body, text)

    @app.action(OPEN_FORM_ACTION)
    async def open_form_button(ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient) -> None:
        await ack()
        await open_coaching(door, client, body, "")

    @app.event("message")
    async def direct_message(event: dict[str, Any], client: AsyncWebClient) -> None:
        """Anything a person types to the bot in its Messages tab is answered with the help
        and a button to the form. Only a person's own new message counts: edits, deletions and
        other subtypes, and any bot's message (the bot's own answer included), are not."""
        user_id = event.get("user")
        if (
            event.get("channel_type") != "im"
            or event.get("subtype")
            or event.get("bot_id")
            or not isinstance(user_id, str)
            or not user_id
        ):
            return
        # to the sender's own DM with the bot, whatever channel the event names
        await client.chat_postMessage(channel=user_id, text=HELP, blocks=help_blocks())


def help_blocks() -> list[dict[str, Any]]:
    """The help, with a button that opens the session form (or one's record)."""
    button = ButtonElement(
        text="Open /coaching", action_id=OPEN_FORM_ACTION, value="open", style="primary"
    )
    return [
        SectionBlock(text=mrkdwn(HELP)).to_dict(),
        ActionsBlock(block_id="help-actions", elements=[button]).to_dict(),
    ]


async def open_coaching(
    door: SlackDoor, client: AsyncWebClient, body: dict[str, Any], text: str
) -> None:
    """Open a small loading modal at once (the trigger lives 3 s), then fill it in: the
    session form, the person's own record, or a refusal saying why."""
    opened = await client.views_open(trigger_id=body["trigger_id"], view=LOADING)
    async with _filling():
        await _fill(door, client, body, text, opened["view"]["id"])


FILLED_AT_ONCE = 4
"""Forms filled at the same time by one process (each event loop). The loading view is
already open; past a few forms in flight, more only queue each other's queries, and the acks
and loading views of the requests arriving meanwhile behind them."""
_FILLING: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, asyncio.Semaphore] = (
    weakref.WeakKeyDictionary()
)


def _filling() -> asyncio.Semaphore:
    loop = asyncio.get_running_loop()
    if loop not in _FILLING:
        _FILLING[loop] = asyncio.Semaphore(FILLED_AT_ONCE)
    return _FILLING[loop]


async def _fill(
    door: SlackDoor, client: AsyncWebClient, body: dict[str, Any], text: str, view_id: str
) -> None:
    person = await door.person(user_of(body))
    if person is None:
        await client.views_update(view_id=view_id, view=notice(UNKNOWN_PERSON))
        return
    await door.opened_view(body, view_id, person)
    today = door.application.today_for(person)
    preselect = None
    mention = MENTION.search(text)
    if mention:
        chosen = await door.person(mention.group(1))
        preselect = chosen.id if chosen else -1
    form = await door.application.session_form(person, preselect)
    if mention and form.employee is None and form.reports:
        await client.views_update(view_id=view_id, view=notice(NOT_YOUR_REPORT))
    elif not form.reports:
        record = await door.application.own_record(person)
        await client.views_update(view_id=view_id, view=record_modal(record, today))
    else:
        await client.views_update(view_id=view_id, view=session_view(form))
