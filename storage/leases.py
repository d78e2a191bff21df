"""Leases in the database: one holder at a time of a named role across every process sharing
the database, on PostgreSQL and SQLite alike. A holder renews its lease before it expires; once
it has expired (the holder died or lost the database), the next process to ask takes it."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import case, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncEngine

from storage.tables import metadata

LEASE = metadata.tables["lease"]


class SqlLease:
    """The lease `name`, asked for by `holder` (unique to this process)."""

    def __init__(self, engine: AsyncEngine, name: str, holder: str) -> None:
        self._engine = engine
        self.name = name
        self.holder = holder

    async def hold(self, now: datetime, period: timedelta) -> bool:
        """Take the lease when it is free or expired, or renew it when ours, until `now +
        period`; False when another holder's lease is still running. One statement, so that
        two processes asking at once cannot both win."""
        insert = (
            postgresql.insert(LEASE)
            if self._engine.dialect.name == "postgresql"
            else sqlite.insert(LEASE)
        )
        row = insert.values(
            name=self.name, holder=self.holder, expires_at=now + period, acquired_at=now
        )
        ours = LEASE.c.holder == row.excluded.holder
        statement = row.on_conflict_do_update(
            index_elements=[LEASE.c.name],
            set_={
                "holder": row.excluded.holder,
                "expires_at": row.excluded.expires_at,
                "acquired_at": case((ours, LEASE.c.acquired_at), else_=row.excluded.acquired_at),
            },
            where=ours | (LEASE.c.expires_at < now),
        ).returning(LEASE.c.holder)
        async with self._engine.begin() as db:
            won = (await db.execute(statement)).scalar_one_or_none()
        return bool(won == self.holder)

    async def release(self, now: datetime) -> None:
        """Let the lease go now (a clean stop), so that another process takes it at once."""
        async with self._engine.begin() as db:
            await db.execute(
                update(LEASE)
                .where(LEASE.c.name == self.name, LEASE.c.holder == self.holder)
                .values(expires_at=now)
            )

    async def current_holder(self, now: datetime) -> str | None:
        """Who holds the lease at `now`, if anyone."""
        async with self._engine.connect() as db:
            row = (
                await db.execute(
                    select(LEASE.c.holder).where(
                        LEASE.c.name == self.name, LEASE.c.expires_at > now
                    )
                )
            ).first()
        return None if row is None else str(row.holder)
