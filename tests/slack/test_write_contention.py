"""SQLite under write contention, through the signed Slack door: a session that cannot be written
while Slack still waits for its answer is refused on the form with "try again", nothing of it is
stored, and the same form sent again is stored once."""

from __future__ import annotations

from bot.errors import BUSY
from tests.slack.conftest import People
from tests.slack.test_session_flow import GOOD, open_form, table
from tests.support.databases import write_lock_held
from tests.support.slack_world import SlackWorld


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
