"""What the Slack listeners share: the application, who is who, and which modals were opened for
whom."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from slack_sdk.web.async_client import AsyncWebClient

from adapters.application import Application
from adapters.slack.identity import SlackProfiles
from adapters.slack.installs import SlackReach
from adapters.slack.replies import tell
from bot.model import Person
from bot.refusals import UNKNOWN_PERSON


@dataclass
class SlackDoor:
    application: Application
    profiles: SlackProfiles
    reach: SlackReach
    """The token for each Slack user outside a request, and what install and removal do."""

    async def person(self, user_id: str) -> Person | None:
        """The person behind a Slack user, or None for someone the directory lacks."""
        return await self.application.identity.person(user_id, self.profiles)

    async def person_or_tell(
        self, client: AsyncWebClient, user_id: str, channel_id: str | None = None
    ) -> Person | None:
        """The person behind a Slack user; someone unknown is told that L&D must add them."""
        person = await self.person(user_id)
        if person is None:
            await tell(client, user_id, channel_id, UNKNOWN_PERSON)
        return person

    async def opened_view(self, body: dict[str, Any], view_id: str, person: Person) -> None:
        """Remember that the modal `view_id` was opened for the user who sent `body`."""
        application = self.application
        await application.opened_views.remember(
            view_id,
            workspace_of(body),
            user_of(body),
            person.id,
            application.clock.now(),
        )

    async def owns_view(self, body: dict[str, Any]) -> bool:
        """Whether the payload's view is one the bot opened for its (verified) user: the view
        id is the sender's to choose, and may be copied from another person's modal."""
        view_id = (body.get("view") or {}).get("id")
        if not isinstance(view_id, str) or not view_id:
            return False
        return await self.application.opened_views.opened_for(
            view_id, workspace_of(body), user_of(body)
        )


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
