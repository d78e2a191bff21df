"""*Snooze 3 days* on a nudge: that period's next reminder about the report waits, and the
answer says exactly when it will come."""

from __future__ import annotations

from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp
from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack.blocks import button_actions
from adapters.slack.door import SlackDoor
from adapters.slack.replies import tell
from bot.commands import parse_snooze
from bot.errors import Refusal
from bot.refusals import UNKNOWN_PERSON, UNKNOWN_REMINDER
from bot.replies import Actions


def register(app: AsyncApp, door: SlackDoor) -> None:
    @app.action(button_actions(Actions.SNOOZE))
    async def snooze_button(
        ack: AsyncAck, body: dict[str, Any], action: dict[str, Any], client: AsyncWebClient
    ) -> None:
        await ack()
        user_id = body["user"]["id"]
        person = await door.person(user_id)
        reminder = parse_snooze(action.get("value"))
        if person is None or reminder is None:
            await tell(
                client, user_id, None, UNKNOWN_PERSON if person is None else UNKNOWN_REMINDER
            )
            return
        employee_id, due_on = reminder
        try:
            outcome = await door.application.snooze(person, employee_id, due_on)
        except Refusal as refusal:
            await tell(client, user_id, None, refusal.message)
            return
        await tell(client, user_id, None, outcome.message)
