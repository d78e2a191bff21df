"""A small organisation written straight into the tables, for storage and service tests:
Maya manages Ed and Zoe; Ed's old manager was Olu; a few skills and courses."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy.ext.asyncio import AsyncEngine

from storage.tables import metadata

T = metadata.tables


@dataclass(frozen=True)
class Org:
    maya: int
    ed: int
    zoe: int
    olu: int
    newbie: int


async def insert(engine: AsyncEngine, table: str, **values: Any) -> int:
    async with engine.begin() as connection:
        result = await connection.execute(T[table].insert().values(**values))
        key = result.inserted_primary_key
    return int(key[0]) if key and isinstance(key[0], int) else 0


async def build_org(engine: AsyncEngine) -> Org:
    async def person(email: str, name: str, **extra: Any) -> int:
        return await insert(engine, "person", email=email, name=name, **extra)

    maya = await person("maya@example.org", "Maya Patel", department="Sales", team="North")
    ed = await person(
        "ed@example.org", "Ed Jones", department="Sales", team="North", slack_user_id="U_ED"
    )
    zoe = await person("zoe@example.org", "Zoe Adams", department="Sales", team="North")
    olu = await person("olu@example.org", "Olu Bello", department="Sales")
    newbie = await person(
        "new@example.org", "Nia New", department="Sales", start_date=date(2026, 12, 1)
    )
    # as the imports make them: an employee's first relationship covers their whole past
    # (history_from None), a later one's history starts the day it starts
    for manager, employee, started, history_from, ended in (
        (olu, ed, date(2025, 1, 1), None, date(2026, 1, 1)),
        (maya, ed, date(2026, 1, 1), date(2026, 1, 1), None),
        (maya, zoe, date(2026, 3, 1), None, None),
        (maya, newbie, date(2026, 11, 1), None, None),
    ):
        await insert(
            engine,
            "coaching_relationship",
            manager_id=manager,
            employee_id=employee,
            started_on=started,
            history_from=history_from,
            ended_on=ended,
        )
    for skill_id, name in (
        ("negotiation", "Negotiation"),
        ("public-speaking", "Public speaking"),
        ("sql", "SQL basics"),
    ):
        await insert(engine, "skill", skill_id=skill_id, name=name)
    for course_id, title, skills in (
        ("C-NEG-1", "Negotiation fundamentals", "negotiation"),
        ("C-NEG-2", "Advanced negotiation tactics", "negotiation"),
        ("C-TALK", "Speaking with confidence", "public-speaking"),
    ):
        await insert(
            engine,
            "course",
            course_id=course_id,
            title=title,
            url=f"https://lms.example.org/{course_id}",
            skill_ids=skills,
        )
    return Org(maya=maya, ed=ed, zoe=zoe, olu=olu, newbie=newbie)
