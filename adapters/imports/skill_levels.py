"""skill-levels.csv: assessed levels (0-4) from the skills matrix, one per (person, skill, date)."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncConnection

from adapters.imports import fields
from adapters.imports.base import ImportContext, Outcome
from adapters.imports.csvfile import CsvRecord, Layout, Problem
from storage import importer
from storage.importer import SkillLevelEntry

LAYOUT = Layout(
    columns=("email", "skill_id", "level", "assessed_on"),
    required=("email", "skill_id", "level", "assessed_on"),
)

_level = fields.integer(0, 4)


async def run(connection: AsyncConnection, records: list[CsvRecord], ctx: ImportContext) -> Outcome:
    people = await importer.person_ids(connection)
    known_skills = await importer.skill_ids(connection)
    assessed_on = fields.past_date(ctx.today)
    problems: list[Problem] = []
    entries: list[SkillLevelEntry] = []
    first: dict[tuple[str, str, object], int] = {}
    for record in ctx.track(records, "validating"):
        row = fields.RowReader(record, problems)
        address = row.parse("email", fields.email, required=True)
        if address is not None and address not in people:
            row.problem("email", f"unknown person {address} (import them with people.csv)")
        skill_id = row.text("skill_id", required=True)
        if skill_id and skill_id not in known_skills:
            row.problem("skill_id", f"unknown skill {skill_id!r} (import it with skills.csv)")
        level = row.parse("level", _level, required=True)
        day = row.parse("assessed_on", assessed_on, required=True)
        if address is None or not skill_id or day is None:
            continue
        key = (address, skill_id, day)
        if key in first:
            message = f"line {first[key]} already gives this person's level of {skill_id} on {day}"
            row.problem("assessed_on", message)
        else:
            first[key] = row.line
        if row.ok and level is not None:
            entries.append(SkillLevelEntry(address, skill_id, level, day))
    if problems:
        return Outcome(problems=problems)
    stored = await importer.load_skill_levels(connection)
    plan = importer.plan_skill_levels(stored, people, entries)
    if not ctx.dry_run:
        with ctx.writing(plan.rows) as progress:
            await importer.apply_skill_levels(connection, plan, progress)
    return Outcome(counts=plan.counts, rows=len(entries))
