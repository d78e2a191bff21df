"""A large, realistic organisation written straight into the tables: a manager with 25 reports,
each report with 30 sessions, 60 open actions, 15 assigned courses and 12 goals; 150 skills and
300 courses whose 200-character titles mix scripts, emoji and Slack's control characters.
Used to drive every surface of both doors and check each payload against the platforms' limits."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from storage.tables import metadata

T = metadata.tables
REPORTS = 25
SESSIONS = 30
OPEN_ACTIONS = 60
COURSES_EACH = 15
GOALS = 12
SKILLS = 150
LD_ADMIN = "U0LEE"
COURSES = 300
# several scripts, emoji beyond the basic plane, and the characters Slack escapes
WORDS = (
    "R&D",
    "négociation",
    "переговоры",
    "交渉術",
    "التفاوض",
    "बातचीत",
    "협상",
    "<draft>",
    "🚀",
    "👩🏽‍💻",
    "Zürich",
    "Ελληνικά",
    "ünïcödé",
    "😀",
)


def phrase(seed: int, length: int) -> str:
    """Words cycling through `WORDS` from `seed`, `length` characters long (whole words)."""
    words: list[str] = []
    index = seed
    while len(" ".join(words)) < length:
        words.append(WORDS[index % len(WORDS)])
        index += 1
    return " ".join(words)[:length].rstrip()


@dataclass(frozen=True)
class BigOrg:
    manager: int
    reports: list[int]
    report_names: list[str]
    slack_ids: dict[int, str]


def slack_id(index: int) -> str:
    return "U0BOSS" if index < 0 else f"U0R{index:03d}"


def person_name(index: int) -> str:
    return "Morgan Boss" if index < 0 else f"Report {index:02d} {WORDS[index % len(WORDS)]}"


async def _bulk(engine: AsyncEngine, table: str, rows: list[dict[str, Any]]) -> None:
    async with engine.begin() as db:
        for start in range(0, len(rows), 2000):
            await db.execute(T[table].insert(), rows[start : start + 2000])


async def populate(engine: AsyncEngine, today: date) -> BigOrg:
    people = [
        {
            "id": n + 2,
            "email": f"r{n}@example.org",
            "name": person_name(n),
            "department": "Sales",
            "cadence": "monthly",
            "timezone": "UTC",
            "start_date": date(2020, 1, 1),
            "slack_user_id": slack_id(n),
        }
        for n in range(REPORTS)
    ]
    boss = {
        "id": 1,
        "email": "boss@example.org",
        "name": person_name(-1),
        "department": "Sales",
        "cadence": "monthly",
        "timezone": "UTC",
        "start_date": date(2020, 1, 1),
        "slack_user_id": slack_id(-1),
    }
    analyst = {
        "id": REPORTS + 2,
        "email": "ld@example.org",
        "name": "Lee Analyst",
        "department": "People",
        "cadence": None,
        "timezone": "UTC",
        "start_date": date(2020, 1, 1),
        "slack_user_id": LD_ADMIN,
    }
    await _bulk(engine, "person", [boss, *people])
    await _bulk(engine, "person", [{**analyst, "roles": "ld_admin"}])
    reports = [p["id"] for p in people]
    await _bulk(
        engine,
        "coaching_relationship",
        [{"manager_id": 1, "employee_id": e, "started_on": date(2020, 1, 6)} for e in reports],
    )
    await _bulk(
        engine,
        "skill",
        [{"skill_id": f"SK-{n:03d}", "name": phrase(n, 60)} for n in range(SKILLS)],
    )
    await _bulk(
        engine,
        "course",
        [
            {
                "course_id": f"C-{n:03d}",
                "title": phrase(n, 200),
                "url": f"https://lms.example.org/course/view.php?id={n}&lang=x",
                "skill_ids": f"SK-{n % SKILLS:03d}",
            }
            for n in range(COURSES)
        ],
    )
    sessions, actions, assignments, goals = [], [], [], []
    session_id = 0
    last_held = today - timedelta(days=40)  # a month ago and more: every report is due
    for r, employee in enumerate(reports):
        for back in range(SESSIONS):
            session_id += 1
            held = last_held - timedelta(days=14 * (SESSIONS - 1 - back))
            sessions.append(
                {
                    "id": session_id,
                    "manager_id": 1,
                    "employee_id": employee,
                    "held_on": held,
                    "duration_minutes": 30,
                    "focus_type": "skill_development",
                    "skill_id": f"SK-{(r + back) % SKILLS:03d}",
                    "key_points": [phrase(back + i, 150) for i in range(4)],
                    "created_at": datetime.combine(held, time(15), tzinfo=UTC),
                }
            )
        actions += [
            {
                "session_id": session_id,
                "employee_id": employee,
                "text": f"Action {a:02d}: " + phrase(a + r, 300),
                "due_on": today + timedelta(days=a),
                "status": "open",
            }
            for a in range(OPEN_ACTIONS)
        ]
        assignments += [
            {
                "employee_id": employee,
                "course_id": f"C-{(r * COURSES_EACH + c) % COURSES:03d}",
                "assigned_on": last_held - timedelta(days=c),
                "session_id": session_id - c,
                "assigned_by_id": 1,
                "reason": phrase(c, 120),
            }
            for c in range(COURSES_EACH)
        ]
        goals += [
            {
                "employee_id": employee,
                "title": f"Goal {g:02d}: " + phrase(g + r, 190),
                "skill_id": f"SK-{g:03d}",
                "status": "in_progress",
                "created_on": last_held - timedelta(days=g),
            }
            for g in range(GOALS)
        ]
    await _bulk(engine, "coaching_session", sessions)
    await _bulk(engine, "agreed_action", actions)
    await _bulk(engine, "course_assignment", assignments)
    await _bulk(engine, "ilp_goal", goals)
    if engine.dialect.name == "postgresql":  # rows were given ids: move the sequences on
        async with engine.begin() as db:
            for table in ("person", "coaching_session"):
                await db.execute(
                    text(
                        f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), max(id)) "
                        f"FROM {table}"
                    )
                )
    return BigOrg(
        manager=1,
        reports=reports,
        report_names=[p["name"] for p in people],
        slack_ids={p["id"]: p["slack_user_id"] for p in [boss, *people]},
    )
