"""Sessions for one employee submitted at the same moment, through the real Slack door on both
databases: reviewing and carrying the employee's open actions happens one session at a time, so
every action stays open exactly once, as it would if the forms had been sent one after another."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from tests.services.helpers import rows
from tests.slack.conftest import USERS, People, seed
from tests.slack.test_session_flow import GOOD
from tests.storage.org import insert
from tests.support.slack_world import SlackWorld, eventually, start_world, today_utc

EARLIER = ["Shadow a renewal call", "Rewrite the pricing page", "Ask Kim for feedback"]


@pytest.fixture
async def slack(database_url: str) -> AsyncIterator[tuple[SlackWorld, People]]:
    people = await seed(database_url)
    world, close = await start_world(database_url, USERS)
    yield world, people
    await close()


async def earlier_session(engine: AsyncEngine, people: People, days_ago: int) -> None:
    """A session Maya logged with Ed `days_ago`, whose three actions are still open."""
    session = await insert(
        engine,
        "coaching_session",
        manager_id=people.maya,
        employee_id=people.ed,
        held_on=today_utc() - timedelta(days=days_ago),
        duration_minutes=30,
        focus_type="skill_development",
        skill_id="SK-NEGO",
        key_points=["Earlier"],
    )
    for text in EARLIER:
        await insert(
            engine,
            "agreed_action",
            session_id=session,
            employee_id=people.ed,
            text=text,
            status="open",
        )


async def new_form(world: SlackWorld, seen: set[str]) -> dict[str, Any]:
    """Open one more session form for Ed and wait for it (not one opened before)."""
    await world.slash("U0MAYA", "<@U0ED|ed>")

    def ready() -> dict[str, Any] | None:
        stack = world.emulator.view_stack("U0MAYA")
        top = stack[-1] if stack else None
        if top and top["id"] not in seen and "Getting your coaching form" not in str(top):
            return top
        return None

    view = await eventually(ready)
    seen.add(view["id"])
    return view


async def test_concurrent_sessions_for_one_employee_carry_each_open_action_once(
    slack: tuple[SlackWorld, People],
) -> None:
    world, people = slack
    engine = world.coachbot.engine
    await earlier_session(engine, people, days_ago=40)
    seen: set[str] = set()
    forms = [await new_form(world, seen) for _ in range(10)]
    reviews = [
        b["block_id"] for b in forms[0]["blocks"] if b.get("block_id", "").startswith("review_")
    ]
    assert len(reviews) == 3  # each form offers the three open actions, carried over by default

    async def submit(day: int, view: dict[str, Any]) -> dict[str, Any]:
        answers = {
            **GOOD,
            "courses": None,
            "held_on": (today_utc() - timedelta(days=day)).isoformat(),
            "actions": f"Practise the opener, week {day}",
            **dict.fromkeys(reviews),  # left as they were: carried over
        }
        return await world.submit("U0MAYA", view, answers)

    answers = await asyncio.gather(*(submit(day, v) for day, v in enumerate(forms, start=1)))

    assert answers == [{"response_action": "clear"}] * 10
    assert len(await rows(engine, "coaching_session")) == 11
    still_open = sorted(
        a["text"] for a in await rows(engine, "agreed_action") if a["status"] == "open"
    )
    # sent one after another, in any order, the ten sessions leave each action open once
    expected = EARLIER + [f"Practise the opener, week {day}" for day in range(1, 11)]
    assert still_open == sorted(expected)
