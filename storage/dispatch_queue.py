"""The hardened dispatcher's claims (`bot.ports.DispatchQueue`): a recipient's nudges of one
window claimed together, rows left in doubt by a crash taken over, rows marked sent or dropped;
replicas on PostgreSQL claim one after another."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime

from sqlalchemy import func, or_, select, text, tuple_, update
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.model import OutboxStatus
from bot.nudges import NudgeKind
from bot.ports import InDoubtEntry, OutboxEntry
from storage.outbox import SqlDeliveryQueue, entry_from_row
from storage.repositories import OUTBOX, SESSION, chunks
from storage.workspaces import UNINSTALLED, platform_installed

CLAIM_LOCK = 0x636F6163
"""PostgreSQL advisory lock taken by every claim, so that replicas claim one after another (a
short transaction): a recipient's nudges of one window are never split between two of them."""

NUDGE_KINDS = tuple(kind.value for kind in NudgeKind)


class SqlDispatchQueue(SqlDeliveryQueue):
    """Implements `bot.ports.DispatchQueue`: the plain queue, plus bundled claims, in-doubt
    take-overs and the dispatcher's drops."""

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
        if db.dialect.name == "postgresql":
            await db.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": CLAIM_LOCK})

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
                if row.kind in NUDGE_KINDS and row.recipient_id is not None and row.not_before
            }
            for chunk in chunks(sorted(windows)):
                members = (
                    select(OUTBOX.c.id)
                    .where(
                        OUTBOX.c.status == OutboxStatus.PENDING.value,
                        OUTBOX.c.kind.in_(NUDGE_KINDS),
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
