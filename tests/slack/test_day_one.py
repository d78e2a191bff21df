"""Day one in Slack: right after the first people import (03:00 UTC), every manager, in every
time zone, gets the session form for the reports the import gave them and can save it, from
`/coaching`, `/coaching @report` and the Home tab's *Log session* button."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from adapters.slack_emulator import WorkspaceUser
from bot.clock import FixedClock
from tests.slack.test_session_flow import table
from tests.support.day_one import MANAGERS, NOW, Manager, import_day_one
from tests.support.slack_world import SlackWorld, eventually, start_world

USERS = [
    WorkspaceUser(slack_id, email, name, tz=m.timezone)
    for m in MANAGERS
    for slack_id, email, name in (
        (m.slack_id, m.email, m.name),
        (f"U0{m.report_key.upper()}", m.report_email, m.report_name),
    )
]
ANSWERS = {
    "duration": "30",
    "focus_type": ("Skill development", "skill_development"),
    "skill": ("Negotiation", "SK-NEGO"),
    "key_points": "Planned the first quarter\nAgreed how we meet\nPicked a skill to grow",
    "actions": "Book the next session",
}


@pytest.fixture
async def world(sqlite_url: str, tmp_path: Path) -> AsyncIterator[SlackWorld]:
    await import_day_one(sqlite_url, tmp_path)
    slack, close = await start_world(sqlite_url, USERS, clock=FixedClock(NOW))
    yield slack
    await close()


def _preselected(view: dict[str, Any]) -> str:
    employee = next(b for b in view["blocks"] if b.get("block_id") == "employee")
    return str(employee["element"]["initial_option"]["text"]["text"])


async def _save(world: SlackWorld, manager: Manager, view: dict[str, Any]) -> None:
    assert view["title"]["text"] == "Log a coaching session"
    assert _preselected(view) == manager.report_name
    assert await world.submit(manager.slack_id, view, ANSWERS) == {"response_action": "clear"}
    [session] = await table(world, "coaching_session")
    [person] = [p for p in await table(world, "person") if p["id"] == session["employee_id"]]
    assert person["email"] == manager.report_email
    assert session["held_on"] == manager.local_date  # today where the manager is


@pytest.mark.parametrize("manager", MANAGERS, ids=lambda m: m.timezone)
async def test_every_manager_gets_the_form_at_once_and_saves_it(
    world: SlackWorld, manager: Manager
) -> None:
    assert (await world.slash(manager.slack_id)).status == 200
    await _save(world, manager, await world.opened_view(manager.slack_id))


async def test_coaching_at_the_report_opens_the_form_west_of_the_import(
    world: SlackWorld,
) -> None:
    lena = MANAGERS[0]
    mention = f"<@U0{lena.report_key.upper()}|{lena.report_key}>"
    assert (await world.slash(lena.slack_id, mention)).status == 200
    await _save(world, lena, await world.opened_view(lena.slack_id))


async def test_the_home_tabs_log_session_button_opens_the_form_west_of_the_import(
    world: SlackWorld,
) -> None:
    hana = MANAGERS[1]
    await world.event({"type": "app_home_opened", "user": hana.slack_id, "tab": "home"}, "Ev1")
    home = await eventually(lambda: world.emulator.last_view_published(hana.slack_id))
    assert hana.report_name in str(home)
    [button] = [
        b["accessory"]
        for b in home["blocks"]
        if b.get("accessory", {}).get("action_id", "").startswith("log_session")
    ]
    response = await world.click(hana.slack_id, button["action_id"], button["value"])
    assert response.status == 200
    await _save(world, hana, await world.opened_view(hana.slack_id))
