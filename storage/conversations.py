"""Where people are reached proactively on a chat platform: the stored conversation reference
and tenant (Teams), one per person and platform, kept so that proactive messages survive
restarts."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.ports import StoredConversation
from storage.tables import ConversationRefRow

CONVERSATION_REF = ConversationRefRow.__table__  # type: ignore[attr-defined]


async def save_conversation(
    engine: AsyncEngine,
    person_id: int,
    platform: str,
    reference: dict[str, Any],
    tenant_id: str | None,
    at: datetime,
) -> None:
    """Remember (or replace) where the person is reached on `platform`."""
    table = CONVERSATION_REF
    async with engine.begin() as connection:
        found = await connection.execute(
            select(table.c.id).where(table.c.person_id == person_id, table.c.platform == platform)
        )
        values = {"reference": reference, "tenant_id": tenant_id, "updated_at": at}
        row = found.first()
        if row is None:
            await connection.execute(
                table.insert().values(person_id=person_id, platform=platform, **values)
            )
        else:
            await connection.execute(update(table).where(table.c.id == row[0]).values(**values))


async def conversation_of(
    engine: AsyncEngine, person_id: int, platform: str
) -> StoredConversation | None:
    """The person's stored conversation on `platform`, if they ever wrote to the bot."""
    table = CONVERSATION_REF
    async with engine.connect() as connection:
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


async def latest_conversation(engine: AsyncEngine, platform: str) -> StoredConversation | None:
    """The most recently updated conversation on `platform` (anyone's): where the platform's
    service is and which tenant it serves, to open a first chat with someone new."""
    table = CONVERSATION_REF
    async with engine.connect() as connection:
        row = (
            (
                await connection.execute(
                    select(table)
                    .where(table.c.platform == platform)
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
    )


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
    ) -> None:
        await save_conversation(self._engine, person_id, platform, reference, tenant_id, at)

    async def of(self, person_id: int, platform: str) -> StoredConversation | None:
        return await conversation_of(self._engine, person_id, platform)

    async def latest(self, platform: str) -> StoredConversation | None:
        return await latest_conversation(self._engine, platform)
