"""The outbox as the dispatcher and the operator's tools use it (`bot.ports.DispatchQueue`): a
recipient's nudges of one window claimed together, rows left in doubt by a crash taken over,
rows marked sent, failed, retried later or dropped; listings and re-queueing. Replicas on
PostgreSQL claim one after another."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, datetime
from typing import Any

from sqlalchemy import func, or_, select, text, tuple_, update
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from bot.model import OutboxStatus
from bot.nudges import NudgeKind
from bot.ports import InDoubtEntry, OutboxEntry
from storage.repositories import OUTBOX, SESSION, chunks, value_from_row
from storage.workspaces import UNINSTALLED, platform_installed

CLAIM_LOCK = 0x636F6163
"""PostgreSQL advisory lock taken by every claim, so that replicas claim one after another (a
short transaction): a recipient's nudges of one window are never split between two of them."""


MAX_ERROR_LENGTH = 1000


def entry_from_row(row: Mapping[Any, Any]) -> OutboxEntry:
    return value_from_row(
        OutboxEntry, row, payload=dict(row["payload"]), status=OutboxStatus(row["status"])
    )


class SqlDispatchQueue:
    """Implements `bot.ports.DispatchQueue`; every call is one short transaction of its own."""

    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine

    async def installed(self, platform: str) -> bool:
        async with self._engine.connect() as db:
            return await platform_installed(db, platform)

    async def wait_for_reinstall(self, entry_ids: Sequence[int], not_before: datetime) -> None:
        """Back to pending as `undeliverable: uninstalled`; the claim is not counted as a try
        (waiting for a workspace is not failing to reach it)."""
        async with self._engine.begin() as db:
            for chunk_ids in chunks(sorted(entry_ids)):
                await db.execute(
                    update(OUTBOX)
                    .where(OUTBOX.c.id.in_(chunk_ids))
                    .values(
                        status=OutboxStatus.PENDING.value,
                        not_before=not_before,
                        last_error=UNINSTALLED,
                        attempts=OUTBOX.c.attempts - 1,  # a claim counted one
                    )
                )

    async def _lock_claims(self, db: AsyncConnection) -> None:
        """Claims one after another: on PostgreSQL an advisory lock; on SQLite a write as the
        transaction's first statement takes the write lock, so a second claim waits and then
        reads what the first one claimed (instead of reading the same rows and taking none)."""
        if db.dialect.name == "postgresql":
            await db.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": CLAIM_LOCK})
        else:
            await db.execute(update(OUTBOX).where(OUTBOX.c.id < 0).values(status=OUTBOX.c.status))

    async def claim_due(self, now: datetime, limit: int) -> list[OutboxEntry]:
        """The oldest due rows, plus every other pending nudge of the same recipient and window
        (same `not_before`), claimed in one transaction."""
        due = (
            select(OUTBOX.c.id, OUTBOX.c.kind, OUTBOX.c.recipient_id, OUTBOX.c.not_before)
            .where(OUTBOX.c.status == OutboxStatus.PENDING.value)
            .where(or_(OUTBOX.c.not_before.is_(None), OUTBOX.c.not_before <= now))
            .order_by(OUTBOX.c.id)
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
        async with self._engine.begin() as db:
            await self._lock_claims(db)
            rows = (await db.execute(due)).all()
            ids = {row.id for row in rows}
            windows = {
                (row.recipient_id, row.not_before)
                for row in rows
                if NudgeKind.of(row.kind) and row.recipient_id is not None and row.not_before
            }
            for chunk in chunks(sorted(windows)):
                members = (
                    select(OUTBOX.c.id)
                    .where(
                        OUTBOX.c.status == OutboxStatus.PENDING.value,
                        OUTBOX.c.kind.in_([kind.value for kind in NudgeKind]),
                        tuple_(OUTBOX.c.recipient_id, OUTBOX.c.not_before).in_(list(chunk)),
                    )
                    .with_for_update(skip_locked=True)
                )
                ids.update(row.id for row in await db.execute(members))
            claimed: list[OutboxEntry] = []
            for chunk_ids in chunks(sorted(ids)):
                claim = (
                    update(OUTBOX)
                    .where(
                        OUTBOX.c.id.in_(chunk_ids),
                        OUTBOX.c.status == OutboxStatus.PENDING.value,
                    )
                    .values(
                        status=OutboxStatus.SENDING.value,
                        claimed_at=now,
                        attempts=OUTBOX.c.attempts + 1,
                    )
                    .returning(*OUTBOX.columns)
                )
                claimed += [entry_from_row(r) for r in (await db.execute(claim)).mappings()]
        return sorted(claimed, key=lambda entry: entry.id)

    async def claim_in_doubt(
        self, now: datetime, claimed_before: datetime, limit: int
    ) -> list[InDoubtEntry]:
        stale = (
            select(OUTBOX.c.id, OUTBOX.c.claimed_at)
            .where(
                OUTBOX.c.status == OutboxStatus.SENDING.value,
                OUTBOX.c.claimed_at < claimed_before,
            )
            .order_by(OUTBOX.c.id)
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
        async with self._engine.begin() as db:
            await self._lock_claims(db)
            claimed_at = {row.id: row.claimed_at for row in await db.execute(stale)}
            if not claimed_at:
                return []
            take = (
                update(OUTBOX)
                .where(
                    OUTBOX.c.id.in_(list(claimed_at)),
                    OUTBOX.c.status == OutboxStatus.SENDING.value,
                    OUTBOX.c.claimed_at < claimed_before,
                )
                .values(claimed_at=now)
                .returning(*OUTBOX.columns)
            )
            rows = (await db.execute(take)).mappings().all()
        return sorted(
            (InDoubtEntry(entry_from_row(row), claimed_at[row["id"]]) for row in rows),
            key=lambda doubt: doubt.entry.id,
        )

    async def mark_all_sent(
        self, entry_ids: Sequence[int], message_ref: str | None, now: datetime
    ) -> None:
        async with self._engine.begin() as db:
            await db.execute(
                update(OUTBOX)
                .where(OUTBOX.c.id.in_(list(entry_ids)))
                .values(
                    status=OutboxStatus.SENT.value,
                    sent_at=now,
                    message_ref=message_ref,
                    last_error=None,
                )
            )

    async def drop(self, entry_ids: Sequence[int]) -> None:
        if not entry_ids:
            return
        async with self._engine.begin() as db:
            await db.execute(
                OUTBOX.delete().where(
                    OUTBOX.c.id.in_(list(entry_ids)),
                    OUTBOX.c.status != OutboxStatus.SENT.value,
                )
            )

    async def last_sessions(self, pairs: Sequence[tuple[int, int]]) -> dict[tuple[int, int], date]:
        found: dict[tuple[int, int], date] = {}
        async with self._engine.connect() as db:
            for chunk in chunks(sorted(set(pairs))):
                query = (
                    select(
                        SESSION.c.manager_id,
                        SESSION.c.employee_id,
                        func.max(SESSION.c.held_on),
                    )
                    .where(tuple_(SESSION.c.manager_id, SESSION.c.employee_id).in_(list(chunk)))
                    .group_by(SESSION.c.manager_id, SESSION.c.employee_id)
                )
                for manager_id, employee_id, held_on in await db.execute(query):
                    found[(manager_id, employee_id)] = held_on
        return found

    async def _set(self, entry_id: int, **values: Any) -> int:
        async with self._engine.begin() as connection:
            result = await connection.execute(
                update(OUTBOX).where(OUTBOX.c.id == entry_id).values(**values)
            )
        return result.rowcount

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
