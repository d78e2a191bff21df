"""A generated organisation for the nudge sweep: managers with 8 reports each, sessions at each
relationship's cadence, open actions, leave and snoozes; used by bench/sweep.py and by the test
that the sweep's SQL filter plans exactly what the whole snapshot plans."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncEngine

from storage.tables import metadata

T = metadata.tables
TODAY = date(2026, 3, 9)  # a Monday
REPORTS_PER_MANAGER = 8
CADENCES = ("monthly", "monthly", "fortnightly", "quarterly", None)
ZONES = ("Europe/London",) * 8 + ("Europe/Paris", "America/New_York")
INTERVAL_DAYS: dict[object, int] = {"fortnightly": 14, "monthly": 30, "quarterly": 91, None: 30}
LATE_DAYS = 10


async def _bulk(engine: AsyncEngine, table: str, rows: list[dict[str, Any]]) -> None:
    async with engine.begin() as db:
        for start in range(0, len(rows), 5000):
            await db.execute(T[table].insert(), rows[start : start + 5000])


async def populate(engine: AsyncEngine, relationships: int, today: date = TODAY) -> None:
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
        last = today - timedelta(days=rng.randint(1, interval + LATE_DAYS))
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
                    "created_at": datetime.combine(held, time(15), tzinfo=UTC),
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
        {"person_id": e, "starts_on": today - timedelta(days=2), "ends_on": today + timedelta(4)}
        for _, e in rng.sample(pairs, relationships // 50)
    ]
    await _bulk(engine, "leave", leave)
    snoozes = [
        {"manager_id": m, "employee_id": e, "until": today + timedelta(days=2)}
        for m, e in rng.sample(pairs, relationships // 100)
    ]
    await _bulk(engine, "snooze", snoozes)
