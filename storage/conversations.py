"""Where people are reached proactively on a chat platform: the stored conversation reference
and tenant (Teams), one per person and platform, kept so that proactive messages survive
restarts; and that a person removed the app (their reference forgotten)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.ports import StoredConversation
from storage.tables import ConversationRefRow

CONVERSATION_REF = ConversationRefRow.__table__  # type: ignore[attr-defined]


class SqlConversations:
    """Implements `bot.ports.Conversations` on an engine; each call is one transaction."""

    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine

    async def save(
        self,
        person_id: int,
        platform: str,
        reference: dict[str, Any],
        tenant_id: str | None,
        at: datetime,
    ) -> bool:
        """Remember (or replace) where the person is reached on `platform`; a person who had
        removed the app is reachable again. True when they were not reachable before (no
        conversation, or removed): of two saves at once, only one is told so."""
        values = {
            "reference": reference,
            "tenant_id": tenant_id,
            "updated_at": at,
            "removed_at": None,
        }
        return await self._put(person_id, platform, values, back_if_removed=True)

    async def forget(self, person_id: int, platform: str, at: datetime) -> None:
        """The person removed the app on `platform`: forget where they were reached, and record
        that nothing may be sent to them until they add it again."""
        values: dict[str, Any] = {
            "reference": {},
            "tenant_id": None,
            "updated_at": at,
            "removed_at": at,
        }
        await self._put(person_id, platform, values)

    async def _put(
        self,
        person_id: int,
        platform: str,
        values: dict[str, Any],
        *,
        back_if_removed: bool = False,
    ) -> bool:
        """Write the person's row for `platform`; True when it was created, or (with
        `back_if_removed`) when it was a removed one. The conditional update and the unique
        constraint decide between concurrent writers."""
        table = CONVERSATION_REF
        mine = (table.c.person_id == person_id) & (table.c.platform == platform)
        async with self._engine.begin() as connection:
            if back_if_removed:
                came_back = await connection.execute(
                    update(table).where(mine, table.c.removed_at.is_not(None)).values(**values)
                )
                if came_back.rowcount:
                    return True
            changed = await connection.execute(update(table).where(mine).values(**values))
            if changed.rowcount:
                return False
        try:
            async with self._engine.begin() as connection:
                await connection.execute(
                    table.insert().values(person_id=person_id, platform=platform, **values)
                )
        except IntegrityError:  # written at the same moment by another turn: ours replaces it
            async with self._engine.begin() as connection:
                await connection.execute(update(table).where(mine).values(**values))
            return False
        return True

    async def of(self, person_id: int, platform: str) -> StoredConversation | None:
        """The person's stored conversation on `platform`, if they ever wrote to the bot."""
        table = CONVERSATION_REF
        async with self._engine.connect() as connection:
            row = (
                (
                    await connection.execute(
                        select(table).where(
                            table.c.person_id == person_id, table.c.platform == platform
                        )
                    )
                )
                .mappings()
                .first()
            )
        return _stored(row) if row is not None else None

    async def latest(self, platform: str) -> StoredConversation | None:
        """The most recently updated conversation on `platform` (anyone's): where the platform's
        service is and which tenant it serves, to open a first chat with someone new."""
        table = CONVERSATION_REF
        async with self._engine.connect() as connection:
            row = (
                (
                    await connection.execute(
                        select(table)
                        .where(table.c.platform == platform, table.c.removed_at.is_(None))
                        .order_by(table.c.updated_at.desc(), table.c.id.desc())
                        .limit(1)
                    )
                )
                .mappings()
                .first()
            )
        return _stored(row) if row is not None else None


def _stored(row: Any) -> StoredConversation:
    return StoredConversation(
        person_id=int(row["person_id"]),
        platform=str(row["platform"]),
        reference=dict(row["reference"]),
        tenant_id=row["tenant_id"],
        removed=row["removed_at"] is not None,
    )
