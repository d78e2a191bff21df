"""Options for the form's searchable selects: skills of the framework, courses of the catalogue,
for people in the directory (anyone else gets none)."""

from __future__ import annotations

from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp

from adapters.slack.door import SlackDoor
from adapters.slack.session_modal import COURSE_SEARCH, SKILL_SEARCH

MAX_OPTIONS = 100


def _option(text: str, value: str) -> dict[str, Any]:
    return {"text": {"type": "plain_text", "text": text[:75]}, "value": value[:150]}


def register(app: AsyncApp, door: SlackDoor) -> None:
    @app.options(SKILL_SEARCH)
    async def skills(ack: AsyncAck, body: dict[str, Any], payload: dict[str, Any]) -> None:
        if not await _known(door, body):
            await ack(options=[])
            return
        found = await door.application.search_skills(payload.get("value", ""), MAX_OPTIONS)
        await ack(options=[_option(skill.name, skill.skill_id) for skill in found])

    @app.options(COURSE_SEARCH)
    async def courses(ack: AsyncAck, body: dict[str, Any], payload: dict[str, Any]) -> None:
        if not await _known(door, body):
            await ack(options=[])
            return
        found = await door.application.search_courses(payload.get("value", ""), MAX_OPTIONS)
        await ack(options=[_option(course.title, course.course_id) for course in found])


async def _known(door: SlackDoor, body: dict[str, Any]) -> bool:
    """The catalogue and the framework are the organisation's: only people in its directory
    may search them."""
    user_id = (body.get("user") or {}).get("id")
    return bool(user_id) and await door.person(str(user_id)) is not None
