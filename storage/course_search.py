"""Ranked course search over a token index: every word typed must start a word of a course's
title, id or skills; title words count most, then the id, then skills, and a whole word more
than a prefix. The index follows the catalogue through `reindex_courses`, which the catalogue's
writers call in their transaction; a search that finds courses missing from the index (rows
written without it) indexes them first, once, in a transaction of its own."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from sqlalchemy import Select, and_, case, delete, func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection

from storage.tables import metadata

COURSE = metadata.tables["course"]
SKILL = metadata.tables["skill"]
INDEXED = metadata.tables["course_indexed"]
TOKEN = metadata.tables["course_token"]

TITLE_WEIGHT = 3
ID_WEIGHT = 2
SKILL_WEIGHT = 1
MAX_WORDS = 8
MAX_TOKEN = 64
BREADTH_CAP = 2500
"""Counting the tokens a word starts stops here: enough to tell the rarest word."""
_WORD = re.compile(r"[^\W_]+")


def words(text: str) -> list[str]:
    """The lower-cased words of `text` (letters and digits), as the index keeps them."""
    return [word[:MAX_TOKEN] for word in _WORD.findall(text.casefold())]


def course_tokens(
    course_id: str, title: str, skill_ids: Sequence[str], skill_names: Sequence[str]
) -> dict[str, int]:
    """Each word of the course with the weight of the best place it appears in."""
    weighted: dict[str, int] = {}
    sources = (
        (title, TITLE_WEIGHT),
        (course_id, ID_WEIGHT),
        (" ".join([*skill_ids, *skill_names]), SKILL_WEIGHT),
    )
    for text, weight in sources:
        for word in words(text):
            weighted[word] = max(weighted.get(word, 0), weight)
    return weighted


async def reindex_courses(connection: AsyncConnection) -> int:
    """Bring the index in line with the course table (new courses, changed titles or skills);
    the number of courses indexed again. Removed courses leave the index by cascade."""
    query = (
        select(COURSE.c.course_id, COURSE.c.title, COURSE.c.skill_ids)
        .select_from(COURSE.outerjoin(INDEXED, INDEXED.c.course_id == COURSE.c.course_id))
        .where(
            or_(
                INDEXED.c.course_id.is_(None),
                INDEXED.c.title != COURSE.c.title,
                INDEXED.c.skill_ids != func.coalesce(COURSE.c.skill_ids, ""),
            )
        )
    )
    stale = (await connection.execute(query)).mappings().all()
    if not stale:
        return 0
    names = {
        row["skill_id"]: row["name"]
        for row in (await connection.execute(select(SKILL.c.skill_id, SKILL.c.name))).mappings()
    }
    ids = [row["course_id"] for row in stale]
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        await connection.execute(delete(TOKEN).where(TOKEN.c.course_id.in_(chunk)))
        await connection.execute(delete(INDEXED).where(INDEXED.c.course_id.in_(chunk)))
    entries: list[dict[str, Any]] = []
    tokens: list[dict[str, Any]] = []
    for row in stale:
        skills = [part for part in (row["skill_ids"] or "").split(";") if part]
        entries.append(
            {
                "course_id": row["course_id"],
                "title": row["title"],
                "skill_ids": row["skill_ids"] or "",
            }
        )
        weighted = course_tokens(
            row["course_id"], row["title"], skills, [names[s] for s in skills if s in names]
        )
        tokens.extend(
            {"token": token, "course_id": row["course_id"], "weight": weight}
            for token, weight in weighted.items()
        )
    await connection.execute(INDEXED.insert(), entries)
    if tokens:
        await connection.execute(TOKEN.insert(), tokens)
    return len(stale)


async def _catch_up(connection: AsyncConnection) -> None:
    """Index the courses a writer left out, in a transaction of its own, so that the work is
    kept (the search's own transaction is usually read-only and rolled back)."""
    try:
        async with connection.engine.begin() as writer:
            await reindex_courses(writer)
    except IntegrityError:  # another search indexed them meanwhile
        pass


async def _index_is_complete(connection: AsyncConnection) -> bool:
    query = select(
        select(func.count()).select_from(COURSE).scalar_subquery(),
        select(func.count()).select_from(INDEXED).scalar_subquery(),
    )
    courses, indexed = (await connection.execute(query)).one()
    return bool(courses == indexed)


def _after(prefix: str) -> str:
    """The first string after every string that starts with `prefix` (code point order)."""
    return prefix[:-1] + chr(ord(prefix[-1]) + 1)


def _points(token: Any, weight: Any, word: str) -> Any:
    """A token's points for `word`: its weight, twice that when it is the whole word."""
    return case((token == word, weight * 2), else_=weight)


def _in_range(token: Any, word: str) -> Any:
    return and_(token >= word, token < _after(word))


async def _breadth(connection: AsyncConnection, word: str) -> int:
    """How many tokens start with `word`, up to `BREADTH_CAP`."""
    capped = select(TOKEN.c.course_id).where(_in_range(TOKEN.c.token, word)).limit(BREADTH_CAP)
    count: int = (
        await connection.execute(select(func.count()).select_from(capped.subquery()))
    ).scalar_one()
    return count


def ranked_query(driver: str, others: Sequence[str], limit: int) -> Select[Any]:
    """Courses with a token starting with each word, best first, then by title and id. The
    `driver` word (the rarest) finds the candidates through the token index; every other word
    is looked up among each candidate's own tokens (a covering index), not scanned."""
    found = (
        select(
            TOKEN.c.course_id, func.max(_points(TOKEN.c.token, TOKEN.c.weight, driver)).label("p")
        )
        .where(_in_range(TOKEN.c.token, driver))
        .group_by(TOKEN.c.course_id)
        .subquery("found")
    )
    score: Any = found.c.p
    source: Any = found
    for index, word in enumerate(others):
        own = TOKEN.alias(f"own{index}")
        source = source.join(
            own, and_(own.c.course_id == found.c.course_id, _in_range(own.c.token, word))
        )
        score = score + func.max(_points(own.c.token, own.c.weight, word))
    ranked = (
        select(found.c.course_id, score.label("score"))
        .select_from(source)
        .group_by(found.c.course_id, found.c.p)
        .subquery("ranked")
    )
    return (
        select(COURSE)
        .join(ranked, ranked.c.course_id == COURSE.c.course_id)
        .order_by(ranked.c.score.desc(), COURSE.c.title, COURSE.c.course_id)
        .limit(limit)
    )


async def search_courses(
    connection: AsyncConnection, typed: str, limit: int
) -> list[dict[str, Any]]:
    """The course rows for `typed`, ranked; indexes missing courses first if there are any."""
    if not await _index_is_complete(connection):
        await _catch_up(connection)
    wanted = list(dict.fromkeys(words(typed)))[:MAX_WORDS]
    if not wanted:
        query = select(COURSE).order_by(COURSE.c.title, COURSE.c.course_id).limit(limit)
        return [dict(row) for row in (await connection.execute(query)).mappings()]
    breadth = {word: await _breadth(connection, word) for word in wanted}
    if min(breadth.values()) == 0:
        return []
    driver = min(wanted, key=lambda word: (breadth[word], -len(word)))
    query = ranked_query(driver, [word for word in wanted if word != driver], limit)
    rows = (await connection.execute(query)).mappings().all()
    return [dict(row) for row in rows]


__all__ = ["course_tokens", "ranked_query", "reindex_courses", "search_courses", "words"]
