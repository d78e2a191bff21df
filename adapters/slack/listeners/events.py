"""Events: the Home tab when it is opened; uninstall and token revocation turn the workspace
off, and an event or command Slack sends from it afterwards turns it on again (messages waiting
for it go out). Slack's retries of an event (same `event_id`) are answered without running twice."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_bolt.response import BoltResponse
from slack_sdk.models.blocks import SectionBlock
from slack_sdk.models.views import View
from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack.blocks import mrkdwn
from adapters.slack.door import SlackDoor, workspace_of
from adapters.slack.home import home_view
from bot.errors import TryAgain
from bot.refusals import UNKNOWN_PERSON

log = logging.getLogger(__name__)
SHOWS_INSTALLED = frozenset({"app_home_opened", "message"})
"""Events coachbot answers that only a workspace with the app installed sends."""
COMMANDS = frozenset({"/coaching", "/coaching-report"})


def register(app: AsyncApp, door: SlackDoor) -> None:
    @app.middleware
    async def once_per_event(
        body: dict[str, Any], next: Callable[[], Awaitable[BoltResponse]]
    ) -> BoltResponse | None:
        event_id = body.get("event_id")
        if event_id:
            try:
                first = await door.application.first_time(f"slack-event:{event_id}", "slack")
            except TryAgain:
                # a database too busy to remember the event: every event handled here is safe
                # to run twice (a Home tab published again), so run it rather than lose it
                first = True
            if not first:
                return BoltResponse(status=200, body="")
        return await next()

    @app.middleware
    async def installed_again(
        body: dict[str, Any], next: Callable[[], Awaitable[BoltResponse]]
    ) -> BoltResponse | None:
        # Slack sends nothing from a workspace that removed the app, so an event or command
        # coachbot answers shows the app installed there again (not a retried uninstall event)
        event = body.get("event")
        kind = event.get("type") if isinstance(event, dict) else None
        team = workspace_of(body)
        if team and (kind in SHOWS_INSTALLED or body.get("command") in COMMANDS):
            try:
                if await door.application.installations.seen_installed(
                    team, "slack", door.application.clock.now()
                ):
                    door.application.outbox_written()
            except TryAgain:  # a busy database: the next request records it
                log.warning("could not record the Slack workspace as installed again")
        return await next()

    @app.event("app_home_opened")
    async def home_opened(event: dict[str, Any], client: AsyncWebClient) -> None:
        if event.get("tab", "home") == "home" and event.get("user"):
            await publish_home(door, client, event["user"])

    @app.event("app_uninstalled")
    async def uninstalled(body: dict[str, Any]) -> None:
        await door.application.installations.set_installed(
            body.get("team_id", ""),
            "slack",
            False,
            door.application.clock.now(),
        )

    @app.event("tokens_revoked")
    async def revoked(body: dict[str, Any]) -> None:
        await door.application.installations.set_installed(
            body.get("team_id", ""),
            "slack",
            False,
            door.application.clock.now(),
        )


async def publish_home(door: SlackDoor, client: AsyncWebClient, user_id: str) -> None:
    person = await door.person(user_id)
    if person is None:
        view = View(type="home", blocks=[SectionBlock(text=mrkdwn(UNKNOWN_PERSON))])
        await client.views_publish(user_id=user_id, view=view)
        return
    page = await door.application.home_page(person)
    view = home_view(page.reports or None, page.record, page.today, ld_admin=person.is_ld_admin)
    await client.views_publish(user_id=user_id, view=view)
