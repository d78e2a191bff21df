"""A small organisation in Slack: Maya coaches Ed and Zoe; Olu coaches Kim; Sam is in Slack but
not in the directory."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import date

import pytest

from adapters.slack_emulator import WorkspaceUser
from storage.db import create_engine
from tests.storage.org import insert
from tests.support.slack_world import SlackWorld, start_world

USERS = [
    WorkspaceUser("U0MAYA", "maya@example.org", "Maya Patel", tz="Europe/London"),
    WorkspaceUser("U0ED", "ed@example.org", "Ed Jones", tz="Europe/London"),
    WorkspaceUser("U0ZOE", "zoe@example.org", "Zoe Adams", tz="America/New_York"),
    WorkspaceUser("U0OLU", "olu@example.org", "Olu Bello", tz="Europe/London"),
    WorkspaceUser("U0KIM", "kim@example.org", "Kim Lee", tz="Europe/London"),
    WorkspaceUser("U0SAM", "sam@example.org", "Sam Stranger", tz="Europe/London"),
    WorkspaceUser("U0DANA", "dana@example.org", "Dana Okafor", tz="Europe/London"),
]


@dataclass(frozen=True)
class People:
    maya: int
    ed: int
    zoe: int
    olu: int
    kim: int


async def seed(database_url: str) -> People:
    engine = create_engine(database_url)
    try:
        ids = {}
        for user in USERS[:5]:
            first = user.name.split()[0].lower()
            ids[first] = await insert(
                engine,
                "person",
                email=user.email,
                name=user.name,
                department="Sales",
                team="North",
                cadence="monthly",
            )
        await insert(
            engine,
            "person",
            email="dana@example.org",
            name="Dana Okafor",
            department="People",
            roles="ld_admin",
        )
        since = date(2025, 1, 6)
        for manager, employee in (("maya", "ed"), ("maya", "zoe"), ("olu", "kim")):
            await insert(
                engine,
                "coaching_relationship",
                manager_id=ids[manager],
                employee_id=ids[employee],
                started_on=since,
            )
        await insert(engine, "skill", skill_id="SK-NEGO", name="Negotiation")
        await insert(engine, "skill", skill_id="SK-COMM", name="Communication")
        await insert(
            engine,
            "course",
            course_id="C-101",
            title="Negotiation basics",
            url="https://lms.example.org/course/view.php?id=101",
            skill_ids="SK-NEGO",
        )
        await insert(engine, "course", course_id="C-102", title="Difficult conversations")
    finally:
        await engine.dispose()
    return People(ids["maya"], ids["ed"], ids["zoe"], ids["olu"], ids["kim"])


@pytest.fixture
async def people(sqlite_url: str) -> People:
    return await seed(sqlite_url)


@pytest.fixture
async def world(sqlite_url: str, people: People) -> AsyncIterator[SlackWorld]:
    slack, close = await start_world(sqlite_url, USERS)
    yield slack
    await close()
