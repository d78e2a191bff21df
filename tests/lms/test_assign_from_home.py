"""*Assign a course* from a manager's App Home, through the real Slack door: the modal, the
course picker's options, the assignment and the employee's DM."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from bot.replies import Actions
from tests.services.helpers import rows
from tests.slack.conftest import USERS, People, seed
from tests.support.slack_world import SlackWorld, start_world


@pytest.fixture
async def slack(sqlite_url: str) -> AsyncIterator[tuple[SlackWorld, People]]:
    people = await seed(sqlite_url)
    world, close = await start_world(sqlite_url, USERS)
    yield world, people
    await close()


async def test_a_manager_assigns_a_course_from_home(slack: tuple[SlackWorld, People]) -> None:
    world, people = slack
    await world.click("U0MAYA", f"{Actions.ASSIGN_COURSE}:0", str(people.ed))
    view = await world.opened_view("U0MAYA")
    assert "A course for *Ed Jones*" in str(view["blocks"])

    answer = await world.submit(
        "U0MAYA", view, {"course": ("Negotiation basics", "C-101"), "reason": "Before Acme"}
    )
    assert answer.get("response_action") == "clear"
    [assignment] = await rows(world.coachbot.engine, "course_assignment")
    assert (assignment["employee_id"], assignment["course_id"]) == (people.ed, "C-101")

    await world.deliver()
    [dm] = [
        call.args
        for call in world.emulator.calls("chat.postMessage")
        if call.args.get("channel") in ("U0ED", "D0ED") or "Before Acme" in str(call.args)
    ]
    assert "Maya Patel assigned you Negotiation basics" in dm["text"]
    assert "Before Acme" in str(dm["blocks"])


async def test_a_course_already_open_is_not_assigned_twice_and_the_manager_is_told(
    slack: tuple[SlackWorld, People],
) -> None:
    world, people = slack
    for _ in range(2):
        await world.click("U0MAYA", f"{Actions.ASSIGN_COURSE}:0", str(people.ed))
        view = await world.opened_view("U0MAYA")
        answer = await world.submit("U0MAYA", view, {"course": ("Negotiation basics", "C-101")})
    assert answer["response_action"] == "update"
    assert "Ed Jones already has *Negotiation basics* open" in str(answer["view"])
    assert len(await rows(world.coachbot.engine, "course_assignment")) == 1


async def test_someone_else_s_report_gets_no_modal(slack: tuple[SlackWorld, People]) -> None:
    world, people = slack
    await world.click("U0OLU", f"{Actions.ASSIGN_COURSE}:0", str(people.ed))
    await world.deliver()
    assert world.emulator.calls("views.open") == []
    assert await rows(world.coachbot.engine, "course_assignment") == []
