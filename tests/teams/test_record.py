"""Records on Teams: `my record` shows the employee their sessions' key points, `record NAME`
shows a manager the key points they wrote, nobody else sees them; goals are achieved or
dropped from the record card by the employee or their current manager, and the card shows it."""

from __future__ import annotations

from typing import Any

from storage.tables import metadata
from tests.slack.conftest import People
from tests.storage.org import insert
from tests.support.slack_world import today_utc
from tests.teams.cards import elements, text_of
from tests.teams.conftest import DANA, ED, MAYA, OLU, TeamsWorld
from tests.teams.test_session_flow import answers, open_card

ACME = "Prepared for the Acme renewal"


def goal_button(card: dict[str, Any], title: str) -> dict[str, Any]:
    [data] = [
        action["data"]
        for element in elements(card)
        if element.get("type") == "ActionSet"
        for action in element["actions"]
        if action["title"] == title
    ]
    return dict(data)


async def test_key_points_are_read_by_the_employee_and_the_manager_who_wrote_them(
    world: TeamsWorld, people: People
) -> None:
    card = await open_card(world)
    await world.submit(MAYA, answers(card))

    await world.say(ED, "my record")
    assert ACME in text_of(world.last_card(ED))
    await world.say(MAYA, "record Ed")
    mayas = text_of(world.last_card(MAYA))
    assert "Ed Jones: coaching record" in mayas and ACME in mayas
    await world.say(DANA, "record Ed")  # L&D: no reports, no record
    assert ACME not in text_of(world.last_card(DANA))
    assert "no direct reports" in text_of(world.last_card(DANA))

    relationship = metadata.tables["coaching_relationship"]
    async with world.coachbot.engine.begin() as connection:
        await connection.execute(
            relationship.update()
            .where(relationship.c.employee_id == people.ed)
            .values(ended_on=today_utc())
        )
    await insert(
        world.coachbot.engine,
        "coaching_relationship",
        manager_id=people.olu,
        employee_id=people.ed,
        started_on=today_utc(),
    )
    await world.say(OLU, "record Ed")
    olus = text_of(world.last_card(OLU))
    assert "Role-play the opener with Zoe" in olus and ACME not in olus
    await world.say(MAYA, "record Ed")
    assert ACME not in text_of(world.last_card(MAYA))


async def test_goals_are_finished_from_the_record_card_by_the_people_allowed(
    world: TeamsWorld, people: People
) -> None:
    card = await open_card(world)
    await world.submit(MAYA, answers(card, new_goal="Lead the Q1 renewals by 2099-03-31"))
    await insert(
        world.coachbot.engine,
        "ilp_goal",
        employee_id=people.ed,
        title="Present at the all-hands",
        status="planned",
    )

    await world.say(ED, "my record")
    record = world.last_card(ED)
    assert "Lead the Q1 renewals (Negotiation, by 2099-03-31): in progress" in text_of(record)
    lead, _ = [
        a["data"]
        for e in elements(record)
        if e.get("type") == "ActionSet"
        for a in e["actions"]
        if a["title"] == "Achieved"
    ]

    await world.submit(OLU, lead)  # neither Ed nor his manager
    assert "not in your learning plan" in text_of(world.last_card(OLU))
    await world.submit(ED, lead)
    updated = world.connector.sent_to(ED)[-1]
    assert updated.versions, "the record card is updated in place"
    shown = text_of(updated.cards[0])
    assert "Lead the Q1 renewals (Negotiation, by 2099-03-31): achieved" in shown
    assert "ILP goal achieved: Lead the Q1 renewals" in shown

    await world.say(MAYA, "record Ed")
    await world.submit(MAYA, goal_button(world.last_card(MAYA), "Drop"))
    shown = text_of(world.connector.sent_to(MAYA)[-1].cards[0])
    assert "ILP goal dropped: Present at the all-hands" in shown
    goals = {g["title"]: g["status"] for g in await world.table("ilp_goal")}
    assert goals == {"Lead the Q1 renewals": "achieved", "Present at the all-hands": "dropped"}
