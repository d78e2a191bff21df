"""Builds the Bolt app and its Web API client, and mounts it on the aiohttp server."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from typing import Any

from aiohttp import ClientSession, ClientTimeout, web
from slack_bolt.adapter.aiohttp import to_aiohttp_response
from slack_bolt.async_app import AsyncApp
from slack_bolt.oauth.async_oauth_settings import AsyncOAuthSettings
from slack_bolt.request.async_request import AsyncBoltRequest
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.async_handler import AsyncRetryHandler
from slack_sdk.http_retry.builtin_async_handlers import (
    AsyncConnectionErrorRetryHandler,
    AsyncRateLimitErrorRetryHandler,
)
from slack_sdk.http_retry.request import HttpRequest
from slack_sdk.http_retry.response import HttpResponse
from slack_sdk.http_retry.state import RetryState
from slack_sdk.web.async_client import AsyncWebClient

from adapters.config import Settings
from adapters.slack.door import user_of
from adapters.slack.inbound import parse_body
from adapters.slack.installs import RotatingAuthorize, Rotation
from adapters.slack.replies import tell
from adapters.slack.signing import signature_problem

log = logging.getLogger(__name__)
SLACK_APP_KEY = web.AppKey("slack_app", AsyncApp)
SIGNING_SECRET_KEY = web.AppKey("slack_signing_secret", str)
TRIGGERED_METHODS = frozenset({"views.open", "views.push"})
"""Methods that spend a trigger id, which lives 3 s: Slack's `Retry-After` (at least 1 s, often
much more) would outlive it, so a 429 on them is not waited out."""
SLACK_BUSY = "Slack is busy, try /coaching again in a moment."


def method_of(url: str) -> str:
    """The Web API method a call went to (`.../api/views.open` -> `views.open`)."""
    return url.partition("?")[0].rstrip("/").rpartition("/")[2]


class RateLimitRetryOutsideTriggers(AsyncRateLimitErrorRetryHandler):
    """Waits out a 429 (`Retry-After`) and tries again, except on methods that spend a trigger:
    those fail at once, and the person is told to try again (`listener_failed`)."""

    async def _can_retry_async(
        self,
        *,
        state: RetryState,
        request: HttpRequest,
        response: HttpResponse | None = None,
        error: Exception | None = None,
    ) -> bool:
        if method_of(request.url) in TRIGGERED_METHODS:
            return False
        return await super()._can_retry_async(
            state=state, request=request, response=response, error=error
        )


def build_client(settings: Settings) -> AsyncWebClient:
    """The Web API client: the configured base URL, and retries on connection errors and 429s
    (but not a 429 on a call that spends a trigger)."""
    handlers: list[AsyncRetryHandler] = [
        AsyncConnectionErrorRetryHandler(),
        RateLimitRetryOutsideTriggers(max_retry_count=2),
    ]
    return AsyncWebClient(
        token=None if settings.slack_oauth else settings.slack_bot_token,
        base_url=settings.slack_api_base_url,
        retry_handlers=handlers,
        logger=WEB_API_LOG,
    )


WEB_API_LOG = logging.getLogger("slack_sdk.web.coachbot")
"""The Web API client's logger, at INFO whatever the root's level: slack_sdk writes its debug
line (the whole request, a form's typed text included) whenever its logger's own level is
unset, before logging drops it, which cost a third of a millisecond per filled form."""
WEB_API_LOG.setLevel(logging.INFO)


def build_bolt_app(
    settings: Settings,
    client: AsyncWebClient,
    oauth: AsyncOAuthSettings | None = None,
    rotation: Rotation | None = None,
) -> AsyncApp:
    """A Bolt app that verifies every request's signature and acks before its listeners finish;
    with `oauth`, each request is authorized with the token of the installation covering its
    workspace (rotated before it expires)."""
    app = AsyncApp(
        client=client,
        oauth_settings=oauth,
        # an AsyncAuthorize is taken as it is (Bolt types the argument as a plain callable)
        authorize=RotatingAuthorize(rotation, client) if rotation is not None else None,  # type: ignore[arg-type]
        signing_secret=settings.slack_signing_secret or "",
        process_before_response=False,
        request_verification_enabled=True,
        # Bolt's own lines under slack_bolt, which COACHBOT_LOG_LEVEL=DEBUG leaves at INFO: its
        # debug lines quote whole responses, message text included
        logger=logging.getLogger("slack_bolt.coachbot"),
    )
    app.error(listener_failed)
    return app


async def listener_failed(error: Exception, body: dict[str, Any], client: AsyncWebClient) -> None:
    """Slack refusing a call (an expired trigger, a view that is gone) is something Slack said,
    logged in one line; anything else is a defect and keeps its traceback. A form Slack was too
    busy to open is said to the person who asked for it (their trigger is spent by now)."""
    if isinstance(error, SlackApiError) and busy_opening_a_form(error):
        log.warning("Slack is rate-limiting %s: asked to try again", error.response.api_url)
        user_id = user_of(body)
        if user_id:
            await tell(client, user_id, channel_of(body), SLACK_BUSY)
        return
    if isinstance(error, SlackApiError):
        log.warning("Slack refused a call: %s", error.response.get("error", "unknown error"))
    else:
        log.error("A Slack listener failed", exc_info=error)


def busy_opening_a_form(error: SlackApiError) -> bool:
    """A 429 on a call that spends a trigger (it was not retried: see `TRIGGERED_METHODS`)."""
    response = error.response
    return response.status_code == 429 and method_of(response.api_url) in TRIGGERED_METHODS


def channel_of(body: dict[str, Any]) -> str | None:
    """Where a slash command was typed or a button pressed; None on the Home tab or a modal."""
    channel = body.get("channel_id")
    if not channel and isinstance(body.get("channel"), dict):
        channel = body["channel"].get("id")
    return channel if isinstance(channel, str) and channel else None


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
    try:
        bolt_response = await request.app[SLACK_APP_KEY].async_dispatch(bolt_request)
    except (TypeError, AttributeError, KeyError, IndexError, ValueError) as exc:
        # Bolt's own reading of the body (before any listener, whose failures its error
        # handler takes) met a value of a shape no Slack request has
        log.info("Slack request refused: Bolt cannot read its body (%s)", type(exc).__name__)
        return web.Response(status=400, text="Refused: the body is not a request Slack sends.")
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
