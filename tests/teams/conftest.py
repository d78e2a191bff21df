"""A Teams tenant for end-to-end tests: the loopback Bot Connector emulator, a test signing key
whose OpenID metadata is served on loopback, and the real coachbot server behind a real port.
The organisation is the Slack tests' one (Maya coaches Ed and Zoe; Dana is L&D)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from aiohttp import ClientResponse, ClientSession, web
from sqlalchemy import select

from adapters.bootstrap import Coachbot, build
from adapters.config import load_settings
from adapters.teams.app import TeamsWiring
from adapters.teams.auth import TokenCredentialsFactory
from bot.clock import Clock
from storage.tables import metadata
from tests.slack.conftest import People, seed
from tests.support.bot_connector import TENANT, BotConnector, TeamsUser, search_answer
from tests.support.openid import SigningKey, openid_metadata

APP_ID = "00000000-0000-0000-0000-00000000c0ac"
PUBLIC_URL = "https://coachbot.example.org"
MAYA = TeamsUser("29:maya", "maya@example.org", "Maya Patel", "aad-maya")
ED = TeamsUser("29:ed", "ed@example.org", "Ed Jones", "aad-ed")
ZOE = TeamsUser("29:zoe", "zoe@example.org", "Zoe Adams", "aad-zoe")
DANA = TeamsUser("29:dana", "dana@example.org", "Dana Okafor", "aad-dana")
SAM = TeamsUser("29:sam", "sam@example.org", "Sam Stranger", "aad-sam")
OLU = TeamsUser("29:olu", "olu@example.org", "Olu Bello", "aad-olu")
USERS = [MAYA, ED, ZOE, DANA, SAM, OLU]


@dataclass
class TeamsWorld:
    connector: BotConnector
    coachbot: Coachbot
    key: SigningKey
    http: ClientSession
    url: str

    def token(self, **changes: Any) -> str:
        claims: dict[str, Any] = {"audience": APP_ID, "service_url": self.connector.base_url}
        return self.key.token(**{**claims, **changes})

    async def post(
        self, activity: dict[str, Any], token: str | None = None, **headers: str
    ) -> ClientResponse:
        auth = {"Authorization": f"Bearer {token or self.token()}"}
        return await self.http.post(
            f"{self.url}/api/messages", json=activity, headers={**auth, **headers}
        )

    async def say(self, user: TeamsUser, text: str) -> ClientResponse:
        response = await self.post(self.connector.activity(user, text=text))
        assert response.status in (200, 201), await response.text()
        return response

    async def submit(self, user: TeamsUser, value: dict[str, Any]) -> ClientResponse:
        """Press a card's button: Teams posts the inputs, replying to the card's message."""
        cards = [s for s in self.connector.sent_to(user) if s.cards]
        extra = {"replyToId": cards[-1].id} if cards else {}
        response = await self.post(self.connector.activity(user, value=value, **extra))
        assert response.status in (200, 201), await response.text()
        return response

    async def typeahead(
        self, user: TeamsUser, input_id: str, typed: str, *, skip: int = 0
    ) -> list[dict[str, str]]:
        """What the typeahead input `input_id` offers once `user` typed `typed`."""
        response = await self.post(self.connector.typeahead(user, input_id, typed, skip=skip))
        return search_answer(response.status, await response.json())

    async def deliver(self) -> None:
        while await self.coachbot.dispatcher.deliver_due():
            pass

    async def table(self, name: str) -> list[dict[str, Any]]:
        async with self.coachbot.engine.connect() as connection:
            result = await connection.execute(select(metadata.tables[name]))
            return [dict(row) for row in result.mappings()]

    def last_card(self, user: TeamsUser) -> dict[str, Any]:
        [card] = self.connector.sent_to(user)[-1].cards
        return card


@pytest.fixture
def signing_key() -> SigningKey:
    return SigningKey()


@pytest.fixture
def metadata_url(signing_key: SigningKey) -> Iterator[str]:
    with openid_metadata(signing_key) as url:
        yield url


@pytest.fixture
async def people(sqlite_url: str) -> People:
    return await seed(sqlite_url)


async def start_teams(
    database_url: str,
    key: SigningKey,
    metadata_url: str,
    clock: Clock | None = None,
    users: list[TeamsUser] | None = None,
    **settings: str,
) -> tuple[TeamsWorld, Any]:
    connector = BotConnector(USERS if users is None else users, APP_ID)
    await connector.start()
    loaded = load_settings(
        DATABASE_URL=database_url,
        MicrosoftAppId=APP_ID,
        MicrosoftAppPassword="test-app-password",
        COACHBOT_PUBLIC_URL=PUBLIC_URL,
        COACHBOT_TIMEZONE="UTC",
        **{"MicrosoftAppTenantId": TENANT, **settings},
    )
    wiring = TeamsWiring(
        openid_metadata_url=metadata_url,
        credentials_factory=TokenCredentialsFactory(APP_ID, lambda: connector.token),
    )
    coachbot = build(loaded, clock=clock, teams=wiring)
    runner = web.AppRunner(coachbot.web_app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    host, port = runner.addresses[0][:2]
    http = ClientSession()
    world = TeamsWorld(connector, coachbot, key, http, f"http://{host}:{port}")

    async def close() -> None:
        await coachbot.stop_background()
        await http.close()
        await runner.cleanup()
        await coachbot.engine.dispose()
        await connector.close()

    return world, close


@pytest.fixture
async def world(
    sqlite_url: str, people: People, signing_key: SigningKey, metadata_url: str
) -> AsyncIterator[TeamsWorld]:
    teams, close = await start_teams(sqlite_url, signing_key, metadata_url)
    yield teams
    await close()
