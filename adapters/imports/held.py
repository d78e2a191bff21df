"""Imports started from the console: the uploaded file held server-side between its dry run
and *Apply* (`storage.console_uploads`, for the uploading session only), each run by the same
`import_file` as `coachbot import`, its outcome kept with the upload; and the history of
applied imports."""

from __future__ import annotations

import asyncio
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncEngine

from adapters.imports import ImportFileError, ImportResult, Watcher, import_file
from bot.clock import Clock
from storage import importer
from storage.console_uploads import (
    APPLIED,
    APPLYING,
    CHECKED,
    CHECKING,
    HeldUpload,
    SqlConsoleUploads,
)
from storage.db import create_engine
from storage.importer import ImportCounts, ImportedBy, ImportRun

__all__ = [
    "APPLIED",
    "APPLYING",
    "CHECKED",
    "CHECKING",
    "HeldRun",
    "HeldUpload",
    "ImportRun",
    "changes_text",
    "history",
    "run_held",
    "run_held_apart",
    "uploads",
]

DATABASE_ERROR = "The database could not be reached, so nothing was imported. Try again shortly."
STOPPED = "The import stopped before it finished (the server was stopping?): nothing was imported."


def uploads(engine: AsyncEngine) -> SqlConsoleUploads:
    return SqlConsoleUploads(engine)


async def history(engine: AsyncEngine, limit: int) -> list[ImportRun]:
    """The last `limit` applied imports, newest first."""
    async with engine.connect() as connection:
        return await importer.recent_runs(connection, limit)


def changes_text(counts: ImportCounts) -> str:
    """What an import changed, leaving out what it did not: "1 added, 2 updated, courses
    assigned: 3"."""
    parts = [
        f"{n} {name}"
        for name, n in (
            ("added", counts.added),
            ("updated", counts.updated),
            ("deactivated", counts.deactivated),
        )
        if n
    ]
    parts += [f"{name}: {n}" for name, n in counts.details.items() if n]
    return ", ".join(parts) or "no change"


@dataclass(frozen=True, slots=True)
class HeldRun:
    """How to run a held file: check it only (`dry_run`) or apply it, on the import's day in
    `timezone` at `clock`'s time, in the name of `imported_by`, with `watcher` following."""

    dry_run: bool
    clock: Clock
    timezone: str
    imported_by: ImportedBy
    watcher: Watcher


def run_held_apart(database_url: str, held: HeldUpload, how: HeldRun) -> None:
    """`run_held` on an event loop and connection pool of its own, for a worker thread:
    checking a large file is CPU-bound, and the server's loop must keep answering (Slack wants
    an answer within 3 seconds) meanwhile."""

    async def run() -> None:
        engine = create_engine(database_url)
        try:
            await run_held(engine, held, how)
        finally:
            await engine.dispose()

    asyncio.run(run())


async def run_held(engine: AsyncEngine, held: HeldUpload, how: HeldRun) -> None:
    """Check (`how.dry_run`) or apply the held file, and keep the outcome with the upload (its
    state becomes checked, or applied). Whatever stops the run, the outcome says so."""
    held_uploads = SqlConsoleUploads(engine)
    try:
        outcome = await _run(engine, held, how)
    except BaseException:
        failed = {"ok": False, "problems": [], "summary": STOPPED}
        await held_uploads.finish(held.id, CHECKED, failed)
        raise
    state = APPLIED if outcome["ok"] and not how.dry_run else CHECKED
    await held_uploads.finish(held.id, state, outcome)


async def _run(engine: AsyncEngine, held: HeldUpload, how: HeldRun) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="coachbot-upload-") as folder:
        path = Path(folder) / "upload.csv"
        path.write_bytes(held.content)
        try:
            result = await import_file(
                engine,
                held.kind,
                path,
                clock=how.clock,
                timezone=how.timezone,
                dry_run=how.dry_run,
                file_name=held.file_name,
                show_progress=False,
                imported_by=how.imported_by,
                watcher=how.watcher,
            )
        except ImportFileError as exc:
            return {"ok": False, "problems": [str(exc)], "summary": str(exc)}
        except (SQLAlchemyError, OSError):
            return {"ok": False, "problems": [], "summary": DATABASE_ERROR}
    return _outcome(result)


def _outcome(result: ImportResult) -> dict[str, Any]:
    c = result.counts
    return {
        "ok": result.ok,
        "dry_run": result.dry_run,
        "problems": result.problems,
        "summary": result.summary(),
        "counts": {
            "added": c.added,
            "updated": c.updated,
            "unchanged": c.unchanged,
            "deactivated": c.deactivated,
        },
        "details": c.details,
    }
