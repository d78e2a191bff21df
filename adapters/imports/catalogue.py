"""skills.csv and courses.csv: the skills framework and the LMS course catalogue. Ids missing
from a later file stay (sessions and assignments point at them); courses may only map to skills
already in the database."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncConnection

from adapters.imports import fields
from adapters.imports.base import ImportContext, Outcome
from adapters.imports.csvfile import CsvRecord, Layout, Problem
from bot.model import Skill
from storage import importer
from storage.course_search import reindex_courses
from storage.importer import COURSE, SKILL, CourseEntry

SKILLS = Layout(
    columns=("skill_id", "name", "category", "description", "framework", "framework_ref"),
    required=("skill_id", "name"),
)
COURSES = Layout(
    columns=("course_id", "title", "url", "skill_ids", "provider", "duration_minutes"),
    required=("course_id", "title"),
)

_minutes = fields.integer(1)


async def run_skills(
    connection: AsyncConnection, records: list[CsvRecord], ctx: ImportContext
) -> Outcome:
    problems: list[Problem] = []
    entries: list[Skill] = []
    first: dict[str, int] = {}
    for record in ctx.track(records, "validating"):
        row = fields.RowReader(record, problems)
        skill_id = _unique_id(row, "skill_id", first)
        name = row.text("name", required=True)
        if row.ok and skill_id is not None:
            entries.append(
                Skill(
                    skill_id=skill_id,
                    name=name,
                    category=row.text("category"),
                    description=row.text("description"),
                    framework=row.text("framework") or "custom",
                    framework_ref=row.text("framework_ref"),
                )
            )
    if problems:
        return Outcome(problems=problems)
    plan = importer.plan_catalogue(await importer.load_catalogue(connection, SKILL), entries)
    if not ctx.dry_run:
        with ctx.writing(plan.rows) as progress:
            await importer.apply_catalogue(connection, SKILL, plan, progress)
            await reindex_courses(connection)  # course search matches skill names too
    return Outcome(counts=plan.counts, rows=len(entries))


async def run_courses(
    connection: AsyncConnection, records: list[CsvRecord], ctx: ImportContext
) -> Outcome:
    known_skills = await importer.skill_ids(connection)
    problems: list[Problem] = []
    entries: list[CourseEntry] = []
    first: dict[str, int] = {}
    for record in ctx.track(records, "validating"):
        row = fields.RowReader(record, problems)
        course_id = _unique_id(row, "course_id", first)
        title = row.text("title", required=True)
        link = row.parse("url", fields.url)
        skills = fields.split(row.text("skill_ids"), ";")
        for skill_id in skills:
            if skill_id not in known_skills:
                row.problem("skill_ids", f"unknown skill {skill_id!r} (import it with skills.csv)")
        minutes = row.parse("duration_minutes", _minutes)
        if row.ok and course_id is not None:
            entries.append(
                CourseEntry(
                    course_id=course_id,
                    title=title,
                    url=link or "",
                    skill_ids=";".join(dict.fromkeys(skills)),
                    provider=row.text("provider"),
                    duration_minutes=minutes,
                )
            )
    if problems:
        return Outcome(problems=problems)
    plan = importer.plan_catalogue(await importer.load_catalogue(connection, COURSE), entries)
    if not ctx.dry_run:
        with ctx.writing(plan.rows) as progress:
            await importer.apply_catalogue(connection, COURSE, plan, progress)
            await reindex_courses(connection)
    return Outcome(counts=plan.counts, rows=len(entries))


def _unique_id(row: fields.RowReader, column: str, first: dict[str, int]) -> str | None:
    """The row's id, or None (with a problem) when blank, malformed or given by an earlier row."""
    value = row.parse(column, fields.identifier, required=True)
    if value is None:
        return None
    if value in first:
        row.problem(column, f"duplicate of line {first[value]}")
        return None
    first[value] = row.line
    return value
