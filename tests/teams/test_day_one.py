"""Day one in Teams: right after the first people import (03:00 UTC), every manager, in every
time zone, gets the session card from `log session` for the report the import gave them and
can save it."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.clock import FixedClock
from tests.support.bot_connector import TeamsUser
from tests.support.day_one import MANAGERS, NOW, Manager, import_day_one
from tests.support.openid import SigningKey
from tests.teams.cards import input_, text_of
from tests.teams.conftest import TeamsWorld, start_teams
from tests.teams.test_session_flow import answers

USERS = {m.key: TeamsUser(m.teams_id, m.email, m.name, f"aad-{m.key}") for m in MANAGERS}


@pytest.fixture
async def world(
    sqlite_url: str, tmp_path: Path, signing_key: SigningKey, metadata_url: str
) -> AsyncIterator[TeamsWorld]:
    await import_day_one(sqlite_url, tmp_path)
    teams, close = await start_teams(
        sqlite_url, signing_key, metadata_url, clock=FixedClock(NOW), users=list(USERS.values())
    )
    yield teams
    await close()


@pytest.mark.parametrize("manager", MANAGERS, ids=lambda m: m.timezone)
async def test_every_manager_gets_the_card_at_once_and_saves_it(
    world: TeamsWorld, manager: Manager
) -> None:
    user = USERS[manager.key]
    await world.say(user, "log session")
    card = world.last_card(user)
    assert "Log a coaching session" in text_of(card)
    employee = input_(card, "employee")
    assert [c["title"] for c in employee["choices"]] == [manager.report_name]
    assert input_(card, "held_on")["value"] == manager.local_date.isoformat()

    await world.submit(user, answers(card, employee=employee["choices"][0]["value"], courses=""))

    assert "Saved your session with " + manager.report_name in text_of(world.last_card(user))
    [session] = await world.table("coaching_session")
    assert session["employee_id"] == int(employee["choices"][0]["value"])
    assert session["held_on"] == manager.local_date  # today where the manager is
