"""SQLite's statements make one trip each to aiosqlite's thread (`storage.sqlite_driver`) and
behave as the DB-API says: rows, counts, new ids, RETURNING, executemany, errors, and what a
rollback keeps."""

from __future__ import annotations

from collections import Counter
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import aiosqlite
import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine

from storage.db import create_engine


@pytest.fixture
async def sqlite(tmp_path: Path) -> AsyncIterator[AsyncEngine]:
    engine = create_engine(f"sqlite:///{tmp_path / 'driver.db'}")
    async with engine.begin() as connection:
        await connection.execute(
            text("CREATE TABLE note (id INTEGER PRIMARY KEY, body TEXT NOT NULL UNIQUE)")
        )
    yield engine
    await engine.dispose()


@pytest.fixture
def trips(monkeypatch: pytest.MonkeyPatch) -> Counter[str]:
    """Each call queued to an aiosqlite connection's thread, by name (a spy: the call runs)."""
    counted: Counter[str] = Counter()
    queue_call = aiosqlite.Connection._execute

    async def counting(self: aiosqlite.Connection, fn: Any, *args: Any, **kwargs: Any) -> Any:
        counted[getattr(fn, "__name__", repr(fn))] += 1
        return await queue_call(self, fn, *args, **kwargs)

    monkeypatch.setattr(aiosqlite.Connection, "_execute", counting)
    return counted


async def test_rows_counts_ids_and_returning(sqlite: AsyncEngine) -> None:
    async with sqlite.begin() as connection:
        first = await connection.execute(text("INSERT INTO note (body) VALUES ('a')"))
        assert first.lastrowid == 1
        assert first.rowcount == 1
        many = await connection.execute(
            text("INSERT INTO note (body) VALUES (:body)"), [{"body": b} for b in "bcd"]
        )
        assert many.rowcount == 3
        returned = await connection.execute(
            text("INSERT INTO note (body) VALUES ('e') RETURNING id, body")
        )
        assert returned.all() == [(5, "e")]
        changed = await connection.execute(text("UPDATE note SET body = body || '!' WHERE id > 2"))
        assert changed.rowcount == 3
    async with sqlite.connect() as connection:
        rows = (await connection.execute(text("SELECT id, body FROM note ORDER BY id"))).all()
        assert rows == [(1, "a"), (2, "b"), (3, "c!"), (4, "d!"), (5, "e!")]
        missing = await connection.execute(text("SELECT body FROM note WHERE id = 9"))
        assert missing.first() is None


async def test_a_rollback_keeps_nothing_and_an_error_is_sqlalchemys(sqlite: AsyncEngine) -> None:
    async with sqlite.connect() as connection:
        await connection.execute(text("INSERT INTO note (body) VALUES ('kept')"))
        await connection.commit()
        await connection.execute(text("INSERT INTO note (body) VALUES ('dropped')"))
        await connection.rollback()
        await connection.execute(text("INSERT INTO note (body) VALUES ('also dropped')"))
        with pytest.raises(IntegrityError):
            await connection.execute(text("INSERT INTO note (body) VALUES ('kept')"))
        await connection.rollback()
        await connection.execute(text("INSERT INTO note (body) VALUES ('after')"))
        await connection.commit()
    async with sqlite.connect() as connection:
        bodies = (await connection.execute(text("SELECT body FROM note ORDER BY id"))).scalars()
        assert list(bodies) == ["kept", "after"]


async def test_a_statement_is_one_trip_and_a_read_needs_no_rollback(
    sqlite: AsyncEngine, trips: Counter[str]
) -> None:
    async with sqlite.connect() as warm:  # the pool's first connection opens (its own trips)
        await warm.execute(text("SELECT 1"))
    trips.clear()
    async with sqlite.connect() as connection:
        for _ in range(3):
            await connection.execute(text("SELECT count(*) FROM note"))
    assert sum(trips.values()) == 3, trips
    trips.clear()
    async with sqlite.begin() as connection:
        await connection.execute(text("INSERT INTO note (body) VALUES ('x')"))
    assert trips["commit"] == 1 and sum(trips.values()) == 2, trips
