"""Export and erasure of everything about one person (`bot.ports.PersonalDataRepository`): every row
holding their key is found through the foreign keys of the metadata, so that a new table cannot
be forgotten; rows that only mention them (ON DELETE SET NULL) are kept and unlinked."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Column, delete, or_, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.ports import WITHHELD, ErasedRows
from storage.reports import NOTES_COLUMNS
from storage.repositories import OUTBOX, PERSON
from storage.tables import metadata


def person_columns() -> dict[str, list[Column[Any]]]:
    """Every column holding a person's key, by table name, found through the foreign keys
    of the metadata (so that a new table cannot be forgotten by export or erase)."""
    found: dict[str, list[Column[Any]]] = {}
    for table in metadata.sorted_tables:
        for column in table.columns:
            if any(fk.column is PERSON.c.id for fk in column.foreign_keys):
                found.setdefault(table.name, []).append(column)
    return found


def _unlinks(column: Column[Any]) -> bool:
    """Whether erasing the person keeps the row and only forgets the person (SET NULL)."""
    return any((fk.ondelete or "").upper() == "SET NULL" for fk in column.foreign_keys)


NOTE_TEXT = NOTES_COLUMNS | {
    ("outbox", "payload"),  # messages quote key points and actions
    ("course_assignment", "reason"),
    ("ilp_goal", "title"),
}
"""Columns that can hold what was said in a session: withheld from an export made for anyone
but the two people of the session (the L&D console's)."""
SECRETS = frozenset(
    {
        ("console_session", "token_hash"),
        ("console_session", "csrf_token"),
        ("console_link", "token_hash"),
    }
)
"""Sign-in secrets (hashed or not): in no export made for a browser."""


class SqlPersonalData:
    """Export and erasure of everything about one person."""

    def __init__(self, connection: AsyncConnection) -> None:
        self._db = connection

    async def export(
        self, person_id: int, *, withhold_notes: bool = False
    ) -> dict[str, list[dict[str, Any]]]:
        person = (await self._db.execute(select(PERSON).where(PERSON.c.id == person_id))).mappings()
        record: dict[str, list[dict[str, Any]]] = {"person": [dict(row) for row in person]}
        if withhold_notes:
            return self._withheld(await self._rows(person_id, record))
        return await self._rows(person_id, record)

    @staticmethod
    def _withheld(record: dict[str, list[dict[str, Any]]]) -> dict[str, list[dict[str, Any]]]:
        for table_name, rows in record.items():
            for row in rows:
                for column_name in list(row):
                    if (table_name, column_name) in NOTE_TEXT and row[column_name] is not None:
                        row[column_name] = WITHHELD
                    elif (table_name, column_name) in SECRETS:
                        del row[column_name]
        return record

    async def _rows(
        self, person_id: int, record: dict[str, list[dict[str, Any]]]
    ) -> dict[str, list[dict[str, Any]]]:
        for table_name, columns in person_columns().items():
            table = metadata.tables[table_name]
            query = (
                select(table)
                .where(or_(*(column == person_id for column in columns)))
                .order_by(*table.primary_key.columns)
            )
            record[table_name] = [dict(row) for row in (await self._db.execute(query)).mappings()]
        return record

    async def sent_xapi_statements(self, person_id: int) -> list[str]:
        query = (
            select(OUTBOX.c.message_ref, OUTBOX.c.dedupe_key)
            .where(OUTBOX.c.channel == "xapi", OUTBOX.c.status == "sent")
            .where(or_(OUTBOX.c.recipient_id == person_id, OUTBOX.c.about_id == person_id))
            .order_by(OUTBOX.c.id)
        )
        rows = (await self._db.execute(query)).all()
        return [ref or key for ref, key in rows]

    async def erase(self, person_id: int) -> dict[str, ErasedRows]:
        by_table = person_columns()
        erased: dict[str, ErasedRows] = {}
        # dependants first, so that no row is removed by a cascade we did not count
        for table in reversed(metadata.sorted_tables):
            columns = by_table.get(table.name)
            if not columns:
                continue
            removing = [column for column in columns if not _unlinks(column)]
            unlinking = [column for column in columns if _unlinks(column)]
            deleted = unlinked = 0
            if removing:
                result = await self._db.execute(
                    delete(table).where(or_(*(column == person_id for column in removing)))
                )
                deleted = result.rowcount
            for column in unlinking:
                result = await self._db.execute(
                    update(table).where(column == person_id).values({column.name: None})
                )
                unlinked += result.rowcount
            erased[table.name] = ErasedRows(deleted=deleted, unlinked=unlinked)
        result = await self._db.execute(delete(PERSON).where(PERSON.c.id == person_id))
        erased["person"] = ErasedRows(deleted=result.rowcount)
        return erased
