"""Database engines and migrations: maps the configured URL to its async driver and runs
Alembic to head."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from sqlalchemy import event
from sqlalchemy.engine import Connection, make_url
from sqlalchemy.exc import OperationalError
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine
from sqlalchemy.pool import ConnectionPoolEntry

from storage.sqlite_driver import one_trip_dbapi

MIGRATIONS = Path(__file__).parent / "migrations"

SQLITE_BUSY_TIMEOUT_MS = 1500
"""How long a SQLite write waits for another one to finish. Slack wants its answer within 3 s:
a submission that cannot write by then is told to try again while Slack still listens, rather
than stored after Slack has shown an error (and perhaps sent again by the manager)."""

_SQLITE_BUSY, _SQLITE_LOCKED = 5, 6


def async_url(url: str) -> str:
    """`sqlite://` and `postgresql://` mapped to their async drivers (aiosqlite, asyncpg)."""
    parsed = make_url(url)
    backend = parsed.get_backend_name()
    if backend == "sqlite":
        return str(parsed.set(drivername="sqlite+aiosqlite"))
    if backend in {"postgresql", "postgres"}:
        return parsed.set(drivername="postgresql+asyncpg").render_as_string(hide_password=False)
    raise ValueError(f"unsupported database {backend!r}")


def is_sqlite(engine: AsyncEngine) -> bool:
    return engine.dialect.name == "sqlite"


def create_engine(url: str) -> AsyncEngine:
    """An async engine; SQLite gets foreign keys on, WAL and a busy timeout. Statement
    parameters never reach a log or an exception's text: they hold what people typed. A
    pooled connection to a database server is tested before each use (the server may have
    closed it); a SQLite file cannot go away under its connection, so it is not. SQLite's
    statements make one trip each to aiosqlite's thread (`storage.sqlite_driver`)."""
    sqlite = make_url(url).get_backend_name() == "sqlite"
    engine = create_async_engine(
        async_url(url),
        pool_pre_ping=not sqlite,
        hide_parameters=True,
        **({"module": one_trip_dbapi()} if sqlite else {}),
    )
    if engine.dialect.name == "sqlite":
        event.listen(engine.sync_engine, "connect", _sqlite_pragmas)
    return engine


def _sqlite_pragmas(dbapi_connection: object, _record: ConnectionPoolEntry) -> None:
    cursor = dbapi_connection.cursor()  # type: ignore[attr-defined]
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA temp_store=MEMORY")
    cursor.close()


def alembic_config() -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return config


@dataclass(frozen=True, slots=True)
class Migrated:
    """The database's revision before and after an upgrade (None before: no tables yet)."""

    before: str | None
    after: str | None


async def upgrade(engine: AsyncEngine) -> Migrated:
    """Run the migrations to head on `engine`'s database."""
    async with engine.begin() as connection:
        return await connection.run_sync(_upgrade_sync)


def _upgrade_sync(connection: Connection) -> Migrated:
    config = alembic_config()
    config.attributes["connection"] = connection
    before = MigrationContext.configure(connection).get_current_revision()
    command.upgrade(config, "head")
    return Migrated(before, MigrationContext.configure(connection).get_current_revision())


def describe_database(url: str) -> str:
    """The database a URL names, for people: a SQLite file's full path, else the URL with
    its password hidden."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        name = parsed.database or ""
        return (
            "an in-memory SQLite database"
            if name in {"", ":memory:"}
            else str(Path(name).resolve())
        )
    return parsed.render_as_string(hide_password=True)


def is_busy(exc: BaseException) -> bool:
    """True for SQLite's "database is locked": another connection held the write lock for
    longer than the busy timeout. Nothing of the failed transaction was kept."""
    if not isinstance(exc, OperationalError):
        return False
    code = getattr(exc.orig, "sqlite_errorcode", None)
    if code is not None:
        return code & 0xFF in (_SQLITE_BUSY, _SQLITE_LOCKED)
    return "database is locked" in str(exc.orig)


async def takes_writes(engine: AsyncEngine) -> bool:
    """True when the database answers and could take a write now. On SQLite, the write lock is
    taken and given back (waiting at most the busy timeout); on PostgreSQL, a transaction id is
    assigned, which a read-only server refuses."""
    probe = "BEGIN IMMEDIATE" if is_sqlite(engine) else "SELECT txid_current()"
    try:
        async with engine.connect() as connection:
            await connection.exec_driver_sql(probe)
            if is_sqlite(engine):
                await connection.exec_driver_sql("ROLLBACK")
    except Exception:  # noqa: BLE001 - any failure means "cannot take writes" to the health check
        return False
    return True
