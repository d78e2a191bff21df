"""A report's record from the manager's Home (*Sessions and record*), and a learning-plan
goal marked achieved or dropped from Home or a record, which then shows the change."""

from __future__ import annotations

import json
from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp
from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack.blocks import button_actions
from adapters.slack.door import SlackDoor
from adapters.slack.home import REPORT_RECORD_CALLBACK, record_modal, report_record_modal
from adapters.slack.listeners.events import publish_home
from adapters.slack.replies import tell
from bot.errors import Refusal
from bot.model import GoalStatus, Person
from bot.replies import Actions
from bot.services.development import development_record, report_record
from bot.services.goals import finish_goal

GOAL_BUTTONS = {
    Actions.GOAL_ACHIEVED: GoalStatus.ACHIEVED,
    Actions.GOAL_DROPPED: GoalStatus.DROPPED,
}


def _number(text: object) -> int:
    return int(str(text)) if str(text).isdigit() else 0


def register(app: AsyncApp, door: SlackDoor) -> None:
    @app.action(button_actions(Actions.REPORT_RECORD))
    async def open_report_record(
        ack: AsyncAck, body: dict[str, Any], action: dict[str, Any], client: AsyncWebClient
    ) -> None:
        await ack()
        user_id = body["user"]["id"]
        person = await door.person_or_tell(client, user_id)
        if person is None:
            return
        try:
            record = await report_record(
                door.unit_of_work(),
                person.id,
                _number(action.get("value")),
                door.today_for(person),
                timezone=door.settings.timezone,
            )
        except Refusal as refusal:
            await tell(client, user_id, None, refusal.message)
            return
        await client.views_open(trigger_id=body["trigger_id"], view=report_record_modal(record))

    for button, status in GOAL_BUTTONS.items():
        app.action(button_actions(button))(_goal_listener(door, status))


def _goal_listener(door: SlackDoor, status: GoalStatus) -> Any:
    async def goal_finished(
        ack: AsyncAck, body: dict[str, Any], action: dict[str, Any], client: AsyncWebClient
    ) -> None:
        await ack()
        user_id = body["user"]["id"]
        person = await door.person_or_tell(client, user_id)
        if person is None:
            return
        try:
            goal = await finish_goal(
                door.unit_of_work(),
                person.id,
                _number(action.get("value")),
                status,
                door.today_for(person),
            )
        except Refusal as refusal:
            await tell(client, user_id, None, refusal.message)
            return
        view = body.get("view") or {}
        if view.get("type") == "modal":
            await _refresh_record(door, client, person, view)
        elif view.get("type") == "home":
            await publish_home(door, client, user_id)
        else:
            await tell(client, user_id, None, f"Goal {status.value}: {goal.title}.")

    return goal_finished


async def _refresh_record(
    door: SlackDoor, client: AsyncWebClient, person: Person, view: dict[str, Any]
) -> None:
    """The record the button was pressed in, shown again with the change."""
    zone = door.settings.timezone
    if view.get("callback_id") == REPORT_RECORD_CALLBACK:
        shown = json.loads(view.get("private_metadata") or "{}").get("employee")
        record = await report_record(
            door.unit_of_work(), person.id, _number(shown), door.today_for(person), timezone=zone
        )
        updated = report_record_modal(record)
    else:
        own = await development_record(
            door.unit_of_work(), person.id, viewer_id=person.id, timezone=zone
        )
        updated = record_modal(own)
    await client.views_update(view_id=view["id"], view=updated)
