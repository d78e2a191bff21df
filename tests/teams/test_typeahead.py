"""Skills and courses on the Teams session card are found by searching as the manager types
(Adaptive Cards dynamic typeahead: the card's `Data.Query` datasets, answered by the bot's
`application/search` invoke), so the whole framework and catalogue can be chosen, not only
what fits on the card; a value that is not a real skill or course is a field error."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncEngine

from storage.db import create_engine
from tests.slack.conftest import People
from tests.storage.org import insert
from tests.support.bot_connector import search_refusal
from tests.teams.cards import error_beside, input_, text_of
from tests.teams.conftest import MAYA, SAM, TeamsWorld
from tests.teams.test_session_flow import answers, open_card

SKILLS = 150
COURSES = 300


async def big_catalogue(engine: AsyncEngine) -> None:
    """150 skills and 300 long course titles in several scripts (sorted by name, the last
    ones come far beyond the first 100)."""
    for n in range(1, SKILLS + 1):
        await insert(engine, "skill", skill_id=f"SK-{n:03d}", name=f"Skill {n:03d} practice")
    for n in range(1, COURSES + 1):
        title = f"Course {n:03d}: Führung, 交渉 and नेतृत्व 🚀 " + "long title " * 15
        await insert(engine, "course", course_id=f"CB-{n:03d}", title=title[:200])


async def test_a_skill_and_courses_beyond_the_first_hundred_are_found_and_saved(
    world: TeamsWorld, people: People, sqlite_url: str
) -> None:
    engine = create_engine(sqlite_url)
    await big_catalogue(engine)
    await engine.dispose()
    card = await open_card(world)
    skill = input_(card, "skill")
    assert len(skill["choices"]) <= 20  # a few on the card; the catalogue is searched
    assert "SK-142" not in {c["value"] for c in skill["choices"]}

    found = await world.typeahead(MAYA, "skill", "skill 142")
    assert found == [{"title": "Skill 142 practice", "value": "SK-142"}]
    courses = await world.typeahead(MAYA, "courses", "Course 287")
    assert [c["value"] for c in courses] == ["CB-287"]
    assert courses[0]["title"].startswith("Course 287: Führung, 交渉 and नेतृत्व 🚀")

    await world.submit(MAYA, answers(card, skill="SK-142", courses="CB-287,C-101"))
    assert "Saved your session with Ed Jones" in text_of(world.last_card(MAYA))
    [session] = await world.table("coaching_session")
    assert session["skill_id"] == "SK-142"
    assigned = {row["course_id"] for row in await world.table("course_assignment")}
    assert assigned == {"CB-287", "C-101"}


async def test_the_search_pages_through_the_whole_skills_framework(
    world: TeamsWorld, people: People, sqlite_url: str
) -> None:
    engine = create_engine(sqlite_url)
    await big_catalogue(engine)
    await engine.dispose()
    await open_card(world)
    seen: list[str] = []
    while page := await world.typeahead(MAYA, "skill", "practice", skip=len(seen)):
        seen += [choice["value"] for choice in page]
    assert seen == [f"SK-{n:03d}" for n in range(1, SKILLS + 1)]


async def test_a_value_that_is_no_real_skill_or_course_is_a_field_error(
    world: TeamsWorld, people: People
) -> None:
    card = await open_card(world)
    await world.submit(MAYA, answers(card, skill="SK-FORGED", courses="C-101,C-NOPE"))
    again = world.last_card(MAYA)
    assert "'SK-FORGED' is not a skill in the framework" in error_beside(again, "skill")
    assert "'C-NOPE' is not a course in the catalogue" in error_beside(again, "courses")
    assert "value" not in input_(again, "skill")  # chosen again from real skills
    assert input_(again, "courses")["value"] == "C-101"  # the real one stays chosen
    assert await world.table("coaching_session") == []
    assert await world.table("course_assignment") == []

    await world.submit(MAYA, answers(again, skill="SK-COMM", courses="C-101"))
    [session] = await world.table("coaching_session")
    assert session["skill_id"] == "SK-COMM"


async def test_a_chosen_skill_and_courses_stay_chosen_when_another_field_is_wrong(
    world: TeamsWorld, people: People
) -> None:
    card = await open_card(world)
    await world.submit(MAYA, answers(card, duration="5", skill="SK-COMM", courses="C-102"))
    again = world.last_card(MAYA)
    assert error_beside(again, "duration")
    skill = input_(again, "skill")
    assert skill["value"] == "SK-COMM"
    assert {"title": "Communication", "value": "SK-COMM"} in skill["choices"]
    courses = input_(again, "courses")
    assert courses["value"] == "C-102"
    assert {"title": "Difficult conversations", "value": "C-102"} in courses["choices"]


async def post_search(world: TeamsWorld, value: Any, user: Any = MAYA) -> tuple[int, Any]:
    activity = world.connector.activity(user, kind="invoke", name="application/search", value=value)
    response = await world.post(activity)
    return response.status, await response.json()


async def test_searches_coachbot_cannot_answer_are_refused_with_a_reason(
    world: TeamsWorld, people: People
) -> None:
    await open_card(world)
    status, body = await post_search(world, {"queryText": "x", "dataset": "salaries"})
    assert "unknown dataset 'salaries'" in search_refusal(status, body)
    bad_page = {"queryText": "x", "dataset": "skills", "queryOptions": {"skip": "many"}}
    assert "skip must be a whole number" in search_refusal(*await post_search(world, bad_page))
    assert "no value" in search_refusal(*await post_search(world, None))
    stranger = await post_search(world, {"queryText": "neg", "dataset": "skills"}, SAM)
    assert "I don't know you yet" in search_refusal(*stranger)


async def test_searching_sends_nothing_and_writes_nothing(
    world: TeamsWorld, people: People
) -> None:
    await open_card(world)
    sent, stored = len(world.connector.sent), await world.table("conversation_ref")
    assert await world.typeahead(MAYA, "skill", "nego") == [
        {"title": "Negotiation", "value": "SK-NEGO"}
    ]
    assert await world.typeahead(MAYA, "courses", "no such words") == []
    assert len(world.connector.sent) == sent
    assert await world.table("conversation_ref") == stored
