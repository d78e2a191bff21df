"""Bulk reads and writes for the CSV imports. For each kind: load what the database holds in a
few queries (`load_*`), let `bot/import_plan.py` work out what a validated file changes
(`plan_*`: added, updated, unchanged, deactivated; re-exported here) and write it (`apply_*`)
with executemany in batches, inside the caller's transaction: new people and relationships as
multi-row inserts of value tuples for the driver (`insert_rows`), the rest through SQLAlchemy
Core. No per-row queries: the ORM's `add_all` is ~60x slower than executemany."""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, cast

from sqlalchemy import Table, bindparam, func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.import_plan import (
    PERSON_FIELDS,
    CataloguePlan,
    CourseEntry,
    ImportCounts,
    OpenActions,
    PeoplePlan,
    PeopleSnapshot,
    PersonEntry,
    SessionEntry,
    SessionPlan,
    SessionSnapshot,
    SkillLevelEntry,
    SkillLevelPlan,
    StoredPerson,
    plan_catalogue,
    plan_people,
    plan_sessions,
    plan_skill_levels,
)
from bot.model import ActionStatus
from storage.tables import metadata

BATCH_SIZE = 2000
"""Rows per executemany call; also the step of the progress callback."""

MAX_PARAMETERS = 32_000
"""Parameters per statement, under both drivers' limits (PostgreSQL's protocol: 32,767;
SQLite's default since 3.32: 32,766)."""

Progress = Callable[[int], None]
"""Called with the number of rows just written."""

__all__ = [
    "CourseEntry",
    "ImportCounts",
    "PersonEntry",
    "SessionEntry",
    "SessionSnapshot",
    "SkillLevelEntry",
    "plan_catalogue",
    "plan_people",
    "plan_sessions",
    "plan_skill_levels",
]

_ACTIVE = {"active": True, "deactivated_on": None}
PERSON = metadata.tables["person"]
RELATIONSHIP = metadata.tables["coaching_relationship"]
SKILL = metadata.tables["skill"]
COURSE = metadata.tables["course"]
SKILL_LEVEL = metadata.tables["skill_level"]
IMPORT_RUN = metadata.tables["import_run"]


async def write_rows(
    connection: AsyncConnection,
    statement: Any,
    rows: Sequence[Mapping[str, Any]] | Sequence[PersonEntry],
    progress: Progress | None = None,
) -> None:
    """Execute `statement` once per row, `BATCH_SIZE` rows per executemany."""
    for start in range(0, len(rows), BATCH_SIZE):
        batch = rows[start : start + BATCH_SIZE]
        await connection.execute(statement, list(batch))
        if progress is not None:
            progress(len(batch))


async def insert_rows(
    connection: AsyncConnection,
    table: Table,
    rows: Sequence[Mapping[str, Any]] | Sequence[PersonEntry],
    progress: Progress | None = None,
) -> None:
    """INSERT `rows` (mappings with the same keys) as multi-row VALUES statements of up to
    `BATCH_SIZE` rows, their values handed to the driver as one flat tuple: each value goes
    through its column's bind processor here, as SQLAlchemy would send it, and a column the
    rows leave out takes its scalar default. SQLAlchemy's executemany builds every row's
    parameters through the compiled statement, which cost more than the database's insert
    itself; and one statement of many rows costs PostgreSQL less than one a row."""
    if not rows:
        return
    dialect = connection.dialect
    given = list(cast(Mapping[str, Any], rows[0]))
    compiled = insert(table).inline().compile(dialect=dialect, column_keys=given)
    names = list(compiled.positiontup or ())
    defaults: dict[str, Any] = {}
    for name in names:
        if name not in given:
            default = table.c[name].default
            if default is None or not default.is_scalar:
                raise ValueError(f"{table.name}.{name}: no value and no scalar default")
            defaults[name] = cast(Any, default).arg
    steps = [
        (name, table.c[name].type.dialect_impl(dialect).bind_processor(dialect)) for name in names
    ]
    head, _, row_marks = str(compiled).partition(" VALUES ")
    per_statement = max(1, min(BATCH_SIZE, MAX_PARAMETERS // len(names)))
    for start in range(0, len(rows), per_statement):
        batch = cast(Sequence[Mapping[str, Any]], rows[start : start + per_statement])
        values: list[Any] = []
        for row in batch:
            full = {**defaults, **row} if defaults else row
            values.extend([full[n] if p is None else p(full[n]) for n, p in steps])
        sql = f"{head} VALUES {_many_rows(row_marks, len(names), len(batch))}"
        await connection.exec_driver_sql(sql, tuple(values))
        if progress is not None:
            progress(len(batch))


@functools.cache
def _many_rows(row_marks: str, width: int, count: int) -> str:
    """`count` rows of parameters for a multi-row VALUES, from one row's (`(?, ?)` or
    `($1::VARCHAR, $2::DATE)`, numbered on from the previous row's)."""
    if "$" not in row_marks:
        return ", ".join([row_marks] * count)
    pieces = re.split(r"\$(\d+)", row_marks)  # text, number, text ... text
    numbered = []
    for row in range(count):
        shift = row * width
        numbered.append(
            "".join(
                f"${int(piece) + shift}" if index % 2 else piece
                for index, piece in enumerate(pieces)
            )
        )
    return ", ".join(numbered)


def _update_by_key(table: Table, key: str, columns: Iterable[str]) -> Any:
    """`UPDATE table SET columns = :columns WHERE key = :b_key`, for executemany."""
    return (
        update(table)
        .where(table.c[key] == bindparam(f"b_{key}"))
        .values({name: bindparam(name) for name in columns})
    )


@dataclass(frozen=True, slots=True)
class ImportedBy:
    """Who applied an import: a label ("command line", "L&D console") and, for a signed-in
    admin, their person id. The history shows the person's name while they exist; erasing them
    unlinks the import, which then shows the label alone."""

    label: str
    person_id: int | None = None


@dataclass(frozen=True, slots=True)
class ImportRun:
    """One applied import as the history shows it: who applied which file, when, and what
    it changed."""

    kind: str
    file_name: str
    rows: int
    imported_at: datetime
    imported_by: str
    counts: ImportCounts


async def record_run(
    connection: AsyncConnection,
    kind: str,
    file_name: str,
    rows: int,
    at: datetime,
    counts: ImportCounts,
    imported_by: ImportedBy,
) -> None:
    """Note an applied import in `import_run`."""
    await connection.execute(
        insert(IMPORT_RUN).values(
            kind=kind,
            file_name=file_name,
            rows=rows,
            imported_at=at,
            imported_by=imported_by.label,
            imported_by_id=imported_by.person_id,
            added=counts.added,
            updated=counts.updated,
            unchanged=counts.unchanged,
            deactivated=counts.deactivated,
            details=counts.details,
        )
    )


async def recent_runs(connection: AsyncConnection, limit: int = 50) -> list[ImportRun]:
    """The last `limit` applied imports, newest first."""
    t = IMPORT_RUN.c
    result = await connection.execute(
        select(
            t.kind,
            t.file_name,
            t.rows,
            t.imported_at,
            func.coalesce(PERSON.c.name, t.imported_by).label("imported_by"),
            t.added,
            t.updated,
            t.unchanged,
            t.deactivated,
            t.details,
        )
        .select_from(IMPORT_RUN.outerjoin(PERSON, PERSON.c.id == t.imported_by_id))
        .order_by(t.imported_at.desc(), t.id.desc())
        .limit(limit)
    )
    return [
        ImportRun(
            r.kind,
            r.file_name,
            r.rows,
            r.imported_at,
            r.imported_by,
            ImportCounts(r.added, r.updated, r.unchanged, r.deactivated, dict(r.details or {})),
        )
        for r in result
    ]


async def person_ids(connection: AsyncConnection) -> dict[str, int]:
    """Every person's id by lower-cased e-mail, active or not."""
    result = await connection.execute(select(PERSON.c.email, PERSON.c.id))
    return {email.lower(): person_id for email, person_id in result.all()}


async def skill_ids(connection: AsyncConnection) -> set[str]:
    result = await connection.execute(select(SKILL.c.skill_id))
    return set(result.scalars())


# --- people and coaching relationships -------------------------------------------------------


async def load_people(connection: AsyncConnection) -> PeopleSnapshot:
    columns = [PERSON.c[name] for name in PERSON_FIELDS]
    result = await connection.execute(select(PERSON.c.id, PERSON.c.active, *columns))
    people = {
        row[2].lower(): StoredPerson(row[0], row[1], dict(zip(PERSON_FIELDS, row[2:], strict=True)))
        for row in result.all()
    }
    current_result = await connection.execute(
        select(RELATIONSHIP.c.manager_id, RELATIONSHIP.c.employee_id, RELATIONSHIP.c.id).where(
            RELATIONSHIP.c.ended_on.is_(None)
        )
    )
    current = {(manager, employee): rid for manager, employee, rid in current_result.all()}
    managed = await connection.execute(select(RELATIONSHIP.c.employee_id).distinct())
    return PeopleSnapshot(people, current, frozenset(managed.scalars()))


async def apply_people(
    connection: AsyncConnection, plan: PeoplePlan, progress: Progress | None = None
) -> None:
    """Write the plan; new people's ids are read back after their insert (those above the
    largest id stored before it) for their relationships."""
    floor = max(plan.ids.values(), default=0)
    await insert_rows(connection, PERSON, plan.inserts, progress)
    inserted = {entry["email"] for entry in plan.inserts}
    result = await connection.execute(
        select(PERSON.c.email, PERSON.c.id).where(PERSON.c.id > floor)
    )
    ids = plan.ids | {email: pid for email, pid in result.all() if email in inserted}
    columns = [*PERSON_FIELDS, *_ACTIVE]
    updates = [entry | _ACTIVE | {"b_id": person_id} for person_id, entry in plan.updates]
    await write_rows(connection, _update_by_key(PERSON, "id", columns), updates, progress)
    deactivations = [
        {"b_id": pid, "active": False, "deactivated_on": plan.today} for pid in plan.deactivate
    ]
    statement = _update_by_key(PERSON, "id", list(_ACTIVE))
    await write_rows(connection, statement, deactivations, progress)
    ended = [{"b_id": rid, "ended_on": plan.today} for rid in plan.end]
    await write_rows(connection, _update_by_key(RELATIONSHIP, "id", ["ended_on"]), ended)
    if not plan.start:
        return
    started = [
        {
            "manager_id": ids[manager],
            "employee_id": ids[employee],
            "started_on": plan.today,
            "history_from": None if employee in plan.whole_past else plan.today,
        }
        for manager, employee in plan.start
    ]
    await insert_rows(connection, RELATIONSHIP, started, progress)


# --- skills and courses ----------------------------------------------------------------------


async def load_catalogue(connection: AsyncConnection, table: Table) -> dict[str, dict[str, Any]]:
    """Every row of `skill` or `course` by its id."""
    key = next(iter(table.primary_key.columns)).name
    result = await connection.execute(select(table))
    return {row[key]: dict(row) for row in result.mappings()}


async def apply_catalogue(
    connection: AsyncConnection, table: Table, plan: CataloguePlan, progress: Progress | None = None
) -> None:
    await write_rows(connection, insert(table), plan.inserts, progress)
    columns = [c.name for c in table.columns if c.name != plan.key]
    updates = [{**values, f"b_{plan.key}": values[plan.key]} for values in plan.updates]
    await write_rows(connection, _update_by_key(table, plan.key, columns), updates, progress)


# --- skill levels ----------------------------------------------------------------------------


async def load_skill_levels(
    connection: AsyncConnection,
) -> dict[tuple[int, str, date], tuple[int, int, str]]:
    """(person id, skill id, assessed on) -> (row id, level, source)."""
    result = await connection.execute(
        select(
            SKILL_LEVEL.c.employee_id,
            SKILL_LEVEL.c.skill_id,
            SKILL_LEVEL.c.assessed_on,
            SKILL_LEVEL.c.id,
            SKILL_LEVEL.c.level,
            SKILL_LEVEL.c.source,
        )
    )
    return {(pid, sid, on): (rid, level, src) for pid, sid, on, rid, level, src in result.all()}


async def apply_skill_levels(
    connection: AsyncConnection, plan: SkillLevelPlan, progress: Progress | None = None
) -> None:
    await write_rows(connection, insert(SKILL_LEVEL), plan.inserts, progress)
    statement = _update_by_key(SKILL_LEVEL, "id", ["level", "source"])
    updates = [
        {"b_id": row_id, "level": level, "source": "import"} for row_id, level in plan.updates
    ]
    await write_rows(connection, statement, updates, progress)


# --- coaching sessions -----------------------------------------------------------------------

SESSION = metadata.tables["coaching_session"]
ACTION = metadata.tables["agreed_action"]
ASSIGNMENT = metadata.tables["course_assignment"]


async def load_sessions(connection: AsyncConnection) -> SessionSnapshot:
    relationships: dict[tuple[int, int], list[date | None]] = {}
    result = await connection.execute(
        select(RELATIONSHIP.c.manager_id, RELATIONSHIP.c.employee_id, RELATIONSHIP.c.ended_on)
    )
    for manager_id, employee_id, ended_on in result.all():
        relationships.setdefault((manager_id, employee_id), []).append(ended_on)
    skills = await connection.execute(select(SKILL.c.skill_id, SKILL.c.name))
    courses = await connection.execute(select(COURSE.c.course_id))
    sessions = await connection.execute(
        select(
            SESSION.c.manager_id,
            SESSION.c.employee_id,
            SESSION.c.held_on,
            SESSION.c.duration_minutes,
            SESSION.c.focus_type,
            SESSION.c.skill_id,
            SESSION.c.key_points,
        ).where(SESSION.c.manager_id.is_not(None))
    )
    open_assignments = await connection.execute(
        select(ASSIGNMENT.c.employee_id, ASSIGNMENT.c.course_id).where(
            ASSIGNMENT.c.completed_at.is_(None)
        )
    )
    return SessionSnapshot(
        people=await person_ids(connection),
        relationships=relationships,
        skills=dict(skills.all()),
        courses=frozenset(courses.scalars()),
        sessions={
            (m, e, held_on): (minutes, focus, skill, tuple(points))
            for m, e, held_on, minutes, focus, skill, points in sessions.all()
        },
        open_assignments=frozenset((e, c) for e, c in open_assignments.all()),
    )


async def load_open_actions(
    connection: AsyncConnection, employee_ids: Iterable[int]
) -> OpenActions:
    """The open actions of these employees' sessions, by session key."""
    found: dict[tuple[int, int, date], list[int]] = {}
    wanted = sorted(set(employee_ids))
    for start in range(0, len(wanted), BATCH_SIZE):
        result = await connection.execute(
            select(ACTION.c.id, SESSION.c.manager_id, SESSION.c.employee_id, SESSION.c.held_on)
            .join(SESSION, SESSION.c.id == ACTION.c.session_id)
            .where(
                ACTION.c.status == ActionStatus.OPEN.value,
                SESSION.c.manager_id.is_not(None),
                SESSION.c.employee_id.in_(wanted[start : start + BATCH_SIZE]),
            )
            .order_by(ACTION.c.id)
        )
        for action_id, manager_id, employee_id, held_on in result.all():
            found.setdefault((manager_id, employee_id, held_on), []).append(action_id)
    return found


async def apply_sessions(
    connection: AsyncConnection, plan: SessionPlan, at: datetime, progress: Progress | None = None
) -> None:
    """Write the new sessions (ids back in file order), their actions, the stored actions they
    supersede and the course assignments (dated the session's day, assigned by its manager)."""
    statement = insert(SESSION).returning(SESSION.c.id, sort_by_parameter_order=True)
    ids: list[int] = []
    for start in range(0, len(plan.sessions), BATCH_SIZE):
        batch = plan.sessions[start : start + BATCH_SIZE]
        rows = [
            {
                "manager_id": s.manager_id,
                "employee_id": s.employee_id,
                "held_on": s.held_on,
                "duration_minutes": s.duration_minutes,
                "focus_type": s.focus_type,
                "skill_id": s.skill_id,
                "key_points": list(s.key_points),
                "flagged": s.flagged,
                "ilp_goal_id": None,
                "created_at": at,
            }
            for s in batch
        ]
        result = await connection.execute(statement, rows)
        ids.extend(result.scalars())
        if progress is not None:
            progress(len(batch))
    actions = [{"session_id": ids[index], **row} for index, row in plan.actions]
    await write_rows(connection, insert(ACTION), actions)
    columns = ["status", "closed_on", "closed_reason"]
    superseded = [
        {
            "b_id": action.action_id,
            "status": ActionStatus.DROPPED.value,
            "closed_on": action.closed_on,
            "closed_reason": action.reason,
        }
        for action in plan.superseded
    ]
    await write_rows(connection, _update_by_key(ACTION, "id", columns), superseded)
    assignments = [
        {
            "employee_id": plan.sessions[index].employee_id,
            "course_id": course_id,
            "assigned_on": plan.sessions[index].held_on,
            "session_id": ids[index],
            "assigned_by_id": plan.sessions[index].manager_id,
            "reason": plan.sessions[index].reason,
        }
        for index, course_id in plan.assignments
    ]
    await write_rows(connection, insert(ASSIGNMENT), assignments)
