"""*Assign a course* (a manager's App Home, per report): a small modal with the catalogue's
course search and an optional reason; the course is assigned outside a session, the employee
DM'd and the LMS told. A course the report already has open is not assigned again: the modal
says so."""

from __future__ import annotations

from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp
from slack_sdk.models.blocks import (
    ExternalDataSelectElement,
    InputBlock,
    PlainTextInputElement,
    SectionBlock,
)
from slack_sdk.models.views import View
from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack.blocks import button_actions, escape, mrkdwn
from adapters.slack.door import SlackDoor
from adapters.slack.replies import NOT_YOUR_FORM, notice, tell
from adapters.slack.session_modal import COURSE_SEARCH
from bot.commands import whole_number
from bot.errors import Refusal
from bot.refusals import NO_LONGER_YOUR_REPORT, UNKNOWN_PERSON
from bot.replies import Actions
from bot.services.assignments import REASON, AssignCourse

CALLBACK_ID = "assign_course_modal"
COURSE_BLOCK = "course"
REASON_BLOCK = "reason"
VALUE = "value"


def assign_view(employee_id: int, employee_name: str) -> View:
    return View(
        type="modal",
        callback_id=CALLBACK_ID,
        private_metadata=str(employee_id),
        title="Assign a course",
        submit="Assign",
        close="Cancel",
        blocks=[
            SectionBlock(text=mrkdwn(f"A course for *{escape(employee_name)}*")),
            InputBlock(
                block_id=COURSE_BLOCK,
                label="Course",
                element=ExternalDataSelectElement(
                    action_id=COURSE_SEARCH,
                    min_query_length=2,
                    placeholder="Search the catalogue by title or skill",
                ),
            ),
            InputBlock(
                block_id=REASON_BLOCK,
                label="Why (they are told)",
                optional=True,
                element=PlainTextInputElement(action_id=VALUE, max_length=300),
            ),
        ],
    )


def _chosen(view: dict[str, Any]) -> tuple[str, str]:
    values = (view.get("state") or {}).get("values") or {}
    option = values.get(COURSE_BLOCK, {}).get(COURSE_SEARCH, {}).get("selected_option") or {}
    reason = values.get(REASON_BLOCK, {}).get(VALUE, {}).get("value") or ""
    return str(option.get("value") or ""), reason


def register(app: AsyncApp, door: SlackDoor) -> None:
    @app.action(button_actions(Actions.ASSIGN_COURSE))
    async def assign_button(
        ack: AsyncAck, body: dict[str, Any], action: dict[str, Any], client: AsyncWebClient
    ) -> None:
        await ack()
        user_id = body["user"]["id"]
        manager = await door.person_or_tell(client, user_id)
        if manager is None:
            return
        reports = await door.application.current_reports(manager)
        employee = next((p for p in reports if str(p.id) == action.get("value")), None)
        if employee is None:
            await tell(client, user_id, None, NO_LONGER_YOUR_REPORT)
            return
        opened = await client.views_open(
            trigger_id=body["trigger_id"], view=assign_view(employee.id, employee.name)
        )
        await door.opened_view(body, opened["view"]["id"], manager)

    @app.view(CALLBACK_ID)
    async def assign_submitted(ack: AsyncAck, body: dict[str, Any], view: dict[str, Any]) -> None:
        manager = await door.person(body["user"]["id"])
        course_id, reason = _chosen(view)
        employee_id = whole_number(view.get("private_metadata"))
        if manager is None:
            await ack(response_action="errors", errors={COURSE_BLOCK: UNKNOWN_PERSON})
            return
        if not await door.owns_view(body):
            await ack(response_action="errors", errors={COURSE_BLOCK: NOT_YOUR_FORM})
            return
        if not course_id:
            await ack(response_action="errors", errors={COURSE_BLOCK: "Choose a course."})
            return
        if employee_id is None:
            message = "This form does not name the person; open it again from your Home tab."
            await ack(response_action="errors", errors={COURSE_BLOCK: message})
            return
        command = AssignCourse(manager.id, employee_id, course_id, reason)
        try:
            done = await door.application.assign_course(command)
        except Refusal as refusal:
            block = REASON_BLOCK if refusal.field == REASON else COURSE_BLOCK
            await ack(response_action="errors", errors={block: refusal.message})
            return
        if done.already_open:
            text = (
                f"{done.employee.name} already has *{done.course.title}* open, so it was not "
                "assigned again."
            )
            await ack(response_action="update", view=notice(text, "Assign a course"))
            return
        await ack(response_action="clear")
        door.application.outbox_written()
