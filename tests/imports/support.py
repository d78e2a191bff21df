"""Helpers for the import tests: write a CSV, run the real `coachbot` entry point against a
test database, read tables back."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from adapters.cli import main
from storage.db import create_engine

PEOPLE_HEADER = (
    "email,name,department,team,manager_email,cadence,roles,start_date,"
    "slack_user_id,teams_user_id,timezone"
)

# The tables an import may write, for "the database is unchanged" checks.
IMPORT_TABLES = (
    "person",
    "coaching_relationship",
    "skill",
    "course",
    "skill_level",
    "coaching_session",
    "agreed_action",
    "course_assignment",
    "import_run",
)


@dataclass(frozen=True)
class CliRun:
    code: int
    out: list[str]
    err: list[str]


class Cli:
    """`coachbot ...` run in-process with DATABASE_URL pointing at the test's database and the
    working directory a temporary folder holding the CSV files."""

    def __init__(self, url: str, folder: Path, capsys: pytest.CaptureFixture[str]) -> None:
        self.url = url
        self.folder = folder
        self.capsys = capsys

    def write(self, name: str, content: str, encoding: str = "utf-8") -> str:
        (self.folder / name).write_bytes(content.encode(encoding))
        return name

    def __call__(self, *args: str) -> CliRun:
        self.capsys.readouterr()
        code = main(list(args))
        captured = self.capsys.readouterr()
        return CliRun(code, captured.out.splitlines(), captured.err.splitlines())

    def rows(self, sql: str) -> list[tuple[Any, ...]]:
        return query(self.url, sql)

    def snapshot(self) -> dict[str, list[tuple[Any, ...]]]:
        return {table: self.rows(f"SELECT * FROM {table} ORDER BY 1") for table in IMPORT_TABLES}


def query(url: str, sql: str) -> list[tuple[Any, ...]]:
    """Rows of a raw SQL query, in one form on both databases (see `fetch`)."""

    async def run() -> list[tuple[Any, ...]]:
        engine = create_engine(url)
        try:
            return await fetch(engine, sql)
        finally:
            await engine.dispose()

    return asyncio.run(run())


async def fetch(engine: AsyncEngine, sql: str) -> list[tuple[Any, ...]]:
    """Rows of a raw SQL query with dates as ISO text and booleans as 0/1, which is how
    SQLite hands them back to raw SQL, so that one expectation fits both databases."""
    async with engine.connect() as connection:
        result = await connection.execute(text(sql))
        return [tuple(_plain(value) for value in row) for row in result.all()]


def _plain(value: Any) -> Any:
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, date | datetime):
        return value.isoformat()
    return value


def people_csv(*rows: str) -> str:
    return "\n".join([PEOPLE_HEADER, *rows]) + "\n"
