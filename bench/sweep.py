"""How long the nudge sweep takes over 20,000 coaching relationships (read everything it needs
in a few set-based queries, plan in each person's working window, queue the outbox rows)
against one SQL query that selects the relationships due a session (last session + cadence
interval on or before today), in the same run, on SQLite and on PostgreSQL.
Target: at most 3x. Run: `.venv/bin/python bench/sweep.py [--relationships N] [--repeat R]`."""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, date, datetime, timedelta
from datetime import time as time_of_day_type
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.nudges import NudgeKind
from bot.services.nudges import NudgePolicy, plan, sweep
from storage.db import create_engine
from storage.sweep import SqlNudgeStore
from storage.tables import metadata
from tests.support.databases import PostgresFactory, SqliteFactory
from tests.support.pgcluster import throwaway_cluster

TARGET = 3.0
TODAY = date(2026, 3, 9)  # a Monday
AT = datetime(2026, 3, 9, 9, 30, tzinfo=ZoneInfo("Europe/London"))
REPORTS_PER_MANAGER = 8
time_of_day = time_of_day_type(15)
CADENCES = ("monthly", "monthly", "fortnightly", "quarterly", None)
ZONES = ("Europe/London",) * 8 + ("Europe/Paris", "America/New_York")
INTERVAL_DAYS = {"fortnightly": 14, "monthly": 30, "quarterly": 91, None: 30}
LATE_DAYS = 10
T = metadata.tables

BASELINE = {
    "sqlite": """
SELECT r.manager_id, r.employee_id
FROM coaching_relationship r
JOIN person e ON e.id = r.employee_id
JOIN person m ON m.id = r.manager_id
LEFT JOIN (SELECT manager_id, employee_id, max(held_on) AS last_on FROM coaching_session
           GROUP BY manager_id, employee_id) s
  ON s.manager_id = r.manager_id AND s.employee_id = r.employee_id
WHERE r.started_on <= :today AND (r.ended_on IS NULL OR r.ended_on > :today)
  AND e.active AND m.active
  AND CASE e.cadence
        WHEN 'fortnightly' THEN date(coalesce(s.last_on, r.started_on), '+14 days')
        WHEN 'quarterly' THEN date(coalesce(s.last_on, r.started_on), '+3 months')
        ELSE date(coalesce(s.last_on, r.started_on), '+1 month') END <= :today
""",
    "postgresql": """
SELECT r.manager_id, r.employee_id
FROM coaching_relationship r
JOIN person e ON e.id = r.employee_id
JOIN person m ON m.id = r.manager_id
LEFT JOIN (SELECT manager_id, employee_id, max(held_on) AS last_on FROM coaching_session
           GROUP BY manager_id, employee_id) s
  ON s.manager_id = r.manager_id AND s.employee_id = r.employee_id
WHERE r.started_on <= :today AND (r.ended_on IS NULL OR r.ended_on > :today)
  AND e.active AND m.active
  AND CASE e.cadence
        WHEN 'fortnightly' THEN coalesce(s.last_on, r.started_on) + interval '14 days'
        WHEN 'quarterly' THEN coalesce(s.last_on, r.started_on) + interval '3 months'
        ELSE coalesce(s.last_on, r.started_on) + interval '1 month' END <= :today
""",
}


async def _bulk(engine: AsyncEngine, table: str, rows: list[dict[str, Any]]) -> None:
    async with engine.begin() as db:
        for start in range(0, len(rows), 5000):
            await db.execute(T[table].insert(), rows[start : start + 5000])


async def populate(engine: AsyncEngine, relationships: int) -> None:
    """Managers with 8 reports each; 4 sessions per relationship at its cadence, the last one
    up to an interval and a week ago (so some are due, some overdue, most not yet; days 1-28,
    so that SQL's month arithmetic agrees with the calendar's); open actions; leave and
    snoozes for a few."""
    rng = random.Random(7)
    managers = relationships // REPORTS_PER_MANAGER
    people = [
        {
            "id": n + 1,
            "email": f"p{n}@example.org",
            "name": f"Person {n}",
            "department": f"D{n % 20}",
            "cadence": rng.choice(CADENCES) if n >= managers else "monthly",
            "start_date": date(2020, 1, 1),
            "timezone": rng.choice(ZONES),
            "slack_user_id": f"U{n:06d}",
        }
        for n in range(managers + relationships)
    ]
    await _bulk(engine, "person", people)
    await _bulk(
        engine,
        "skill",
        [{"skill_id": "SK-1", "name": "Communication"}],
    )
    pairs = [(1 + n % managers, managers + n + 1) for n in range(relationships)]
    await _bulk(
        engine,
        "coaching_relationship",
        [{"manager_id": m, "employee_id": e, "started_on": date(2024, 1, 1)} for m, e in pairs],
    )
    sessions, session_id = [], 0
    actions = []
    for manager, employee in pairs:
        interval = INTERVAL_DAYS[people[employee - 1]["cadence"]]
        last = TODAY - timedelta(days=rng.randint(1, interval + LATE_DAYS))
        last = last.replace(day=min(last.day, 28))
        for back in range(4):
            session_id += 1
            held = last - timedelta(days=interval * back)
            held = held.replace(day=min(held.day, 28))
            sessions.append(
                {
                    "id": session_id,
                    "manager_id": manager,
                    "employee_id": employee,
                    "held_on": held,
                    "duration_minutes": 30,
                    "focus_type": "skill_development",
                    "skill_id": "SK-1",
                    "key_points": ["A development conversation"],
                    "created_at": datetime.combine(held, time_of_day, tzinfo=UTC),
                }
            )
        for _ in range(rng.randint(0, 3)):
            actions.append(
                {
                    "session_id": session_id,
                    "employee_id": employee,
                    "text": "An agreed action",
                    "status": "open",
                }
            )
    await _bulk(engine, "coaching_session", sessions)
    await _bulk(engine, "agreed_action", actions)
    leave = [
        {"person_id": e, "starts_on": TODAY - timedelta(days=2), "ends_on": TODAY + timedelta(4)}
        for _, e in rng.sample(pairs, relationships // 50)
    ]
    await _bulk(engine, "leave", leave)
    snoozes = [
        {"manager_id": m, "employee_id": e, "until": TODAY + timedelta(days=2)}
        for m, e in rng.sample(pairs, relationships // 100)
    ]
    await _bulk(engine, "snooze", snoozes)


async def timed(call: Callable[[], Awaitable[Any]], repeat: int) -> tuple[float, Any]:
    times, result = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        result = await call()
        times.append(time.perf_counter() - start)
    return statistics.median(times), result


async def measure(name: str, url: str, relationships: int, repeat: int) -> float:
    engine = create_engine(url)
    try:
        await populate(engine, relationships)
        store = SqlNudgeStore(engine)
        policy = NudgePolicy("Europe/London")
        dialect = engine.dialect.name

        async def baseline() -> int:
            async with engine.connect() as db:
                return len((await db.execute(text(BASELINE[dialect]), {"today": TODAY})).all())

        async def first_sweep() -> int:
            async with engine.begin() as db:
                await db.execute(T["outbox"].delete())
            return (await sweep(store, AT, policy)).queued

        async def steady_sweep() -> int:
            return (await sweep(store, AT, policy)).planned

        async def plan_only() -> int:
            planned = await plan(store, AT, policy)
            manager_kinds = (NudgeKind.SESSION_DUE, NudgeKind.SESSION_OVERDUE)
            return sum(1 for n in planned.nudges if n.kind in manager_kinds)

        await baseline()  # warm the caches alike
        _, manager_nudges = await timed(plan_only, 1)
        first_s, queued = await timed(first_sweep, 1)
        rounds = []  # each round times the two adjacently, so a busy moment weighs on both
        for _ in range(repeat):
            query_s, due = await timed(baseline, 1)
            sweep_s, planned = await timed(steady_sweep, 1)
            rounds.append((sweep_s / query_s, query_s, sweep_s))
        ratio, query_s, sweep_s = statistics.median(rounds)
    finally:
        await engine.dispose()
    print(
        f"{name}: {relationships} relationships; one SQL query selecting the due ones "
        f"{query_s * 1000:.1f} ms ({due} due); the sweep {sweep_s * 1000:.1f} ms "
        f"({planned} nudges in this window, {manager_nudges} to managers, already queued) "
        f"= {ratio:.2f}x (median of {repeat} rounds; target <= {TARGET:g}x); the window's "
        f"first sweep, queueing "
        f"{queued} rows, {first_s * 1000:.1f} ms = {first_s / query_s:.2f}x"
    )
    return ratio


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--relationships", type=int, default=20_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--sqlite-only", action="store_true")
    args = parser.parse_args()
    ratios = []
    with tempfile.TemporaryDirectory() as folder:
        url = SqliteFactory(Path(folder)).fresh()
        ratios.append(asyncio.run(measure("sqlite", url, args.relationships, args.repeat)))
        if not args.sqlite_only:
            with throwaway_cluster() as admin_url:
                url = PostgresFactory(admin_url).fresh()
                ratios.append(
                    asyncio.run(measure("postgresql", url, args.relationships, args.repeat))
                )
    return 0 if max(ratios) <= TARGET else 1


if __name__ == "__main__":
    sys.exit(main())
