"""Bulk writes for the CSV imports. For each kind: load what the database holds in a few queries
(`load_*`), work out what a validated file changes (`plan_*`: added, updated, unchanged,
deactivated) and write it (`apply_*`) with SQLAlchemy Core executemany in batches, inside the
caller's transaction. No per-row queries: the ORM's `add_all` is ~60x slower than executemany."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, fields
from datetime import date, datetime
from typing import Any, TypedDict, cast

from sqlalchemy import Table, bindparam, insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.imported_log import ImportedAction, closing, next_sessions, superseded_reason
from bot.model import ActionStatus, Skill
from storage.tables import metadata

BATCH_SIZE = 2000
"""Rows per executemany call; also the step of the progress callback."""

Progress = Callable[[int], None]
"""Called with the number of rows just written."""

PERSON = metadata.tables["person"]
RELATIONSHIP = metadata.tables["coaching_relationship"]
SKILL = metadata.tables["skill"]
COURSE = metadata.tables["course"]
SKILL_LEVEL = metadata.tables["skill_level"]
IMPORT_RUN = metadata.tables["import_run"]


@dataclass
class ImportCounts:
    """What an import changes. `details` holds the kind's side effects by name, in order
    (relationships started and ended, courses assigned ...)."""

    added: int = 0
    updated: int = 0
    unchanged: int = 0
    deactivated: int = 0
    details: dict[str, int] = field(default_factory=dict)

    @property
    def changed(self) -> bool:
        return bool(self.added or self.updated or self.deactivated or any(self.details.values()))


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


def _update_by_key(table: Table, key: str, columns: Iterable[str]) -> Any:
    """`UPDATE table SET columns = :columns WHERE key = :b_key`, for executemany."""
    return (
        update(table)
        .where(table.c[key] == bindparam(f"b_{key}"))
        .values({name: bindparam(name) for name in columns})
    )


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
    imported_by: str,
) -> None:
    """Note an applied import in `import_run`."""
    await connection.execute(
        insert(IMPORT_RUN).values(
            kind=kind,
            file_name=file_name,
            rows=rows,
            imported_at=at,
            imported_by=imported_by,
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
            t.imported_by,
            t.added,
            t.updated,
            t.unchanged,
            t.deactivated,
            t.details,
        )
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


class PersonEntry(TypedDict):
    """One validated row of people.csv, as the `person` columns it sets (e-mail lower-cased,
    blank optional values as None; the manager goes in the separate `managers` mapping)."""

    email: str
    name: str
    department: str
    team: str
    cadence: str | None
    roles: str
    start_date: date | None
    slack_user_id: str | None
    teams_user_id: str | None
    timezone: str | None
    country: str | None


PERSON_FIELDS = tuple(PersonEntry.__annotations__)
LEARNED_FIELDS = ("slack_user_id", "teams_user_id", "timezone")
"""What the bot also learns from chat (a Slack or Teams match, the profile's zone): a blank
cell keeps what is stored, only another value replaces it."""
_ACTIVE = {"active": True, "deactivated_on": None}


@dataclass(frozen=True, slots=True)
class StoredPerson:
    id: int
    active: bool
    entry: dict[str, Any]  # the PERSON_FIELDS columns as stored


@dataclass(frozen=True, slots=True)
class PeopleSnapshot:
    """The directory as stored: people by lower-cased e-mail, current relationships, and the
    employees who have had a manager (current or ended)."""

    people: dict[str, StoredPerson]
    current: dict[tuple[int, int], int]  # (manager id, employee id) -> relationship id
    managed: frozenset[int] = frozenset()  # employee ids


@dataclass
class PeoplePlan:
    counts: ImportCounts
    today: date
    ids: dict[str, int]  # stored people's ids by e-mail; apply_people adds the new ones
    inserts: list[PersonEntry] = field(default_factory=list)
    updates: list[dict[str, Any]] = field(default_factory=list)
    deactivate: list[int] = field(default_factory=list)
    end: list[int] = field(default_factory=list)  # relationship ids
    start: list[tuple[str, str]] = field(default_factory=list)  # (manager, employee) e-mails
    # employees whose first manager this import names: that relationship covers their past
    whole_past: set[str] = field(default_factory=set)  # e-mails

    @property
    def rows(self) -> int:
        return len(self.inserts) + len(self.updates) + len(self.deactivate) + len(self.start)


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


def plan_people(
    snapshot: PeopleSnapshot,
    entries: Sequence[PersonEntry],
    managers: Mapping[str, str],
    today: date,
) -> PeoplePlan:
    """The file is the whole directory: people missing from it are deactivated (dated `today`),
    people back in it reactivated; the current relationships become exactly `managers`
    (employee e-mail -> manager e-mail), ending the others and starting the new ones `today`.
    A relationship that is the employee's first covers their whole past (the history imported
    with them); a later one's history starts `today`, as the old one's ends."""
    stored_people = snapshot.people
    plan = PeoplePlan(ImportCounts(), today, {email: p.id for email, p in stored_people.items()})
    counts = plan.counts
    given = {
        (name, value)
        for entry in entries
        for name in LEARNED_FIELDS
        if (value := _get(entry, name))
    }
    for entry in entries:
        stored = stored_people.get(entry["email"])
        if stored is not None:
            entry = _keeping_learned(entry, stored, given)
        if stored is None:
            plan.inserts.append(entry)  # active by default
        elif stored.active and stored.entry == entry:
            counts.unchanged += 1
        else:
            plan.updates.append(entry | _ACTIVE | {"b_id": stored.id})
    counts.added = len(plan.inserts)
    counts.updated = len(plan.updates)
    listed = {entry["email"] for entry in entries}
    for email, stored in stored_people.items():
        if stored.active and email not in listed:
            plan.deactivate.append(stored.id)
    counts.deactivated = len(plan.deactivate)
    kept: set[tuple[int, int]] = set()
    for employee, manager in managers.items():
        manager_row, employee_row = stored_people.get(manager), stored_people.get(employee)
        pair = (manager_row.id, employee_row.id) if manager_row and employee_row else None
        if pair is not None and pair in snapshot.current:
            kept.add(pair)
        else:
            plan.start.append((manager, employee))
            if employee_row is None or employee_row.id not in snapshot.managed:
                plan.whole_past.add(employee)
    plan.end = [rid for pair, rid in snapshot.current.items() if pair not in kept]
    counts.details = {
        "relationships started": len(plan.start),
        "relationships ended": len(plan.end),
    }
    return plan


def _get(entry: PersonEntry, name: str) -> Any:
    return cast(dict[str, Any], entry)[name]


def _keeping_learned(
    entry: PersonEntry, stored: StoredPerson, given: set[tuple[str, Any]]
) -> PersonEntry:
    """The entry with the stored chat identities and zone where its cells are blank; a chat
    id the file gives to someone else is not kept (the file's word wins)."""
    kept: dict[str, Any] = dict(entry)
    for name in LEARNED_FIELDS:
        learned = stored.entry[name]
        if kept[name] is None and learned and (name == "timezone" or (name, learned) not in given):
            kept[name] = learned
    return cast(PersonEntry, kept)


async def apply_people(
    connection: AsyncConnection, plan: PeoplePlan, progress: Progress | None = None
) -> None:
    """Write the plan; new people's ids come back from the insert (RETURNING) for their
    relationships."""
    ids = plan.ids | dict(await _insert_people(connection, plan, progress))
    columns = [*PERSON_FIELDS, *_ACTIVE]
    await write_rows(connection, _update_by_key(PERSON, "id", columns), plan.updates, progress)
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
    # RETURNING makes SQLAlchemy send multi-row VALUES batches ("insertmanyvalues"), which
    # PostgreSQL runs ~20% faster than one INSERT per row; the ids themselves are not needed.
    statement = insert(RELATIONSHIP).returning(RELATIONSHIP.c.id)
    await write_rows(connection, statement, started, progress)


async def _insert_people(
    connection: AsyncConnection, plan: PeoplePlan, progress: Progress | None
) -> list[tuple[str, int]]:
    statement = insert(PERSON).returning(PERSON.c.email, PERSON.c.id)
    added: list[tuple[str, int]] = []
    for start in range(0, len(plan.inserts), BATCH_SIZE):
        batch = plan.inserts[start : start + BATCH_SIZE]
        result = await connection.execute(statement, batch)
        added.extend((email, person_id) for email, person_id in result.all())
        if progress is not None:
            progress(len(batch))
    return added


# --- skills and courses ----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class CourseEntry:
    """One validated row of courses.csv (`skill_ids` `;`-joined as stored)."""

    course_id: str
    title: str
    url: str = ""
    skill_ids: str = ""
    provider: str = ""
    duration_minutes: int | None = None


@dataclass
class CataloguePlan:
    """Rows to insert and update in one catalogue table (skills or courses), keyed by `key`."""

    key: str
    counts: ImportCounts
    inserts: list[dict[str, Any]] = field(default_factory=list)
    updates: list[dict[str, Any]] = field(default_factory=list)

    @property
    def rows(self) -> int:
        return len(self.inserts) + len(self.updates)


async def load_catalogue(connection: AsyncConnection, table: Table) -> dict[str, dict[str, Any]]:
    """Every row of `skill` or `course` by its id."""
    key = next(iter(table.primary_key.columns)).name
    result = await connection.execute(select(table))
    return {row[key]: dict(row) for row in result.mappings()}


def plan_catalogue(
    stored: Mapping[str, Mapping[str, Any]], entries: Sequence[Skill] | Sequence[CourseEntry]
) -> CataloguePlan:
    """New ids are added, changed ones updated; ids missing from the file stay (sessions and
    assignments point at them)."""
    key = "skill_id" if entries and isinstance(entries[0], Skill) else "course_id"
    plan = CataloguePlan(key, ImportCounts())
    for entry in entries:
        values = {f.name: getattr(entry, f.name) for f in fields(entry)}
        old = stored.get(values[key])
        if old is None:
            plan.inserts.append(values)
            plan.counts.added += 1
        elif all(old[name] == value for name, value in values.items()):
            plan.counts.unchanged += 1
        else:
            plan.updates.append({**values, f"b_{key}": values[key]})
            plan.counts.updated += 1
    return plan


async def apply_catalogue(
    connection: AsyncConnection, table: Table, plan: CataloguePlan, progress: Progress | None = None
) -> None:
    await write_rows(connection, insert(table), plan.inserts, progress)
    columns = [c.name for c in table.columns if c.name != plan.key]
    await write_rows(connection, _update_by_key(table, plan.key, columns), plan.updates, progress)


# --- skill levels ----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class SkillLevelEntry:
    """One validated row of skill-levels.csv."""

    email: str
    skill_id: str
    level: int
    assessed_on: date


@dataclass
class SkillLevelPlan:
    counts: ImportCounts
    inserts: list[dict[str, Any]] = field(default_factory=list)
    updates: list[dict[str, Any]] = field(default_factory=list)

    @property
    def rows(self) -> int:
        return len(self.inserts) + len(self.updates)


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


def plan_skill_levels(
    stored: Mapping[tuple[int, str, date], tuple[int, int, str]],
    people: Mapping[str, int],
    entries: Sequence[SkillLevelEntry],
) -> SkillLevelPlan:
    """One level per (person, skill, date): a new date adds a level, another level on a stored
    date replaces it (the import is then its source), the same level changes nothing."""
    plan = SkillLevelPlan(ImportCounts())
    for entry in entries:
        person_id = people[entry.email]
        old = stored.get((person_id, entry.skill_id, entry.assessed_on))
        if old is None:
            plan.inserts.append(
                {
                    "employee_id": person_id,
                    "skill_id": entry.skill_id,
                    "level": entry.level,
                    "assessed_on": entry.assessed_on,
                    "source": "import",
                }
            )
            plan.counts.added += 1
        elif old[1] == entry.level:
            plan.counts.unchanged += 1
        else:
            plan.updates.append({"b_id": old[0], "level": entry.level, "source": "import"})
            plan.counts.updated += 1
    return plan


async def apply_skill_levels(
    connection: AsyncConnection, plan: SkillLevelPlan, progress: Progress | None = None
) -> None:
    await write_rows(connection, insert(SKILL_LEVEL), plan.inserts, progress)
    statement = _update_by_key(SKILL_LEVEL, "id", ["level", "source"])
    await write_rows(connection, statement, plan.updates, progress)


# --- coaching sessions -----------------------------------------------------------------------

SESSION = metadata.tables["coaching_session"]
ACTION = metadata.tables["agreed_action"]
ASSIGNMENT = metadata.tables["course_assignment"]


@dataclass(frozen=True, slots=True)
class SessionEntry:
    """One validated row of sessions.csv: the session as stored, its agreed actions, the
    courses it links and the reason given for assigning them."""

    manager_id: int
    employee_id: int
    held_on: date
    duration_minutes: int
    focus_type: str
    skill_id: str
    key_points: tuple[str, ...]
    flagged: bool
    actions: tuple[ImportedAction, ...] = ()
    course_ids: tuple[str, ...] = ()
    reason: str = ""

    @property
    def key(self) -> tuple[int, int, date]:
        return (self.manager_id, self.employee_id, self.held_on)

    @property
    def content(self) -> tuple[object, ...]:
        """What must match for a stored session with the same key to be this one."""
        return (self.duration_minutes, self.focus_type, self.skill_id, self.key_points)


@dataclass(frozen=True, slots=True)
class SessionSnapshot:
    """What checking a sessions file needs, loaded in a few queries."""

    people: dict[str, int]  # e-mail -> id
    relationships: dict[tuple[int, int], list[date | None]]  # (manager, employee) -> ended_on
    skills: dict[str, str]  # id -> name
    courses: frozenset[str]
    sessions: dict[tuple[int, int, date], tuple[object, ...]]  # key -> SessionEntry.content
    open_assignments: frozenset[tuple[int, str]]  # (employee id, course id)

    def coached(self, manager_id: int, employee_id: int, on: date) -> bool:
        """Whether the employee is, or was on `on`, the manager's report: a relationship
        between them that had not ended by that day (imported history may predate the first
        people import, so the start does not count)."""
        ends = self.relationships.get((manager_id, employee_id), [])
        return any(ended is None or ended > on for ended in ends)


@dataclass
class SessionPlan:
    """The new sessions, their actions as `agreed_action` rows less the session id (by session
    index), the course assignments, and the stored open actions a new later session of their
    pair supersedes (`agreed_action` updates by id)."""

    counts: ImportCounts
    sessions: list[SessionEntry] = field(default_factory=list)
    actions: list[tuple[int, dict[str, Any]]] = field(default_factory=list)
    assignments: list[tuple[int, str]] = field(default_factory=list)  # (session index, course)
    superseded: list[dict[str, Any]] = field(default_factory=list)

    @property
    def rows(self) -> int:
        return len(self.sessions)


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


OpenActions = Mapping[tuple[int, int, date], Sequence[int]]
"""Stored open actions' ids by their session's key (manager, employee, held_on)."""


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


def plan_sessions(
    snapshot: SessionSnapshot, entries: Sequence[SessionEntry], open_actions: OpenActions
) -> SessionPlan:
    """Sessions already stored under their natural key (manager, employee, day) are unchanged;
    each new one assigns its courses unless the employee already has that course open (in the
    database or from an earlier row). Actions follow `bot.imported_log`: those of a session
    with a later session of the pair are superseded by it, including the stored open actions
    of a session a new one now follows."""
    plan = SessionPlan(ImportCounts())
    open_now = set(snapshot.open_assignments)
    for entry in entries:
        if entry.key in snapshot.sessions:
            plan.counts.unchanged += 1
            continue
        index = len(plan.sessions)
        plan.sessions.append(entry)
        for course_id in entry.course_ids:
            if (entry.employee_id, course_id) not in open_now:
                open_now.add((entry.employee_id, course_id))
                plan.assignments.append((index, course_id))
    _plan_actions(plan, snapshot, open_actions)
    plan.counts.added = len(plan.sessions)
    plan.counts.details = {
        "actions added": len(plan.actions),
        "actions superseded": len(plan.superseded)
        + sum(row["closed_reason"] is not None for _, row in plan.actions),
        "courses assigned": len(plan.assignments),
        "flagged for appraisal language": sum(entry.flagged for entry in plan.sessions),
    }
    return plan


def _plan_actions(plan: SessionPlan, snapshot: SessionSnapshot, open_actions: OpenActions) -> None:
    days: dict[tuple[int, int], set[date]] = {}
    for entry in plan.sessions:
        days.setdefault(entry.key[:2], set()).add(entry.held_on)
    new_keys = {entry.key for entry in plan.sessions}
    for manager_id, employee_id, held_on in snapshot.sessions:
        if (manager_id, employee_id) in days:
            days[manager_id, employee_id].add(held_on)
    following = {pair: next_sessions(pair_days) for pair, pair_days in days.items()}
    for index, entry in enumerate(plan.sessions):
        next_on = following[entry.key[:2]].get(entry.held_on)
        for action in entry.actions:
            fate = closing(action, entry.held_on, next_on)
            row = {
                "employee_id": entry.employee_id,
                "text": action.text,
                "status": fate.status.value,
                "closed_on": fate.closed_on,
                "closed_reason": fate.reason,
            }
            plan.actions.append((index, row))
    for (manager_id, employee_id, held_on), action_ids in open_actions.items():
        next_on = following.get((manager_id, employee_id), {}).get(held_on)
        if next_on is None or (manager_id, employee_id, next_on) not in new_keys:
            continue  # no later session, or one stored before: its review settled them
        reason = superseded_reason(next_on)
        plan.superseded += [
            {
                "b_id": action_id,
                "status": ActionStatus.DROPPED.value,
                "closed_on": next_on,
                "closed_reason": reason,
            }
            for action_id in action_ids
        ]


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
    await write_rows(connection, _update_by_key(ACTION, "id", columns), plan.superseded)
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
