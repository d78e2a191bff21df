"""The people file is the whole directory: people missing from a later file are deactivated,
not deleted; coaching relationships follow `manager_email`, dated by the day of the import in
COACHBOT_TIMEZONE (from an injected clock)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy.ext.asyncio import AsyncEngine

from adapters.imports import ImportResult, import_file
from bot.clock import FixedClock
from tests.imports.support import fetch, people_csv

ZONE = "Pacific/Auckland"  # 12 or 13 hours ahead of UTC: the local day is not the UTC day
DAY_1 = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)  # 2026-03-02 in Auckland
DAY_2 = datetime(2026, 4, 9, 23, 0, tzinfo=UTC)  # 2026-04-10 in Auckland
DAY_3 = datetime(2026, 5, 20, 1, 0, tzinfo=UTC)  # 2026-05-20 in Auckland

ADA = "ada@example.org,Ada,Eng,,,,,,,,"
GRACE = "grace@example.org,Grace,Eng,,ada@example.org,,,,,,"
ALAN = "alan@example.org,Alan,Eng,,grace@example.org,,,,,,"
ALAN_UNDER_ADA = "alan@example.org,Alan,Eng,,ada@example.org,,,,,,"


async def _import(engine: AsyncEngine, tmp_path: Path, at: datetime, *rows: str) -> ImportResult:
    path = tmp_path / "people.csv"
    path.write_text(people_csv(*rows), encoding="utf-8")
    result = await import_file(
        engine, "people", path, clock=FixedClock(at), timezone=ZONE, file_name="people.csv"
    )
    assert result.ok, result.problems
    return result


async def _people(engine: AsyncEngine) -> list[tuple[object, ...]]:
    return await fetch(engine, "SELECT email, active, deactivated_on FROM person ORDER BY email")


async def _relationships(engine: AsyncEngine) -> list[tuple[object, ...]]:
    return await fetch(
        engine,
        "SELECT m.email, e.email, r.started_on, r.ended_on FROM coaching_relationship r"
        " JOIN person m ON m.id = r.manager_id JOIN person e ON e.id = r.employee_id"
        " ORDER BY r.id",
    )


async def test_relationships_start_on_the_import_day_in_the_organisation_zone(
    engine: AsyncEngine, tmp_path: Path
) -> None:
    await _import(engine, tmp_path, DAY_1, ADA, GRACE, ALAN)

    assert await _relationships(engine) == [
        ("ada@example.org", "grace@example.org", "2026-03-02", None),
        ("grace@example.org", "alan@example.org", "2026-03-02", None),
    ]


async def test_a_later_import_of_the_same_managers_restarts_nothing(
    engine: AsyncEngine, tmp_path: Path
) -> None:
    await _import(engine, tmp_path, DAY_1, ADA, GRACE, ALAN)
    before = await fetch(engine, "SELECT * FROM coaching_relationship ORDER BY id")

    result = await _import(engine, tmp_path, DAY_2, ALAN, GRACE, ADA)

    assert (result.counts.added, result.counts.updated, result.counts.unchanged) == (0, 0, 3)
    assert await fetch(engine, "SELECT * FROM coaching_relationship ORDER BY id") == before


async def test_a_changed_manager_ends_the_old_relationship_and_starts_a_new_one_that_day(
    engine: AsyncEngine, tmp_path: Path
) -> None:
    await _import(engine, tmp_path, DAY_1, ADA, GRACE, ALAN)

    result = await _import(engine, tmp_path, DAY_2, ADA, GRACE, ALAN_UNDER_ADA)

    assert result.counts.details == {"relationships started": 1, "relationships ended": 1}
    assert result.counts.unchanged == 3  # a new manager changes no person row
    assert await _relationships(engine) == [
        ("ada@example.org", "grace@example.org", "2026-03-02", None),
        ("grace@example.org", "alan@example.org", "2026-03-02", "2026-04-10"),
        ("ada@example.org", "alan@example.org", "2026-04-10", None),
    ]


async def test_people_added_by_a_later_import_manage_and_are_managed_by_people_stored_before(
    engine: AsyncEngine, tmp_path: Path
) -> None:
    await _import(engine, tmp_path, DAY_1, ADA, GRACE)
    barbara = "Barbara@Example.org,Barbara,Eng,,,,,,,,"
    ada_under_barbara = "ada@example.org,Ada,Eng,,barbara@example.org,,,,,,"

    result = await _import(engine, tmp_path, DAY_2, barbara, ada_under_barbara, GRACE, ALAN)

    assert result.counts.added == 2
    assert sorted(await _relationships(engine)) == [
        ("ada@example.org", "grace@example.org", "2026-03-02", None),
        ("barbara@example.org", "ada@example.org", "2026-04-10", None),
        ("grace@example.org", "alan@example.org", "2026-04-10", None),
    ]


async def test_a_blank_manager_ends_the_relationship(engine: AsyncEngine, tmp_path: Path) -> None:
    await _import(engine, tmp_path, DAY_1, ADA, GRACE)

    await _import(engine, tmp_path, DAY_2, ADA, "grace@example.org,Grace,Eng,,,,,,,,")

    assert await _relationships(engine) == [
        ("ada@example.org", "grace@example.org", "2026-03-02", "2026-04-10"),
    ]


async def test_people_missing_from_a_later_import_are_deactivated_and_their_relationships_end(
    engine: AsyncEngine, tmp_path: Path
) -> None:
    await _import(engine, tmp_path, DAY_1, ADA, GRACE, ALAN)

    result = await _import(engine, tmp_path, DAY_2, ADA, GRACE)

    assert result.counts.deactivated == 1
    assert await _people(engine) == [
        ("ada@example.org", 1, None),
        ("alan@example.org", 0, "2026-04-10"),
        ("grace@example.org", 1, None),
    ]
    assert await _relationships(engine) == [
        ("ada@example.org", "grace@example.org", "2026-03-02", None),
        ("grace@example.org", "alan@example.org", "2026-03-02", "2026-04-10"),
    ]


async def test_a_deactivated_person_is_reactivated_when_they_reappear(
    engine: AsyncEngine, tmp_path: Path
) -> None:
    await _import(engine, tmp_path, DAY_1, ADA, GRACE, ALAN)
    await _import(engine, tmp_path, DAY_2, ADA, GRACE)
    ids_before = await fetch(engine, "SELECT id, email FROM person ORDER BY id")

    result = await _import(engine, tmp_path, DAY_3, ADA, GRACE, ALAN)

    assert (result.counts.added, result.counts.updated, result.counts.deactivated) == (0, 1, 0)
    assert await fetch(engine, "SELECT id, email FROM person ORDER BY id") == ids_before
    assert await _people(engine) == [
        ("ada@example.org", 1, None),
        ("alan@example.org", 1, None),
        ("grace@example.org", 1, None),
    ]
    assert await _relationships(engine) == [
        ("ada@example.org", "grace@example.org", "2026-03-02", None),
        ("grace@example.org", "alan@example.org", "2026-03-02", "2026-04-10"),
        ("grace@example.org", "alan@example.org", "2026-05-20", None),
    ]


async def test_a_changed_detail_updates_the_person(engine: AsyncEngine, tmp_path: Path) -> None:
    await _import(engine, tmp_path, DAY_1, ADA, GRACE)

    result = await _import(
        engine,
        tmp_path,
        DAY_2,
        ADA,
        "grace@example.org,Grace H.,Research,Tools,ada@example.org,quarterly,ld_admin,"
        "2025-01-02,U1,29:g,Asia/Tokyo",
    )

    assert (result.counts.updated, result.counts.unchanged) == (1, 1)
    assert await fetch(
        engine,
        "SELECT name, department, team, cadence, roles, start_date, slack_user_id,"
        " teams_user_id, timezone FROM person WHERE email = 'grace@example.org'",
    ) == [
        (
            "Grace H.",
            "Research",
            "Tools",
            "quarterly",
            "ld_admin",
            "2025-01-02",
            "U1",
            "29:g",
            "Asia/Tokyo",
        )
    ]


async def test_an_empty_directory_is_refused(engine: AsyncEngine, tmp_path: Path) -> None:
    await _import(engine, tmp_path, DAY_1, ADA, GRACE)
    path = tmp_path / "empty.csv"
    path.write_text(people_csv(), encoding="utf-8")

    result = await import_file(
        engine, "people", path, clock=FixedClock(DAY_2), timezone=ZONE, file_name="empty.csv"
    )

    assert result.problems == [
        "empty.csv:1: file: no people listed; an empty directory would deactivate everyone"
    ]
    assert await _people(engine) == [("ada@example.org", 1, None), ("grace@example.org", 1, None)]
