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
from bot.commands import whole_number
from bot.errors import Refusal
from bot.model import GoalStatus, Person
from bot.replies import Actions
from bot.services.goals import GOAL_BUTTONS


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
            record = await door.application.report_record(
                person, (whole_number(action.get("value")) or 0)
            )
        except Refusal as refusal:
            await tell(client, user_id, None, refusal.message)
            return
        view = report_record_modal(record, door.application.today_for(person))
        opened = await client.views_open(trigger_id=body["trigger_id"], view=view)
        await door.opened_view(body, opened["view"]["id"], person)

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
            goal = await door.application.finish_goal(
                person, (whole_number(action.get("value")) or 0), status
            )
        except Refusal as refusal:
            await tell(client, user_id, None, refusal.message)
            return
        view = body.get("view") or {}
        if view.get("type") == "modal":
            if await door.owns_view(body):  # someone else's modal stays as it is
                try:
                    await _refresh_record(door, client, person, view)
                except Refusal as refusal:
                    await tell(client, user_id, None, refusal.message)
        elif view.get("type") == "home":
            await publish_home(door, client, user_id)
        else:
            await tell(client, user_id, None, f"Goal {status.value}: {goal.title}.")

    return goal_finished


async def _refresh_record(
    door: SlackDoor, client: AsyncWebClient, person: Person, view: dict[str, Any]
) -> None:
    """The record the button was pressed in, shown again with the change."""
    today = door.application.today_for(person)
    if view.get("callback_id") == REPORT_RECORD_CALLBACK:
        shown = _shown_employee(view.get("private_metadata"))
        record = await door.application.report_record(person, shown)
        updated = report_record_modal(record, today)
    else:
        own = await door.application.own_record(person)
        updated = record_modal(own, today)
    await client.views_update(view_id=view["id"], view=updated)


def _shown_employee(metadata: object) -> int:
    """The employee a report-record modal shows (its private metadata, which the sender may
    have rewritten: anything else is 0, which is no one's record)."""
    try:
        shown = json.loads(metadata) if isinstance(metadata, str) else None
    except ValueError:
        return 0
    return (whole_number(str(shown.get("employee"))) if isinstance(shown, dict) else None) or 0
