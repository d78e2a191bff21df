"""The chat workspace's installation state (uninstalled or tokens revoked), and the outbox rows
that wait for it to be installed again."""

from __future__ import annotations

import time
import weakref
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from bot.errors import TryAgain
from bot.model import OutboxStatus
from storage.repositories import OUTBOX
from storage.tables import WorkspaceRow

WORKSPACE = WorkspaceRow.__table__  # type: ignore[attr-defined]
UNINSTALLED = "undeliverable: uninstalled"
"""What a row waiting for its workspace to install the app again says (`last_error`)."""
SEEN_FRESH_SECONDS = 1.0
"""How long this process takes a workspace it found installed to be still installed without
reading it again: every request asks (`seen_installed`), so under a burst of requests one read
serves them all. A change made here is seen at once; one made by another process, within
this long (the app is never removed and added again within a second)."""
_seen: weakref.WeakKeyDictionary[object, dict[str, float]] = weakref.WeakKeyDictionary()


async def platform_installed(connection: AsyncConnection, platform: str) -> bool:
    """Whether the platform's app is installed. One bot token serves one workspace, so the
    latest change recorded for the platform decides (a workspace left behind for another one
    stops nothing); True when nothing was ever recorded."""
    row = (
        await connection.execute(
            select(WORKSPACE.c.installed)
            .where(WORKSPACE.c.platform == platform)
            .order_by(WORKSPACE.c.changed_at.desc().nulls_last(), WORKSPACE.c.installed.desc())
            .limit(1)
        )
    ).first()
    return True if row is None else bool(row[0])


class SqlInstallations:
    """Implements `bot.ports.Installations` on an engine; each call is one transaction."""

    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine

    async def set_installed(
        self, workspace_id: str, platform: str, installed: bool, at: datetime
    ) -> None:
        """Record that the app was installed in, or removed from, a workspace."""
        _seen.get(self._engine.sync_engine, {}).pop(workspace_id, None)
        async with self._engine.begin() as connection:
            found = await connection.execute(
                select(WORKSPACE.c.id).where(WORKSPACE.c.id == workspace_id)
            )
            if found.first() is None:
                await connection.execute(
                    WORKSPACE.insert().values(
                        id=workspace_id, platform=platform, installed=installed, changed_at=at
                    )
                )
            else:
                await connection.execute(
                    update(WORKSPACE)
                    .where(WORKSPACE.c.id == workspace_id)
                    .values(installed=installed, changed_at=at)
                )

    async def seen_installed(self, workspace_id: str, platform: str, at: datetime) -> bool:
        try:
            return await self._seen_installed(workspace_id, platform, at)
        except SQLAlchemyError as exc:  # busy or unreachable: the next request records it
            raise TryAgain from exc

    async def _seen_installed(self, workspace_id: str, platform: str, at: datetime) -> bool:
        """A request came from the workspace, so the app is installed there (again). When it was
        recorded uninstalled, record it installed and make the rows waiting for it due now; True
        then (the dispatcher has work). Called on every request: it only reads, unless the
        workspace was recorded uninstalled (and not again within `SEEN_FRESH_SECONDS` of finding it
        installed)."""
        seen = _seen.setdefault(self._engine.sync_engine, {})
        if time.monotonic() - seen.get(workspace_id, -SEEN_FRESH_SECONDS) < SEEN_FRESH_SECONDS:
            return False
        recorded = select(WORKSPACE.c.installed).where(WORKSPACE.c.id == workspace_id)
        async with self._engine.connect() as connection:
            was = (await connection.execute(recorded)).first()
        if was is None or was[0]:
            seen[workspace_id] = time.monotonic()
            return False
        async with self._engine.begin() as connection:
            await connection.execute(
                update(WORKSPACE)
                .where(WORKSPACE.c.id == workspace_id, WORKSPACE.c.installed.is_(False))
                .values(installed=True, changed_at=at)
            )
            await connection.execute(
                update(OUTBOX)
                .where(
                    OUTBOX.c.status == OutboxStatus.PENDING.value,
                    OUTBOX.c.last_error == UNINSTALLED,
                )
                .values(not_before=at)
            )
        return True

    async def installation_added(self, at: datetime) -> bool:
        async with self._engine.begin() as connection:
            await connection.execute(
                update(WORKSPACE)
                .where(WORKSPACE.c.platform == "slack", WORKSPACE.c.installed.is_(False))
                .values(installed=True, changed_at=at)
            )
            waiting = await connection.execute(
                update(OUTBOX)
                .where(
                    OUTBOX.c.status == OutboxStatus.PENDING.value,
                    OUTBOX.c.last_error == UNINSTALLED,
                )
                .values(not_before=at)
            )
        return bool(waiting.rowcount)

    async def person_back(self, person_id: int, at: datetime) -> bool:
        """The person added the app again (Teams is installed per person): their rows waiting for
        that are due now. True when there were any (the dispatcher has work)."""
        async with self._engine.begin() as connection:
            waiting = await connection.execute(
                update(OUTBOX)
                .where(
                    OUTBOX.c.recipient_id == person_id,
                    OUTBOX.c.status == OutboxStatus.PENDING.value,
                    OUTBOX.c.last_error == UNINSTALLED,
                )
                .values(not_before=at)
            )
        return bool(waiting.rowcount)
