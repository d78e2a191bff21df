"""Mounting the Teams door on the one aiohttp server: `POST /api/messages` through botbuilder's
`CloudAdapter` (every authentication failure a 401), `GET /charts/{token}.png`, and the
`Messenger` that sends Teams DMs."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from aiohttp import web
from azure.core.exceptions import DeserializationError  # what msrest raises, where it is defined
from botbuilder.core import TurnContext
from botbuilder.integration.aiohttp import CloudAdapter
from botbuilder.schema import Activity
from botframework.connector.auth import ServiceClientCredentialsFactory

from adapters.application import Application
from adapters.request_body import body_problem
from adapters.teams.auth import bot_authentication
from adapters.teams.charts import ChartLinks, chart_secret, mount_charts
from adapters.teams.handler import CoachbotTeamsBot, TeamsDoor
from adapters.teams.messenger import TeamsMessenger

log = logging.getLogger(__name__)
ROUTE = "/api/messages"


@dataclass(frozen=True)
class TeamsWiring:
    """What a deployment (or a test) may change beyond the Bot Framework variables: where the
    channel's signing keys are published, and the credentials for outbound calls."""

    openid_metadata_url: str | None = None
    credentials_factory: ServiceClientCredentialsFactory | None = None


def mount_teams(
    web_app: web.Application, application: Application, wiring: TeamsWiring | None = None
) -> TeamsMessenger:
    """Add the Teams routes to the app; returns the messenger for `messengers["teams"]`."""
    settings, clock = application.settings, application.clock
    wiring = wiring or TeamsWiring()
    adapter = CloudAdapter(
        bot_authentication(
            settings,
            openid_metadata_url=wiring.openid_metadata_url,
            credentials_factory=wiring.credentials_factory,
        )
    )
    adapter.on_turn_error = _turn_failed
    charts = ChartLinks(chart_secret(settings.microsoft_app_password), clock, settings.public_url)
    bot = CoachbotTeamsBot(TeamsDoor(application, charts))

    async def messages(request: web.Request) -> web.StreamResponse:
        # The token can only be checked against the activity (its channel and service URL),
        # so the body is parsed first; a request carrying no token at all is refused unread.
        if not request.headers.get("Authorization", "").startswith("Bearer "):
            raise web.HTTPUnauthorized(text="Send the Bot Framework's bearer token.")
        if "application/json" not in request.headers.get("Content-Type", ""):
            raise web.HTTPUnsupportedMediaType(text="Send a Bot Framework activity as JSON.")
        try:
            body = await request.json()
        except (ValueError, RecursionError):
            raise web.HTTPBadRequest(text="The body is not JSON.") from None
        problem = body_problem(body)
        if problem is not None:
            raise web.HTTPBadRequest(text=f"Refused: {problem}.")
        if not isinstance(body, dict) or not isinstance(body.get("type"), str):
            raise web.HTTPBadRequest(text="The body is not a Bot Framework activity.")
        try:  # botbuilder reads it again; a field of the wrong shape ("from": []) fails here
            Activity().deserialize(body)
        except (DeserializationError, TypeError, ValueError, AttributeError):
            raise web.HTTPBadRequest(text="The body is not a Bot Framework activity.") from None
        response = await adapter.process(request, bot)
        return response if response is not None else web.Response(status=201)

    web_app.router.add_post(ROUTE, messages)
    mount_charts(web_app, charts, application.reports)
    return TeamsMessenger(adapter, settings.microsoft_app_id, application.conversations, clock)


async def _turn_failed(context: TurnContext, error: Exception) -> None:
    log.exception("Teams turn failed", exc_info=error)
    raise error
