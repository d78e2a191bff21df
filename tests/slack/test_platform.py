"""How coachbot behaves as a Slack app, through the real doors on both databases: nothing is sent
to a workspace that removed it (and what waited goes once it is back), a DM to the bot is
answered, a form Slack is too busy to open is said so at once, and Socket Mode works end to
end against the emulator."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from adapters.sandbox.slack_actor import slash_command
from adapters.slack.replies import HELP
from adapters.slack_emulator import Limit, RateLimits
from bot.clock import FixedClock
from tests.slack.conftest import USERS, People, seed
from tests.slack.test_session_flow import table
from tests.support.slack_world import SlackWorld, eventually, start_world

MONDAY_MORNING = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)
WorldFactory = Callable[..., Any]


@pytest.fixture
async def people(database_url: str) -> People:
    return await seed(database_url)


@pytest.fixture
async def worlds(database_url: str, people: People) -> AsyncIterator[WorldFactory]:
    closers = []

    async def started(**options: Any) -> SlackWorld:
        world, close = await start_world(database_url, USERS, **options)
        closers.append(close)
        return world

    yield started
    for close in closers:
        await close()


async def sweep_and_deliver(world: SlackWorld) -> None:
    assert world.coachbot.scheduler is not None
    [sweep] = [job for job in world.coachbot.scheduler.jobs if job.name == "nudge-sweep"]
    await sweep.run()
    await world.deliver()


async def workspace_installed(world: SlackWorld) -> bool | None:
    rows = await table(world, "workspace")
    return bool(rows[0]["installed"]) if rows else None


@pytest.mark.parametrize("removal", ["app_uninstalled", "tokens_revoked"])
async def test_nothing_goes_to_a_removed_workspace_and_it_all_goes_once_it_is_back(
    worlds: WorldFactory, removal: str
) -> None:
    clock = FixedClock(MONDAY_MORNING)
    world = await worlds(clock=clock)
    await world.event({"type": removal}, "Ev100")
    await world.settled()
    assert await workspace_installed(world) is False

    await sweep_and_deliver(world)  # Maya's reports are due a session: a nudge is planned
    clock.set(MONDAY_MORNING + timedelta(minutes=11))  # past the wait: looked at again
    await world.deliver()

    assert world.emulator.calls("chat.postMessage") == []
    waiting = await table(world, "outbox")
    assert waiting, "the sweep planned no nudge"
    assert {row["status"] for row in waiting} == {"pending"}
    assert {row["last_error"] for row in waiting} == {"undeliverable: uninstalled"}
    assert {row["attempts"] for row in waiting} == {0}  # waiting is not failing

    # Slack sends nothing from a workspace without the app: a request shows it is back
    await world.event({"type": "app_home_opened", "user": "U0ED", "tab": "home"}, "Ev101")
    await world.settled()
    assert await workspace_installed(world) is True
    await world.deliver()
    await world.deliver()

    [nudge] = world.emulator.messages_to("U0MAYA")
    assert "Ed Jones" in str(nudge) and "Zoe Adams" in str(nudge)
    assert {row["status"] for row in await table(world, "outbox")} == {"sent"}


async def test_a_late_removal_event_is_not_taken_for_the_app_being_back(
    worlds: WorldFactory,
) -> None:
    world = await worlds()
    await world.event({"type": "app_uninstalled"}, "Ev110")
    await world.settled()
    again = await world.event({"type": "tokens_revoked"}, "Ev111")
    assert again.status == 200
    await world.settled()
    assert await workspace_installed(world) is False


def dm(user: str, text: str, **extra: Any) -> dict[str, Any]:
    return {
        "type": "message",
        "channel_type": "im",
        "channel": "D" + user[1:],
        "user": user,
        "text": text,
        "ts": "1767000000.000100",
        **extra,
    }


async def test_a_dm_to_the_bot_is_answered_with_the_help_and_a_button_to_the_form(
    worlds: WorldFactory,
) -> None:
    world = await worlds()
    bot = world.emulator.bot_user_id
    ignored = [
        dm(bot, HELP, bot_id="B0EMULATED"),  # its own answer, as Slack echoes it
        dm("U0ED", "hello", subtype="message_changed"),
        dm("U0ED", "", subtype="message_deleted"),
        {**dm("U0ED", "in a channel"), "channel_type": "channel", "channel": "C0SALES"},
    ]
    for number, event in enumerate(ignored):
        assert (await world.event(event, f"Ev12{number}")).status == 200
    await world.event(dm("U0MAYA", "how do I log a session?"), "Ev130")

    [answer] = await eventually(lambda: world.emulator.messages_to("U0MAYA"))
    await world.settled()
    assert [c.args["channel"] for c in world.emulator.calls("chat.postMessage")] == ["U0MAYA"]
    assert answer["text"] == HELP
    [button] = [e for b in answer["blocks"] if b["type"] == "actions" for e in b["elements"]]

    await world.click("U0MAYA", button["action_id"], button["value"], message=answer)
    form = await world.opened_view("U0MAYA")
    assert form["title"]["text"] == "Log a coaching session"
    await world.click("U0KIM", button["action_id"], button["value"])
    record = await world.opened_view("U0KIM")
    assert record["title"]["text"] == "Your development"


async def test_a_busy_slack_is_said_at_once_instead_of_outliving_the_trigger(
    worlds: WorldFactory,
) -> None:
    world = await worlds(rate_limits=RateLimits(per_method={"views.open": Limit(1, 60.0)}))
    await world.slash("U0MAYA")
    await world.opened_view("U0MAYA")
    await world.slash("U0MAYA")

    [busy] = await eventually(lambda: world.emulator.ephemeral_to("U0MAYA"))
    assert busy["text"] == "Slack is busy, try /coaching again in a moment."
    await world.settled()
    # asked once each: a 429 is not retried after Retry-After (60 s) on a 3 s trigger
    assert [c.status for c in world.emulator.calls("views.open")] == [200, 429]


async def test_socket_mode_carries_a_slash_command_end_to_end(worlds: WorldFactory) -> None:
    world = await worlds(socket_mode=True)
    socket_mode = world.emulator.socket_mode
    trigger = world.emulator.new_trigger_id("U0MAYA")
    envelope = slash_command("/coaching", "U0MAYA", "<@U0ED|ed>", trigger)

    ack = await socket_mode.send("slash_commands", envelope)
    form = await world.opened_view("U0MAYA")
    assert form["title"]["text"] == "Log a coaching session"
    assert "Ed Jones" in str(form)

    help_ack = await socket_mode.send(
        "slash_commands",
        slash_command("/coaching", "U0ED", "help", world.emulator.new_trigger_id("U0ED")),
    )
    assert help_ack["payload"]["text"] == HELP

    [opened] = world.emulator.calls("apps.connections.open")
    assert opened.ok and opened.response["url"].startswith("ws://")
    kinds = [
        c.method
        for c in world.emulator.calls()
        if c.method.startswith("socket_mode_") or c.method == "apps.connections.open"
    ]
    assert kinds == [
        "apps.connections.open",
        "socket_mode_connect",
        "socket_mode_envelope",
        "socket_mode_ack",
        "socket_mode_envelope",
        "socket_mode_ack",
    ]
    envelopes = [c.args["envelope_id"] for c in world.emulator.calls("socket_mode_envelope")]
    acks = [c.args["envelope_id"] for c in world.emulator.calls("socket_mode_ack")]
    assert acks == envelopes and ack["envelope_id"] == envelopes[0]
