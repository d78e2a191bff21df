"""Which Slack modals the bot opened, and for whom: a view id in a payload is the sender's to
choose, so a submission or a button press on a view is taken only from the user it was opened
for."""

from __future__ import annotations

import asyncio
import weakref
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.exc import OperationalError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from storage.db import is_busy
from storage.repositories import dialect_insert
from storage.tables import SlackViewRow

SLACK_VIEW = SlackViewRow.__table__  # type: ignore[attr-defined]
KEPT = timedelta(days=7)
"""How long a view is remembered: longer than any modal stays open."""
PURGE_EVERY = timedelta(hours=1)
"""How often a process forgets old views: not on every open (the busiest write there is)."""
_purged: weakref.WeakKeyDictionary[object, datetime] = weakref.WeakKeyDictionary()


class SqlOpenedViews:
    """Implements `bot.ports.OpenedViews` on an engine; each call is one transaction."""

    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine

    async def remember(
        self, view_id: str, workspace_id: str, user_id: str, person_id: int, at: datetime
    ) -> None:
        """Record that the bot opened `view_id` for `user_id` of `workspace_id` (the person
        `person_id`); views older than `KEPT` are forgotten (once every `PURGE_EVERY`). The
        form is already on screen, so a database too busy to take the row now is asked again
        (for up to about half a minute) rather than leaving its submission to be refused as
        someone else's."""
        row = {
            "view_id": view_id,
            "team_id": workspace_id,
            "user_id": user_id,
            "person_id": person_id,
            "opened_at": at,
        }
        for pause in RETRY_PAUSES:
            try:
                await self._remember(row, at)
                return
            except OperationalError as exc:
                if not is_busy(exc):
                    raise
            await asyncio.sleep(pause)
        await self._remember(row, at)

    async def _remember(self, row: dict[str, Any], at: datetime) -> None:
        engine = self._engine
        last_purge = _purged.get(engine.sync_engine)
        purge = last_purge is None or not timedelta(0) <= at - last_purge < PURGE_EVERY
        async with engine.begin() as connection:
            if purge:
                await connection.execute(
                    delete(SLACK_VIEW).where(SLACK_VIEW.c.opened_at < at - KEPT)
                )
            await connection.execute(_remember_insert(connection), row)
        if purge:
            _purged[engine.sync_engine] = at

    async def opened_for(self, view_id: str, workspace_id: str, user_id: str) -> bool:
        """Whether the bot opened `view_id` for this user of this workspace."""
        async with self._engine.connect() as connection:
            row = (
                await connection.execute(
                    select(SLACK_VIEW.c.team_id, SLACK_VIEW.c.user_id).where(
                        SLACK_VIEW.c.view_id == view_id
                    )
                )
            ).first()
        return row is not None and (row.team_id, row.user_id) == (workspace_id, user_id)


RETRY_PAUSES = (0.1, 0.2, 0.5, 1.0, 1.0, 2.0, 2.0, 4.0, 4.0)
"""Between tries of a busy write (each try itself waits the busy timeout)."""
_INSERTS: dict[str, Any] = {}


def _remember_insert(connection: AsyncConnection) -> Any:
    """The view's INSERT for the connection's backend, built once per backend: every form
    opened runs it."""
    dialect = connection.dialect.name
    if dialect not in _INSERTS:
        insert = dialect_insert(connection, SLACK_VIEW)
        _INSERTS[dialect] = insert.on_conflict_do_nothing(index_elements=["view_id"])
    return _INSERTS[dialect]
