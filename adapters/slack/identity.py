"""Slack's directory for `bot.services.identity`: the e-mail and IANA `tz` on a user's Slack
profile (`users.info`, through the installation covering the user)."""

from __future__ import annotations

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack.installs import NotCovered, SlackReach
from bot.services.identity import ChatPlatform, ChatProfile


class SlackProfiles:
    platform = ChatPlatform.SLACK
    gives_zones = True

    def __init__(self, client: AsyncWebClient, reach: SlackReach) -> None:
        self.client = client
        self.reach = reach

    async def profile(self, user_id: str) -> ChatProfile | None:
        try:
            reach = await self.reach.reach(user_id)
            response = await self.client.users_info(user=user_id, token=reach.token)
        except (SlackApiError, NotCovered):
            return None
        user = response.get("user") or {}
        email = (user.get("profile") or {}).get("email")
        return ChatProfile(
            email=str(email) if email else None,
            timezone=str(user["tz"]) if user.get("tz") else None,
            deleted=bool(user.get("deleted")),
        )
