"""The shipped sample organisation: 20 people in three departments, a skills framework and a
course catalogue, loaded into an empty database, and the same people in the Slack emulator."""

from __future__ import annotations

import csv
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from adapters.imports import import_file
from adapters.slack_emulator import WorkspaceUser
from bot.clock import Clock
from storage.tables import PersonRow

SAMPLE = Path(__file__).parent / "sample"
FILES = (("skills", "skills.csv"), ("courses", "courses.csv"), ("people", "people.csv"))


def sample_users() -> list[WorkspaceUser]:
    """The sample people as Slack users (ids, e-mails, names and time zones)."""
    with (SAMPLE / "people.csv").open(encoding="utf-8", newline="") as handle:
        return [
            WorkspaceUser(row["slack_user_id"], row["email"], row["name"], tz=row["timezone"])
            for row in csv.DictReader(handle)
            if row["slack_user_id"]
        ]


async def is_empty(engine: AsyncEngine) -> bool:
    async with engine.connect() as connection:
        count = await connection.scalar(select(func.count()).select_from(PersonRow))
    return not count


async def load_sample_organisation(engine: AsyncEngine, clock: Clock, timezone: str) -> None:
    """Import the sample skills, courses and people (all or nothing per file, as any import)."""
    for kind, name in FILES:
        result = await import_file(
            engine, kind, SAMPLE / name, clock=clock, timezone=timezone, show_progress=False
        )
        if not result.ok:
            raise RuntimeError("the sample organisation does not import: " + result.problems[0])
