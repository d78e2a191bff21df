"""Fresh, migrated databases for each test: SQLite files copied from a migrated template,
PostgreSQL databases created from a migrated template database."""

from __future__ import annotations

import asyncio
import itertools
import shutil
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.engine import make_url

from storage.db import create_engine, upgrade

_counter = itertools.count()


def _migrate(url: str) -> None:
    async def run() -> None:
        engine = create_engine(url)
        try:
            await upgrade(engine)
        finally:
            await engine.dispose()

    asyncio.run(run())


def _admin(url: str, *statements: str) -> None:
    async def run() -> None:
        engine = create_engine(url)
        try:
            async with engine.connect() as connection:
                connection = await connection.execution_options(isolation_level="AUTOCOMMIT")
                for statement in statements:
                    await connection.execute(text(statement))
        finally:
            await engine.dispose()

    asyncio.run(run())


class SqliteFactory:
    """Copies of one migrated SQLite file."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.template = folder / "template.db"
        _migrate(f"sqlite:///{self.template}")

    def fresh(self) -> str:
        target = self.folder / f"test-{next(_counter)}.db"
        shutil.copyfile(self.template, target)
        return f"sqlite:///{target}"

    def blank(self) -> str:
        """A new database with no tables at all."""
        return f"sqlite:///{self.folder / f'blank-{next(_counter)}.db'}"


class PostgresFactory:
    """Databases cloned from one migrated template database on a throwaway cluster."""

    def __init__(self, admin_url: str) -> None:
        self.admin_url = admin_url
        _admin(admin_url, "CREATE DATABASE coachbot_template")
        self.template_url = self._url("coachbot_template")
        _migrate(self.template_url)

    def _url(self, name: str) -> str:
        return make_url(self.admin_url).set(database=name).render_as_string(hide_password=False)

    def fresh(self) -> str:
        name = f"test_{next(_counter)}"
        _admin(self.admin_url, f"CREATE DATABASE {name} TEMPLATE coachbot_template")
        return self._url(name)

    def blank(self) -> str:
        """A new database with no tables at all."""
        name = f"blank_{next(_counter)}"
        _admin(self.admin_url, f"CREATE DATABASE {name}")
        return self._url(name)


@contextmanager
def write_lock_held(sqlite_url: str) -> Iterator[None]:
    """Another connection holds the SQLite file's write lock until the block ends (as a long
    import or a stuck process would); reads still go on."""
    holder = sqlite3.connect(make_url(sqlite_url).database or "", isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    try:
        yield
    finally:
        holder.execute("ROLLBACK")
        holder.close()
