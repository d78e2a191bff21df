"""Builds the Bolt app and its Web API client, and mounts it on the aiohttp server."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator

from aiohttp import ClientSession, ClientTimeout, web
from slack_bolt.adapter.aiohttp import to_aiohttp_response
from slack_bolt.async_app import AsyncApp
from slack_bolt.request.async_request import AsyncBoltRequest
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_async_handlers import (
    AsyncConnectionErrorRetryHandler,
    AsyncRateLimitErrorRetryHandler,
)
from slack_sdk.web.async_client import AsyncWebClient

from adapters.config import Settings
from adapters.slack.inbound import parse_body
from adapters.slack.signing import signature_problem

log = logging.getLogger(__name__)
SLACK_APP_KEY = web.AppKey("slack_app", AsyncApp)
SIGNING_SECRET_KEY = web.AppKey("slack_signing_secret", str)


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
    app = AsyncApp(
        client=client,
        signing_secret=settings.slack_signing_secret or "",
        process_before_response=False,
        request_verification_enabled=True,
        logger=log,
    )
    app.error(listener_failed)
    return app


async def listener_failed(error: Exception) -> None:
    """Slack refusing a call (an expired trigger, a view that is gone) is something Slack said,
    logged in one line; anything else is a defect and keeps its traceback."""
    if isinstance(error, SlackApiError):
        log.warning("Slack refused a call: %s", error.response.get("error", "unknown error"))
    else:
        log.error("A Slack listener failed", exc_info=error)


def mount(web_app: web.Application, bolt_app: AsyncApp, signing_secret: str) -> None:
    """`POST /slack/events`: events, slash commands, interactivity and select options. While
    the server runs, the Web API client keeps one connection pool instead of one per call."""
    web_app[SLACK_APP_KEY] = bolt_app
    web_app[SIGNING_SECRET_KEY] = signing_secret
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
    """Slack's signature is checked on the raw bytes before anything is parsed (Bolt would
    parse first), then the body's shape; Bolt checks the signature again and dispatches."""
    raw = await request.read()
    refused = signature_problem(request.app[SIGNING_SECRET_KEY], request.headers, raw)
    if refused is not None:
        log.info("Slack request refused: %s", refused)
        return web.Response(status=401, text=f"Refused: {refused}.")
    content_type = request.headers.get("Content-Type", "").partition(";")[0].strip()
    body = parse_body(raw, content_type)
    if isinstance(body, str):
        log.info("Slack request refused: %s", body)
        return web.Response(status=400, text=f"Refused: {body}.")
    bolt_request = bolt_request_for(request, raw)
    if bolt_request is None:
        return web.Response(status=400, text="Refused: the body is not a request Slack sends.")
    bolt_response = await request.app[SLACK_APP_KEY].async_dispatch(bolt_request)
    return await to_aiohttp_response(bolt_response)


def bolt_request_for(request: web.Request, raw: bytes) -> AsyncBoltRequest | None:
    """Bolt's request (it reads who and which workspace from the body as it is built), or
    None for a body Bolt cannot read that way."""
    try:
        return AsyncBoltRequest(
            body=raw.decode("utf-8"),
            query=request.query_string,
            headers={name.lower(): value for name, value in request.headers.items()},
        )
    except (ValueError, TypeError, KeyError, IndexError, AttributeError):
        log.info("Slack request refused: Bolt cannot read its body")
        return None
