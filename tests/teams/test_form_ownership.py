"""A Teams card's submission is keyed by the tenant, the sender and the card's form id: a
colleague who copies another manager's form id into their own card saves their own session,
and never hears about someone else's."""

from __future__ import annotations

from tests.slack.conftest import People
from tests.teams.cards import submit_data, text_of
from tests.teams.conftest import MAYA, OLU, TeamsWorld
from tests.teams.test_session_flow import answers, open_card


async def test_a_copied_form_id_saves_the_sender_s_own_session(
    world: TeamsWorld, people: People
) -> None:
    maya_s = await open_card(world)
    await world.submit(MAYA, answers(maya_s))
    assert "Saved your session with Ed Jones" in text_of(world.last_card(MAYA))

    await world.say(OLU, "log session")
    olu_s = world.last_card(OLU)
    await world.submit(OLU, {**answers(olu_s), "form": submit_data(maya_s)["form"]})

    saved = text_of(world.connector.sent_to(OLU)[-1].cards[0])
    assert "Saved your session with Kim Lee" in saved and "Ed" not in saved
    sessions = await world.table("coaching_session")
    assert {(s["manager_id"], s["employee_id"]) for s in sessions} == {
        (people.maya, people.ed),
        (people.olu, people.kim),
    }
