"""How long `coachbot import people` takes for 20,000 people (parse, validate, write people
and their coaching relationships) against a raw driver `executemany` of the same person rows
into another fresh database of the same kind, in the same run, on SQLite and PostgreSQL.
Target: at most 5x. Run: `.venv/bin/python bench/import_people.py [--people N] [--repeat R]`."""

from __future__ import annotations

import argparse
import asyncio
import csv
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from adapters.imports import import_file
from adapters.imports.people import LAYOUT
from bot.clock import SystemClock
from storage.db import create_engine
from tests.support.databases import PostgresFactory, SqliteFactory
from tests.support.pgcluster import throwaway_cluster

TARGET = 5.0
COLUMNS = LAYOUT.columns
ZONES = ("Europe/London", "Europe/Paris", "America/New_York", "Asia/Singapore", "")
CADENCES = ("monthly", "fortnightly", "quarterly", "")


def organisation(size: int, seed: int = 7) -> list[dict[str, str]]:
    """`size` people in a tree (each manager has up to 8 reports), 12 departments of 6 teams."""
    rng = random.Random(seed)
    people: list[dict[str, str]] = []
    for index in range(size):
        manager = "" if index == 0 else people[(index - 1) // 8]["email"]
        department = f"Department {index % 12:02d}"
        people.append(
            {
                "email": f"person{index:05d}@example.org",
                "name": f"Person {index:05d}",
                "department": department,
                "team": f"Team {rng.randrange(6)}",
                "manager_email": manager,
                "cadence": rng.choice(CADENCES),
                "roles": "ld_admin" if index % 1000 == 1 else "",
                "start_date": (date(2015, 1, 1) + timedelta(days=rng.randrange(4000))).isoformat(),
                "slack_user_id": f"U{index:08d}",
                "teams_user_id": f"29:{index:08d}",
                "timezone": rng.choice(ZONES),
            }
        )
    return people


def write_csv(people: list[dict[str, str]], path: Path) -> None:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=COLUMNS)
        writer.writeheader()
        writer.writerows(people)


def person_tuples(people: list[dict[str, str]], sqlite: bool) -> list[tuple[object, ...]]:
    """The rows as the driver takes them (SQLite stores dates as ISO text)."""
    rows: list[tuple[object, ...]] = []
    for p in people:
        start = p["start_date"] if sqlite else date.fromisoformat(p["start_date"])
        rows.append(
            (
                p["email"],
                p["name"],
                p["department"],
                p["team"],
                p["cadence"] or None,
                p["roles"],
                start,
                p["slack_user_id"],
                p["teams_user_id"],
                p["timezone"] or None,
                True,
            )
        )
    return rows


async def raw_insert(url: str, people: list[dict[str, str]]) -> float:
    engine = create_engine(url)
    sqlite = engine.dialect.name == "sqlite"
    names = (
        "email,name,department,team,cadence,roles,start_date,slack_user_id,teams_user_id,"
        "timezone,active"
    )
    marks = ",".join("?" if sqlite else f"${i}" for i in range(1, 12))
    sql = f"INSERT INTO person ({names}) VALUES ({marks})"
    rows = person_tuples(people, sqlite)
    try:
        async with engine.connect() as connection:
            raw = await connection.get_raw_connection()
            driver = raw.driver_connection
            assert driver is not None
            started = time.perf_counter()
            if sqlite:
                await driver.executemany(sql, rows)
                await driver.commit()
            else:
                async with driver.transaction():
                    await driver.executemany(sql, rows)
            return time.perf_counter() - started
    finally:
        await engine.dispose()


async def real_import(url: str, path: Path, expected: int) -> float:
    engine = create_engine(url)
    try:
        started = time.perf_counter()
        result = await import_file(engine, "people", path, clock=SystemClock())
        elapsed = time.perf_counter() - started
    finally:
        await engine.dispose()
    assert result.ok and result.counts.added == expected, result.problems[:5]
    return elapsed


def measure(
    label: str, fresh: Callable[[], str], people: list[dict[str, str]], path: Path, repeat: int
) -> float:
    """`repeat` rounds of a raw insert then an import, each into a fresh database; the ratio
    is the median of the rounds' ratios, so that a busy moment affects both sides of one
    round rather than one side of the comparison."""
    imports, raws = [], []
    for _ in range(repeat):
        raws.append(asyncio.run(raw_insert(fresh(), people)))
        imports.append(asyncio.run(real_import(fresh(), path, len(people))))
    ratio = statistics.median(i / r for i, r in zip(imports, raws, strict=True))
    verdict = "ok" if ratio <= TARGET else f"OVER the {TARGET:g}x target"
    print(
        f"{label:<11} import {statistics.median(imports) * 1000:7.1f} ms   raw executemany "
        f"{statistics.median(raws) * 1000:6.1f} ms   ratio {ratio:4.2f}x   ({verdict}; medians "
        f"of {repeat} rounds; best {min(imports) * 1000:.1f} ms and {min(raws) * 1000:.1f} ms)"
    )
    return ratio


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=20_000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    people = organisation(args.people)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "people.csv"
        write_csv(people, path)
        print(f"{args.people} people, {path.stat().st_size // 1024} KiB of CSV")
        ratios = [measure("SQLite", SqliteFactory(Path(folder)).fresh, people, path, args.repeat)]
        with throwaway_cluster() as admin_url:
            factory = PostgresFactory(admin_url)
            ratios.append(measure("PostgreSQL", factory.fresh, people, path, args.repeat))
    return 0 if all(r <= TARGET for r in ratios) else 1


if __name__ == "__main__":
    sys.exit(main())
