"""A manager logs a coaching session from the Teams card, end to end: signed activities in,
what the Bot Connector emulator received out, what the database holds."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import text

from tests.slack.conftest import People
from tests.support.openid import SigningKey
from tests.support.slack_world import today_utc
from tests.teams.cards import error_beside, input_, submit_data, text_of
from tests.teams.conftest import ED, MAYA, SAM, ZOE, TeamsWorld, start_teams

GOOD = {
    "duration": "45",
    "focus_type": "skill_development",
    "skill": "SK-NEGO",
    "key_points": "Prepared for the Acme renewal\nOpened with questions\nHeld the price",
    "actions": "Role-play the opener with Zoe\nDraft the proposal by 2099-01-15",
    "courses": "C-101",
}


async def open_card(world: TeamsWorld, words: str = "log session Ed") -> dict[str, Any]:
    await world.say(MAYA, words)
    return world.last_card(MAYA)


def answers(card: dict[str, Any], **values: Any) -> dict[str, Any]:
    """What Teams posts on *Save session*: the inputs' values plus the button's data."""
    filled = {
        "employee": input_(card, "employee").get("value", ""),
        "held_on": input_(card, "held_on")["value"],
    }
    return {**filled, **GOOD, **values, **submit_data(card)}


async def test_a_manager_logs_a_session_and_the_report_hears_proactively(
    world: TeamsWorld, people: People
) -> None:
    await world.post(world.connector.installed(ED))  # Ed installed the app earlier
    welcome = world.last_card(ED)
    assert "log session" in text_of(welcome)

    card = await open_card(world)
    assert "Log a coaching session" in text_of(card)
    employee = input_(card, "employee")
    assert employee["value"] == str(people.ed)
    assert {c["value"] for c in employee["choices"]} == {str(people.ed), str(people.zoe)}
    assert input_(card, "held_on")["value"] == today_utc().isoformat()
    assert {c["value"] for c in input_(card, "skill")["choices"]} >= {"SK-NEGO", "SK-COMM"}

    await world.submit(MAYA, answers(card))
    form_message = world.connector.sent_to(MAYA)[-1]
    assert "Saved your session with Ed Jones" in text_of(form_message.cards[0])
    assert form_message.versions, "the form is replaced in place, so it cannot be sent again"

    [session] = await world.table("coaching_session")
    assert session["employee_id"] == people.ed and session["manager_id"] == people.maya
    assert session["held_on"] == today_utc() and session["duration_minutes"] == 45
    assert session["skill_id"] == "SK-NEGO" and session["flagged"] is False
    actions = await world.table("agreed_action")
    assert [a["text"] for a in actions] == ["Role-play the opener with Zoe", "Draft the proposal"]
    assert str(actions[1]["due_on"]) == "2099-01-15"
    [assignment] = await world.table("course_assignment")
    assert assignment["course_id"] == "C-101"

    before = len(world.connector.sent_to(ED))
    await world.deliver()
    [dm] = world.connector.sent_to(ED)[before:]
    assert dm.reply_to is None  # a new proactive message, not an answer
    assert "Maya Patel logged your coaching session" in dm.activity["summary"]
    assert "Negotiation basics" in str(dm.cards) and "Role-play the opener" in str(dm.cards)
    assert "Saved your session with Ed Jones" in str(world.connector.sent_to(MAYA)[-1].activity)


async def test_a_first_dm_opens_a_chat_when_the_person_never_wrote(
    world: TeamsWorld, people: People
) -> None:
    async with world.coachbot.engine.begin() as connection:  # as the people import sets it
        await connection.execute(
            text("UPDATE person SET teams_user_id = :id WHERE id = :person"),
            {"id": ZOE.user_id, "person": people.zoe},
        )
    card = await open_card(world, "log session Zoe")
    await world.submit(MAYA, answers(card, employee=str(people.zoe)))
    await world.deliver()
    [created] = world.connector.created
    assert created["members"] == [{"id": ZOE.user_id}]
    [dm] = world.connector.sent_to(ZOE)
    assert "logged your coaching session" in dm.activity["summary"]
    stored = {row["person_id"] for row in await world.table("conversation_ref")}
    assert people.zoe in stored  # the next message continues that chat


async def test_every_validation_error_shows_beside_its_field(
    world: TeamsWorld, people: People
) -> None:
    card = await open_card(world)
    bad = answers(
        card,
        held_on="2099-01-01",
        duration="5",
        focus_type="",
        skill="",
        key_points="Only one point",
        actions="Call the client by 2026-02-30",
    )
    await world.submit(MAYA, bad)
    assert await world.table("coaching_session") == []
    again = world.last_card(MAYA)
    assert "2026-02-30 is not a real date" in error_beside(again, "actions")
    assert input_(again, "actions")["value"].startswith("Call the client")

    await world.submit(MAYA, {**bad, "actions": "Call the client"})
    again = world.last_card(MAYA)
    for field in ("held_on", "duration", "focus_type", "skill", "key_points"):
        assert error_beside(again, field), f"no error beside {field}"
    assert input_(again, "key_points")["value"] == "Only one point"
    assert await world.table("coaching_session") == []


async def test_appraisal_language_warns_then_keeps_the_wording_when_asked(
    world: TeamsWorld, people: People
) -> None:
    card = await open_card(world)
    points = "Ed is underperforming on renewals\nOpened with questions\nHeld the price"
    await world.submit(MAYA, answers(card, key_points=points))
    assert await world.table("coaching_session") == []
    warned = world.last_card(MAYA)
    assert "read like appraisal" in text_of(warned)
    assert input_(warned, "appraisal_confirm")["title"] == "Save the key points as I wrote them"

    await world.submit(MAYA, answers(warned, key_points=points, appraisal_confirm="yes"))
    [session] = await world.table("coaching_session")
    assert session["flagged"] is True


async def test_the_same_card_submitted_twice_stores_one_session(
    world: TeamsWorld, people: People
) -> None:
    card = await open_card(world)
    await world.submit(MAYA, answers(card))
    await world.submit(MAYA, answers(card))
    assert len(await world.table("coaching_session")) == 1


async def test_someone_not_in_the_directory_is_told_what_to_do(world: TeamsWorld) -> None:
    await world.say(SAM, "log session")
    assert "Ask your L&D team to add you" in text_of(world.last_card(SAM))
    assert await world.table("conversation_ref") == []


async def test_people_are_matched_by_email_and_their_teams_id_remembered(
    world: TeamsWorld, people: People
) -> None:
    await world.say(MAYA, "help")
    async with world.coachbot.engine.connect() as connection:
        row = (
            await connection.execute(
                text("SELECT teams_user_id FROM person WHERE id = :id"), {"id": people.maya}
            )
        ).first()
    assert row is not None and row[0] == MAYA.user_id
    [reference] = await world.table("conversation_ref")
    assert reference["person_id"] == people.maya and reference["tenant_id"] == "tenant-0001"
    assert reference["reference"]["serviceUrl"] == world.connector.base_url


async def test_the_report_closes_an_action_from_the_dm_and_sees_their_record(
    world: TeamsWorld, people: People
) -> None:
    await world.post(world.connector.installed(ED))
    card = await open_card(world)
    await world.submit(MAYA, answers(card))
    await world.deliver()
    [dm] = [s for s in world.connector.sent_to(ED) if "logged your" in s.activity["summary"]]
    [set_] = [e for e in dm.cards[0]["body"] if e["type"] == "ActionSet" and "Done" in str(e)]
    done = next(a["data"] for a in set_["actions"] if "Role-play" in a["title"])

    await world.submit(ED, done)
    [updated] = [s for s in world.connector.sent_to(ED) if "logged your" in s.activity["summary"]]
    assert updated.versions, "the DM's card is updated in place"
    assert "Role-play the opener with Zoe ✅ _done_" in text_of(updated.cards[0])
    [set_] = [e for e in updated.cards[0]["body"] if e["type"] == "ActionSet" and "Done" in str(e)]
    assert [a["title"] for a in set_["actions"]] == ["Done: Draft the proposal"]
    statuses = {a["text"]: a["status"] for a in await world.table("agreed_action")}
    assert statuses == {"Role-play the opener with Zoe": "done", "Draft the proposal": "open"}

    await world.say(ED, "my record")
    record = text_of(world.last_card(ED))
    assert "Draft the proposal (by 15 January 2099)" in record
    assert "Negotiation basics" in record


async def test_the_next_session_reviews_the_open_actions_prefilled(
    world: TeamsWorld, people: People
) -> None:
    card = await open_card(world)
    yesterday = (today_utc() - timedelta(days=1)).isoformat()
    await world.submit(MAYA, answers(card, held_on=yesterday))
    opened = {a["text"]: a["id"] for a in await world.table("agreed_action")}

    card = await open_card(world)
    reviews = {f"review_{i}": input_(card, f"review_{i}")["value"] for i in opened.values()}
    assert set(reviews.values()) == {"carried_over"}
    assert "Unless you change them below, both are carried over." in text_of(card)
    done = f"review_{opened['Role-play the opener with Zoe']}"
    reviews[done] = "done"
    await world.submit(MAYA, answers(card, **reviews, actions="Send notes"))

    statuses = {(a["text"], a["status"]) for a in await world.table("agreed_action")}
    assert ("Role-play the opener with Zoe", "done") in statuses
    assert ("Draft the proposal", "carried_over") in statuses
    assert ("Send notes", "open") in statuses
    assert len(await world.table("coaching_session")) == 2


async def test_a_single_tenant_bot_ignores_people_of_other_tenants(
    sqlite_url: str, people: People, signing_key: SigningKey, metadata_url: str
) -> None:
    world, close = await start_teams(
        sqlite_url, signing_key, metadata_url, MicrosoftAppTenantId="another-tenant"
    )
    try:
        await world.say(MAYA, "log session")
        assert "Ask your L&D team to add you" in text_of(world.last_card(MAYA))
        assert await world.table("conversation_ref") == []
    finally:
        await close()


async def test_marked_done_and_the_record_keep_action_text_inert_on_teams(
    world: TeamsWorld, people: People
) -> None:
    await world.post(world.connector.installed(ED))
    card = await open_card(world)
    typed = "[Click](https://evil.example) first\n[Open](https://evil.example) second"
    await world.submit(MAYA, answers(card, actions=typed))
    await world.deliver()
    [dm] = [s for s in world.connector.sent_to(ED) if "logged your" in s.activity["summary"]]
    [set_] = [e for e in dm.cards[0]["body"] if e["type"] == "ActionSet" and "Done" in str(e)]
    done = next(a["data"] for a in set_["actions"] if "Click" in a["title"])

    await world.submit(ED, done)
    updated = text_of(world.last_card(ED))  # the DM as it now stands, the action marked done
    await world.say(ED, "my record")
    record = text_of(world.last_card(ED))

    assert "[Click]\u200b(https://evil.example) first" in updated
    assert "- [Open]\u200b(https://evil.example) second" in record
    assert "](" not in updated + record


async def test_a_date_carries_its_year_only_when_it_is_not_this_year(
    world: TeamsWorld, people: People
) -> None:
    await world.post(world.connector.installed(ED))
    await world.submit(MAYA, answers(await open_card(world)))
    before = len(world.connector.sent_to(ED))
    await world.deliver()
    [dm] = world.connector.sent_to(ED)[before:]
    today = today_utc()
    assert f"logged your coaching session of {today.day} {today:%B}." in str(dm.cards)
    assert "Draft the proposal (by 15 January 2099)" in str(dm.cards)

    await world.say(ED, "my record")
    record = text_of(world.last_card(ED))
    assert "Draft the proposal (by 15 January 2099)" in record
    assert f"- {today.day} {today:%B}: Coaching session" in record
