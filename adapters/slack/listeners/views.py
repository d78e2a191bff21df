"""The session form's submission: field errors back to their fields, the appraisal warning
before saving, "try again" when the database was too busy to store it in time, or one stored
session and the modal closed."""

from __future__ import annotations

from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp

from adapters.lms import lms_targets
from adapters.slack.door import SlackDoor, submission_key
from adapters.slack.identity import UNKNOWN_PERSON
from adapters.slack.replies import NOT_YOUR_FORM
from adapters.slack.session_modal import CALLBACK_ID, error_map, parse_submission, session_view
from bot.commands import Field
from bot.errors import Refusal
from bot.services.sessions import NeedsAttention, log_session, session_form


def register(app: AsyncApp, door: SlackDoor) -> None:
    @app.view(CALLBACK_ID)
    async def session_submitted(ack: AsyncAck, body: dict[str, Any], view: dict[str, Any]) -> None:
        person = await door.identity.person(body["user"]["id"])
        if person is None:
            await ack(response_action="errors", errors={Field.EMPLOYEE: UNKNOWN_PERSON})
            return
        if not await door.owns_view(body):
            await ack(response_action="errors", errors={Field.EMPLOYEE: NOT_YOUR_FORM})
            return
        command, parse_errors = parse_submission(view, person.id)
        if parse_errors:
            await ack(response_action="errors", errors=error_map(parse_errors, view))
            return
        try:
            result = await log_session(
                door.unit_of_work(),
                command,
                door.clock,
                door.settings.timezone,
                submission_key=submission_key(body),
                lms=lms_targets(door.settings),
            )
        except Refusal as refusal:  # TryAgain too: nothing was stored, the form stays open
            await ack(response_action="errors", errors={Field.EMPLOYEE: refusal.message})
            return
        if isinstance(result, NeedsAttention) and result.errors:
            await ack(response_action="errors", errors=error_map(result.errors, view))
        elif isinstance(result, NeedsAttention):
            form = await session_form(
                door.unit_of_work(),
                person.id,
                door.today_for(person),
                command.employee_id,
                include_skill_ids=[command.skill_id] if command.skill_id else [],
            )
            updated = session_view(form, values=command, findings=result.findings)
            await ack(response_action="update", view=updated)
        else:
            await ack(response_action="clear")
            door.outbox_written()
