"""Shared fixtures: a fresh migrated database per test, on SQLite and on PostgreSQL."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from storage.db import create_engine
from tests.support.databases import PostgresFactory, SqliteFactory
from tests.support.pgcluster import throwaway_cluster


@pytest.fixture(scope="session")
def sqlite_factory(tmp_path_factory: pytest.TempPathFactory) -> SqliteFactory:
    return SqliteFactory(tmp_path_factory.mktemp("sqlite"))


@pytest.fixture(scope="session")
def postgres_factory() -> Iterator[PostgresFactory]:
    with throwaway_cluster() as admin_url:
        yield PostgresFactory(admin_url)


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest) -> str:
    """A fresh, migrated database; every test using it runs on both backends."""
    factory_name = "sqlite_factory" if request.param == "sqlite" else "postgres_factory"
    factory: SqliteFactory | PostgresFactory = request.getfixturevalue(factory_name)
    return factory.fresh()


@pytest.fixture
def sqlite_url(sqlite_factory: SqliteFactory) -> str:
    """A fresh, migrated SQLite database, for tests of the doors rather than of storage."""
    return sqlite_factory.fresh()


@pytest.fixture
async def engine(database_url: str) -> AsyncIterator[AsyncEngine]:
    engine = create_engine(database_url)
    yield engine
    await engine.dispose()


@pytest.fixture
def repo_root() -> Path:
    return Path(__file__).resolve().parent.parent
