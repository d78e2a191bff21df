"""Adding and removing the Teams app (`installationUpdate`): an install is welcomed once with
the help and its conversation remembered; a removal forgets the conversation, and messages for
that person wait, Teams not asked (it would refuse them), until they add the app again."""

from __future__ import annotations

from datetime import timedelta

from tests.slack.conftest import People
from tests.support.slack_world import today_utc
from tests.teams.cards import text_of
from tests.teams.conftest import ED, MAYA, SAM, TeamsWorld
from tests.teams.test_session_flow import answers, open_card


async def test_adding_the_app_welcomes_once_and_remembers_the_conversation(
    world: TeamsWorld, people: People
) -> None:
    # Teams announces a personal install twice: installationUpdate and conversationUpdate
    for activity in (world.connector.installation(ED, "add"), world.connector.installed(ED)):
        assert (await world.post(activity)).status in (200, 201)
    [welcome] = world.connector.sent_to(ED)
    assert "**log session**" in text_of(welcome.cards[0])  # the help
    [stored] = await world.table("conversation_ref")
    assert stored["person_id"] == people.ed and stored["removed_at"] is None
    assert stored["reference"]["conversation"]["id"] == world.connector.personal_chat(ED)


async def test_someone_not_in_the_directory_is_welcomed_once_too(world: TeamsWorld) -> None:
    await world.post(world.connector.installation(SAM, "add"))
    await world.post(world.connector.installed(SAM))
    [welcome] = world.connector.sent_to(SAM)
    assert "coachbot" in text_of(welcome.cards[0])
    assert await world.table("conversation_ref") == []


async def test_after_removal_messages_wait_and_arrive_once_the_app_is_added_again(
    world: TeamsWorld, people: People
) -> None:
    await world.post(world.connector.installation(ED, "add"))
    welcomed = len(world.connector.sent_to(ED))
    await world.submit(MAYA, answers(await open_card(world)))  # queues Ed's session summary
    response = await world.post(world.connector.installation(ED, "remove"))
    assert response.status in (200, 201)
    assert len(world.connector.sent_to(ED)) == welcomed  # nothing said on the way out
    [stored] = [r for r in await world.table("conversation_ref") if r["person_id"] == people.ed]
    assert stored["reference"] == {} and stored["removed_at"] is not None

    asked = world.connector.requests_for(ED)
    await world.deliver()
    await world.deliver()
    assert world.connector.requests_for(ED) == asked  # Teams was not even asked
    [summary] = [row for row in await world.table("outbox") if row["recipient_id"] == people.ed]
    assert summary["status"] == "pending" and summary["attempts"] == 0
    assert summary["last_error"] == "undeliverable: uninstalled"

    await world.post(world.connector.installation(ED, "add"))
    await world.deliver()
    welcome_back, dm = world.connector.sent_to(ED)[welcomed:]
    assert "**log session**" in text_of(welcome_back.cards[0])
    assert "Maya Patel logged your coaching session" in dm.activity["summary"]
    [summary] = [row for row in await world.table("outbox") if row["recipient_id"] == people.ed]
    assert summary["status"] == "sent"

    yesterday = (today_utc() - timedelta(days=1)).isoformat()
    await world.submit(MAYA, answers(await open_card(world), held_on=yesterday))
    await world.deliver()
    [another] = world.connector.sent_to(ED)[welcomed + 2 :]
    assert "Maya Patel logged your coaching session" in another.activity["summary"]


async def test_a_removal_from_another_tenant_forgets_nothing(
    world: TeamsWorld, people: People
) -> None:
    await world.post(world.connector.installation(ED, "add"))
    removal = world.connector.installation(ED, "remove")
    removal["channelData"] = {"tenant": {"id": "another-tenant"}}
    removal["conversation"]["tenantId"] = "another-tenant"
    await world.post(removal)
    [stored] = await world.table("conversation_ref")
    assert stored["removed_at"] is None and stored["reference"]
