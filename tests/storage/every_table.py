"""Rows in every table that holds a person's key, built from the metadata alone, so that a
table added later is covered without touching the tests that use this."""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    Date,
    DateTime,
    Float,
    Integer,
    Numeric,
    String,
    Table,
    or_,
    select,
)
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlalchemy.types import TypeDecorator

from storage.tables import metadata

PERSON_ID = metadata.tables["person"].c.id
_numbers = itertools.count(1)


def person_keys(table: Table) -> list[Column[Any]]:
    """The table's columns that are a foreign key to person.id (found independently of the
    storage code under test)."""
    return [c for c in table.columns if any(fk.column is PERSON_ID for fk in c.foreign_keys)]


def tables_with_person_keys() -> list[Table]:
    return [table for table in metadata.sorted_tables if person_keys(table)]


def _plain_value(column: Column[Any]) -> Any:
    n = next(_numbers)
    kind = column.type
    if isinstance(kind, TypeDecorator):
        kind = kind.impl_instance
    if isinstance(kind, Boolean):
        return False
    if isinstance(kind, Integer):
        return n
    if isinstance(kind, Float | Numeric):
        return float(n)
    if isinstance(kind, String):
        return f"{column.name}-{n}"
    if isinstance(kind, DateTime):
        return datetime(2026, 1, 1, 9, tzinfo=UTC)
    if isinstance(kind, Date):
        return date(2026, 1, 1)
    if isinstance(kind, JSON):
        return {"note": f"text {n}"}
    raise AssertionError(f"teach tests/storage/every_table.py to fill {column} ({kind!r})")


@dataclass
class Builder:
    """Inserts rows whose required columns are filled in; other people's keys point to
    `other`, referenced rows of other tables are created on the way."""

    connection: AsyncConnection
    other: int
    created: dict[str, list[dict[str, Any]]] = field(default_factory=dict)

    async def row(self, table: Table, **given: Any) -> dict[str, Any]:
        values: dict[str, Any] = {}
        for column in table.columns:
            if column.name in given:
                values[column.name] = given[column.name]
            elif column.primary_key and isinstance(column.type, Integer):
                continue  # the database numbers it
            elif any(fk.column is PERSON_ID for fk in column.foreign_keys):
                values[column.name] = self.other
            elif column.foreign_keys:
                if column.nullable:
                    values[column.name] = None
                    continue
                [fk] = column.foreign_keys
                parent = await self.row(fk.column.table)
                values[column.name] = parent[fk.column.name]
            elif column.nullable and not column.primary_key:
                values[column.name] = None
            else:
                values[column.name] = _plain_value(column)
        result = await self.connection.execute(table.insert().values(values).returning(*table.c))
        stored = dict(result.mappings().one())
        self.created.setdefault(table.name, []).append(stored)
        return stored


async def rows_about(connection: AsyncConnection, person_id: int) -> dict[str, list[Any]]:
    """Every row, in every table with a person key, that still names the person."""
    found: dict[str, list[Any]] = {}
    for table in tables_with_person_keys():
        condition = or_(*(column == person_id for column in person_keys(table)))
        rows = (await connection.execute(select(table).where(condition))).all()
        if rows:
            found[table.name] = list(rows)
    return found
