"""The outbox as the dispatcher and the operator's tools use it (`bot.ports.DeliveryQueue`):
claim rows due now, mark them sent / failed / retry later, list and re-queue them."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import or_, select, update
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.model import OutboxStatus
from bot.ports import DeliveryQueue, OutboxEntry
from storage.repositories import OUTBOX, value_from_row

MAX_ERROR_LENGTH = 1000


def entry_from_row(row: Mapping[Any, Any]) -> OutboxEntry:
    return value_from_row(
        OutboxEntry, row, payload=dict(row["payload"]), status=OutboxStatus(row["status"])
    )


class SqlDeliveryQueue:
    """Implements `bot.ports.DeliveryQueue`; every call is one short transaction of its own."""

    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine

    async def claim_due(self, now: datetime, limit: int) -> list[OutboxEntry]:
        """One UPDATE ... RETURNING over the oldest due rows: on PostgreSQL the inner SELECT
        skips rows another dispatcher holds (`FOR UPDATE SKIP LOCKED`); SQLite has one writer
        at a time, so the statement is atomic there as it is. Each claim counts an attempt."""
        due = (
            select(OUTBOX.c.id)
            .where(OUTBOX.c.status == OutboxStatus.PENDING.value)
            .where(or_(OUTBOX.c.not_before.is_(None), OUTBOX.c.not_before <= now))
            .order_by(OUTBOX.c.id)
            .limit(limit)
            .with_for_update(skip_locked=True)
            .scalar_subquery()
        )
        claim = (
            update(OUTBOX)
            .where(OUTBOX.c.id.in_(due), OUTBOX.c.status == OutboxStatus.PENDING.value)
            .values(
                status=OutboxStatus.SENDING.value,
                claimed_at=now,
                attempts=OUTBOX.c.attempts + 1,
            )
            .returning(*OUTBOX.columns)
        )
        async with self._engine.begin() as connection:
            rows = (await connection.execute(claim)).mappings().all()
        return sorted((entry_from_row(row) for row in rows), key=lambda entry: entry.id)

    async def _set(self, entry_id: int, **values: Any) -> int:
        async with self._engine.begin() as connection:
            result = await connection.execute(
                update(OUTBOX).where(OUTBOX.c.id == entry_id).values(**values)
            )
        return result.rowcount

    async def mark_sent(self, entry_id: int, message_ref: str | None, now: datetime) -> None:
        await self._set(
            entry_id,
            status=OutboxStatus.SENT.value,
            sent_at=now,
            message_ref=message_ref,
            last_error=None,
        )

    async def mark_failed(self, entry_id: int, error: str) -> None:
        await self._set(
            entry_id, status=OutboxStatus.FAILED.value, last_error=error[:MAX_ERROR_LENGTH]
        )

    async def retry_later(self, entry_id: int, not_before: datetime, error: str) -> None:
        await self._set(
            entry_id,
            status=OutboxStatus.PENDING.value,
            not_before=not_before,
            last_error=error[:MAX_ERROR_LENGTH],
        )

    async def _listed(self, *statuses: OutboxStatus) -> list[OutboxEntry]:
        query = (
            select(OUTBOX)
            .where(OUTBOX.c.status.in_([status.value for status in statuses]))
            .order_by(OUTBOX.c.id)
        )
        async with self._engine.connect() as connection:
            rows = (await connection.execute(query)).mappings().all()
        return [entry_from_row(row) for row in rows]

    async def pending(self) -> list[OutboxEntry]:
        """Rows waiting to go, and rows claimed but not yet marked (in doubt after a crash)."""
        return await self._listed(OutboxStatus.PENDING, OutboxStatus.SENDING)

    async def failed(self) -> list[OutboxEntry]:
        return await self._listed(OutboxStatus.FAILED)

    async def requeue(self, entry_id: int, now: datetime) -> bool:
        """Failed or in-doubt rows go back to pending, due at once; sent rows stay sent."""
        async with self._engine.begin() as connection:
            result = await connection.execute(
                update(OUTBOX)
                .where(
                    OUTBOX.c.id == entry_id,
                    OUTBOX.c.status.in_([OutboxStatus.FAILED.value, OutboxStatus.SENDING.value]),
                )
                .values(status=OutboxStatus.PENDING.value, not_before=now)
            )
        return bool(result.rowcount)


def delivery_queue(engine: AsyncEngine) -> DeliveryQueue:
    """The outbox queue on `engine`, as the dispatcher holds it."""
    return SqlDeliveryQueue(engine)
