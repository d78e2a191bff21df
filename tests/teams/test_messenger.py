"""The Teams messenger's answers to the dispatcher: Teams' throttling and gateway errors are
worth retrying (429 with its Retry-After, 412, 502, 504); a conversation that is gone is not."""

from __future__ import annotations

import pytest

from bot.ports import ChatAddress, RateLimited, RetryLater, Undeliverable
from bot.replies import Reply
from tests.slack.conftest import People
from tests.teams.conftest import MAYA, TeamsWorld

HELLO = Reply(summary="Hello from coachbot")


async def test_a_proactive_message_reaches_the_stored_conversation(
    world: TeamsWorld, people: People
) -> None:
    await world.say(MAYA, "help")
    messenger = world.coachbot.messengers["teams"]
    ref = await messenger.send(ChatAddress("teams", MAYA.user_id, people.maya), HELLO)
    sent = world.connector.sent_to(MAYA)[-1]
    assert sent.activity["summary"] == "Hello from coachbot" and sent.reply_to is None
    assert ref.startswith(f"{sent.conversation_id}:out-")


@pytest.mark.parametrize("status", [412, 502, 504])
async def test_gateway_and_precondition_errors_are_retried(
    world: TeamsWorld, people: People, status: int
) -> None:
    await world.say(MAYA, "help")
    world.connector.fail_next(status)
    with pytest.raises(RetryLater):
        await world.coachbot.messengers["teams"].send(
            ChatAddress("teams", MAYA.user_id, people.maya), HELLO
        )


async def test_throttling_waits_as_long_as_teams_asks(world: TeamsWorld, people: People) -> None:
    await world.say(MAYA, "help")
    world.connector.fail_next(429, retry_after="7")
    with pytest.raises(RateLimited) as raised:
        await world.coachbot.messengers["teams"].send(
            ChatAddress("teams", MAYA.user_id, people.maya), HELLO
        )
    assert raised.value.after_seconds == 7


async def test_someone_teams_has_never_seen_is_undeliverable(
    world: TeamsWorld, people: People
) -> None:
    with pytest.raises(Undeliverable):
        await world.coachbot.messengers["teams"].send(
            ChatAddress("teams", "29:nobody", people.kim), HELLO
        )


async def test_a_conversation_that_is_gone_is_undeliverable(
    world: TeamsWorld, people: People
) -> None:
    await world.say(MAYA, "help")
    world.connector.conversations.clear()  # the chat was deleted on Teams' side
    with pytest.raises(Undeliverable):
        await world.coachbot.messengers["teams"].send(
            ChatAddress("teams", MAYA.user_id, people.maya), HELLO
        )
