"""How long the nudge sweep takes over 20,000 coaching relationships (read what it needs in a
few set-based queries, leaving out in SQL the relationships whose nudges are all queued already,
plan in each person's working window, queue the outbox rows)
against one SQL query that selects the relationships due a session (last session + cadence
interval on or before today), in the same run, on SQLite and on PostgreSQL.
Target: at most 3x. Run: `.venv/bin/python bench/sweep.py [--relationships N] [--repeat R]`."""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from datetime import date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.nudges import NudgeKind
from bot.services.nudges import NudgePolicy, plan, sweep
from storage.db import create_engine
from storage.nudge_store import SqlNudgeStore
from storage.tables import metadata
from tests.support.databases import PostgresFactory, SqliteFactory
from tests.support.pgcluster import throwaway_cluster
from tests.support.sweep_org import TODAY, populate

TARGET = 3.0
AT = datetime(2026, 3, 9, 9, 30, tzinfo=ZoneInfo("Europe/London"))
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


async def timed(call: Callable[[], Awaitable[Any]], repeat: int) -> tuple[float, Any]:
    times, result = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        result = await call()
        times.append(time.perf_counter() - start)
    return statistics.median(times), result


async def figures(engine: AsyncEngine, repeat: int, at: datetime, today: date) -> dict[str, Any]:
    """The sweep against its one query on an organisation already in `engine`: the window's
    first sweep (queueing its rows) once, then `repeat` rounds of query and steady sweep."""
    store = SqlNudgeStore(engine)
    policy = NudgePolicy("Europe/London")
    dialect = engine.dialect.name

    async def baseline() -> int:
        async with engine.connect() as db:
            return len((await db.execute(text(BASELINE[dialect]), {"today": today})).all())

    async def first_sweep() -> int:
        return (await sweep(store, at, policy)).queued

    async def steady_sweep() -> int:
        return (await sweep(store, at, policy)).planned

    async def plan_only() -> tuple[int, int]:
        planned = await plan(store, at, policy)  # everything, queued or not
        manager_kinds = (NudgeKind.SESSION_DUE, NudgeKind.SESSION_OVERDUE)
        managers = sum(1 for n in planned.nudges if n.kind in manager_kinds)
        return len(planned.nudges), managers

    await baseline()  # warm the caches alike
    _, (window_nudges, manager_nudges) = await timed(plan_only, 1)
    async with engine.begin() as db:  # this window's nudges are not queued yet
        await db.execute(T["outbox"].delete())
    first_s, queued = await timed(first_sweep, 1)
    rounds = []  # each round times the two adjacently, so a busy moment weighs on both
    for _ in range(repeat):
        query_s, due = await timed(baseline, 1)
        sweep_s, planned = await timed(steady_sweep, 1)
        rounds.append((sweep_s / query_s, query_s, sweep_s))
    ratio, query_s, sweep_s = statistics.median_low(rounds)
    return {
        "ratio": ratio,
        "query_s": query_s,
        "sweep_s": sweep_s,
        "first_s": first_s,
        "queued": queued,
        "due": due,
        "planned": planned,
        "window_nudges": window_nudges,
        "manager_nudges": manager_nudges,
    }


async def measure(name: str, url: str, relationships: int, repeat: int) -> float:
    engine = create_engine(url)
    try:
        await populate(engine, relationships)
        f = await figures(engine, repeat, AT, TODAY)
    finally:
        await engine.dispose()
    print(
        f"{name}: {relationships} relationships; one SQL query selecting the due ones "
        f"{f['query_s'] * 1000:.1f} ms ({f['due']} due); the sweep {f['sweep_s'] * 1000:.1f} ms "
        f"({f['window_nudges']} nudges in this window, {f['manager_nudges']} to managers, "
        f"already queued; {f['planned']} planned from the relationships the query did not find "
        f"settled) = {f['ratio']:.2f}x (median of {repeat} rounds; target <= {TARGET:g}x); the "
        f"window's first sweep, queueing {f['queued']} rows, {f['first_s'] * 1000:.1f} ms = "
        f"{f['first_s'] / f['query_s']:.2f}x"
    )
    return float(f["ratio"])


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
