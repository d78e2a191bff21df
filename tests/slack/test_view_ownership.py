"""A form belongs to the person it was opened for: a signed colleague who names another
manager's view id in a submission or a button press is refused, and the owner's own
submission is stored as if nothing had happened."""

from __future__ import annotations

import json
from typing import Any

from adapters.slack.session_modal import EMPLOYEE_ACTION
from tests.services.helpers import rows
from tests.slack.conftest import People
from tests.slack.test_concurrent_sessions import new_form
from tests.slack.test_session_flow import GOOD
from tests.support.slack_world import SlackWorld, eventually


def with_id_of(view: dict[str, Any], other: dict[str, Any]) -> dict[str, Any]:
    """`view` as submitted, but naming `other`'s id and hash."""
    return {**view, "id": other["id"], "hash": other["hash"]}


async def olu_s_form(world: SlackWorld) -> dict[str, Any]:
    await world.slash("U0OLU")
    return await world.opened_view("U0OLU")


async def test_a_submission_naming_another_manager_s_view_is_refused(
    world: SlackWorld, people: People
) -> None:
    maya_s = await new_form(world, set())
    olu_s = await olu_s_form(world)

    answer = await world.submit("U0OLU", with_id_of(olu_s, maya_s), GOOD)
    assert answer["response_action"] == "errors"
    assert "not opened for you" in json.dumps(answer)
    assert await rows(world.coachbot.engine, "coaching_session") == []

    assert await world.submit("U0MAYA", maya_s, GOOD) == {"response_action": "clear"}
    [session] = await rows(world.coachbot.engine, "coaching_session")
    assert (session["manager_id"], session["employee_id"]) == (people.maya, people.ed)

    # Olu's own form, sent as it is, is his own submission, not a repeat of Maya's
    assert await world.submit("U0OLU", olu_s, GOOD) == {"response_action": "clear"}
    sessions = await rows(world.coachbot.engine, "coaching_session")
    assert {(s["manager_id"], s["employee_id"]) for s in sessions} == {
        (people.maya, people.ed),
        (people.olu, people.kim),
    }


async def test_a_button_press_on_another_manager_s_view_does_not_change_it(
    world: SlackWorld, people: People
) -> None:
    maya_s = await new_form(world, set())
    olu_s = await olu_s_form(world)

    await world.click("U0OLU", EMPLOYEE_ACTION, str(people.kim), view=with_id_of(olu_s, maya_s))
    await world.click("U0MAYA", EMPLOYEE_ACTION, str(people.ed), view=maya_s)
    # Maya's own press is answered (her form is shown again, updated); Olu's never was
    await eventually(lambda: len(world.emulator.calls("views.update")) >= 3)
    shown = world.emulator.view_stack("U0MAYA")[-1]
    assert shown["id"] == maya_s["id"] and "Kim" not in json.dumps(shown)
    reports = next(b for b in shown["blocks"] if b.get("block_id") == "employee")
    assert {o["value"] for o in reports["element"]["options"]} == {str(people.ed), str(people.zoe)}
    updated = [c.args.get("view_id") for c in world.emulator.calls("views.update")]
    assert updated.count(maya_s["id"]) == 2  # loading -> form, and her own press
