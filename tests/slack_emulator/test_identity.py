"""The token check, unknown methods, and who is who: auth.test, users.info, users.lookupByEmail."""

from __future__ import annotations

from datetime import UTC, datetime

import aiohttp
from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack_emulator import SlackEmulator, WorkspaceUser
from bot.clock import FixedClock
from tests.slack_emulator.conftest import EMPLOYEE, MANAGER, refusal


async def test_auth_test_names_the_bot_user(client: AsyncWebClient, slack: SlackEmulator) -> None:
    answer = await client.auth_test()

    assert answer["user_id"] == slack.bot_user_id
    assert answer["team_id"] == "T0EMULATED"


async def test_a_wrong_token_is_invalid_auth(slack: SlackEmulator) -> None:
    intruder = AsyncWebClient(token="xoxb-not-the-one", base_url=slack.base_url)

    answer = await refusal(intruder.users_info(user=MANAGER.id))

    assert answer["error"] == "invalid_auth"


async def test_no_token_is_not_authed(slack: SlackEmulator) -> None:
    anonymous = AsyncWebClient(token=None, base_url=slack.base_url)

    answer = await refusal(anonymous.auth_test())

    assert answer["error"] == "not_authed"


async def test_a_token_in_a_form_body_is_accepted(slack: SlackEmulator) -> None:
    async with (
        aiohttp.ClientSession() as http,
        http.post(
            f"{slack.base_url}users.info", data={"token": slack.bot_token, "user": "U0BEN"}
        ) as response,
    ):
        body = await response.json()

    assert body["ok"] is True
    assert body["user"]["profile"]["email"] == EMPLOYEE.email


async def test_an_unknown_method_is_refused(client: AsyncWebClient) -> None:
    answer = await refusal(client.api_call("chat.postMesage", json={"channel": "U0BEN"}))

    assert answer["error"] == "unknown_method"


async def test_users_info_gives_the_iana_zone_and_its_offset_now(
    client: AsyncWebClient, clock: FixedClock
) -> None:
    winter = (await client.users_info(user=EMPLOYEE.id))["user"]
    clock.set(datetime(2026, 7, 1, 12, 0, tzinfo=UTC))
    summer = (await client.users_info(user=EMPLOYEE.id))["user"]

    assert winter["tz"] == summer["tz"] == "America/New_York"
    assert (winter["tz_offset"], summer["tz_offset"]) == (-5 * 3600, -4 * 3600)


async def test_an_unknown_user_is_user_not_found(client: AsyncWebClient) -> None:
    answer = await refusal(client.users_info(user="U0NOBODY"))

    assert answer["error"] == "user_not_found"


async def test_a_deactivated_user_shows_as_deleted(client: AsyncWebClient) -> None:
    user = (await client.users_info(user="U0GONE"))["user"]

    assert user["deleted"] is True


async def test_lookup_by_email_finds_the_person_whatever_the_case(client: AsyncWebClient) -> None:
    user = (await client.users_lookupByEmail(email="Ana@Example.org"))["user"]

    assert user["id"] == MANAGER.id
    assert user["tz"] == "Europe/London"


async def test_lookup_by_email_does_not_find_strangers_or_leavers(client: AsyncWebClient) -> None:
    stranger = await refusal(client.users_lookupByEmail(email="who@example.org"))
    leaver = await refusal(client.users_lookupByEmail(email="gone@example.org"))

    assert stranger["error"] == leaver["error"] == "users_not_found"


async def test_people_can_join_the_workspace_later(
    client: AsyncWebClient, slack: SlackEmulator
) -> None:
    slack.add_user(WorkspaceUser("U0CAT", "cat@example.org", "Cat", tz="Asia/Tokyo"))

    user = (await client.users_lookupByEmail(email="cat@example.org"))["user"]

    assert (user["id"], user["tz_offset"]) == ("U0CAT", 9 * 3600)
