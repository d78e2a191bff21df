"""A report's record through the Slack door: the key points reach the employee and the manager
who wrote them, nobody else; learning-plan goals are achieved or dropped from Home or a record
by the employee or their current manager, and the views show the change."""

from __future__ import annotations

from typing import Any

from storage.tables import metadata
from tests.slack.conftest import People
from tests.slack.test_session_flow import GOOD, open_form, table
from tests.storage.org import insert
from tests.support.slack_world import SlackWorld, eventually, today_utc

ACME = "Prepared for the Acme renewal"


async def home_of(world: SlackWorld, user_id: str, event_id: str) -> dict[str, Any]:
    before = len(world.emulator.calls("views.publish"))
    await world.event({"type": "app_home_opened", "user": user_id, "tab": "home"}, event_id)
    await eventually(lambda: len(world.emulator.calls("views.publish")) > before)
    home = world.emulator.last_view_published(user_id)
    assert home is not None
    return home


def buttons(view: dict[str, Any], action: str) -> list[dict[str, Any]]:
    found = []
    for block in view["blocks"]:
        elements = block.get("elements", []) if block["type"] == "actions" else []
        elements = elements + ([block["accessory"]] if "accessory" in block else [])
        found += [e for e in elements if e.get("action_id", "").startswith(action)]
    return found


async def open_record(world: SlackWorld, manager: str, employee: int, event: str) -> None:
    home = await home_of(world, manager, event)
    [button] = [b for b in buttons(home, "report_record") if b["value"] == str(employee)]
    world.emulator.close_views(manager)
    await world.click(manager, button["action_id"], button["value"], view=home)


async def hand_over(world: SlackWorld, employee: int, old: int, new: int) -> None:
    """A later import names a new manager: the old relationship ends today."""
    relationship = metadata.tables["coaching_relationship"]
    async with world.coachbot.engine.begin() as connection:
        await connection.execute(
            relationship.update()
            .where(relationship.c.employee_id == employee, relationship.c.manager_id == old)
            .values(ended_on=today_utc())
        )
    await insert(
        world.coachbot.engine,
        "coaching_relationship",
        manager_id=new,
        employee_id=employee,
        started_on=today_utc(),
    )


async def test_key_points_are_read_by_the_employee_and_the_manager_who_wrote_them(
    world: SlackWorld, people: People
) -> None:
    await world.submit("U0MAYA", await open_form(world), GOOD)

    await open_record(world, "U0MAYA", people.ed, "Ev1")
    record = await world.opened_view("U0MAYA")
    assert record["title"]["text"] == "Coaching record"
    assert ACME in str(record) and "Held the price" in str(record)

    await world.slash("U0ED")  # no reports: their own development record
    own = await world.opened_view("U0ED")
    assert own["title"]["text"] == "Your development" and ACME in str(own)
    assert ACME in str(await home_of(world, "U0ED", "Ev2"))

    await world.click("U0DANA", "report_record:0", str(people.ed))  # L&D, forging the button
    [refusal] = await eventually(lambda: world.emulator.messages_to("U0DANA"))
    assert "current direct reports only" in refusal["text"]
    assert world.emulator.view_stack("U0DANA") == []

    await hand_over(world, people.ed, people.maya, people.olu)
    await open_record(world, "U0OLU", people.ed, "Ev3")
    olus = await world.opened_view("U0OLU")
    assert "Role-play the opener with Zoe" in str(olus)  # the actions carry on
    assert ACME not in str(olus)  # Maya's notes stay hers
    world.emulator.close_views("U0MAYA")
    await world.click("U0MAYA", "report_record:0", str(people.ed))
    [*_, refusal] = await eventually(lambda: world.emulator.messages_to("U0MAYA"))
    assert "current direct reports only" in refusal["text"]
    assert world.emulator.view_stack("U0MAYA") == []


async def goal_status(world: SlackWorld) -> dict[str, str]:
    return {g["title"]: g["status"] for g in await table(world, "ilp_goal")}


async def test_the_employee_and_their_manager_finish_goals_and_the_views_show_it(
    world: SlackWorld, people: People
) -> None:
    goal = {**GOOD, "new_goal": "Lead the Q1 renewals by 2099-03-31"}
    await world.submit("U0MAYA", await open_form(world), goal)
    await insert(
        world.coachbot.engine,
        "ilp_goal",
        employee_id=people.ed,
        title="Present at the all-hands",
        status="planned",
    )

    home = await home_of(world, "U0ED", "Ev1")
    assert "Lead the Q1 renewals (Negotiation, by 2099-03-31): in progress" in str(home)
    [lead, _] = buttons(home, "goal_achieved")
    await world.click("U0OLU", lead["action_id"], lead["value"])  # not Ed, not his manager
    [refusal] = await eventually(lambda: world.emulator.messages_to("U0OLU"))
    assert "not in your learning plan" in refusal["text"]
    assert (await goal_status(world))["Lead the Q1 renewals"] == "in_progress"

    published = len(world.emulator.calls("views.publish"))
    await world.click("U0ED", lead["action_id"], lead["value"], view=home)
    await eventually(lambda: len(world.emulator.calls("views.publish")) > published)
    refreshed = world.emulator.last_view_published("U0ED")
    assert "Lead the Q1 renewals (Negotiation, by 2099-03-31): achieved" in str(refreshed)
    assert len(buttons(refreshed or {}, "goal_achieved")) == 1  # only the open goal has some

    await open_record(world, "U0MAYA", people.ed, "Ev2")
    record = await world.opened_view("U0MAYA")
    [drop] = buttons(record, "goal_dropped")
    updates = len(world.emulator.calls("views.update"))
    await world.click("U0MAYA", drop["action_id"], drop["value"], view=record)
    await eventually(lambda: len(world.emulator.calls("views.update")) > updates)
    [updated] = world.emulator.view_stack("U0MAYA")
    assert "ILP goal dropped: Present at the all-hands" in str(updated)
    assert "ILP goal achieved: Lead the Q1 renewals" in str(updated)
    assert buttons(updated, "goal_") == []
    assert await goal_status(world) == {
        "Lead the Q1 renewals": "achieved",
        "Present at the all-hands": "dropped",
    }
