"""Slack installations on our database: found per workspace (else the enterprise's org-wide
install), replaced on a new install, deleted on uninstall, tokens never stored readable; OAuth
states taken back once."""

from __future__ import annotations

from datetime import timedelta

import pytest
from cryptography.fernet import Fernet
from slack_sdk.oauth.installation_store.models.installation import Installation
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from storage.personal_data import SqlPersonalData
from storage.slack_installations import (
    EncryptionKeyProblem,
    SqlOAuthStateStore,
    SqlSlackInstallationStore,
    SqlSlackUsers,
    token_cipher,
)
from tests.storage.org import insert

KEY = Fernet.generate_key().decode()


def installation(
    team_id: str | None, token: str, *, enterprise_id: str | None = None, org: bool = False
) -> Installation:
    return Installation(
        app_id="A1",
        enterprise_id=enterprise_id,
        team_id=team_id,
        bot_token=token,
        bot_id="B1",
        bot_user_id="U0BOT",
        bot_scopes="chat:write,users:read",
        bot_refresh_token=f"refresh-{token}",
        bot_token_expires_in=3600,
        user_id="U0ADMIN",
        is_enterprise_install=org,
    )


@pytest.fixture
def store(engine: AsyncEngine) -> SqlSlackInstallationStore:
    return SqlSlackInstallationStore(engine, "111.222", token_cipher(KEY))


async def test_each_workspace_finds_its_own_installation_and_grid_falls_back_to_the_org(
    store: SqlSlackInstallationStore,
) -> None:
    await store.async_save(installation("T0A", "xoxb-a"))
    await store.async_save(installation(None, "xoxb-org", enterprise_id="E0G", org=True))

    found = await store.async_find_installation(enterprise_id=None, team_id="T0A")
    assert found is not None and found.bot_token == "xoxb-a"
    assert found.bot_refresh_token == "refresh-xoxb-a" and found.bot_token_expires_at
    in_grid = await store.async_find_installation(enterprise_id="E0G", team_id="T0B")
    assert in_grid is not None and in_grid.bot_token == "xoxb-org"
    org = await store.async_find_installation(
        enterprise_id="E0G", team_id=None, is_enterprise_install=True
    )
    assert org is not None and org.is_enterprise_install
    assert await store.async_find_installation(enterprise_id=None, team_id="T0C") is None
    bot = await store.async_find_bot(enterprise_id=None, team_id="T0A")
    assert bot is not None and bot.bot_token == "xoxb-a"


async def test_installing_again_replaces_and_uninstalling_deletes_only_that_workspace(
    store: SqlSlackInstallationStore,
) -> None:
    await store.async_save(installation("T0A", "xoxb-a1"))
    await store.async_save(installation("T0A", "xoxb-a2"))
    await store.async_save(installation("T0B", "xoxb-b"))
    assert [i.bot_token for i in await store.installations()] == ["xoxb-a2", "xoxb-b"]

    await store.async_delete_all(enterprise_id=None, team_id="T0A")

    assert await store.async_find_installation(enterprise_id=None, team_id="T0A") is None
    assert [i.bot_token for i in await store.installations()] == ["xoxb-b"]


async def test_no_token_is_stored_readable(
    store: SqlSlackInstallationStore, engine: AsyncEngine
) -> None:
    await store.async_save(installation("T0A", "xoxb-secret-bot-token"))
    async with engine.connect() as connection:
        rows = (await connection.execute(text("SELECT * FROM slack_installation"))).all()
    dumped = repr([tuple(row) for row in rows])
    assert "xoxb-secret-bot-token" not in dumped
    assert "refresh-xoxb" not in dumped
    assert "T0A" in dumped  # what is not a secret stays plain


async def test_a_token_sealed_with_another_key_is_no_token(
    store: SqlSlackInstallationStore, engine: AsyncEngine
) -> None:
    await store.async_save(installation("T0A", "xoxb-a"))
    other = SqlSlackInstallationStore(
        engine, "111.222", token_cipher(Fernet.generate_key().decode())
    )
    found = await other.async_find_installation(enterprise_id=None, team_id="T0A")
    assert found is not None and found.bot_token is None


def test_a_missing_or_malformed_key_is_named() -> None:
    with pytest.raises(EncryptionKeyProblem, match="is not set"):
        token_cipher("")
    with pytest.raises(EncryptionKeyProblem, match="is not a Fernet key"):
        token_cipher("not-a-key")


async def test_a_state_is_taken_back_once_and_a_forged_one_never(engine: AsyncEngine) -> None:
    states = SqlOAuthStateStore(engine)
    state = await states.async_issue()
    assert await states.async_consume("forged") is False
    assert await states.async_consume(state) is True
    assert await states.async_consume(state) is False


async def test_an_expired_state_is_refused(engine: AsyncEngine) -> None:
    states = SqlOAuthStateStore(engine, lifetime=timedelta(seconds=-1))
    assert await states.async_consume(await states.async_issue()) is False


async def test_a_slack_user_s_workspace_is_remembered_and_updated(engine: AsyncEngine) -> None:
    users = SqlSlackUsers(engine)
    assert await users.where("W0ANA") is None
    await users.remember("W0ANA", "T0A", "E0G")
    await users.remember("W0ANA", "T0B", "E0G")
    assert await users.where("W0ANA") == ("T0B", "E0G")


async def test_erasing_a_person_forgets_their_slack_workspace_and_export_shows_it(
    engine: AsyncEngine,
) -> None:
    users = SqlSlackUsers(engine)
    ana = await insert(engine, "person", email="ana@example.org", name="Ana", slack_user_id="W0ANA")
    await users.remember("W0ANA", "T0A", "E0G")
    await users.remember("W0BEN", "T0B", "E0G")
    async with engine.begin() as connection:
        record = await SqlPersonalData(connection).export(ana)
        assert record["slack_user"] == [
            {"user_id": "W0ANA", "team_id": "T0A", "enterprise_id": "E0G"}
        ]
        erased = await SqlPersonalData(connection).erase(ana)
    assert erased["slack_user"].deleted == 1
    assert await users.where("W0ANA") is None
    assert await users.where("W0BEN") == ("T0B", "E0G")
