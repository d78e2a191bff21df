"""What the console's import pages read: the progress of a running import (the same steps the
terminal's progress bar shows) and the history of applied imports, who and what changed."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from adapters.imports import COMMAND_LINE, ImportedBy, import_file
from adapters.imports.people import LOCKS_OUT
from bot.clock import FixedClock
from storage.importer import recent_runs
from storage.personal_data import SqlPersonalData
from tests.imports.support import people_csv

CLOCK = FixedClock(datetime(2026, 3, 2, 10, tzinfo=UTC))


def directory(folder: Path, people: int) -> Path:
    rows = [f"p{i}@example.org,P {i},Sales,North,,monthly,,,,," for i in range(people)]
    path = folder / "people.csv"
    path.write_text(people_csv(*rows))
    return path


async def test_a_watcher_follows_validation_then_writing_to_the_last_row(
    engine: AsyncEngine, tmp_path: Path
) -> None:
    seen: list[tuple[str, int, int]] = []
    path = directory(tmp_path, 1200)
    result = await import_file(
        engine, "people", path, clock=CLOCK, watcher=lambda *step: seen.append(step)
    )
    assert result.ok
    phases = [phase for phase, _, _ in seen]
    assert phases.index("writing") > phases.index("validating")
    validating = [(done, total) for phase, done, total in seen if phase == "validating"]
    assert validating[0] == (0, 1200) and validating[-1] == (1200, 1200)
    assert [done for done, _ in validating] == sorted(done for done, _ in validating)
    writing = [(done, total) for phase, done, total in seen if phase == "writing"]
    assert writing[0][0] == 0 and writing[-1][0] == writing[-1][1] > 0


async def test_the_history_lists_applied_imports_newest_first_with_who_and_what_changed(
    engine: AsyncEngine, tmp_path: Path
) -> None:
    path = directory(tmp_path, 3)
    await import_file(engine, "people", path, clock=CLOCK, file_name="people.csv")
    await import_file(engine, "people", path, clock=CLOCK, dry_run=True)  # not applied
    await import_file(engine, "people", path, clock=CLOCK)  # changes nothing: not listed
    path.write_text(people_csv("p0@example.org,P Zero,Sales,South,,monthly,,,,,"))
    later = FixedClock(datetime(2026, 3, 3, 10, tzinfo=UTC))
    await import_file(
        engine,
        "people",
        path,
        clock=later,
        file_name="fix.csv",
        imported_by=ImportedBy("L&D console", await _id_of(engine, "p0@example.org")),
    )
    runs = await _runs(engine)
    assert [(r.file_name, r.imported_by) for r in runs] == [
        ("fix.csv", "P Zero"),
        ("people.csv", COMMAND_LINE.label),
    ]
    assert (runs[0].counts.updated, runs[0].counts.deactivated) == (1, 2)
    assert runs[0].imported_at == later.now()
    assert (runs[1].counts.added, runs[1].rows) == (3, 3)


async def test_erasing_the_admin_who_applied_an_import_leaves_no_name_in_the_history(
    engine: AsyncEngine, tmp_path: Path
) -> None:
    path = directory(tmp_path, 3)
    await import_file(engine, "people", path, clock=CLOCK)
    admin = await _id_of(engine, "p1@example.org")
    path.write_text(
        people_csv(*(f"p{i}@example.org,P {i},Sales,East,,monthly,,,,," for i in range(3)))
    )
    await import_file(
        engine, "people", path, clock=CLOCK, imported_by=ImportedBy("L&D console", admin)
    )
    assert [r.imported_by for r in await _runs(engine)] == ["P 1", "command line"]
    async with engine.begin() as connection:
        await SqlPersonalData(connection).erase(admin)
    assert [r.imported_by for r in await _runs(engine)] == ["L&D console", "command line"]
    async with engine.connect() as connection:
        stored = (await connection.execute(text("SELECT * FROM import_run"))).all()
    assert "P 1" not in repr(stored)


async def test_an_admin_cannot_apply_a_directory_that_deactivates_them(
    engine: AsyncEngine, tmp_path: Path
) -> None:
    path = directory(tmp_path, 3)
    await import_file(engine, "people", path, clock=CLOCK)
    admin = await _id_of(engine, "p2@example.org")
    path.write_text(
        people_csv(*(f"p{i}@example.org,P {i},Sales,North,,monthly,,,,," for i in range(2)))
    )
    console = ImportedBy("L&D console", admin)
    for dry_run in (True, False):
        result = await import_file(
            engine,
            "people",
            path,
            clock=CLOCK,
            dry_run=dry_run,
            file_name="people.csv",
            imported_by=console,
        )
        assert result.problems == [f"people.csv:1: file: {LOCKS_OUT}"]
    assert [r.file_name for r in await _runs(engine)] == [str(path)]  # only the first import
    from_the_command_line = await import_file(engine, "people", path, clock=CLOCK)
    assert from_the_command_line.ok and from_the_command_line.counts.deactivated == 1


async def _runs(engine: AsyncEngine) -> list:
    async with engine.connect() as connection:
        return await recent_runs(connection)


async def _id_of(engine: AsyncEngine, email: str) -> int:
    async with engine.connect() as connection:
        found = await connection.execute(
            text("SELECT id FROM person WHERE email = :e"), {"e": email}
        )
        return int(found.scalar_one())


async def test_a_file_with_a_nul_character_is_refused_before_anything_is_written(
    engine: AsyncEngine, tmp_path: Path
) -> None:
    path = tmp_path / "skills.csv"
    path.write_bytes(b"skill_id,name\nSK-1,Nego\x00tiation\n")
    result = await import_file(engine, "skills", path, clock=CLOCK, file_name="skills.csv")
    assert result.problems == [
        "skills.csv:2: encoding: contains a NUL character, not text; save it as CSV UTF-8, "
        "comma-separated"
    ]
    async with engine.connect() as connection:
        assert await recent_runs(connection) == []
