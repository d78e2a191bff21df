"""*Snooze 3 days* on a nudge: that period's next reminder about the report waits."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp
from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack.blocks import button_actions
from adapters.slack.door import SlackDoor
from adapters.slack.identity import UNKNOWN_PERSON
from adapters.slack.replies import tell
from bot.errors import Refusal
from bot.messages import snoozed
from bot.replies import Actions
from bot.services.nudges import snooze
from storage.nudge_store import SqlNudgeStore

SNOOZE_VALUE = re.compile(r"^(\d+):(\d{4}-\d{2}-\d{2})$")


def register(app: AsyncApp, door: SlackDoor) -> None:
    @app.action(button_actions(Actions.SNOOZE))
    async def snooze_button(
        ack: AsyncAck, body: dict[str, Any], action: dict[str, Any], client: AsyncWebClient
    ) -> None:
        await ack()
        user_id = body["user"]["id"]
        person = await door.identity.person(user_id)
        match = SNOOZE_VALUE.match(str(action.get("value", "")))
        if person is None or match is None:
            await tell(
                client, user_id, None, UNKNOWN_PERSON if person is None else "Unknown reminder."
            )
            return
        employee_id, due_on = int(match[1]), date.fromisoformat(match[2])
        today = door.today_for(person)
        try:
            until = await snooze(
                door.unit_of_work(),
                SqlNudgeStore(door.engine),
                person.id,
                employee_id,
                due_on,
                today,
            )
        except Refusal as refusal:
            await tell(client, user_id, None, refusal.message)
            return
        await tell(client, user_id, None, snoozed(until, today))
