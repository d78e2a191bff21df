"""Who is writing on Teams: only the connector's member lookup (or the Teams id imported with
the people list) makes someone a person of the directory; the activity's own fields do not."""

from __future__ import annotations

from sqlalchemy import text

from tests.slack.conftest import People
from tests.support.bot_connector import TeamsUser
from tests.teams.cards import text_of
from tests.teams.conftest import DANA, TeamsWorld

EVIL = TeamsUser("29:evil", "evil@example.net", "Not Dana", "aad-evil")


async def teams_id_of(world: TeamsWorld, email: str) -> str | None:
    async with world.coachbot.engine.connect() as connection:
        row = (
            await connection.execute(
                text("SELECT teams_user_id FROM person WHERE email = :email"), {"email": email}
            )
        ).first()
    return None if row is None else row[0]


async def test_an_unknown_teams_user_is_not_matched_by_the_email_in_their_activity(
    world: TeamsWorld, people: People
) -> None:
    activity = world.connector.activity(EVIL, text="report")
    activity["from"]["properties"] = {"email": DANA.email}  # the sender's own claim
    activity["from"]["email"] = DANA.email
    response = await world.post(activity)
    assert response.status in (200, 201)

    [answer] = world.connector.sent_to(EVIL)
    assert "Ask your L&D team to add you" in text_of(answer.cards[0])
    assert "Programme report" not in str(answer.activity)
    assert await teams_id_of(world, DANA.email) is None
    assert await world.table("conversation_ref") == []

    await world.say(DANA, "help")  # Dana herself is still matched, by the member lookup
    assert await teams_id_of(world, DANA.email) == DANA.user_id
