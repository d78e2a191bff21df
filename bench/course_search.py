"""Course search for the form's external_select over a generated 20,000-course catalogue: p99
per query of the ranked token-index search (`storage/course_search.py`, what
`catalogue.search_courses` runs) against a plain `LIKE` query on the same table (every word a
substring of title or id, by title), in the same run, on SQLite and PostgreSQL.
Target: p99 under 50 ms and at most 2x the LIKE's p99.
Run: `.venv/bin/python bench/course_search.py [--courses N] [--queries Q] [--repeat R]
[--sqlite-only]`."""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import select

from storage import course_search
from storage.db import create_engine
from storage.repositories import COURSE, SKILL, _words_match
from tests.support.databases import PostgresFactory, SqliteFactory
from tests.support.pgcluster import throwaway_cluster

P99_TARGET_MS = 50.0
RATIO_TARGET = 2.0
LIMIT = 100  # what the Slack options listener asks for
TOPICS = (
    "negotiation",
    "leadership",
    "coaching",
    "feedback",
    "presentation",
    "storytelling",
    "accounting",
    "budgeting",
    "forecasting",
    "python",
    "sql",
    "excel",
    "security",
    "privacy",
    "compliance",
    "onboarding",
    "hiring",
    "interviewing",
    "delegation",
    "prioritisation",
    "writing",
    "marketing",
    "pricing",
    "sales",
    "procurement",
    "logistics",
    "design",
    "research",
    "analytics",
    "statistics",
    "cloud",
    "networking",
    "kubernetes",
    "testing",
    "agile",
    "scrum",
    "kanban",
    "facilitation",
    "mediation",
    "wellbeing",
    "resilience",
    "inclusion",
    "accessibility",
    "ethics",
    "strategy",
    "innovation",
    "product",
    "service",
)
LEVELS = (
    "Introduction to",
    "Foundations of",
    "Advanced",
    "Practical",
    "Essentials of",
    "Mastering",
    "Applied",
    "Modern",
    "Hands-on",
    "Effective",
)
FORMATS = (
    "basics",
    "workshop",
    "masterclass",
    "for managers",
    "for teams",
    "in practice",
    "bootcamp",
    "deep dive",
    "refresher",
    "certificate",
)


def catalogue(size: int, seed: int = 11) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """200 skills and `size` courses named from a small vocabulary (realistic collisions)."""
    rng = random.Random(seed)
    skills = [
        {
            "skill_id": f"S{i:03d}-{topic}",
            "name": f"{topic.title()} skills {i}",
            "category": "",
            "description": "",
            "framework": "custom",
            "framework_ref": "",
        }
        for i, topic in enumerate(TOPICS * 5)
    ][:200]
    courses = []
    for index in range(size):
        first, second = rng.sample(TOPICS, 2)
        title = f"{rng.choice(LEVELS)} {first} and {second} {rng.choice(FORMATS)}"
        mapped = rng.sample(skills, rng.randrange(0, 3))
        courses.append(
            {
                "course_id": f"MDL-{index:05d}",
                "title": title.capitalize(),
                "url": f"https://lms.example.org/course/{index}",
                "skill_ids": ";".join(s["skill_id"] for s in mapped),
                "provider": "moodle",
                "duration_minutes": 30 + index % 90,
            }
        )
    return skills, courses


def queries(count: int, seed: int = 5) -> list[str]:
    """What managers type: 3+ letters of a topic, two words, a skill, an id, a miss."""
    rng = random.Random(seed)
    made = []
    for _ in range(count):
        kind = rng.randrange(6)
        topic = rng.choice(TOPICS)
        if kind == 0:
            made.append(topic[: rng.randrange(3, len(topic) + 1)])
        elif kind == 1:
            made.append(f"{topic} {rng.choice(TOPICS)[:4]}")
        elif kind == 2:
            made.append(f"{rng.choice(LEVELS).split()[0].lower()} {topic}")
        elif kind == 3:
            made.append(f"{topic} {rng.choice(FORMATS).split()[0]}")
        elif kind == 4:
            made.append(f"MDL-{rng.randrange(20000):05d}")
        else:
            made.append("quantum " + topic[:3])
    return made


def like_query(typed: str) -> Any:
    """The plain search: every word a substring of title or id, by title (the old one)."""
    return (
        select(COURSE)
        .where(_words_match([COURSE.c.title, COURSE.c.course_id], typed))
        .order_by(COURSE.c.title, COURSE.c.course_id)
        .limit(LIMIT)
    )


def p99(samples: list[float]) -> float:
    return statistics.quantiles(samples, n=100, method="inclusive")[98]


async def run(url: str, size: int, typed: list[str], repeat: int) -> tuple[float, float, float]:
    skills, courses = catalogue(size)
    engine = create_engine(url)
    try:
        async with engine.begin() as connection:
            await connection.execute(SKILL.insert(), skills)
            await connection.execute(COURSE.insert(), courses)
            started = time.perf_counter()
            await course_search.reindex_courses(connection)
            indexing = time.perf_counter() - started
        ranked_ms: list[float] = []
        like_ms: list[float] = []
        async with engine.connect() as connection:
            for text in typed[:20]:  # warm both paths' caches and plans
                await course_search.search_courses(connection, text, LIMIT)
                (await connection.execute(like_query(text))).all()
            for _ in range(repeat):
                for text in typed:
                    started = time.perf_counter()
                    await course_search.search_courses(connection, text, LIMIT)
                    ranked_ms.append((time.perf_counter() - started) * 1000)
                    started = time.perf_counter()
                    (await connection.execute(like_query(text))).all()
                    like_ms.append((time.perf_counter() - started) * 1000)
    finally:
        await engine.dispose()
    return p99(ranked_ms), p99(like_ms), indexing


def report(label: str, fresh: Callable[[], str], args: argparse.Namespace) -> bool:
    ranked, like, indexing = asyncio.run(
        run(fresh(), args.courses, queries(args.queries), args.repeat)
    )
    ratio = ranked / like
    ok = ranked < P99_TARGET_MS and ratio <= RATIO_TARGET
    verdict = "ok" if ok else f"OVER target (p99 < {P99_TARGET_MS:g} ms and <= {RATIO_TARGET:g}x)"
    print(
        f"{label}: course search p99 {ranked:.2f} ms vs LIKE p99 {like:.2f} ms over "
        f"{args.courses} courses = {ratio:.2f}x ({verdict}); index built in {indexing:.2f} s"
    )
    return ok


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--courses", type=int, default=20_000)
    parser.add_argument("--queries", type=int, default=300)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--sqlite-only", action="store_true")
    args = parser.parse_args()
    ok = True
    with tempfile.TemporaryDirectory() as folder:
        ok &= report("SQLite", SqliteFactory(Path(folder)).fresh, args)
    if not args.sqlite_only:
        with throwaway_cluster() as admin_url:
            ok &= report("PostgreSQL", PostgresFactory(admin_url).fresh, args)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
