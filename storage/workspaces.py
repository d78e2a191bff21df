"""The chat workspace's installation state (uninstalled or tokens revoked)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncEngine

from storage.tables import WorkspaceRow

WORKSPACE = WorkspaceRow.__table__  # type: ignore[attr-defined]


async def set_installed(
    engine: AsyncEngine, workspace_id: str, platform: str, installed: bool, at: datetime
) -> None:
    """Record that the app was installed in, or removed from, a workspace."""
    async with engine.begin() as connection:
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


async def is_installed(engine: AsyncEngine, workspace_id: str) -> bool:
    """False once the workspace uninstalled the app or revoked its tokens."""
    async with engine.connect() as connection:
        row = (
            await connection.execute(
                select(WORKSPACE.c.installed).where(WORKSPACE.c.id == workspace_id)
            )
        ).first()
    return True if row is None else bool(row[0])
