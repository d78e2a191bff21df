"""What the Slack listeners share: the settings, the unit of work, the clock, who is who, which
modals were opened for whom, and a nudge for the outbox dispatcher once a transaction has queued
messages."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

from slack_sdk.web.async_client import AsyncWebClient
from sqlalchemy.ext.asyncio import AsyncEngine

from adapters.config import Settings
from adapters.slack.identity import UNKNOWN_PERSON, SlackIdentity
from adapters.slack.replies import tell
from bot.clock import Clock, local_date
from bot.model import Person
from bot.ports import UnitOfWork
from storage.slack_views import opened_for, remember_view


@dataclass
class SlackDoor:
    settings: Settings
    engine: AsyncEngine
    unit_of_work: Callable[[], UnitOfWork]
    clock: Clock
    identity: SlackIdentity
    outbox_written: Callable[[], None] = lambda: None

    async def person_or_tell(
        self, client: AsyncWebClient, user_id: str, channel_id: str | None = None
    ) -> Person | None:
        """The person behind a Slack user; someone unknown is told that L&D must add them."""
        person = await self.identity.person(user_id)
        if person is None:
            await tell(client, user_id, channel_id, UNKNOWN_PERSON)
        return person

    def today_for(self, person: Person) -> date:
        """The person's local date (their zone, else the organisation's)."""
        return local_date(self.clock.now(), person.timezone or self.settings.timezone)

    async def opened_view(self, body: dict[str, Any], view_id: str, person: Person) -> None:
        """Remember that the modal `view_id` was opened for the user who sent `body`."""
        await remember_view(
            self.engine, view_id, workspace_of(body), user_of(body), person.id, self.clock.now()
        )

    async def owns_view(self, body: dict[str, Any]) -> bool:
        """Whether the payload's view is one the bot opened for its (verified) user: the view
        id is the sender's to choose, and may be copied from another person's modal."""
        view_id = (body.get("view") or {}).get("id")
        if not isinstance(view_id, str) or not view_id:
            return False
        return await opened_for(self.engine, view_id, workspace_of(body), user_of(body))


def workspace_of(body: dict[str, Any]) -> str:
    """The Slack workspace a request came from."""
    return str(body.get("team_id") or _id_in(body.get("team")))


def user_of(body: dict[str, Any]) -> str:
    """The Slack user who sent a request (verified by its signature)."""
    return str(body.get("user_id") or _id_in(body.get("user")))


def _id_in(value: object) -> str:
    """`value["id"]` when `value` is an object holding one, else ""."""
    return str(value.get("id") or "") if isinstance(value, dict) else ""


def submission_key(body: dict[str, Any]) -> str:
    """What makes a form's submission the same one when it is sent again: the platform, the
    workspace, the user and their view."""
    view_id = (body.get("view") or {}).get("id")
    return f"slack:{workspace_of(body)}:{user_of(body)}:view:{view_id}"
