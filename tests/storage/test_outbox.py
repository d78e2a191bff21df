"""The outbox queue the dispatcher works from: claims, outcomes, listings, re-queueing."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncEngine

from bot.model import OutboxMessage, OutboxStatus
from storage.dispatch_queue import SqlDispatchQueue
from storage.unit_of_work import SqlUnitOfWork
from tests.storage.org import build_org

NOW = datetime(2026, 11, 20, 9, 30, tzinfo=UTC)


async def queue(engine: AsyncEngine, *messages: OutboxMessage) -> None:
    async with SqlUnitOfWork(engine) as uow:
        for message in messages:
            await uow.outbox.add(message)
        await uow.commit()


def message(key: str, recipient: int, not_before: datetime | None = None) -> OutboxMessage:
    return OutboxMessage(key, "session_due", "chat", {"text": "secret"}, recipient, not_before)


async def test_a_row_is_claimed_once_and_only_when_due(engine: AsyncEngine) -> None:
    org = await build_org(engine)
    await queue(
        engine,
        message("now", org.maya),
        message("later", org.maya, NOW + timedelta(hours=1)),
    )
    outbox = SqlDispatchQueue(engine)
    claimed = await outbox.claim_due(NOW, 10)
    assert [(entry.dedupe_key, entry.status, entry.attempts) for entry in claimed] == [
        ("now", OutboxStatus.SENDING, 1)
    ]
    assert await outbox.claim_due(NOW, 10) == []
    assert [entry.dedupe_key for entry in await outbox.claim_due(NOW + timedelta(hours=1), 10)] == [
        "later"
    ]


async def test_two_dispatchers_never_claim_the_same_row(engine: AsyncEngine) -> None:
    org = await build_org(engine)
    await queue(engine, *(message(f"m{n}", org.ed) for n in range(30)))
    outbox = SqlDispatchQueue(engine)
    first, second = await asyncio.gather(outbox.claim_due(NOW, 20), outbox.claim_due(NOW, 20))
    keys = [entry.dedupe_key for entry in first + second]
    assert len(keys) == len(set(keys)) == 30


async def test_outcomes_are_recorded_and_failed_rows_can_be_requeued(engine: AsyncEngine) -> None:
    org = await build_org(engine)
    await queue(engine, message("sent", org.ed), message("busy", org.ed), message("gone", org.ed))
    outbox = SqlDispatchQueue(engine)
    sent, busy, gone = await outbox.claim_due(NOW, 10)
    await outbox.mark_all_sent([sent.id], "1700000000.0001", NOW)
    await outbox.retry_later(busy.id, NOW + timedelta(seconds=30), "rate limited")
    await outbox.mark_failed(gone.id, "user_not_found")

    pending = await outbox.pending()
    assert [(e.dedupe_key, e.status, e.last_error) for e in pending] == [
        ("busy", OutboxStatus.PENDING, "rate limited")
    ]
    assert await outbox.claim_due(NOW, 10) == []
    [retried] = await outbox.claim_due(NOW + timedelta(seconds=30), 10)
    assert retried.dedupe_key == "busy"
    assert retried.attempts == 2

    [failed] = await outbox.failed()
    assert (failed.dedupe_key, failed.last_error) == ("gone", "user_not_found")
    assert await outbox.requeue(failed.id, NOW) is True
    assert await outbox.requeue(sent.id, NOW) is False  # a sent message is never sent again
    assert await outbox.requeue(999_999, NOW) is False
    assert [entry.dedupe_key for entry in await outbox.claim_due(NOW, 10)] == ["gone"]


async def test_a_claimed_row_left_unmarked_is_listed_as_pending_in_doubt(
    engine: AsyncEngine,
) -> None:
    org = await build_org(engine)
    await queue(engine, message("crash", org.ed))
    outbox = SqlDispatchQueue(engine)
    [claimed] = await outbox.claim_due(NOW, 1)
    [listed] = await outbox.pending()
    assert listed.id == claimed.id
    assert listed.status is OutboxStatus.SENDING
    assert await outbox.requeue(claimed.id, NOW) is True
    assert [entry.id for entry in await outbox.claim_due(NOW, 1)] == [claimed.id]
