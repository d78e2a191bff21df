"""Every door of one coachbot at once (Slack via the emulator, Teams via the Bot Connector
emulator and a test signing key, the LMS webhook, charts, health and metrics) on both databases,
for tests that attack them: what each refusal stores (nothing) and what reaches the log (no
traceback)."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import logging
import time
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from aiohttp import ClientResponse, ClientSession, web
from sqlalchemy import select

from adapters.bootstrap import Coachbot, build
from adapters.config import load_settings
from adapters.lms.webhook import sign
from adapters.sandbox.slack_actor import FORM, SlackActor, interactive_body
from adapters.slack_emulator import SlackEmulator
from adapters.teams.app import TeamsWiring
from adapters.teams.auth import TokenCredentialsFactory
from storage.tables import metadata
from tests.slack.conftest import USERS as SLACK_USERS
from tests.slack.conftest import People, seed
from tests.support.bot_connector import BotConnector
from tests.support.openid import SigningKey, openid_metadata
from tests.teams.conftest import APP_ID, PUBLIC_URL
from tests.teams.conftest import USERS as TEAMS_USERS

SLACK_SECRET = "hardening-signing-secret"
LMS_SECRET = "hardening-lms-secret"


@dataclass
class Doors:
    coachbot: Coachbot
    emulator: SlackEmulator
    connector: BotConnector
    key: SigningKey
    http: ClientSession
    url: str
    people: People

    @property
    def slack(self) -> SlackActor:
        return SlackActor(self.http, self.url, SLACK_SECRET)

    async def post(self, path: str, body: bytes | str, headers: dict[str, str]) -> ClientResponse:
        response = await self.http.post(f"{self.url}{path}", data=body, headers=headers)
        await response.read()
        return response

    async def slack_signed(self, body: bytes | str, content_type: str = FORM) -> ClientResponse:
        """Post `body` to /slack/events signed as Slack signs it (over the raw bytes)."""
        raw = body if isinstance(body, bytes) else body.encode()
        return await self.post("/slack/events", raw, slack_headers(raw, content_type))

    async def slack_payload(self, payload: dict[str, Any]) -> ClientResponse:
        return await self.slack_signed(interactive_body(payload))

    def teams_token(self) -> str:
        return self.key.token(audience=APP_ID, service_url=self.connector.base_url)

    async def teams(self, activity: dict[str, Any] | bytes) -> ClientResponse:
        body = activity if isinstance(activity, bytes) else json_bytes(activity)
        headers = {
            "Authorization": f"Bearer {self.teams_token()}",
            "Content-Type": "application/json",
        }
        return await self.post("/api/messages", body, headers)

    async def lms(
        self, body: bytes, timestamp: str | None = None, signature: str | None = None
    ) -> ClientResponse:
        sent_at = timestamp if timestamp is not None else str(int(time.time()))
        headers = {
            "Content-Type": "application/json",
            "X-Coachbot-Timestamp": sent_at,
            "X-Coachbot-Signature": signature
            if signature is not None
            else sign(LMS_SECRET, sent_at, body),
        }
        return await self.post("/lms/events", body, headers)

    async def snapshot(self, *, skip: frozenset[str] = frozenset()) -> dict[str, list[str]]:
        """Every row of every table (but `skip`), to compare before and after a request."""
        rows: dict[str, list[str]] = {}
        async with self.coachbot.engine.connect() as connection:
            for name, table in metadata.tables.items():
                if name in skip:
                    continue
                result = await connection.execute(select(table))
                rows[name] = sorted(repr(tuple(row)) for row in result)
        return rows

    async def settle(self) -> None:
        """Wait until Bolt's listeners (run after the ack) have finished."""
        for _ in range(1000):
            running = [
                task
                for task in asyncio.all_tasks()
                if "run_ack_function" in getattr(task.get_coro(), "__qualname__", "")
                and not task.done()
            ]
            if not running:
                return
            await asyncio.sleep(0.01)
        raise TimeoutError("Bolt listeners still running")


METRICS_TOKEN = "test-metrics-token"


def json_bytes(value: Any) -> bytes:
    return json.dumps(value).encode()


def slack_headers(raw: bytes, content_type: str, *, secret: str = SLACK_SECRET) -> dict[str, str]:
    timestamp = str(int(time.time()))
    base = b"v0:" + timestamp.encode() + b":" + raw
    signature = "v0=" + hmac.new(secret.encode(), base, hashlib.sha256).hexdigest()
    return {
        "Content-Type": content_type,
        "X-Slack-Request-Timestamp": timestamp,
        "X-Slack-Signature": signature,
    }


@pytest.fixture(scope="module")
def signing_key() -> SigningKey:
    return SigningKey()  # one RSA key per module: generating one per test is slow


@pytest.fixture(scope="module")
def metadata_url(signing_key: SigningKey) -> Iterator[str]:
    with openid_metadata(signing_key) as url:
        yield url


@pytest.fixture
async def doors(
    database_url: str, signing_key: SigningKey, metadata_url: str
) -> AsyncIterator[Doors]:
    people = await seed(database_url)
    emulator = SlackEmulator(users=SLACK_USERS, rate_limits=False)
    await emulator.start()
    connector = BotConnector(TEAMS_USERS, APP_ID)
    await connector.start()
    settings = load_settings(
        DATABASE_URL=database_url,
        SLACK_BOT_TOKEN=emulator.bot_token,
        SLACK_SIGNING_SECRET=SLACK_SECRET,
        SLACK_API_BASE_URL=emulator.base_url,
        MicrosoftAppId=APP_ID,
        MicrosoftAppPassword="test-app-password",
        COACHBOT_PUBLIC_URL=PUBLIC_URL,
        LMS_WEBHOOK_SECRET=LMS_SECRET,
        COACHBOT_METRICS_TOKEN=METRICS_TOKEN,
        COACHBOT_TIMEZONE="UTC",
    )
    wiring = TeamsWiring(
        openid_metadata_url=metadata_url,
        credentials_factory=TokenCredentialsFactory(APP_ID, lambda: connector.token),
    )
    coachbot = build(settings, teams=wiring)
    runner = web.AppRunner(coachbot.web_app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    host, port = runner.addresses[0][:2]
    http = ClientSession()
    try:
        yield Doors(
            coachbot, emulator, connector, signing_key, http, f"http://{host}:{port}", people
        )
    finally:
        await http.close()
        await runner.cleanup()
        await coachbot.engine.dispose()
        await connector.close()
        await emulator.close()


@pytest.fixture(autouse=True)
def no_traceback_logged(caplog: pytest.LogCaptureFixture) -> Iterator[None]:
    """Whatever a test sends, nothing it causes is logged with a traceback."""
    caplog.set_level(logging.INFO)
    yield
    records = caplog.get_records("setup") + caplog.get_records("call")
    logged = [r for r in records if r.exc_info or "Traceback" in r.getMessage()]
    assert not logged, [f"{r.name}: {r.getMessage()}" for r in logged]
