"""The Alembic migrations: at head they create exactly the tables of `storage/tables.py`, and a
database made by an earlier revision, with data in it, upgrades to head keeping its rows."""

from __future__ import annotations

from datetime import date

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, inspect, select, text

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


async def test_upgraded_relationships_get_the_history_an_import_gives_them(blank_url: str) -> None:
    """An employee's first relationship covers their whole past; a later one (a changed
    manager) starts its history on its own day."""
    engine = create_engine(blank_url)
    try:
        async with engine.begin() as connection:
            await connection.run_sync(_upgrade_to, "e992067cc134")
            await connection.execute(
                text(
                    "INSERT INTO person (id, email, name, department, team, roles, active)"
                    " VALUES (1, 'olu@example.org', 'Olu', '', '', '', true),"
                    " (2, 'maya@example.org', 'Maya', '', '', '', true),"
                    " (3, 'ed@example.org', 'Ed', '', '', '', true)"
                )
            )
            await connection.execute(
                text(
                    "INSERT INTO coaching_relationship (manager_id, employee_id, started_on,"
                    " ended_on) VALUES (1, 3, '2025-01-01', '2026-01-01'),"
                    " (2, 3, '2026-01-01', NULL), (1, 2, '2025-06-01', NULL)"
                )
            )

        await upgrade(engine)

        async with engine.connect() as connection:
            relationship = metadata.tables["coaching_relationship"]
            rows = await connection.execute(
                select(
                    relationship.c.manager_id,
                    relationship.c.employee_id,
                    relationship.c.history_from,
                ).order_by(relationship.c.id)
            )
            assert [tuple(row) for row in rows] == [
                (1, 3, None),
                (2, 3, date(2026, 1, 1)),
                (1, 2, None),
            ]
    finally:
        await engine.dispose()
