"""Installed through OAuth, once per workspace or once for a whole Enterprise Grid org: the
install pages, Bolt's code exchange, each DM through the installation covering its recipient,
uninstall of one workspace leaving the others running, token rotation, tokens encrypted."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select, text

from adapters.slack_emulator import Team, WorkspaceUser
from bot.clock import FixedClock
from bot.messages import compose
from bot.ports import ChatAddress
from storage.tables import metadata
from tests.slack.conftest import People, seed
from tests.slack.test_report import more_reports
from tests.slack.test_session_flow import GOOD
from tests.support.slack_world import (
    ENCRYPTION_KEY,
    SlackWorld,
    eventually,
    install_link,
    start_oauth_world,
)

ALPHA = Team("T0ALPHA", "Alpha", "E0GRID", "Grid Org")
BETA = Team("T0BETA", "Beta", "E0GRID", "Grid Org")
SOLO = Team("T0SOLO", "Solo")
GAMMA = Team("T0GAMMA", "Gamma")
USERS = [
    WorkspaceUser("W0MAYA", "maya@example.org", "Maya Patel", team_id=ALPHA.id),
    WorkspaceUser("W0ED", "ed@example.org", "Ed Jones", team_id=BETA.id),
    WorkspaceUser("W0ZOE", "zoe@example.org", "Zoe Adams", team_id=ALPHA.id),
    WorkspaceUser("U0OLU", "olu@example.org", "Olu Bello", team_id=SOLO.id),
    WorkspaceUser("U0KIM", "kim@example.org", "Kim Lee", team_id=GAMMA.id),
    WorkspaceUser("U0DANA", "dana@example.org", "Dana Okafor", team_id=GAMMA.id),
]
WorldFactory = Callable[..., Any]


@pytest.fixture
async def worlds(sqlite_url: str) -> AsyncIterator[WorldFactory]:
    closers = []
    await seed(sqlite_url)

    async def start(**options: Any) -> SlackWorld:
        world, close = await start_oauth_world(
            sqlite_url, USERS, [ALPHA, BETA, SOLO, GAMMA], **options
        )
        closers.append(close)
        return world

    yield start
    for close in closers:
        await close()


async def table(world: SlackWorld, name: str) -> list[dict[str, Any]]:
    async with world.coachbot.engine.connect() as connection:
        result = await connection.execute(select(metadata.tables[name]))
        return [dict(row) for row in result.mappings()]


async def log_session(world: SlackWorld, manager: str, employee: str) -> None:
    """The manager opens /coaching about the employee and submits the form."""
    assert (await world.slash(manager, f"<@{employee}|someone>")).status == 200
    view = await world.opened_view(manager)
    assert (await world.submit(manager, view, GOOD)) == {"response_action": "clear"}
    await world.settled()


def tokens_of_dms_to(world: SlackWorld, user_id: str) -> list[str | None]:
    return [
        call.token
        for call in world.emulator.calls("chat.postMessage")
        if call.args.get("channel") == user_id and call.ok
    ]


async def test_the_install_page_links_to_slack_with_the_client_id_and_a_fresh_state(
    worlds: WorldFactory,
) -> None:
    world = await worlds()
    first = await world.http.get(f"{world.url}/slack/install")
    second = await world.http.get(f"{world.url}/slack/install")
    assert first.status == 200
    links = [install_link(await page.text()) for page in (first, second)]
    assert {link["client_id"][0] for link in links} == {"111.222"}
    assert "chat:write" in links[0]["scope"][0].split(",")
    assert links[0]["state"] != links[1]["state"]
    assert links[0]["state"][0] in first.headers["Set-Cookie"]


async def test_two_workspaces_install_and_each_dm_goes_through_its_own_token(
    worlds: WorldFactory,
) -> None:
    world = await worlds()
    for team, admin in ((SOLO, "U0OLU"), (GAMMA, "U0KIM")):
        done = await world.install(team_id=team.id, installer=admin)
        assert done.status == 200
    exchanged = world.emulator.calls("oauth.v2.access")
    assert [call.ok for call in exchanged] == [True, True]
    rows = await table(world, "slack_installation")
    assert sorted(row["team_id"] for row in rows) == [GAMMA.id, SOLO.id]
    solo_token, gamma_token = (str(call.response["access_token"]) for call in exchanged)

    olu = world.in_workspace(SOLO.id)
    await log_session(olu, "U0OLU", "U0KIM")
    await world.deliver()

    [dm] = world.emulator.messages_to("U0KIM")
    assert dm["text"].startswith("Olu Bello logged your coaching session")
    assert tokens_of_dms_to(world, "U0KIM") == [gamma_token]
    assert set(tokens_of_dms_to(world, "U0OLU")) == {solo_token}
    assert {c.token for c in world.emulator.calls("views.open")} == {solo_token}


async def test_an_org_wide_grid_install_reaches_a_report_in_another_workspace(
    worlds: WorldFactory,
) -> None:
    world = await worlds()
    done = await world.install(enterprise_id="E0GRID", installer="W0MAYA")
    assert done.status == 200
    [row] = await table(world, "slack_installation")
    assert row["is_enterprise_install"] and row["team_id"] is None
    [exchange] = world.emulator.calls("oauth.v2.access")
    org_token = str(exchange.response["access_token"])

    maya = world.in_workspace(ALPHA.id, "E0GRID", org_wide=True)
    await log_session(maya, "W0MAYA", "W0ED")
    await world.deliver()

    [dm] = world.emulator.messages_to("W0ED")
    assert "Maya Patel logged your coaching session" in dm["text"]
    assert tokens_of_dms_to(world, "W0ED") == [org_token]
    assert set(tokens_of_dms_to(world, "W0MAYA")) == {org_token}


async def test_uninstalling_one_workspace_deletes_its_tokens_and_holds_its_messages_only(
    worlds: WorldFactory,
) -> None:
    world = await worlds()
    await world.install(team_id=SOLO.id, installer="U0OLU")
    await world.install(team_id=GAMMA.id, installer="U0KIM")
    olu = world.in_workspace(SOLO.id)
    await log_session(olu, "U0OLU", "U0KIM")  # a DM for Kim (Gamma), one for Olu (Solo)

    world.emulator.uninstall(team_id=SOLO.id)
    assert (await olu.event({"type": "app_uninstalled"}, "Ev1")).status == 200
    await world.settled()
    assert [row["team_id"] for row in await table(world, "slack_installation")] == [GAMMA.id]
    await world.deliver()

    assert len(world.emulator.messages_to("U0KIM")) == 1  # Gamma goes on
    assert world.emulator.messages_to("U0OLU") == []
    waiting = [row for row in await table(world, "outbox") if row["status"] == "pending"]
    assert waiting and {row["last_error"] for row in waiting} == {"undeliverable: uninstalled"}

    # Solo adds the app again: what waited for it goes out through its new token
    await world.install(team_id=SOLO.id, installer="U0OLU")
    await world.deliver()
    [confirmation] = world.emulator.messages_to("U0OLU")
    assert "Saved your session with Kim Lee" in confirmation["text"]
    new_solo = str(world.emulator.calls("oauth.v2.access")[-1].response["access_token"])
    assert tokens_of_dms_to(world, "U0OLU") == [new_solo]


async def test_a_token_about_to_expire_is_refreshed_before_it_is_used(
    worlds: WorldFactory,
) -> None:
    # tokens live an hour; coachbot refreshes any that expires within two
    world = await worlds(token_lifetime=timedelta(hours=1))
    await world.install(team_id=GAMMA.id, installer="U0KIM")
    await world.install(team_id=SOLO.id, installer="U0OLU")
    installed = {
        str(call.response["team"]["id"]): str(call.response["access_token"])
        for call in world.emulator.calls("oauth.v2.access")
    }

    olu = world.in_workspace(SOLO.id)
    await log_session(olu, "U0OLU", "U0KIM")
    await world.deliver()

    refreshes = [c for c in world.emulator.calls("oauth.v2.access") if c.args.get("grant_type")]
    assert refreshes and all(c.ok for c in refreshes)
    [gamma_used] = tokens_of_dms_to(world, "U0KIM")
    assert gamma_used != installed[GAMMA.id]  # not the token that was about to expire
    refreshed = {str(c.response["access_token"]) for c in refreshes}
    assert gamma_used in refreshed
    # refreshed before it expired: the installed token still worked when it was replaced
    assert installed[GAMMA.id] in world.emulator.tokens()
    # the request itself (Bolt's authorize) was answered with a refreshed token too
    [form] = world.emulator.calls("views.open")
    assert form.token in refreshed and form.token != installed[SOLO.id]


async def test_a_token_far_from_expiry_is_used_as_it_is(worlds: WorldFactory) -> None:
    world = await worlds(token_lifetime=timedelta(hours=12))
    await world.install(team_id=SOLO.id, installer="U0OLU")
    await world.install(team_id=GAMMA.id, installer="U0KIM")
    await log_session(world.in_workspace(SOLO.id), "U0OLU", "U0KIM")
    await world.deliver()
    assert [c.args.get("grant_type") for c in world.emulator.calls("oauth.v2.access")] == [
        None,
        None,
    ]
    assert tokens_of_dms_to(world, "U0KIM") == [
        str(world.emulator.calls("oauth.v2.access")[1].response["access_token"])
    ]


async def test_no_token_is_readable_in_the_database(worlds: WorldFactory) -> None:
    world = await worlds(token_lifetime=timedelta(hours=12))
    await world.install(team_id=SOLO.id, installer="U0OLU")
    await world.install(enterprise_id="E0GRID", installer="W0MAYA")
    secrets = [
        str(call.response[key])
        for call in world.emulator.calls("oauth.v2.access")
        for key in ("access_token", "refresh_token")
    ]
    async with world.coachbot.engine.connect() as connection:
        rows = (await connection.execute(text("SELECT * FROM slack_installation"))).all()
    dumped = repr([tuple(row) for row in rows])
    assert len(rows) == 2
    for secret in secrets:
        assert secret not in dumped
    assert ENCRYPTION_KEY not in dumped


async def test_a_forged_or_reused_state_is_refused_with_a_plain_page(
    worlds: WorldFactory,
) -> None:
    world = await worlds()
    code = world.emulator.approve_install(team_id=SOLO.id)
    forged = await world.redirect(code, "forged-state", "slack-app-oauth-state=forged-state")
    assert forged.status == 400
    assert forged.headers["Content-Type"].startswith("text/plain")
    assert "expired or was already used" in await forged.text()

    page = await world.http.get(f"{world.url}/slack/install")
    state = install_link(await page.text())["state"][0]
    cookie = page.headers["Set-Cookie"].split(";")[0]
    assert (await world.redirect(code, state, cookie)).status == 200
    again = await world.redirect(world.emulator.approve_install(team_id=GAMMA.id), state, cookie)
    assert again.status == 400
    assert "expired or was already used" in await again.text()

    assert [row["team_id"] for row in await table(world, "slack_installation")] == [SOLO.id]
    assert len(world.emulator.calls("oauth.v2.access")) == 1  # no code exchanged for a forgery


async def test_a_request_from_a_workspace_without_the_app_gets_no_form(
    worlds: WorldFactory,
) -> None:
    world = await worlds()
    await world.install(team_id=GAMMA.id, installer="U0KIM")
    solo = world.in_workspace(SOLO.id)
    response = await solo.actor.slash(
        "U0OLU",
        world.emulator.new_trigger_id("U0OLU"),
        response_url=world.emulator.new_response_url("U0OLU", "DOLU"),
    )
    assert response.status == 200
    [told] = world.emulator.ephemeral_to("U0OLU")
    assert "reinstall this app" in told["text"]  # Bolt's own words
    assert world.emulator.calls("views.open") == []


@pytest.mark.parametrize(
    "query",
    [
        {},
        {"error": "access_denied", "state": "s"},
        {"code": "made-up"},
        {"state": "s"},
        {"code": "made-up", "state": "s" * 5000},
        {"code": ["a", "b"], "state": ["s", "t"]},
        {"error": "<script>alert(1)</script>\nforged log line", "state": "s"},
        {"error": "x" * 5000, "state": "s"},
    ],
)
async def test_whatever_comes_back_to_the_redirect_gets_a_plain_refusal_never_a_5xx(
    worlds: WorldFactory, query: dict[str, Any]
) -> None:
    world = await worlds()
    pairs = [(k, v) for k, vs in query.items() for v in ([vs] if isinstance(vs, str) else vs)]
    response = await world.http.get(
        f"{world.url}/slack/oauth_redirect",
        params=pairs,
        headers={"Cookie": "slack-app-oauth-state=s"},
    )
    assert 400 <= response.status < 500
    assert response.headers["Content-Type"].startswith("text/plain")
    said = await response.text()
    assert "<script>" not in said and len(said) < 200
    assert await table(world, "slack_installation") == []
    assert world.emulator.calls("oauth.v2.access") == []


async def test_an_admin_who_declines_is_told_the_app_was_not_installed(
    worlds: WorldFactory,
) -> None:
    world = await worlds()
    page = await world.http.get(f"{world.url}/slack/install")
    state = install_link(await page.text())["state"][0]
    response = await world.http.get(
        f"{world.url}/slack/oauth_redirect",
        params={"error": "access_denied", "state": state},
        headers={"Cookie": page.headers["Set-Cookie"].split(";")[0]},
    )
    assert response.status == 400
    assert await response.text() == "The app was not installed: Slack said access_denied."


async def test_a_dm_left_in_doubt_is_looked_for_through_its_person_s_installation(
    worlds: WorldFactory,
) -> None:
    clock = FixedClock(datetime.now(UTC))
    world = await worlds(clock=clock)
    await world.install(team_id=SOLO.id, installer="U0OLU")
    await world.install(team_id=GAMMA.id, installer="U0KIM")
    await log_session(world.in_workspace(SOLO.id), "U0OLU", "U0KIM")
    # a dispatcher claims both rows, sends Kim's and dies before marking anything
    queue = world.coachbot.dispatcher.queue
    claimed = await queue.claim_due(clock.now(), 10)
    [kims] = [e for e in claimed if e.kind == "session_logged"]
    reply = compose(kims.kind, kims.payload, ref=kims.dedupe_key, today=clock.now().date())
    await world.coachbot.messengers["slack"].send(ChatAddress("slack", "U0KIM"), reply)
    gamma_token = tokens_of_dms_to(world, "U0KIM")[0]

    clock.set(clock.now() + timedelta(seconds=61))
    await world.deliver()
    await world.deliver()

    assert len(world.emulator.messages_to("U0KIM")) == 1  # found, not sent again
    assert len(world.emulator.messages_to("U0OLU")) == 1  # never sent: sent now
    looked = {c.args["channel"]: c.token for c in world.emulator.calls("conversations.history")}
    assert looked == {
        world.emulator.dm_channel_id("U0KIM"): gamma_token,
        world.emulator.dm_channel_id("U0OLU"): tokens_of_dms_to(world, "U0OLU")[0],
    }
    assert looked[world.emulator.dm_channel_id("U0OLU")] != gamma_token
    assert {row["status"] for row in await table(world, "outbox")} == {"sent"}


async def test_removing_an_org_wide_install_holds_every_workspace_of_the_org_only(
    worlds: WorldFactory,
) -> None:
    world = await worlds()
    await world.install(enterprise_id="E0GRID", installer="W0MAYA")
    await world.install(team_id=GAMMA.id, installer="U0KIM")
    maya = world.in_workspace(ALPHA.id, "E0GRID", org_wide=True)
    await log_session(maya, "W0MAYA", "W0ED")

    world.emulator.uninstall(enterprise_id="E0GRID")
    assert (await maya.event({"type": "app_uninstalled"}, "Ev1")).status == 200
    await world.settled()
    assert [row["team_id"] for row in await table(world, "slack_installation")] == [GAMMA.id]
    await world.deliver()

    assert world.emulator.messages_to("W0ED") == []
    assert world.emulator.messages_to("W0MAYA") == []
    statuses = {(row["status"], row["last_error"]) for row in await table(world, "outbox")}
    assert statuses == {("pending", "undeliverable: uninstalled")}


async def test_a_token_slack_no_longer_takes_holds_its_messages_before_any_event_says_why(
    worlds: WorldFactory,
) -> None:
    world = await worlds()
    await world.install(team_id=SOLO.id, installer="U0OLU")
    await world.install(team_id=GAMMA.id, installer="U0KIM")
    await log_session(world.in_workspace(SOLO.id), "U0OLU", "U0KIM")
    world.emulator.uninstall(team_id=GAMMA.id)  # its app_uninstalled event is still on its way

    await world.deliver()

    assert world.emulator.messages_to("U0KIM") == []
    assert len(world.emulator.messages_to("U0OLU")) == 1
    rows = {row["recipient_id"]: row for row in await table(world, "outbox")}
    assert sorted((row["status"], row["last_error"]) for row in rows.values()) == [
        ("pending", "undeliverable: uninstalled"),
        ("sent", None),
    ]


async def test_each_home_tab_is_published_through_its_own_workspace_s_installation(
    worlds: WorldFactory,
) -> None:
    world = await worlds()
    await world.install(team_id=SOLO.id, installer="U0OLU")
    await world.install(team_id=GAMMA.id, installer="U0KIM")
    tokens = {
        str(c.response["team"]["id"]): c.response["access_token"]
        for c in world.emulator.calls("oauth.v2.access")
    }
    for team, user, event_id in ((SOLO, "U0OLU", "Ev1"), (GAMMA, "U0KIM", "Ev2")):
        opened = {"type": "app_home_opened", "user": user, "tab": "home"}
        assert (await world.in_workspace(team.id).event(opened, event_id)).status == 200
    await world.settled()

    published = {c.args["user_id"]: c.token for c in world.emulator.calls("views.publish")}
    assert published == {"U0OLU": tokens[SOLO.id], "U0KIM": tokens[GAMMA.id]}
    assert world.emulator.last_view_published("U0KIM") is not None


async def test_a_report_s_files_go_through_the_installation_of_the_admin_who_asked(
    worlds: WorldFactory,
) -> None:
    world = await worlds()
    await world.install(enterprise_id="E0GRID", installer="W0MAYA")
    await world.install(team_id=GAMMA.id, installer="U0DANA")
    gamma_token = world.emulator.calls("oauth.v2.access")[1].response["access_token"]
    ids = {row["email"].split("@")[0]: row["id"] for row in await table(world, "person")}
    people = People(ids["maya"], ids["ed"], ids["zoe"], ids["olu"], ids["kim"])
    await more_reports(world, people)
    await log_session(world.in_workspace(ALPHA.id, "E0GRID", org_wide=True), "W0MAYA", "W0ED")

    dana = world.in_workspace(GAMMA.id)
    response = await dana.slash("U0DANA", "department Sales 30d", command="/coaching-report")
    assert response.status == 200
    await eventually(lambda: len([f for f in world.emulator.uploaded_files() if f["content"]]) == 2)
    await world.settled()
    file_calls = [
        c
        for c in world.emulator.calls()
        if c.method in ("files.getUploadURLExternal", "files.completeUploadExternal")
    ]
    assert file_calls and {c.token for c in file_calls} == {gamma_token}


async def test_an_uninstall_from_single_token_days_holds_nothing_once_installed_through_oauth(
    worlds: WorldFactory,
) -> None:
    world = await worlds()
    async with world.coachbot.engine.begin() as connection:  # the workspace left behind
        await connection.execute(
            metadata.tables["workspace"]
            .insert()
            .values(id="T0OLD", platform="slack", installed=False, changed_at=datetime.now(UTC))
        )
    for team, admin in ((SOLO, "U0OLU"), (GAMMA, "U0KIM")):
        assert (await world.install(team_id=team.id, installer=admin)).status == 200
    olu = world.in_workspace(SOLO.id)
    await log_session(olu, "U0OLU", "U0KIM")
    await world.deliver()
    [dm] = world.emulator.messages_to("U0KIM")
    assert dm["text"].startswith("Olu Bello logged your coaching session")
