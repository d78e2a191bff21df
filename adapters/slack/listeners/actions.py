"""Buttons and the form's report picker: choose a report (the form reloads their open actions),
*Log session* from Home or a nudge, *Done* on an agreed action."""

from __future__ import annotations

from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp
from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack.blocks import button_actions, reply_blocks
from adapters.slack.door import SlackDoor
from adapters.slack.listeners.events import publish_home
from adapters.slack.replies import tell
from adapters.slack.session_modal import EMPLOYEE_ACTION, parse_submission, session_view
from bot.commands import whole_number
from bot.errors import Refusal
from bot.model import Person
from bot.refusals import NO_LONGER_YOUR_REPORT, marked_done
from bot.replies import Actions


def register(app: AsyncApp, door: SlackDoor) -> None:
    @app.action(EMPLOYEE_ACTION)
    async def report_chosen(ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient) -> None:
        await ack()
        person = await door.person(body["user"]["id"])
        view = body.get("view") or {}
        if person is None or not view.get("id") or not await door.owns_view(body):
            return  # someone else's form stays as it is
        command, _ = parse_submission(view, person.id)
        form = await door.application.form_as_sent(person, command)
        await client.views_update(
            view_id=view["id"], hash=view.get("hash"), view=session_view(form, values=command)
        )

    @app.action(button_actions(Actions.LOG_SESSION))
    async def log_session_button(
        ack: AsyncAck, body: dict[str, Any], action: dict[str, Any], client: AsyncWebClient
    ) -> None:
        await ack()
        user_id = body["user"]["id"]
        person = await door.person_or_tell(client, user_id)
        if person is None:
            return
        employee_id = whole_number(action.get("value"))
        form = await door.application.session_form(person, employee_id)
        if employee_id is None or form.employee is None:
            await tell(client, user_id, None, NO_LONGER_YOUR_REPORT)
            return
        opened = await client.views_open(trigger_id=body["trigger_id"], view=session_view(form))
        await door.opened_view(body, opened["view"]["id"], person)

    @app.action(button_actions(Actions.ACTION_DONE))
    async def action_done(
        ack: AsyncAck, body: dict[str, Any], action: dict[str, Any], client: AsyncWebClient
    ) -> None:
        await ack()
        user_id = body["user"]["id"]
        person = await door.person_or_tell(client, user_id)
        if person is None:
            return
        refused = None
        try:
            # an id that is not a number is no one's action: the service refuses 0 as such
            action_id = whole_number(action.get("value")) or 0
            done = await door.application.mark_action_done(person, action_id)
        except Refusal as refusal:
            refused = refusal.message
        if body.get("view", {}).get("type") == "home":
            await publish_home(door, client, user_id)
            if refused:
                await tell(client, user_id, None, refused)
            return
        shown = await _show_as_it_stands(door, client, person, body)
        if refused:
            await tell(client, user_id, None, refused)
        elif not shown:
            await tell(client, user_id, None, marked_done(done.text))


async def _show_as_it_stands(
    door: SlackDoor, client: AsyncWebClient, person: Person, body: dict[str, Any]
) -> bool:
    """Update the message whose *Done* was pressed to show its actions as they stand now, with
    no button left that could only answer "already closed"; False when it is not ours."""
    message = body.get("message") or {}
    channel = (body.get("container") or {}).get("channel_id")
    if not channel or not message.get("ts"):
        return False
    ref = f"{channel}:{message['ts']}"
    now = await door.application.message_as_it_stands(person, ref)
    if now is None:
        return False
    await client.chat_update(
        channel=channel, ts=message["ts"], text=now.summary, blocks=reply_blocks(now)
    )
    return True
