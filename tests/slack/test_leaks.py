"""What a signed-in colleague can learn or plant by editing the values of a Slack payload:
another person's name, the catalogue without being in the directory, an unbounded reason, and
a back-dated session closing actions agreed after it."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

from adapters.sandbox.slack_actor import FORM, TEAM_ID, interactive_body
from bot.replies import Actions
from tests.services.helpers import rows
from tests.slack.conftest import People
from tests.slack.test_concurrent_sessions import EARLIER, earlier_session, new_form
from tests.slack.test_session_flow import GOOD, open_form
from tests.support.slack_world import SlackWorld, today_utc


async def test_not_one_of_your_reports_does_not_name_the_person(
    world: SlackWorld, people: People
) -> None:
    view = await open_form(world)
    answer = await world.submit("U0MAYA", view, {**GOOD, "employee": ("Ed", str(people.kim))})
    assert answer["response_action"] == "errors"
    assert "is not one of your current direct reports" in answer["errors"]["employee"]
    assert "Kim" not in json.dumps(answer)
    assert await rows(world.coachbot.engine, "coaching_session") == []


async def suggestions(world: SlackWorld, user_id: str, action_id: str, typed: str) -> list[str]:
    """The options the bot offers as `user_id` types in an external select of the form."""
    payload = {
        "type": "block_suggestion",
        "team": {"id": TEAM_ID},
        "user": {"id": user_id},
        "api_app_id": "A0001",
        "action_id": action_id,
        "block_id": action_id,
        "value": typed,
        "view": {"id": "V0NONE", "type": "modal", "callback_id": "coaching_session"},
    }
    response = await world.actor.post(interactive_body(payload), FORM)
    assert response.status == 200
    return [option["value"] for option in json.loads(await response.text())["options"]]


async def test_course_and_skill_search_answer_only_people_in_the_directory(
    world: SlackWorld, people: People
) -> None:
    assert await suggestions(world, "U0MAYA", "course_search", "nego") == ["C-101"]
    assert await suggestions(world, "U0MAYA", "skill_search", "nego") == ["SK-NEGO"]
    assert await suggestions(world, "U0SAM", "course_search", "nego") == []
    assert await suggestions(world, "U0SAM", "skill_search", "") == []


async def test_the_reason_for_assigning_a_course_is_capped_like_a_key_point(
    world: SlackWorld, people: People
) -> None:
    await world.click("U0MAYA", f"{Actions.ASSIGN_COURSE}:0", str(people.ed))
    view = await world.opened_view("U0MAYA")
    course = ("Negotiation basics", "C-101")
    answer = await world.submit("U0MAYA", view, {"course": course, "reason": "x" * 5000})
    assert answer == {
        "response_action": "errors",
        "errors": {"reason": "The reason is 5000 characters long; keep it to 300."},
    }
    assert await rows(world.coachbot.engine, "course_assignment") == []

    answer = await world.submit("U0MAYA", view, {"course": course, "reason": "y" * 300})
    assert answer == {"response_action": "clear"}
    [assignment] = await rows(world.coachbot.engine, "course_assignment")
    assert assignment["reason"] == "y" * 300


async def test_a_back_dated_session_reviews_only_actions_agreed_before_it(
    world: SlackWorld, people: People
) -> None:
    engine = world.coachbot.engine
    await earlier_session(engine, people, days_ago=10)
    view = await new_form(world, set())
    reviews = [b["block_id"] for b in view["blocks"] if b.get("block_id", "").startswith("review_")]
    assert len(reviews) == 3
    back_dated: dict[str, Any] = {
        **GOOD,
        "courses": None,
        "held_on": (today_utc() - timedelta(days=20)).isoformat(),
        "actions": "Read the negotiation chapter",
    }

    answer = await world.submit("U0MAYA", view, {**back_dated, reviews[0]: ("Done", "done")})
    assert answer["response_action"] == "errors"
    [message] = answer["errors"].values()
    assert "agreed on or after" in message and "review it in a later session" in message
    assert len(await rows(engine, "coaching_session")) == 1

    answer = await world.submit("U0MAYA", view, back_dated)  # reviews left as carried over
    assert answer == {"response_action": "clear"}
    actions = await rows(engine, "agreed_action")
    assert sorted(a["text"] for a in actions if a["status"] == "open") == sorted(
        [*EARLIER, "Read the negotiation chapter"]
    )
    assert len(actions) == 4  # nothing carried into the earlier session
