"""Installing coachbot in many Slack workspaces (or org-wide on Enterprise Grid) through
Slack's OAuth flow, with Bolt's own machinery: `GET /slack/install` shows the "Add to Slack"
page (a fresh single-use `state`, also set as a cookie), `GET /slack/oauth_redirect` takes the
admin back from Slack, checks the state, exchanges the code (`oauth.v2.access`) and keeps the
installation (encrypted) in the database. A forged, expired or reused state gets a plain page
saying so."""

from __future__ import annotations

import contextlib
import logging
import re

from aiohttp import web
from slack_bolt.adapter.aiohttp import to_aiohttp_response
from slack_bolt.async_app import AsyncApp
from slack_bolt.oauth.async_callback_options import (
    AsyncCallbackOptions,
    AsyncFailureArgs,
    AsyncSuccessArgs,
)
from slack_bolt.oauth.async_oauth_settings import AsyncOAuthSettings
from slack_bolt.request.async_request import AsyncBoltRequest
from slack_bolt.response import BoltResponse

from adapters.application import Application, SlackOAuthStores
from adapters.slack.installs import SlackReach
from bot.errors import TryAgain

log = logging.getLogger(__name__)
BOT_SCOPES = (
    "chat:write",
    "commands",
    "files:write",
    "im:history",
    "im:write",
    "users:read",
    "users:read.email",
)
"""The bot scopes an install asks for: the same as app_manifest.yaml's (a test checks)."""
OAUTH_APP_KEY = web.AppKey("slack_oauth_app", AsyncApp)
SLACK_ERROR = re.compile(r"[a-z_]{1,64}")
FAILURES = {
    "invalid_browser": (
        400,
        "This installation did not start in this browser, or its link has expired: start "
        "again from /slack/install.",
    ),
    "invalid_state": (
        400,
        "This installation link has expired or was already used: start again from /slack/install.",
    ),
    "missing_code": (400, "Slack sent no installation code: start again from /slack/install."),
    "invalid_code": (
        400,
        "Slack did not accept the installation code: start again from /slack/install.",
    ),
    "storage_error": (503, "The installation could not be saved: try again in a moment."),
}


def oauth_settings(
    application: Application, stores: SlackOAuthStores, reach: SlackReach
) -> AsyncOAuthSettings:
    """Bolt's OAuth settings on our stores; a finished install wakes the messages that were
    waiting for their workspace, and remembers the installer's workspace."""
    settings = application.settings

    async def installed(args: AsyncSuccessArgs) -> BoltResponse:
        installation = args.installation
        log.info(
            "Slack app installed in %s",
            "enterprise " + str(installation.enterprise_id)
            if installation.is_enterprise_install
            else "workspace " + str(installation.team_id),
        )
        if installation.user_id:
            with contextlib.suppress(TryAgain):  # learnt again from their first request
                await reach.seen(
                    installation.user_id,
                    None if installation.is_enterprise_install else installation.team_id,
                    installation.enterprise_id,
                )
        if await application.installations.installation_added(application.clock.now()):
            application.outbox_written()
        return await args.default.success(args)

    async def refused(args: AsyncFailureArgs) -> BoltResponse:
        # Slack's `error` comes back in the redirect's query: the sender's to choose, so only
        # an error code's shape is repeated
        reason = args.reason if SLACK_ERROR.fullmatch(args.reason or "") else "no"
        status, text = FAILURES.get(
            reason, (400, f"The app was not installed: Slack said {reason}.")
        )
        log.info("Slack installation refused: %s", reason)
        return BoltResponse(
            status=status, body=text, headers={"Content-Type": "text/plain; charset=utf-8"}
        )

    return AsyncOAuthSettings(
        client_id=settings.slack_client_id,
        client_secret=settings.slack_client_secret,
        scopes=list(BOT_SCOPES),
        user_scopes=[],
        redirect_uri=settings.slack_redirect_uri,
        installation_store=stores.installations,
        installation_store_bot_only=False,
        token_rotation_expiration_minutes=settings.slack_token_rotation_minutes,
        state_store=stores.states,
        callback_options=AsyncCallbackOptions(success=installed, failure=refused),
        logger=logging.getLogger("slack_bolt.coachbot"),
    )


def mount_install_pages(web_app: web.Application, bolt_app: AsyncApp) -> None:
    """`GET /slack/install` and `GET /slack/oauth_redirect`."""
    web_app[OAUTH_APP_KEY] = bolt_app
    web_app.router.add_get("/slack/install", install_page)
    web_app.router.add_get("/slack/oauth_redirect", oauth_redirect)


async def install_page(request: web.Request) -> web.Response:
    """The "Add to Slack" page: its link carries the client id and a fresh `state`."""
    flow = request.app[OAUTH_APP_KEY].oauth_flow
    assert flow is not None  # mounted only with OAuth configured
    return await to_aiohttp_response(await flow.handle_installation(_bolt_request(request)))


async def oauth_redirect(request: web.Request) -> web.Response:
    """Where Slack sends the admin back: the state is checked, the code exchanged."""
    flow = request.app[OAUTH_APP_KEY].oauth_flow
    assert flow is not None
    return await to_aiohttp_response(await flow.handle_callback(_bolt_request(request)))


def _bolt_request(request: web.Request) -> AsyncBoltRequest:
    return AsyncBoltRequest(
        body="",
        query=request.query_string,
        headers={name.lower(): value for name, value in request.headers.items()},
    )
