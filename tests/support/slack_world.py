"""A whole Slack workspace for end-to-end tests: the Slack emulator, the real coachbot server
(Bolt app, services, database) behind a real HTTP port, and helpers that act as Slack does:
sign and send slash commands, form submissions, button clicks and events."""

from __future__ import annotations

import asyncio
import html
import re
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta
from typing import Any
from urllib.parse import parse_qs, urlsplit

from aiohttp import ClientResponse, ClientSession, web

from adapters.bootstrap import Coachbot, build, connect_socket_mode
from adapters.config import load_settings
from adapters.sandbox.slack_actor import HERE, SlackActor, Where, eventually
from adapters.slack_emulator import RateLimits, SlackEmulator, Team, WorkspaceUser
from bot.clock import Clock

__all__ = ["SlackWorld", "Where", "eventually", "start_oauth_world", "start_world", "today_utc"]

SIGNING_SECRET = "test-signing-secret"


@dataclass
class SlackWorld:
    emulator: SlackEmulator
    coachbot: Coachbot
    http: ClientSession
    url: str
    where: Where = HERE
    """The workspace requests come from (`in_workspace` gives the same world in another)."""

    @property
    def actor(self) -> SlackActor:
        return SlackActor(self.http, self.url, SIGNING_SECRET, self.where)

    def in_workspace(
        self, team_id: str, enterprise_id: str | None = None, *, org_wide: bool = False
    ) -> SlackWorld:
        """This world, its requests coming from `team_id` (of `enterprise_id`, where the app
        is installed org-wide when `org_wide`)."""
        return replace(self, where=Where(team_id, enterprise_id, org_wide))

    async def install(
        self,
        *,
        team_id: str | None = None,
        enterprise_id: str | None = None,
        installer: str = "",
    ) -> ClientResponse:
        """An admin adds the app as a browser does: opens /slack/install, follows its link to
        Slack (which approves it for `team_id`, or org-wide for `enterprise_id`) and comes back
        to the redirect with Slack's code, the state and the state cookie."""
        page = await self.http.get(f"{self.url}/slack/install")
        link = install_link(await page.text())
        cookie = page.headers["Set-Cookie"].split(";")[0]
        code = self.emulator.approve_install(
            team_id=team_id, enterprise_id=enterprise_id, installer=installer
        )
        state = link["state"][0]
        return await self.redirect(code, state, cookie)

    async def redirect(self, code: str, state: str, cookie: str) -> ClientResponse:
        """Slack sends the admin's browser back with `code` and `state`."""
        response = await self.http.get(
            f"{self.url}/slack/oauth_redirect",
            params={"code": code, "state": state},
            headers={"Cookie": cookie},
        )
        await response.read()
        return response

    async def slash(
        self, user_id: str, text: str = "", command: str = "/coaching"
    ) -> ClientResponse:
        return await self.actor.slash(user_id, self.emulator.new_trigger_id(user_id), text, command)

    async def submit(
        self, user_id: str, view: dict[str, Any], answers: dict[str, Any]
    ) -> dict[str, Any]:
        trigger = self.emulator.new_trigger_id(user_id)
        return await self.actor.submit(user_id, view, answers, trigger)

    async def click(
        self,
        user_id: str,
        action_id: str,
        value: str,
        *,
        view: dict[str, Any] | None = None,
        message: dict[str, Any] | None = None,
    ) -> ClientResponse:
        trigger = self.emulator.new_trigger_id(user_id)
        return await self.actor.click(
            user_id, action_id, value, trigger, view=view, message=message
        )

    async def event(self, event: dict[str, Any], event_id: str, **headers: str) -> ClientResponse:
        return await self.actor.event(event, event_id, **headers)

    async def settled(self) -> None:
        """Wait until Bolt's listeners (they run after the ack) have all finished."""

        def running() -> list[asyncio.Task[Any]]:
            return [
                task
                for task in asyncio.all_tasks()
                if "run_ack_function" in getattr(task.get_coro(), "__qualname__", "")
                and not task.done()
            ]

        await eventually(lambda: not running())

    async def deliver(self) -> None:
        """Deliver every message due now through the dispatcher."""
        while await self.coachbot.dispatcher.deliver_due():
            pass

    async def opened_view(self, user_id: str) -> dict[str, Any]:
        """The modal the person now sees on top, once it has finished loading (waits)."""

        def ready() -> dict[str, Any] | None:
            stack = self.emulator.view_stack(user_id)
            if stack and "Getting your coaching form" not in str(stack[-1]["blocks"]):
                return stack[-1]
            return None

        return await eventually(ready)


def install_link(page: str) -> dict[str, list[str]]:
    """The query of the "Add to Slack" link on the install page."""
    found = re.search(r'href="(https://slack\.com/oauth/v2/authorize\?[^"]+)"', page)
    if found is None:
        raise AssertionError(f"no Add to Slack link on the page: {page[:300]}")
    return parse_qs(urlsplit(html.unescape(found.group(1))).query)


async def start_world(
    database_url: str,
    users: list[WorkspaceUser],
    *,
    clock: Clock | None = None,
    rate_limits: RateLimits | bool = False,
    socket_mode: bool = False,
    **environment: str,
) -> tuple[SlackWorld, Any]:
    """Start the emulator and the bot (on `clock`, with more settings from `environment`;
    with `socket_mode`, connected over the emulator's Socket Mode too); returns the world and
    an async closer."""
    emulator = SlackEmulator(users=users, rate_limits=rate_limits)
    await emulator.start()
    if socket_mode:
        environment = {"SLACK_APP_TOKEN": emulator.app_token, **environment}
    return await _serving(
        emulator,
        database_url,
        clock,
        socket_mode,
        SLACK_BOT_TOKEN=emulator.bot_token,
        **environment,
    )


async def _serving(
    emulator: SlackEmulator,
    database_url: str,
    clock: Clock | None,
    socket_mode: bool,
    **environment: str,
) -> tuple[SlackWorld, Any]:
    """coachbot served on a loopback port against the started `emulator`, with `environment`
    over the settings every world shares; returns the world and an async closer."""
    settings = load_settings(
        **{
            "DATABASE_URL": database_url,
            "SLACK_SIGNING_SECRET": SIGNING_SECRET,
            "SLACK_API_BASE_URL": emulator.base_url,
            "COACHBOT_TIMEZONE": "UTC",
            **environment,
        }
    )
    coachbot = build(settings, clock=clock)
    runner = web.AppRunner(coachbot.web_app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    host, port = runner.addresses[0][:2]
    http = ClientSession()
    world = SlackWorld(emulator, coachbot, http, f"http://{host}:{port}")
    socket = await connect_socket_mode(coachbot) if socket_mode else None

    async def close() -> None:
        if socket is not None:
            await socket.close_async()
        await coachbot.stop_background()
        await http.close()
        await runner.cleanup()
        await coachbot.engine.dispose()
        await emulator.close()

    return world, close


CLIENT_ID = "111.222"
CLIENT_SECRET = "client-secret"
ENCRYPTION_KEY = "kZ2nW3l5rJ0c6cJ0N3m1Yv8xXq9sZb7pT4uA2eD5fGg="


async def start_oauth_world(
    database_url: str,
    users: list[WorkspaceUser],
    teams: list[Team],
    *,
    clock: Clock | None = None,
    token_lifetime: timedelta | None = None,
    **environment: str,
) -> tuple[SlackWorld, Any]:
    """Like `start_world`, but coachbot installs through OAuth (`SLACK_CLIENT_ID`), into the
    emulator's `teams`; nothing is installed yet."""
    emulator = SlackEmulator(
        users=users,
        teams=teams,
        client_id=CLIENT_ID,
        client_secret=CLIENT_SECRET,
        rate_limits=False,
        token_lifetime=token_lifetime,
    )
    await emulator.start()
    return await _serving(
        emulator,
        database_url,
        clock,
        False,
        SLACK_CLIENT_ID=CLIENT_ID,
        SLACK_CLIENT_SECRET=CLIENT_SECRET,
        COACHBOT_ENCRYPTION_KEY=ENCRYPTION_KEY,
        **environment,
    )


def today_utc() -> date:
    return datetime.now(UTC).date()
