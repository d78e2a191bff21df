"""Export and erasure of one person: every table holding their key, found from the metadata."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.errors import Refusal
from bot.services.privacy import erase_person, export_person
from storage.tables import metadata
from storage.unit_of_work import SqlUnitOfWork
from tests.services.helpers import command, logged, rows
from tests.storage.every_table import Builder, person_keys, rows_about, tables_with_person_keys
from tests.storage.org import build_org, insert

PERSON = metadata.tables["person"]


def _unlinks(column: Any) -> bool:
    return any((fk.ondelete or "").upper() == "SET NULL" for fk in column.foreign_keys)


async def test_export_and_erase_cover_every_table_holding_a_persons_key(
    engine: AsyncEngine,
) -> None:
    mine: dict[str, list[tuple[str, dict[str, Any]]]] = {}
    async with engine.begin() as connection:
        people = Builder(connection, other=0)
        other = (await people.row(PERSON, email="other@example.org", roles=""))["id"]
        gone = (await people.row(PERSON, email="gone@example.org", name="Gone", roles=""))["id"]
        builder = Builder(connection, other=other)
        for table in tables_with_person_keys():
            for column in person_keys(table):
                row = await builder.row(table, **{column.name: gone})
                mine.setdefault(table.name, []).append((column.name, row))
    assert {t.name for t in tables_with_person_keys()} >= {
        "coaching_session",
        "agreed_action",
        "course_assignment",
        "outbox",
        "coaching_relationship",
    }

    record = await export_person(SqlUnitOfWork(engine), "Gone@Example.org")
    assert record["person"]["email"] == "gone@example.org"
    assert set(record["person"]) == set(PERSON.columns.keys())
    assert set(record) == {"person", *mine}
    for table_name, made in mine.items():
        exported = record[table_name]
        for _column, row in made:
            assert row in exported, f"{table_name} row {row} missing from the export"
        assert all(set(row) == set(metadata.tables[table_name].columns.keys()) for row in exported)

    erasure = await erase_person(SqlUnitOfWork(engine), "gone@example.org")

    async with engine.connect() as connection:
        assert await rows_about(connection, gone) == {}
        assert (await connection.execute(select(PERSON).where(PERSON.c.id == gone))).first() is None
        for table_name, made in mine.items():
            table = metadata.tables[table_name]
            [key] = table.primary_key.columns
            for column_name, row in made:
                kept = (
                    (await connection.execute(select(table).where(key == row[key.name])))
                    .mappings()
                    .first()
                )
                if _unlinks(table.c[column_name]):
                    assert kept is not None, f"{table_name}.{column_name} row should stay"
                    assert kept[column_name] is None
                else:
                    assert kept is None, f"{table_name}.{column_name} row should be deleted"
    for table_name, made in mine.items():
        unlinking = sum(1 for column, _ in made if _unlinks(metadata.tables[table_name].c[column]))
        assert erasure.tables[table_name].unlinked == unlinking
        assert erasure.tables[table_name].deleted == len(made) - unlinking
    assert erasure.tables["person"].deleted == 1


async def test_erasing_an_employee_removes_their_sessions_and_pending_messages(
    engine: AsyncEngine,
) -> None:
    org = await build_org(engine)
    await logged(engine, command(org, course_ids=("C-NEG-1",)))
    await logged(engine, command(org, employee_id=org.zoe), "k2")

    erasure = await erase_person(SqlUnitOfWork(engine), "ed@example.org")

    sessions = await rows(engine, "coaching_session")
    assert [s["employee_id"] for s in sessions] == [org.zoe]
    assert {a["employee_id"] for a in await rows(engine, "agreed_action")} == {org.zoe}
    assert await rows(engine, "course_assignment") == []
    outbox = await rows(engine, "outbox")
    assert org.ed not in {m["recipient_id"] for m in outbox}
    assert org.ed not in {m["about_id"] for m in outbox}  # Maya's confirmation about Ed went too
    assert [m["kind"] for m in outbox] == ["session_logged", "session_saved"]
    assert erasure.tables["coaching_session"].deleted == 1
    assert erasure.tables["agreed_action"].deleted == 1
    assert erasure.tables["course_assignment"].deleted == 1
    assert erasure.statements_to_void == ()


async def test_erasing_a_manager_keeps_their_reports_sessions_as_former_manager(
    engine: AsyncEngine,
) -> None:
    org = await build_org(engine)
    await logged(engine, command(org))
    erasure = await erase_person(SqlUnitOfWork(engine), "maya@example.org")
    [session] = await rows(engine, "coaching_session")
    assert (session["employee_id"], session["manager_id"]) == (org.ed, None)
    [action] = await rows(engine, "agreed_action")
    assert action["employee_id"] == org.ed  # the action stays in Ed's record
    assert erasure.tables["coaching_session"].unlinked == 1
    assert erasure.tables["coaching_session"].deleted == 0
    assert [m["kind"] for m in await rows(engine, "outbox")] == ["session_logged"]


async def test_an_unknown_email_is_a_clear_refusal(engine: AsyncEngine) -> None:
    await build_org(engine)
    with pytest.raises(Refusal, match=r"No one with the e-mail nobody@example.org"):
        await export_person(SqlUnitOfWork(engine), "nobody@example.org")
    with pytest.raises(Refusal, match=r"No one with the e-mail nobody@example.org"):
        await erase_person(SqlUnitOfWork(engine), "nobody@example.org")


async def test_xapi_statements_already_sent_about_them_are_reported_for_voiding(
    engine: AsyncEngine,
) -> None:
    org = await build_org(engine)
    for n, (status, about) in enumerate((("sent", org.ed), ("pending", org.ed), ("sent", org.zoe))):
        await insert(
            engine,
            "outbox",
            dedupe_key=f"xapi:{n}",
            kind="course_assigned",
            channel="xapi",
            about_id=about,
            payload={},
            status=status,
            attempts=1,
            message_ref=f"statement-{n}",
        )
    erasure = await erase_person(SqlUnitOfWork(engine), "ed@example.org")
    assert erasure.statements_to_void == ("statement-0",)
    assert [row["dedupe_key"] for row in await rows(engine, "outbox")] == ["xapi:2"]
