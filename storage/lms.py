"""The LMS's records on the unit of work's connection (`bot.ports.LmsRecords`): cursors of
polls (`sync_cursor`), the open assignments to ask Moodle about, courses found by their activity
id, and courses upserted from the LMS catalogue (with the search index kept in line)."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.model import Course
from bot.ports import CatalogueChanges, OpenAssignment
from storage.course_search import reindex_courses
from storage.repositories import ASSIGNMENT, COURSE, PERSON, course_from_row, dialect_insert
from storage.tables import metadata

__all__ = ["CatalogueChanges", "OpenAssignment", "SqlLmsRecords"]

CURSOR = metadata.tables["sync_cursor"]


class SqlLmsRecords:
    """Implements `bot.ports.LmsRecords` on the unit of work's connection."""

    def __init__(self, connection: AsyncConnection) -> None:
        self._db = connection

    async def cursor(self, name: str) -> str | None:
        query = select(CURSOR.c.value).where(CURSOR.c.name == name)
        value: str | None = (await self._db.execute(query)).scalar()
        return value

    async def set_cursor(self, name: str, value: str) -> None:
        insert = dialect_insert(self._db, CURSOR).values(name=name, value=value)
        await self._db.execute(
            insert.on_conflict_do_update(index_elements=["name"], set_={"value": value})
        )

    async def open_assignments(self) -> list[OpenAssignment]:
        """Open assignments of active people, one per (person, course)."""
        query = (
            select(PERSON.c.email, ASSIGNMENT.c.course_id)
            .join(PERSON, PERSON.c.id == ASSIGNMENT.c.employee_id)
            .where(ASSIGNMENT.c.completed_at.is_(None), PERSON.c.active)
            .distinct()
            .order_by(PERSON.c.email, ASSIGNMENT.c.course_id)
        )
        rows = (await self._db.execute(query)).all()
        return [OpenAssignment(email, course_id) for email, course_id in rows]

    async def course_by_activity(self, activity_id: str, urn_prefix: str) -> Course | None:
        """The course whose link is `activity_id`, or whose id follows `urn_prefix` in it."""
        if activity_id.startswith(urn_prefix):
            condition = COURSE.c.course_id == activity_id.removeprefix(urn_prefix)
        else:
            condition = COURSE.c.url == activity_id
        row = (await self._db.execute(select(COURSE).where(condition))).mappings().first()
        return course_from_row(row) if row else None

    async def upsert_courses(self, courses: Sequence[Course]) -> CatalogueChanges:
        """Add new courses and update the title, link and provider of known ones (their skills
        stay as mapped); then bring the search index in line."""
        added = updated = unchanged = 0
        ids = [course.course_id for course in courses]
        known = {
            row["course_id"]: course_from_row(row)
            for row in (
                await self._db.execute(select(COURSE).where(COURSE.c.course_id.in_(ids)))
            ).mappings()
        }
        new_rows = []
        for course in courses:
            old = known.get(course.course_id)
            if old is None:
                added += 1
                new_rows.append(
                    {
                        "course_id": course.course_id,
                        "title": course.title,
                        "url": course.url,
                        "skill_ids": ";".join(course.skill_ids),
                        "provider": course.provider,
                        "duration_minutes": course.duration_minutes,
                    }
                )
            elif (old.title, old.url, old.provider) == (
                course.title,
                course.url,
                course.provider,
            ):
                unchanged += 1
            else:
                updated += 1
                await self._db.execute(
                    update(COURSE)
                    .where(COURSE.c.course_id == course.course_id)
                    .values(title=course.title, url=course.url, provider=course.provider)
                )
        if new_rows:
            await self._db.execute(COURSE.insert(), new_rows)
        await reindex_courses(self._db)
        return CatalogueChanges(added, updated, unchanged)
