"""The Alembic migrations: at head they create exactly the tables of `storage/tables.py`, and a
database made by an earlier revision, with data in it, upgrades to head keeping its rows."""

from __future__ import annotations

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, inspect, select

from storage.db import alembic_config, create_engine, upgrade
from storage.tables import metadata
from tests.support.databases import PostgresFactory, SqliteFactory

FIRST_REVISION = "7edbbc0d2571"


@pytest.fixture
def blank_url(request: pytest.FixtureRequest, database_url: str) -> str:
    """An empty database on the backend `database_url` is on."""
    factory: SqliteFactory | PostgresFactory = request.getfixturevalue(
        "sqlite_factory" if database_url.startswith("sqlite") else "postgres_factory"
    )
    return factory.blank()


def _differences(connection: Connection) -> list[object]:
    context = MigrationContext.configure(connection)
    return list(compare_metadata(context, metadata))


async def test_the_migrations_at_head_create_the_tables_of_the_code(database_url: str) -> None:
    engine = create_engine(database_url)
    try:
        async with engine.connect() as connection:
            assert await connection.run_sync(_differences) == []
    finally:
        await engine.dispose()


def test_the_revisions_form_one_line_from_the_first() -> None:
    script = ScriptDirectory.from_config(alembic_config())
    assert len(script.get_heads()) == 1
    assert [rev.revision for rev in script.walk_revisions()][-1] == FIRST_REVISION


async def test_a_database_of_the_first_revision_upgrades_keeping_its_rows(blank_url: str) -> None:
    engine = create_engine(blank_url)
    try:
        async with engine.begin() as connection:
            await connection.run_sync(_upgrade_to, FIRST_REVISION)
            tables = await connection.run_sync(lambda c: set(inspect(c).get_table_names()))
            assert "person" in tables and "queued_nudges" not in tables
            person = metadata.tables["person"]
            await connection.execute(
                person.insert().values(id=7, email="maya@example.org", name="Maya Patel")
            )

        await upgrade(engine)  # what `coachbot serve` and `coachbot db upgrade` do

        async with engine.connect() as connection:
            tables = await connection.run_sync(lambda c: set(inspect(c).get_table_names()))
            assert "queued_nudges" in tables
            names = (await connection.execute(select(metadata.tables["person"].c.name))).all()
            assert names == [("Maya Patel",)]
            assert await connection.run_sync(_differences) == []
    finally:
        await engine.dispose()


def _upgrade_to(connection: Connection, revision: str) -> None:
    config = alembic_config()
    config.attributes["connection"] = connection
    command.upgrade(config, revision)
