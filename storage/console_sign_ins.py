"""The console's sign-in links and sessions in the database (`bot.ports.ConsoleSignIns`), so
that every replica knows every session: a link is spent and a session touched by one statement
each, on PostgreSQL and SQLite alike."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, delete, insert, select, update
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.ports import ConsoleSession
from storage.tables import metadata

LINK = metadata.tables["console_link"]
SESSION = metadata.tables["console_session"]
TOUCH_EVERY = timedelta(minutes=1)
"""A session's last use is written at most this often: a page of requests is one write."""


class SqlConsoleSignIns:
    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine

    async def add_link(self, token_hash: str, person_id: int, expires_at: datetime) -> None:
        async with self._engine.begin() as db:
            # links long expired are of no use to anyone: cleared as new ones are made
            await db.execute(delete(LINK).where(LINK.c.expires_at < expires_at - timedelta(1)))
            await db.execute(
                insert(LINK).values(
                    token_hash=token_hash, person_id=person_id, expires_at=expires_at
                )
            )

    def _usable(self, token_hash: str, person_id: int, now: datetime) -> ColumnElement[bool]:
        return (
            (LINK.c.token_hash == token_hash)
            & (LINK.c.person_id == person_id)
            & LINK.c.used_at.is_(None)
            & (LINK.c.expires_at > now)
        )

    async def spend_link(self, token_hash: str, person_id: int, now: datetime) -> bool:
        async with self._engine.begin() as db:
            spent = await db.execute(
                update(LINK).where(self._usable(token_hash, person_id, now)).values(used_at=now)
            )
        return bool(spent.rowcount == 1)

    async def link_usable(self, token_hash: str, person_id: int, now: datetime) -> bool:
        async with self._engine.connect() as db:
            found = await db.execute(
                select(LINK.c.token_hash).where(self._usable(token_hash, person_id, now))
            )
            return found.first() is not None

    async def open_session(
        self, token_hash: str, person_id: int, csrf_token: str, now: datetime, idle_limit: timedelta
    ) -> None:
        async with self._engine.begin() as db:
            await db.execute(delete(SESSION).where(SESSION.c.last_seen_at <= now - idle_limit))
            await db.execute(
                insert(SESSION).values(
                    token_hash=token_hash,
                    person_id=person_id,
                    csrf_token=csrf_token,
                    created_at=now,
                    last_seen_at=now,
                )
            )

    async def session(
        self, token_hash: str, now: datetime, idle_limit: timedelta
    ) -> ConsoleSession | None:
        async with self._engine.begin() as db:
            row = (
                await db.execute(
                    select(SESSION.c.person_id, SESSION.c.csrf_token, SESSION.c.last_seen_at).where(
                        SESSION.c.token_hash == token_hash
                    )
                )
            ).first()
            if row is None:
                return None
            if row.last_seen_at <= now - idle_limit:
                await db.execute(delete(SESSION).where(SESSION.c.token_hash == token_hash))
                return None
            if now - row.last_seen_at >= TOUCH_EVERY:
                await db.execute(
                    update(SESSION)
                    .where(SESSION.c.token_hash == token_hash)
                    .values(last_seen_at=now)
                )
        return ConsoleSession(person_id=row.person_id, csrf_token=row.csrf_token)

    async def end_session(self, token_hash: str) -> None:
        async with self._engine.begin() as db:
            await db.execute(delete(SESSION).where(SESSION.c.token_hash == token_hash))
