"""The shipped sample organisation: 20 people in three departments, a skills framework and a
course catalogue, loaded into an empty database, and the same people in the Slack emulator."""

from __future__ import annotations

import csv
import tempfile
from pathlib import Path

from sqlalchemy import exists, func, select, update
from sqlalchemy.ext.asyncio import AsyncEngine

from adapters.imports import ImportedBy, import_file
from adapters.sandbox.history import write_history
from adapters.slack_emulator import WorkspaceUser
from bot.clock import Clock, local_date
from storage.tables import ActionRow, PersonRow, SessionRow

SAMPLE = Path(__file__).parent / "sample"
SAMPLE_LOADER = ImportedBy("sample organisation")
"""Who the import history names for the sample's files."""
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
    """Import the sample skills, courses and people, then a coaching history dated back from
    today (sessions and skill levels), each through the real import, all or nothing."""
    with tempfile.TemporaryDirectory(prefix="coachbot-sample-") as folder:
        today = local_date(clock.now(), timezone)
        history = write_history(SAMPLE / "people.csv", Path(folder), today)
        files = [(kind, SAMPLE / name) for kind, name in FILES]
        files += [("skill-levels", history[0]), ("sessions", history[1])]
        for kind, path in files:
            result = await import_file(
                engine,
                kind,
                path,
                clock=clock,
                timezone=timezone,
                file_name=path.name,
                show_progress=False,
                imported_by=SAMPLE_LOADER,
            )
            if not result.ok:
                raise RuntimeError("the sample organisation does not import: " + result.problems[0])
    await close_reviewed_actions(engine)


async def close_reviewed_actions(engine: AsyncEngine) -> None:
    """In the sample history, each session reviewed the actions of the one before as done, so
    only the latest session's actions are open (an imported log carries no review)."""
    sessions = SessionRow.__table__  # type: ignore[attr-defined]
    actions = ActionRow.__table__  # type: ignore[attr-defined]
    later = sessions.alias("later")
    superseded = (
        select(sessions.c.id)
        .where(
            exists().where(
                later.c.employee_id == sessions.c.employee_id,
                later.c.held_on > sessions.c.held_on,
            )
        )
        .scalar_subquery()
    )
    async with engine.begin() as connection:
        await connection.execute(
            update(actions)
            .where(actions.c.session_id.in_(superseded), actions.c.status == "open")
            .values(status="done")
        )
