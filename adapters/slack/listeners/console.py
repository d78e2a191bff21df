"""The way into the L&D console from Slack: the *Open the L&D console* button on an admin's Home
tab, and `/coaching-report console`. Either answers the person who asked, and only them, with a
one-time sign-in link; the role is checked by the service when the link is asked for, so a
pressed button or a typed command from anyone else gets a refusal and no link."""

from __future__ import annotations

from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp
from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack.blocks import escape, slack_link
from adapters.slack.door import SlackDoor
from adapters.slack.replies import tell, tell_markup
from bot.errors import Refusal
from bot.model import Person
from bot.replies import Actions
from bot.services.console import CONSOLE_BUTTON, link_text


def register(app: AsyncApp, door: SlackDoor) -> None:
    @app.action(Actions.OPEN_CONSOLE)
    async def open_console(ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient) -> None:
        await ack()
        user_id = body["user"]["id"]
        person = await door.person_or_tell(client, user_id)
        if person is not None:
            await send_console_link(door, client, person, user_id, None)


async def send_console_link(
    door: SlackDoor,
    client: AsyncWebClient,
    person: Person,
    user_id: str,
    channel_id: str | None,
) -> None:
    """A sign-in link for `person` (the Slack user `user_id`), ephemeral in the channel where
    they asked, else in their DM with the app; a refusal instead when they may not have one."""
    try:
        link = await door.application.console.sign_in_link(person)
    except Refusal as refusal:
        await tell(client, user_id, channel_id, refusal.message)
        return
    text = f"{escape(link_text(link.minutes))}\n{slack_link(link.url, CONSOLE_BUTTON)}"
    await tell_markup(client, user_id, channel_id, text)
