"""*Snooze 3 days* from a Teams card: the answer names the day of the next reminder, which the
server decides, and a button value naming another day is refused."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, date, datetime
from typing import Any

import pytest

from bot.clock import FixedClock
from storage.db import create_engine
from tests.slack.conftest import People
from tests.storage.org import insert
from tests.support.openid import SigningKey
from tests.teams.conftest import MAYA, TeamsWorld, start_teams

MONDAY = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)


@pytest.fixture
async def world(
    sqlite_url: str, people: People, signing_key: SigningKey, metadata_url: str
) -> AsyncIterator[TeamsWorld]:
    engine = create_engine(sqlite_url)
    await insert(engine, "skill", skill_id="SK-X", name="Listening")
    for employee, held_on in ((people.ed, date(2026, 2, 2)), (people.zoe, date(2026, 2, 20))):
        await insert(
            engine,
            "coaching_session",
            manager_id=people.maya,
            employee_id=employee,
            held_on=held_on,  # Ed is due Monday 2 March; Zoe later
            duration_minutes=30,
            focus_type="skill_development",
            skill_id="SK-X",
            key_points=["Talked"],
        )
    await engine.dispose()
    teams, close = await start_teams(sqlite_url, signing_key, metadata_url, FixedClock(MONDAY))
    yield teams
    await close()


def snooze_button(card: dict[str, Any]) -> dict[str, Any]:
    found = [
        action["data"]
        for action in _actions(card)
        if action.get("data", {}).get("coachbot") == "snooze_nudge"
    ]
    assert len(found) == 1, card
    return dict(found[0])


def _actions(node: Any) -> list[dict[str, Any]]:
    if isinstance(node, dict):
        own = [node] if node.get("type") == "Action.Submit" else []
        return own + [a for value in node.values() for a in _actions(value)]
    if isinstance(node, list):
        return [a for value in node for a in _actions(value)]
    return []


async def test_snooze_on_teams_says_when_and_trusts_only_the_server(world: TeamsWorld) -> None:
    await world.say(MAYA, "help")  # Maya's Teams id and conversation are stored
    assert world.coachbot.scheduler is not None
    [sweep] = [job for job in world.coachbot.scheduler.jobs if job.name == "nudge-sweep"]
    await sweep.run()
    await world.deliver()
    button = snooze_button(world.last_card(MAYA))

    await world.submit(MAYA, {**button, "value": button["value"].split(":")[0] + ":2099-01-01"})
    assert "out of date" in str(world.last_card(MAYA))
    assert await world.table("snooze") == []

    await world.submit(MAYA, button)
    assert "again on Thursday 12 March, between 09:00 and 11:00" in str(world.last_card(MAYA))
    [row] = await world.table("snooze")
    assert row["until"] == date(2026, 3, 5)
