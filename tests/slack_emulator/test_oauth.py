"""OAuth in the emulator: codes for bot tokens bound to a workspace or a whole enterprise,
token rotation, `auth.test` per token, and every call recorded with the token that made it."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import aiohttp
import pytest
from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack_emulator import SlackEmulator, Team, WorkspaceUser
from bot.clock import FixedClock
from tests.slack_emulator.conftest import refusal

ALPHA = Team("T0ALPHA", "Alpha", "E0GRID", "Grid Org")
BETA = Team("T0BETA", "Beta", "E0GRID", "Grid Org")
SOLO = Team("T0SOLO", "Solo")
ANA = WorkspaceUser("W0ANA", "ana@example.org", "Ana", team_id=ALPHA.id)
BEN = WorkspaceUser("W0BEN", "ben@example.org", "Ben", team_id=BETA.id)
SOL = WorkspaceUser("U0SOL", "sol@example.org", "Sol", team_id=SOLO.id)


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(datetime(2026, 3, 2, 9, 0, tzinfo=UTC))


@pytest.fixture
async def slack(clock: FixedClock) -> AsyncIterator[SlackEmulator]:
    async with SlackEmulator(
        users=[ANA, BEN, SOL],
        teams=[ALPHA, BETA, SOLO],
        client_id="111.222",
        client_secret="shh",
        clock=clock,
        token_lifetime=timedelta(hours=12),
    ) as emulator:
        yield emulator


async def exchange(slack: SlackEmulator, **approval: str) -> dict[str, object]:
    client = AsyncWebClient(base_url=slack.base_url)
    code = slack.approve_install(**approval)
    answer = await client.oauth_v2_access(client_id="111.222", client_secret="shh", code=code)
    return dict(answer.data)  # type: ignore[arg-type]


async def test_a_workspace_install_reaches_only_that_workspace(slack: SlackEmulator) -> None:
    answer = await exchange(slack, team_id=SOLO.id, installer=SOL.id)
    assert answer["team"] == {"id": SOLO.id, "name": "Solo"}
    assert answer["is_enterprise_install"] is False
    assert answer["expires_in"] == 12 * 3600 and answer["refresh_token"]
    client = AsyncWebClient(token=str(answer["access_token"]), base_url=slack.base_url)

    who = await client.auth_test()
    assert (who["team_id"], who["enterprise_id"], who["is_enterprise_install"]) == (
        SOLO.id,
        None,
        False,
    )
    await client.chat_postMessage(channel=SOL.id, text="hi")
    assert (await refusal(client.chat_postMessage(channel=ANA.id, text="hi")))[
        "error"
    ] == "channel_not_found"
    assert (await refusal(client.users_lookupByEmail(email=BEN.email)))["error"] == (
        "users_not_found"
    )
    [sent, _] = slack.calls("chat.postMessage")
    assert sent.token == answer["access_token"]


async def test_an_org_wide_install_reaches_every_workspace_of_the_enterprise(
    slack: SlackEmulator,
) -> None:
    answer = await exchange(slack, enterprise_id="E0GRID")
    assert answer["team"] is None
    assert answer["enterprise"] == {"id": "E0GRID", "name": "Grid Org"}
    assert answer["is_enterprise_install"] is True
    client = AsyncWebClient(token=str(answer["access_token"]), base_url=slack.base_url)

    who = await client.auth_test()
    assert (who["enterprise_id"], who["is_enterprise_install"]) == ("E0GRID", True)
    for user in (ANA, BEN):
        await client.chat_postMessage(channel=user.id, text="hi")
        assert (await client.users_info(user=user.id))["user"]["team_id"] == user.team_id
    assert (await refusal(client.users_info(user=SOL.id)))["error"] == "user_not_found"


async def test_a_code_works_once_and_only_with_the_app_s_secret(slack: SlackEmulator) -> None:
    client = AsyncWebClient(base_url=slack.base_url)
    code = slack.approve_install(team_id=ALPHA.id)
    wrong = client.oauth_v2_access(client_id="111.222", client_secret="nope", code=code)
    assert (await refusal(wrong))["error"] == "bad_client_secret"
    await client.oauth_v2_access(client_id="111.222", client_secret="shh", code=code)
    again = client.oauth_v2_access(client_id="111.222", client_secret="shh", code=code)
    assert (await refusal(again))["error"] == "code_already_used"
    forged = client.oauth_v2_access(client_id="111.222", client_secret="shh", code="made-up")
    assert (await refusal(forged))["error"] == "invalid_code"


async def test_a_rotated_token_expires_and_its_refresh_token_gives_a_new_pair_once(
    slack: SlackEmulator, clock: FixedClock
) -> None:
    first = await exchange(slack, team_id=ALPHA.id)
    client = AsyncWebClient(base_url=slack.base_url)
    refreshed = await client.oauth_v2_access(
        client_id="111.222",
        client_secret="shh",
        grant_type="refresh_token",
        refresh_token=str(first["refresh_token"]),
    )
    assert refreshed["access_token"] != first["access_token"]
    assert refreshed["refresh_token"] != first["refresh_token"]
    reused = client.oauth_v2_access(
        client_id="111.222",
        client_secret="shh",
        grant_type="refresh_token",
        refresh_token=str(first["refresh_token"]),
    )
    assert (await refusal(reused))["error"] == "invalid_refresh_token"
    still = await client.auth_test(token=str(first["access_token"]))  # until it expires
    assert still["team_id"] == ALPHA.id

    clock.set(clock.now() + timedelta(hours=12))
    expired = client.auth_test(token=str(refreshed["access_token"]))
    assert (await refusal(expired))["error"] == "token_expired"


async def test_an_uninstall_stops_that_install_s_tokens_only(slack: SlackEmulator) -> None:
    alpha = await exchange(slack, team_id=ALPHA.id)
    beta = await exchange(slack, team_id=BETA.id)
    slack.uninstall(team_id=ALPHA.id)
    client = AsyncWebClient(base_url=slack.base_url)
    assert (await refusal(client.auth_test(token=str(alpha["access_token"]))))["error"] == (
        "invalid_auth"
    )
    assert (await client.auth_test(token=str(beta["access_token"])))["team_id"] == BETA.id


async def test_the_single_workspace_token_still_covers_everyone(slack: SlackEmulator) -> None:
    client = AsyncWebClient(token=slack.bot_token, base_url=slack.base_url)
    for user in (ANA, BEN, SOL):
        await client.chat_postMessage(channel=user.id, text="hi")
    assert {c.token for c in slack.calls("chat.postMessage")} == {slack.bot_token}


async def test_another_process_gets_an_approval_code_over_http(slack: SlackEmulator) -> None:
    origin = slack.base_url.removesuffix("/api/")
    async with aiohttp.ClientSession() as http:
        approved = await http.post(f"{origin}/_emulator/approvals", json={"team_id": SOLO.id})
        unknown = await http.post(f"{origin}/_emulator/approvals", json={"team_id": "T0NONE"})
        code = (await approved.json())["code"]
        assert unknown.status == 400
    client = AsyncWebClient(base_url=slack.base_url)
    answer = await client.oauth_v2_access(client_id="111.222", client_secret="shh", code=code)
    assert answer["team"]["id"] == SOLO.id
