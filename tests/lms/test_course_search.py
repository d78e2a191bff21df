"""The form's course search: every word typed must start a word of the course's title, id or
skills; title words rank above id and skill matches, whole words above prefixes."""

from __future__ import annotations

from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncEngine

from storage.course_search import reindex_courses
from storage.tables import metadata
from storage.unit_of_work import SqlUnitOfWork
from tests.storage.org import build_org, insert


async def found(engine: AsyncEngine, typed: str) -> list[str]:
    async with SqlUnitOfWork(engine) as uow:
        return [course.course_id for course in await uow.catalogue.search_courses(typed, 10)]


async def test_title_words_rank_above_skill_matches(engine: AsyncEngine) -> None:
    await build_org(engine)
    await insert(engine, "skill", skill_id="pricing", name="Pricing and negotiation")
    await insert(engine, "course", course_id="C-PRICE", title="Value pricing", skill_ids="pricing")
    await insert(engine, "course", course_id="C-PRO-7", title="Negotiate like a pro")
    # whole title word, then title prefix, then the course only mapped to a negotiation skill
    assert await found(engine, "negotiation") == ["C-NEG-2", "C-NEG-1", "C-PRICE"]
    # prefixes of title words tie (then by title), above the skill's prefix
    assert await found(engine, "negot") == ["C-NEG-2", "C-PRO-7", "C-NEG-1", "C-PRICE"]


async def test_every_word_must_match_somewhere(engine: AsyncEngine) -> None:
    await build_org(engine)
    assert await found(engine, "advanced negotiation") == ["C-NEG-2"]
    assert await found(engine, "speak public") == ["C-TALK"]  # "public" from its skill
    assert await found(engine, "negotiation speaking") == []
    assert await found(engine, "c talk") == ["C-TALK"]  # by its id
    assert await found(engine, "  ") == ["C-NEG-2", "C-NEG-1", "C-TALK"]  # all, by title


async def test_a_changed_title_is_found_by_its_new_words_once_reindexed(
    engine: AsyncEngine,
) -> None:
    await build_org(engine)
    assert await found(engine, "confidence") == ["C-TALK"]
    course = metadata.tables["course"]
    async with engine.begin() as connection:
        await reindex_courses(connection)
    async with engine.begin() as connection:
        await connection.execute(
            update(course).where(course.c.course_id == "C-TALK").values(title="Stage presence")
        )
        assert await reindex_courses(connection) == 1
    assert await found(engine, "confidence") == []
    assert await found(engine, "stage") == ["C-TALK"]
