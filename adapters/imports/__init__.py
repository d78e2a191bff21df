"""CSV imports (`coachbot import KIND FILE.csv [--dry-run]`), all or nothing: the whole file is
read and checked first, every problem reported as `FILE:LINE: column: problem`; only a file with
none is written, in one transaction. Call `import_file`."""

from __future__ import annotations

import contextlib
import gc
import sys
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from adapters.imports import catalogue, people, sessions, skill_levels
from adapters.imports.base import PROGRESS_ABOVE, ImportContext, Outcome, Watcher
from adapters.imports.csvfile import CsvRecord, ImportFileError, Layout, read_csv
from bot.clock import Clock, local_date
from storage import importer
from storage.importer import ImportCounts, ImportedBy

__all__ = [
    "COMMAND_LINE",
    "KINDS",
    "ImportFileError",
    "ImportResult",
    "ImportedBy",
    "Watcher",
    "import_file",
]

COMMAND_LINE = ImportedBy("command line")
"""Who the import history names for imports run with `coachbot import`."""

Runner = Callable[[AsyncConnection, list[CsvRecord], ImportContext], Awaitable[Outcome]]


@dataclass(frozen=True, slots=True)
class Kind:
    layout: Layout
    run: Runner


KINDS: dict[str, Kind] = {
    "people": Kind(people.LAYOUT, people.run),
    "skills": Kind(catalogue.SKILLS, catalogue.run_skills),
    "courses": Kind(catalogue.COURSES, catalogue.run_courses),
    "skill-levels": Kind(skill_levels.LAYOUT, skill_levels.run),
    "sessions": Kind(sessions.LAYOUT, sessions.run),
}


@dataclass
class ImportResult:
    """`problems` are the rendered `FILE:LINE: column: problem` lines (empty when imported)."""

    kind: str
    file_name: str
    dry_run: bool
    problems: list[str] = field(default_factory=list)
    counts: ImportCounts = field(default_factory=ImportCounts)

    @property
    def ok(self) -> bool:
        return not self.problems

    def summary(self) -> str:
        """One line: what changed (or, in a dry run, what would), or why nothing did."""
        if self.problems:
            count = len(self.problems)
            noun = "problem" if count == 1 else "problems"
            return f"{self.file_name}: {count} {noun}; nothing imported, the database is unchanged"
        c = self.counts
        text = (
            f"{self.file_name}: {c.added} added, {c.updated} updated, {c.unchanged} unchanged, "
            f"{c.deactivated} deactivated"
        )
        if c.details:
            text += "; " + ", ".join(f"{name}: {n}" for name, n in c.details.items())
        if self.dry_run:
            text += " (dry run, nothing written)"
        return text


async def import_file(
    engine: AsyncEngine,
    kind: str,
    path: Path,
    *,
    clock: Clock,
    timezone: str = "UTC",
    dry_run: bool = False,
    file_name: str | None = None,
    show_progress: bool | None = None,
    imported_by: ImportedBy = COMMAND_LINE,
    watcher: Watcher | None = None,
) -> ImportResult:
    """Read, check and (unless `dry_run` or a problem is found) write one import file.
    `timezone` is COACHBOT_TIMEZONE, whose date at `clock.now()` is the import's day;
    `file_name` is how problems name the file (default: `path` as given); the progress bar
    shows for files over `PROGRESS_ABOVE` rows when stderr is a terminal, unless
    `show_progress` says otherwise; `watcher` follows the progress instead (see `ImportContext`).
    The history records an applied import as `imported_by` (the console's admin, or the CLI).
    Raises `ImportFileError` when the file cannot be read at all."""
    with _collector_paused():
        return await _import(
            engine,
            kind,
            path,
            clock,
            timezone,
            dry_run,
            file_name,
            show_progress,
            imported_by,
            watcher,
        )


async def _import(
    engine: AsyncEngine,
    kind: str,
    path: Path,
    clock: Clock,
    timezone: str,
    dry_run: bool,
    file_name: str | None,
    show_progress: bool | None,
    imported_by: ImportedBy,
    watcher: Watcher | None,
) -> ImportResult:
    spec = KINDS[kind]
    name = file_name if file_name is not None else str(path)
    result = ImportResult(kind, name, dry_run)
    records, problems = read_csv(path, spec.layout)
    if problems and not records:  # an unreadable file or header: nothing to check row by row
        result.problems = [p.render(name) for p in problems]
        return result
    now = clock.now()
    if show_progress is None:
        # a bar redrawn with carriage returns is for a person watching: in a log, a cron mail
        # or CI output it would only be hundreds of lines of noise
        show_progress = len(records) > PROGRESS_ABOVE and sys.stderr.isatty()
    # with problems already found, the rows are still checked, but nothing will be written
    ctx = ImportContext(
        kind,
        now,
        local_date(now, timezone),
        dry_run or bool(problems),
        show_progress,
        watcher,
        imported_by.person_id,
    )
    async with engine.connect() as connection:
        transaction = await connection.begin()
        try:
            outcome = await spec.run(connection, records, ctx)
            problems += outcome.problems
            if problems or ctx.dry_run:
                await transaction.rollback()
            else:
                if outcome.counts.changed:  # importing the same file again changes nothing
                    await importer.record_run(
                        connection, kind, name, outcome.rows, now, outcome.counts, imported_by
                    )
                await transaction.commit()
        except BaseException:
            await transaction.rollback()
            raise
    order = {column: index for index, column in enumerate(spec.layout.columns)}
    problems.sort(key=lambda p: (p.line, order.get(p.column, -1)))
    result.problems = [p.render(name) for p in problems]
    result.counts = outcome.counts
    return result


@contextlib.contextmanager
def _collector_paused() -> Iterator[None]:
    """An import allocates a few objects per cell and makes no reference cycles; the cyclic
    garbage collector's repeated passes over them would cost more than the validation itself."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
