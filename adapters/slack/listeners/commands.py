"""`/coaching` (the session form, or one's own record) and `/coaching-report`."""

from __future__ import annotations

import re
from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp
from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack.door import SlackDoor
from adapters.slack.home import record_modal
from adapters.slack.identity import UNKNOWN_PERSON
from adapters.slack.replies import HELP, LOADING, notice
from adapters.slack.session_modal import session_view
from bot.services.development import development_record
from bot.services.sessions import session_form

MENTION = re.compile(r"<@([UW][A-Z0-9]+)(?:\|[^>]*)?>")
NOT_YOUR_REPORT = (
    "You can only log sessions with your own direct reports, and that person is not one of them."
)


def register(app: AsyncApp, door: SlackDoor) -> None:
    @app.command("/coaching")
    async def coaching(ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient) -> None:
        text = (body.get("text") or "").strip()
        if text.lower() in {"help", "?"}:
            await ack(text=HELP)
            return
        await ack()
        await open_coaching(door, client, body, text)


async def open_coaching(
    door: SlackDoor, client: AsyncWebClient, body: dict[str, Any], text: str
) -> None:
    """Open a small loading modal at once (the trigger lives 3 s), then fill it in: the
    session form, the person's own record, or a refusal saying why."""
    opened = await client.views_open(trigger_id=body["trigger_id"], view=LOADING)
    view_id = opened["view"]["id"]
    person = await door.identity.person(body["user_id"])
    if person is None:
        await client.views_update(view_id=view_id, view=notice(UNKNOWN_PERSON))
        return
    await door.opened_view(body, view_id, person)
    today = door.today_for(person)
    preselect = None
    mention = MENTION.search(text)
    if mention:
        chosen = await door.identity.person(mention.group(1))
        preselect = chosen.id if chosen else -1
    form = await session_form(door.unit_of_work(), person.id, today, preselect)
    if mention and form.employee is None and form.reports:
        await client.views_update(view_id=view_id, view=notice(NOT_YOUR_REPORT))
    elif not form.reports:
        record = await development_record(
            door.unit_of_work(), person.id, viewer_id=person.id, timezone=door.settings.timezone
        )
        await client.views_update(view_id=view_id, view=record_modal(record, today))
    else:
        await client.views_update(view_id=view_id, view=session_view(form))
