"""The console's held uploads (`console_upload`): a CSV file kept server-side between its dry
run and *Apply*, readable only by the session that uploaded it, so the file never goes back
through the browser and another admin cannot apply it. Every replica sees the same rows."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, insert, select, update
from sqlalchemy.ext.asyncio import AsyncEngine

from storage.tables import metadata

UPLOAD = metadata.tables["console_upload"]

KEPT_FOR = timedelta(hours=8)
"""An upload nobody applied is dropped after this long (the console session's idle limit)."""

CHECKING, CHECKED, APPLYING, APPLIED = "checking", "checked", "applying", "applied"


@dataclass(frozen=True, slots=True)
class HeldUpload:
    id: str
    kind: str
    file_name: str
    content: bytes
    uploaded_at: datetime
    state: str
    result: dict[str, Any] | None


class SqlConsoleUploads:
    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine

    async def hold(
        self, owner: str, kind: str, file_name: str, content: bytes, now: datetime
    ) -> str:
        """Keep the file for `owner` (state: checking); drops this owner's and anyone's stale
        uploads. Returns the upload's id."""
        upload_id = secrets.token_urlsafe(24)
        async with self._engine.begin() as connection:
            await connection.execute(
                delete(UPLOAD).where(
                    (UPLOAD.c.uploaded_at < now - KEPT_FOR) | (UPLOAD.c.owner == owner)
                )
            )
            await connection.execute(
                insert(UPLOAD).values(
                    id=upload_id,
                    owner=owner,
                    kind=kind,
                    file_name=file_name,
                    content=content,
                    uploaded_at=now,
                    state=CHECKING,
                )
            )
        return upload_id

    async def drop_owned(self, owner: str) -> None:
        """Drop `owner`'s uploads (their session is ending)."""
        async with self._engine.begin() as connection:
            await connection.execute(delete(UPLOAD).where(UPLOAD.c.owner == owner))

    async def drop_stale(self, now: datetime) -> None:
        """Drop every upload older than `KEPT_FOR` (they may hold a whole directory)."""
        async with self._engine.begin() as connection:
            await connection.execute(delete(UPLOAD).where(UPLOAD.c.uploaded_at < now - KEPT_FOR))

    async def get(self, upload_id: str, owner: str) -> HeldUpload | None:
        """The upload, if it is `owner`'s."""
        async with self._engine.connect() as connection:
            row = (
                await connection.execute(
                    select(UPLOAD).where(UPLOAD.c.id == upload_id, UPLOAD.c.owner == owner)
                )
            ).first()
        if row is None:
            return None
        return HeldUpload(
            row.id,
            row.kind,
            row.file_name,
            bytes(row.content),
            row.uploaded_at,
            row.state,
            row.result,
        )

    async def move(self, upload_id: str, owner: str, from_state: str, to_state: str) -> bool:
        """Set the state if it is `from_state` now: of two clicks on *Apply*, one wins."""
        async with self._engine.begin() as connection:
            result = await connection.execute(
                update(UPLOAD)
                .where(
                    UPLOAD.c.id == upload_id,
                    UPLOAD.c.owner == owner,
                    UPLOAD.c.state == from_state,
                )
                .values(state=to_state)
            )
        return bool(result.rowcount)

    async def finish(self, upload_id: str, state: str, result: dict[str, Any]) -> None:
        """Record a run's outcome; once applied the file's content is no longer kept."""
        values: dict[str, Any] = {"state": state, "result": result}
        if state == APPLIED:
            values["content"] = b""
        async with self._engine.begin() as connection:
            await connection.execute(update(UPLOAD).where(UPLOAD.c.id == upload_id).values(values))
