"""Options for the form's searchable selects: skills of the framework, courses of the catalogue."""

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
    async def skills(ack: AsyncAck, payload: dict[str, Any]) -> None:
        async with door.unit_of_work() as uow:
            found = await uow.catalogue.search_skills(payload.get("value", ""), MAX_OPTIONS)
        await ack(options=[_option(skill.name, skill.skill_id) for skill in found])

    @app.options(COURSE_SEARCH)
    async def courses(ack: AsyncAck, payload: dict[str, Any]) -> None:
        async with door.unit_of_work() as uow:
            found = await uow.catalogue.search_courses(payload.get("value", ""), MAX_OPTIONS)
        await ack(options=[_option(course.title, course.course_id) for course in found])
