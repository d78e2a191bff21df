"""The hardened dispatcher: exactly once across replicas, rows in doubt after a crash resolved
before any resend, Slack's rate limits honoured, permanent and transient errors told apart."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest
from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack.messenger import SlackMessenger
from adapters.slack_emulator import RateLimits, SlackEmulator, WorkspaceUser
from bot.messages import compose
from bot.model import OutboxMessage
from bot.ports import ChatAddress, Messenger
from scheduler.outbox import OutboxDispatcher
from storage.db import create_engine
from storage.dispatch_queue import SqlDispatchQueue
from storage.repositories import SqlOutbox
from storage.unit_of_work import unit_of_work_factory
from tests.scheduler.conftest import World, at, make_world, unpaced
from tests.support.databases import PostgresFactory


def saved(number: int) -> dict[str, object]:
    return {
        "employee_name": f"Report {number}",
        "held_on": "2026-03-02",
        "next_due_on": "2026-04-02",
    }


async def queue_saved(world: World, recipient: int, number: int) -> None:
    async with world.engine.begin() as db:
        await SqlOutbox(db, world.clock.now()).add(
            OutboxMessage(f"saved:{number}", "session_saved", "chat", saved(number), recipient)
        )


def keys_received(emulator: SlackEmulator) -> list[str]:
    return [
        call.args["metadata"]["event_payload"]["key"] for call in emulator.calls("chat.postMessage")
    ]


@pytest.fixture
def postgresql_url(postgres_factory: PostgresFactory) -> str:
    return postgres_factory.fresh()


async def test_two_dispatchers_on_postgresql_send_1000_rows_exactly_once(
    postgresql_url: str,
) -> None:
    world, close = await make_world(postgresql_url)
    replica_engine = create_engine(world.engine.url.render_as_string(hide_password=False))
    try:
        people = [await world.person(f"Person{n:03d} Smith") for n in range(100)]
        for number in range(1000):
            await queue_saved(world, people[number % 100], number)
        messengers: dict[str, Messenger] = {"slack": world.dispatcher.messengers["slack"]}
        replica = OutboxDispatcher(
            SqlDispatchQueue(replica_engine),
            unit_of_work_factory(replica_engine),
            messengers,
            world.clock,
            pacer=unpaced(),
            batch=25,
        )
        world.dispatcher.batch = 25
        stop = asyncio.Event()
        tasks = [asyncio.create_task(d.run(stop)) for d in (world.dispatcher, replica)]
        for _ in range(600):
            if all(row["status"] == "sent" for row in await world.outbox()):
                break
            await asyncio.sleep(0.1)
        stop.set()
        await asyncio.gather(*tasks)
        keys = keys_received(world.emulator)
        assert len(keys) == 1000
        assert sorted(keys) == sorted(f"saved:{n}" for n in range(1000))
        assert {row["status"] for row in await world.outbox()} == {"sent"}
    finally:
        await replica_engine.dispose()
        await close()


async def _crash_after_claim(world: World, *, sent: bool) -> None:
    """What a dispatcher killed between sending and marking leaves behind: the row claimed
    (`sending`) and, if `sent`, the message in Slack."""
    [entry] = await world.queue.claim_due(world.clock.now(), 10)
    if sent:
        address = ChatAddress("slack", world.slack_ids[entry.recipient_id or 0])
        reply = compose(
            entry.kind, entry.payload, ref=entry.dedupe_key, today=world.clock.now().date()
        )
        await world.dispatcher.messengers["slack"].send(address, reply)


async def test_a_row_sent_before_a_crash_is_marked_sent_not_resent(both_world: World) -> None:
    world = both_world
    maya = await world.person("Maya Patel")
    await queue_saved(world, maya, 1)
    await _crash_after_claim(world, sent=True)
    assert len(world.messages_to(maya)) == 1
    await world.deliver()  # within the lease: the row is not touched
    [row] = await world.outbox()
    assert row["status"] == "sending"
    world.clock.set(world.clock.now() + timedelta(seconds=61))
    await world.deliver()
    [row] = await world.outbox()
    assert row["status"] == "sent"
    assert len(world.messages_to(maya)) == 1
    assert len(world.emulator.calls("conversations.history")) == 1


async def test_a_row_claimed_but_never_sent_is_sent_once_after_the_check(
    both_world: World,
) -> None:
    world = both_world
    maya = await world.person("Maya Patel")
    await queue_saved(world, maya, 1)
    await _crash_after_claim(world, sent=False)
    world.clock.set(world.clock.now() + timedelta(seconds=61))
    await world.deliver()
    await world.deliver()
    [row] = await world.outbox()
    assert row["status"] == "sent"
    assert [m["text"] for m in world.messages_to(maya)] == [
        "Saved your session with Report 1 of 2 March."
    ]
    assert len(world.emulator.calls("conversations.history")) == 1


async def test_a_permanent_error_fails_the_row_without_retrying(world: World) -> None:
    maya = await world.person("Maya Patel")
    await queue_saved(world, maya, 1)
    world.emulator.deactivate_user(world.slack_ids[maya])
    await world.deliver()
    world.clock.set(world.clock.now() + timedelta(hours=1))
    await world.deliver()
    [row] = await world.outbox()
    assert (row["status"], row["last_error"]) == ("failed", "undeliverable: account_inactive")
    assert len(world.emulator.calls("chat.postMessage")) == 1


async def test_a_transient_error_backs_off_then_gives_up(world: World) -> None:
    maya = await world.person("Maya Patel")
    await queue_saved(world, maya, 1)
    client = AsyncWebClient(token="xoxb-x", base_url="http://127.0.0.1:9/api/")  # nobody there
    world.dispatcher.messengers = {"slack": SlackMessenger(client)}
    world.dispatcher.max_attempts = 3
    start = world.clock.now()
    await world.deliver()
    [row] = await world.outbox()
    assert row["status"] == "pending" and row["last_error"].startswith("connection:")
    assert row["not_before"] >= start + timedelta(seconds=10)
    for _ in range(3):
        world.clock.set(world.clock.now() + timedelta(minutes=10))
        await world.deliver()
    [row] = await world.outbox()
    assert row["status"] == "failed"
    assert row["last_error"].startswith("gave up after 3 tries: connection:")


async def test_rate_limits_are_honoured_and_nothing_is_lost(world: World) -> None:
    limited = SlackEmulator(rate_limits=RateLimits(chat_post_per_second=5))
    await limited.start()
    try:
        people = [await world.person(f"Person{n:02d} Lee") for n in range(15)]
        for person in people:
            limited.add_user(WorkspaceUser(world.slack_ids[person], f"p{person}@x.org", "P"))
            await queue_saved(world, person, person)
        client = AsyncWebClient(token=limited.bot_token, base_url=limited.base_url)
        world.dispatcher.messengers = {"slack": SlackMessenger(client)}
        for _ in range(50):
            await world.deliver()
            if {row["status"] for row in await world.outbox()} == {"sent"}:
                break
            world.clock.set(world.clock.now() + timedelta(seconds=5))
        assert {row["status"] for row in await world.outbox()} == {"sent"}
        posts = limited.calls("chat.postMessage")
        assert any(call.status == 429 for call in posts)  # the limit was hit ...
        delivered = [c for c in posts if c.status == 200]
        assert len(delivered) == 15  # ... and every message still went exactly once
    finally:
        await limited.close()


async def test_undeliverable_and_sent_rows_are_never_composed_again(world: World) -> None:
    maya = await world.person("Maya Patel")
    await queue_saved(world, maya, 1)
    await world.deliver()
    await world.deliver()
    assert len(world.messages_to(maya)) == 1
    assert at("2026-01-05T08:00+00:00") == world.clock.now()
