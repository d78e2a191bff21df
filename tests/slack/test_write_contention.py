"""SQLite under write contention, through the signed Slack door: a session that cannot be written
while Slack still waits for its answer is refused on the form with "try again", nothing of it is
stored, and the same form sent again is stored once."""

from __future__ import annotations

import asyncio

from bot.errors import BUSY
from tests.slack.conftest import People
from tests.slack.test_session_flow import GOOD, open_form, table
from tests.support.databases import write_lock_held
from tests.support.slack_world import SlackWorld, eventually


async def test_a_session_that_cannot_be_written_in_time_is_refused_with_try_again(
    world: SlackWorld, people: People, sqlite_url: str
) -> None:
    view = await open_form(world)
    with write_lock_held(sqlite_url):
        answer = await world.submit("U0MAYA", view, GOOD)
        assert answer == {"response_action": "errors", "errors": {"employee": BUSY}}
    assert await table(world, "coaching_session") == []
    assert await table(world, "agreed_action") == []
    assert await table(world, "outbox") == []
    assert await table(world, "processed_event") == []

    again = await world.submit("U0MAYA", view, GOOD)
    assert again == {"response_action": "clear"}
    [session] = await table(world, "coaching_session")
    assert session["employee_id"] == people.ed
    await world.deliver()
    [confirmation] = world.emulator.messages_to("U0MAYA")
    assert "Saved your session with Ed Jones" in confirmation["text"]


async def test_an_event_that_cannot_be_remembered_in_time_is_still_handled(
    world: SlackWorld, people: People, sqlite_url: str
) -> None:
    opened = {"type": "app_home_opened", "user": "U0ED", "tab": "home"}
    with write_lock_held(sqlite_url):
        response = await world.event(opened, "EvBusy")
        assert response.status == 200  # not a 500 that Slack would retry into the same lock
        home = await eventually(lambda: world.emulator.last_view_published("U0ED"))
    assert home["type"] == "home"  # the Home tab Ed opened is shown all the same
    assert await table(world, "processed_event") == []  # nothing half-written


async def test_a_form_opened_while_the_database_is_busy_stays_its_managers(
    world: SlackWorld, people: People, sqlite_url: str
) -> None:
    with write_lock_held(sqlite_url):
        response = await world.slash("U0MAYA", "<@U0ED|ed>")
        assert response.status == 200
        await asyncio.sleep(4)  # past two busy timeouts: the first try to note the form failed
    view = await world.opened_view("U0MAYA")

    answer = await world.submit("U0MAYA", view, GOOD)

    assert answer == {"response_action": "clear"}  # not refused as someone else's form
    [session] = await table(world, "coaching_session")
    assert session["employee_id"] == people.ed
