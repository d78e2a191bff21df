"""Builds the Bolt app and its Web API client, and mounts it on the aiohttp server."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator

from aiohttp import ClientSession, ClientTimeout, web
from slack_bolt.adapter.aiohttp import to_aiohttp_response, to_bolt_request
from slack_bolt.async_app import AsyncApp
from slack_sdk.http_retry.builtin_async_handlers import (
    AsyncConnectionErrorRetryHandler,
    AsyncRateLimitErrorRetryHandler,
)
from slack_sdk.web.async_client import AsyncWebClient

from adapters.config import Settings

log = logging.getLogger(__name__)
SLACK_APP_KEY = web.AppKey("slack_app", AsyncApp)


def build_client(settings: Settings) -> AsyncWebClient:
    """The Web API client: the configured base URL, and retries on connection errors and 429s."""
    return AsyncWebClient(
        token=settings.slack_bot_token,
        base_url=settings.slack_api_base_url,
        retry_handlers=[
            AsyncConnectionErrorRetryHandler(),
            AsyncRateLimitErrorRetryHandler(max_retry_count=2),
        ],
    )


def build_bolt_app(settings: Settings, client: AsyncWebClient) -> AsyncApp:
    """A Bolt app that verifies every request's signature and acks before its listeners finish."""
    return AsyncApp(
        client=client,
        signing_secret=settings.slack_signing_secret or "",
        process_before_response=False,
        request_verification_enabled=True,
        logger=log,
    )


def mount(web_app: web.Application, bolt_app: AsyncApp) -> None:
    """`POST /slack/events`: events, slash commands, interactivity and select options. While
    the server runs, the Web API client keeps one connection pool instead of one per call."""
    web_app[SLACK_APP_KEY] = bolt_app
    web_app.router.add_post("/slack/events", slack_events)
    web_app.cleanup_ctx.append(_shared_session)


async def _shared_session(web_app: web.Application) -> AsyncIterator[None]:
    client = web_app[SLACK_APP_KEY].client
    session = ClientSession(timeout=ClientTimeout(total=client.timeout))
    client.session = session
    yield
    client.session = None
    await session.close()


async def slack_events(request: web.Request) -> web.Response:
    bolt_app = request.app[SLACK_APP_KEY]
    bolt_response = await bolt_app.async_dispatch(await to_bolt_request(request))
    return await to_aiohttp_response(bolt_response)
