"""Async repositories over the tables: they implement the repository ports of `bot/ports.py`
on one open connection (the unit of work's transaction), mapping rows to the model's values."""

from __future__ import annotations

import enum
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import fields, replace
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING, Any, TypeVar

from sqlalchemy import (
    CompoundSelect,
    Date,
    Select,
    Table,
    and_,
    bindparam,
    func,
    literal_column,
    or_,
    select,
    union_all,
    update,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlalchemy.sql.elements import ColumnElement

from bot.model import (
    ActionStatus,
    AgreedAction,
    Cadence,
    CoachingRelationship,
    CoachingSession,
    Course,
    CourseAssignment,
    FocusType,
    GoalStatus,
    IlpGoal,
    LearningCompletion,
    OutboxMessage,
    OutboxStatus,
    Person,
    Role,
    Skill,
    SkillLevel,
)
from bot.ports import CompletionAlreadyRecorded, GoalChange, SessionAlreadyLogged
from storage import course_search
from storage.tables import metadata

PERSON = metadata.tables["person"]
RELATIONSHIP = metadata.tables["coaching_relationship"]
SKILL = metadata.tables["skill"]
COURSE = metadata.tables["course"]
SESSION = metadata.tables["coaching_session"]
ACTION = metadata.tables["agreed_action"]
ASSIGNMENT = metadata.tables["course_assignment"]
GOAL = metadata.tables["ilp_goal"]
GOAL_CHANGE = metadata.tables["ilp_goal_change"]
SKILL_LEVEL = metadata.tables["skill_level"]
COMPLETION = metadata.tables["learning_completion"]
OUTBOX = metadata.tables["outbox"]
PROCESSED_EVENT = metadata.tables["processed_event"]


if TYPE_CHECKING:
    from _typeshed import DataclassInstance

V = TypeVar("V", bound="DataclassInstance")
Item = TypeVar("Item")


def value_from_row(kind: type[V], row: Mapping[Any, Any], **converted: Any) -> V:
    """A domain value from a row whose columns carry its field names; `converted` gives the
    fields that need more than the column's value (enums, split lists)."""
    names = [f.name for f in fields(kind) if f.name not in converted]
    return kind(**{name: row[name] for name in names}, **converted)


CHUNK = 5000
"""Ids per IN list (SQLite allows 32,766 bound parameters)."""


def chunks(items: Sequence[Item]) -> Iterator[Sequence[Item]]:
    """`items` in slices of at most `CHUNK`, for IN lists."""
    for start in range(0, len(items), CHUNK):
        yield items[start : start + CHUNK]


def dialect_insert(connection: AsyncConnection, table: Table) -> Any:
    """An INSERT that knows `ON CONFLICT` on the connection's backend."""
    if connection.dialect.name == "postgresql":
        return postgresql.insert(table)
    return sqlite.insert(table)


def _words_match(columns: Sequence[Any], words: str) -> ColumnElement[bool]:
    conditions = []
    for word in words.lower().split():
        pattern = "%" + word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        conditions.append(
            or_(*(func.lower(column).like(pattern, escape="\\") for column in columns))
        )
    return and_(True, *conditions)


def _reports_query(query: Select[Any], manager_id: Any, on: Any) -> Select[Any]:
    """`query` (of people) narrowed to the active people `manager_id` coaches on `on`."""
    return (
        query.join(RELATIONSHIP, RELATIONSHIP.c.employee_id == PERSON.c.id)
        .where(RELATIONSHIP.c.manager_id == manager_id, _current_on(on), PERSON.c.active)
        .where(or_(PERSON.c.start_date.is_(None), PERSON.c.start_date <= on))
    )


def _current_on(on: Any) -> ColumnElement[bool]:
    """The relationships whose history covers `on` ("is this my report"): not the day the
    import named the manager, which may be after a manager's local date (a zone west of the
    import's) or after the imported past."""
    return and_(
        or_(RELATIONSHIP.c.history_from.is_(None), RELATIONSHIP.c.history_from <= on),
        or_(RELATIONSHIP.c.ended_on.is_(None), RELATIONSHIP.c.ended_on > on),
    )


async def _insert(connection: AsyncConnection, table: Table, entity: Any) -> int:
    """Insert a model dataclass whose fields are the table's columns; returns the new id.
    Enums are stored by value, tuples as lists."""
    values = {}
    for item in fields(entity):
        if item.name == "id":
            continue
        value = getattr(entity, item.name)
        if isinstance(value, enum.Enum):
            value = value.value
        elif isinstance(value, tuple):
            value = list(value)
        values[item.name] = value
    result = await connection.execute(table.insert().values(values).returning(table.c.id))
    new_id: int = result.scalar_one()
    return new_id


def person_from_row(row: Mapping[Any, Any]) -> Person:
    roles = frozenset(
        Role(role.strip()) for role in (row["roles"] or "").replace(",", ";").split(";") if role
    )
    return Person(
        id=row["id"],
        email=row["email"],
        name=row["name"],
        department=row["department"] or "",
        team=row["team"] or "",
        cadence=Cadence(row["cadence"]) if row["cadence"] else None,
        roles=roles,
        start_date=row["start_date"],
        slack_user_id=row["slack_user_id"],
        teams_user_id=row["teams_user_id"],
        timezone=row["timezone"],
        active=bool(row["active"]),
        deactivated_on=row["deactivated_on"],
    )


def _manager_and_reports() -> CompoundSelect[Any]:
    """One statement (the session form's first): the manager's row, then the people they
    coach on the day, by name. Built once with bound parameters: the form runs it on every
    `/coaching`, and building and keying a statement costs more than SQLite running it."""
    manager_id: Any = bindparam("manager_id")
    on: Any = bindparam("on", type_=Date())
    manager = select(PERSON, literal_column("0").label("is_report")).where(
        PERSON.c.id == manager_id
    )
    reports = _reports_query(select(PERSON, literal_column("1").label("is_report")), manager_id, on)
    query = union_all(manager, reports)
    columns = query.selected_columns
    return query.order_by(columns.is_report, columns.name, columns.id)


MANAGER_AND_REPORTS = _manager_and_reports()
REPORTS = _reports_query(
    select(PERSON), bindparam("manager_id"), bindparam("on", type_=Date())
).order_by(PERSON.c.name, PERSON.c.id)
PERSON_BY_ID = select(PERSON).where(PERSON.c.id == bindparam("person_id"))
PERSON_BY_SLACK_ID = select(PERSON).where(PERSON.c.slack_user_id == bindparam("slack_user_id"))


class SqlPeople:
    """The directory and the coaching relationships."""

    def __init__(self, connection: AsyncConnection) -> None:
        self._db = connection

    async def _one(self, condition: ColumnElement[bool]) -> Person | None:
        return await self._first(select(PERSON).where(condition))

    async def _first(self, query: Select[Any], **params: Any) -> Person | None:
        row = (await self._db.execute(query, params)).mappings().first()
        return person_from_row(row) if row else None

    async def get(self, person_id: int) -> Person | None:
        return await self._first(PERSON_BY_ID, person_id=person_id)

    async def by_email(self, email: str) -> Person | None:
        return await self._one(func.lower(PERSON.c.email) == email.strip().lower())

    async def by_slack_id(self, slack_user_id: str) -> Person | None:
        return await self._first(PERSON_BY_SLACK_ID, slack_user_id=slack_user_id)

    async def search(self, words: str, limit: int) -> list[Person]:
        query = (
            select(PERSON)
            .where(_words_match((PERSON.c.name, PERSON.c.email), words))
            .order_by(PERSON.c.name, PERSON.c.id)
            .limit(limit)
        )
        rows = await self._db.execute(query)
        return [person_from_row(row) for row in rows.mappings()]

    async def by_teams_id(self, teams_user_id: str) -> Person | None:
        return await self._one(PERSON.c.teams_user_id == teams_user_id)

    async def set_chat_identity(
        self,
        person_id: int,
        *,
        slack_user_id: str | None = None,
        teams_user_id: str | None = None,
    ) -> None:
        values = {
            key: value
            for key, value in (("slack_user_id", slack_user_id), ("teams_user_id", teams_user_id))
            if value is not None
        }
        if values:
            await self._db.execute(update(PERSON).where(PERSON.c.id == person_id).values(values))

    async def set_timezone(self, person_id: int, timezone: str) -> None:
        await self._db.execute(
            update(PERSON).where(PERSON.c.id == person_id).values(timezone=timezone)
        )

    async def current_reports(self, manager_id: int, on: date) -> list[Person]:
        params = {"manager_id": manager_id, "on": on}
        rows = (await self._db.execute(REPORTS, params)).mappings().all()
        return [person_from_row(row) for row in rows]

    async def with_current_reports(
        self, manager_id: int, on: date
    ) -> tuple[Person | None, list[Person]]:
        params = {"manager_id": manager_id, "on": on}
        rows = (await self._db.execute(MANAGER_AND_REPORTS, params)).mappings().all()
        found = [person_from_row(row) for row in rows if not row["is_report"]]
        return (found[0] if found else None), [
            person_from_row(row) for row in rows if row["is_report"]
        ]

    async def current_manager(self, employee_id: int, on: date) -> Person | None:
        query = (
            select(PERSON)
            .join(RELATIONSHIP, RELATIONSHIP.c.manager_id == PERSON.c.id)
            .where(RELATIONSHIP.c.employee_id == employee_id, _current_on(on))
            .order_by(RELATIONSHIP.c.started_on.desc(), RELATIONSHIP.c.id.desc())
        )
        row = (await self._db.execute(query)).mappings().first()
        return person_from_row(row) if row else None

    async def relationship(
        self, manager_id: int, employee_id: int, on: date
    ) -> CoachingRelationship | None:
        query = (
            select(RELATIONSHIP)
            .where(
                RELATIONSHIP.c.manager_id == manager_id,
                RELATIONSHIP.c.employee_id == employee_id,
                _current_on(on),
            )
            .order_by(RELATIONSHIP.c.started_on.desc())
        )
        row = (await self._db.execute(query)).mappings().first()
        if row is None:
            return None
        return CoachingRelationship(
            id=row["id"],
            manager_id=row["manager_id"],
            employee_id=row["employee_id"],
            started_on=row["started_on"],
            ended_on=row["ended_on"],
            history_from=row["history_from"],
        )

    async def first_relationship_start(self, manager_id: int, employee_id: int) -> date | None:
        query = select(func.min(RELATIONSHIP.c.started_on)).where(
            RELATIONSHIP.c.manager_id == manager_id, RELATIONSHIP.c.employee_id == employee_id
        )
        started: date | None = (await self._db.execute(query)).scalar()
        return started


def skill_from_row(row: Mapping[Any, Any]) -> Skill:
    return value_from_row(Skill, row)


def course_from_row(row: Mapping[Any, Any]) -> Course:
    skill_ids = tuple(part for part in (row["skill_ids"] or "").split(";") if part)
    return value_from_row(Course, row, skill_ids=skill_ids)


SKILLS_BY_ID = select(SKILL).where(SKILL.c.skill_id.in_(bindparam("ids", expanding=True)))


class SqlCatalogue:
    """Skills and courses."""

    def __init__(self, connection: AsyncConnection) -> None:
        self._db = connection

    async def skill(self, skill_id: str) -> Skill | None:
        return (await self.skills([skill_id])).get(skill_id)

    async def skills(self, skill_ids: Sequence[str]) -> dict[str, Skill]:
        if not skill_ids:
            return {}
        rows = (await self._db.execute(SKILLS_BY_ID, {"ids": list(skill_ids)})).mappings().all()
        return {row["skill_id"]: skill_from_row(row) for row in rows}

    async def search_skills(self, words: str, limit: int) -> list[Skill]:
        query = (
            select(SKILL)
            .where(_words_match([SKILL.c.name, SKILL.c.skill_id], words))
            .order_by(SKILL.c.name, SKILL.c.skill_id)
            .limit(limit)
        )
        return [skill_from_row(row) for row in (await self._db.execute(query)).mappings()]

    async def course(self, course_id: str) -> Course | None:
        return (await self.courses([course_id])).get(course_id)

    async def courses(self, course_ids: Sequence[str]) -> dict[str, Course]:
        if not course_ids:
            return {}
        query = select(COURSE).where(COURSE.c.course_id.in_(list(course_ids)))
        rows = (await self._db.execute(query)).mappings().all()
        return {row["course_id"]: course_from_row(row) for row in rows}

    async def search_courses(self, words: str, limit: int) -> list[Course]:
        rows = await course_search.search_courses(self._db, words, limit)
        return [course_from_row(row) for row in rows]


def session_from_row(row: Mapping[Any, Any]) -> CoachingSession:
    return CoachingSession(
        id=row["id"],
        manager_id=row["manager_id"],
        employee_id=row["employee_id"],
        held_on=row["held_on"],
        duration_minutes=row["duration_minutes"],
        focus_type=FocusType(row["focus_type"]),
        skill_id=row["skill_id"],
        key_points=tuple(row["key_points"]),
        flagged=bool(row["flagged"]),
        ilp_goal_id=row["ilp_goal_id"],
        created_at=row["created_at"],
    )


def _is_second_session_on_day(error: IntegrityError) -> bool:
    message = str(error.orig)
    return "uq_session_per_day" in message or (
        "UNIQUE constraint failed: coaching_session." in message
    )


LAST_SESSION = (
    select(SESSION)
    .where(SESSION.c.employee_id == bindparam("employee_id"))
    .order_by(SESSION.c.held_on.desc(), SESSION.c.id.desc())
    .limit(1)
)


class SqlSessions:
    """Coaching sessions."""

    def __init__(self, connection: AsyncConnection) -> None:
        self._db = connection

    async def add(self, session: CoachingSession) -> CoachingSession:
        try:
            return replace(session, id=await _insert(self._db, SESSION, session))
        except IntegrityError as exc:
            if _is_second_session_on_day(exc):
                raise SessionAlreadyLogged(str(session.held_on)) from exc
            raise

    async def get(self, session_id: int) -> CoachingSession | None:
        query = select(SESSION).where(SESSION.c.id == session_id)
        row = (await self._db.execute(query)).mappings().first()
        return session_from_row(row) if row else None

    async def exists_on_day(self, manager_id: int, employee_id: int, held_on: date) -> bool:
        query = select(SESSION.c.id).where(
            SESSION.c.manager_id == manager_id,
            SESSION.c.employee_id == employee_id,
            SESSION.c.held_on == held_on,
        )
        return (await self._db.execute(query)).first() is not None

    async def last_for_employee(
        self, employee_id: int, *, before: date | None = None
    ) -> CoachingSession | None:
        query = LAST_SESSION
        if before is not None:
            query = query.where(SESSION.c.held_on < before)
        params = {"employee_id": employee_id}
        row = (await self._db.execute(query, params)).mappings().first()
        return session_from_row(row) if row else None

    async def recent_for_employee(self, employee_id: int, limit: int) -> list[CoachingSession]:
        query = (
            select(SESSION)
            .where(SESSION.c.employee_id == employee_id)
            .order_by(SESSION.c.held_on.desc(), SESSION.c.id.desc())
            .limit(limit)
        )
        return [session_from_row(row) for row in (await self._db.execute(query)).mappings()]

    async def for_employee(self, employee_id: int) -> list[CoachingSession]:
        query = (
            select(SESSION)
            .where(SESSION.c.employee_id == employee_id)
            .order_by(SESSION.c.held_on, SESSION.c.id)
        )
        return [session_from_row(row) for row in (await self._db.execute(query)).mappings()]


def action_from_row(row: Mapping[Any, Any]) -> AgreedAction:
    return value_from_row(AgreedAction, row, status=ActionStatus(row["status"]))


OPEN_ACTIONS = (
    select(ACTION)
    .where(
        ACTION.c.employee_id == bindparam("employee_id"),
        ACTION.c.status == ActionStatus.OPEN.value,
    )
    .order_by(ACTION.c.id)
)


class SqlActions:
    """Agreed actions."""

    def __init__(self, connection: AsyncConnection) -> None:
        self._db = connection

    async def add(self, action: AgreedAction) -> AgreedAction:
        return replace(action, id=await _insert(self._db, ACTION, action))

    async def _where(self, *conditions: ColumnElement[bool]) -> list[AgreedAction]:
        query = select(ACTION).where(*conditions).order_by(ACTION.c.id)
        return [action_from_row(row) for row in (await self._db.execute(query)).mappings()]

    async def for_session(self, session_id: int) -> list[AgreedAction]:
        return await self._where(ACTION.c.session_id == session_id)

    async def hold_for_employee(self, employee_id: int) -> None:
        if self._db.dialect.name == "postgresql":
            # FOR NO KEY UPDATE: rows that merely reference the person (outbox, nudges) are
            # still written meanwhile
            await self._db.execute(
                select(PERSON.c.id)
                .where(PERSON.c.id == employee_id)
                .with_for_update(key_share=True)
            )
        else:
            # SQLite locks the whole database, and only for writing: a write as the first
            # statement makes every later read of this transaction see the latest commit
            await self._db.execute(
                update(PERSON).where(PERSON.c.id == employee_id).values(name=PERSON.c.name)
            )

    async def open_for_employee(
        self, employee_id: int, *, agreed_before: date | None = None
    ) -> list[AgreedAction]:
        if agreed_before is None:  # the session form's, on every /coaching: built once
            rows = await self._db.execute(OPEN_ACTIONS, {"employee_id": employee_id})
            return [action_from_row(row) for row in rows.mappings()]
        conditions = [
            ACTION.c.employee_id == employee_id,
            ACTION.c.status == ActionStatus.OPEN.value,
        ]
        if agreed_before is not None:
            earlier = select(SESSION.c.id).where(
                SESSION.c.employee_id == employee_id, SESSION.c.held_on < agreed_before
            )
            conditions.append(ACTION.c.session_id.in_(earlier))
        return await self._where(*conditions)

    async def for_employee(self, employee_id: int) -> list[AgreedAction]:
        return await self._where(ACTION.c.employee_id == employee_id)

    async def set_status(
        self, action_id: int, status: ActionStatus, closed_on: date | None
    ) -> None:
        await self._db.execute(
            update(ACTION)
            .where(ACTION.c.id == action_id)
            .values(status=status.value, closed_on=closed_on)
        )


def assignment_from_row(row: Mapping[Any, Any]) -> CourseAssignment:
    return value_from_row(CourseAssignment, row)


class SqlAssignments:
    """Course assignments."""

    def __init__(self, connection: AsyncConnection) -> None:
        self._db = connection

    async def add(self, assignment: CourseAssignment) -> CourseAssignment:
        return replace(assignment, id=await _insert(self._db, ASSIGNMENT, assignment))

    async def _where(self, *conditions: ColumnElement[bool]) -> list[CourseAssignment]:
        query = select(ASSIGNMENT).where(*conditions).order_by(ASSIGNMENT.c.id)
        return [assignment_from_row(row) for row in (await self._db.execute(query)).mappings()]

    async def open_assignment(self, employee_id: int, course_id: str) -> CourseAssignment | None:
        found = await self._where(
            ASSIGNMENT.c.employee_id == employee_id,
            ASSIGNMENT.c.course_id == course_id,
            ASSIGNMENT.c.completed_at.is_(None),
        )
        return found[0] if found else None

    async def for_employee(self, employee_id: int) -> list[CourseAssignment]:
        return await self._where(ASSIGNMENT.c.employee_id == employee_id)

    async def for_session(self, session_id: int) -> list[CourseAssignment]:
        return await self._where(ASSIGNMENT.c.session_id == session_id)

    async def get(self, assignment_id: int) -> CourseAssignment | None:
        found = await self._where(ASSIGNMENT.c.id == assignment_id)
        return found[0] if found else None

    async def complete(self, assignment_id: int, completed_at: datetime) -> None:
        await self._db.execute(
            update(ASSIGNMENT)
            .where(ASSIGNMENT.c.id == assignment_id, ASSIGNMENT.c.completed_at.is_(None))
            .values(completed_at=completed_at)
        )


def goal_from_row(row: Mapping[Any, Any]) -> IlpGoal:
    return value_from_row(IlpGoal, row, status=GoalStatus(row["status"]))


GOALS_OF_EMPLOYEE = (
    select(GOAL).where(GOAL.c.employee_id == bindparam("employee_id")).order_by(GOAL.c.id)
)


class SqlGoals:
    """ILP goals and their dated status changes."""

    def __init__(self, connection: AsyncConnection) -> None:
        self._db = connection

    async def add(self, goal: IlpGoal) -> IlpGoal:
        stored = replace(goal, id=await _insert(self._db, GOAL, goal))
        if goal.created_on is not None:
            await self._record_change(stored.id, goal.employee_id, goal.status, goal.created_on)
        return stored

    async def _record_change(
        self, goal_id: int, employee_id: int, status: GoalStatus, on: date
    ) -> None:
        await self._db.execute(
            GOAL_CHANGE.insert().values(
                goal_id=goal_id, employee_id=employee_id, status=status.value, changed_on=on
            )
        )

    async def get(self, goal_id: int) -> IlpGoal | None:
        row = (await self._db.execute(select(GOAL).where(GOAL.c.id == goal_id))).mappings().first()
        return goal_from_row(row) if row else None

    async def for_employee(self, employee_id: int) -> list[IlpGoal]:
        rows = await self._db.execute(GOALS_OF_EMPLOYEE, {"employee_id": employee_id})
        return [goal_from_row(row) for row in rows.mappings()]

    async def set_status(self, goal_id: int, status: GoalStatus, on: date) -> None:
        goal = await self.get(goal_id)
        if goal is None or goal.status == status:
            return
        await self._db.execute(update(GOAL).where(GOAL.c.id == goal_id).values(status=status.value))
        await self._record_change(goal_id, goal.employee_id, status, on)

    async def changes_for_employee(self, employee_id: int) -> list[GoalChange]:
        query = (
            select(GOAL_CHANGE)
            .where(GOAL_CHANGE.c.employee_id == employee_id)
            .order_by(GOAL_CHANGE.c.changed_on, GOAL_CHANGE.c.id)
        )
        return [
            GoalChange(
                goal_id=row["goal_id"],
                status=GoalStatus(row["status"]),
                changed_on=row["changed_on"],
            )
            for row in (await self._db.execute(query)).mappings()
        ]


class SqlSkillLevels:
    """Skill levels, one per (person, skill, date)."""

    def __init__(self, connection: AsyncConnection) -> None:
        self._db = connection

    async def record(self, level: SkillLevel) -> None:
        insert = dialect_insert(self._db, SKILL_LEVEL).values(
            employee_id=level.employee_id,
            skill_id=level.skill_id,
            level=level.level,
            assessed_on=level.assessed_on,
            source=level.source,
        )
        await self._db.execute(
            insert.on_conflict_do_update(
                index_elements=["employee_id", "skill_id", "assessed_on"],
                set_={"level": insert.excluded.level, "source": insert.excluded.source},
            )
        )

    async def for_employee(self, employee_id: int) -> list[SkillLevel]:
        query = (
            select(SKILL_LEVEL)
            .where(SKILL_LEVEL.c.employee_id == employee_id)
            .order_by(SKILL_LEVEL.c.assessed_on, SKILL_LEVEL.c.skill_id)
        )
        return [
            SkillLevel(
                employee_id=row["employee_id"],
                skill_id=row["skill_id"],
                level=row["level"],
                assessed_on=row["assessed_on"],
                source=row["source"],
            )
            for row in (await self._db.execute(query)).mappings()
        ]


def completion_from_row(row: Mapping[Any, Any]) -> LearningCompletion:
    return value_from_row(LearningCompletion, row)


class SqlCompletions:
    """Course completions reported by the LMS."""

    def __init__(self, connection: AsyncConnection) -> None:
        self._db = connection

    async def add(self, completion: LearningCompletion) -> LearningCompletion:
        try:
            return replace(completion, id=await _insert(self._db, COMPLETION, completion))
        except IntegrityError as exc:
            raise CompletionAlreadyRecorded(completion.event_id) from exc

    async def for_employee(self, employee_id: int) -> list[LearningCompletion]:
        query = (
            select(COMPLETION)
            .where(COMPLETION.c.employee_id == employee_id)
            .order_by(COMPLETION.c.completed_at, COMPLETION.c.id)
        )
        return [completion_from_row(row) for row in (await self._db.execute(query)).mappings()]

    async def by_event_id(self, event_id: str) -> LearningCompletion | None:
        query = select(COMPLETION).where(COMPLETION.c.event_id == event_id)
        row = (await self._db.execute(query)).mappings().first()
        return completion_from_row(row) if row else None


class SqlOutbox:
    """Queues effects in the caller's transaction; duplicates by `dedupe_key` are ignored."""

    def __init__(self, connection: AsyncConnection, now: datetime | None = None) -> None:
        self._db = connection
        self._now = now

    async def add(self, *messages: OutboxMessage) -> int:
        """Multi-row INSERT ... ON CONFLICT DO NOTHING (batched by SQLAlchemy)."""
        created_at = self._now or datetime.now(UTC)
        rows = [
            {
                "dedupe_key": message.dedupe_key,
                "kind": message.kind,
                "channel": message.channel,
                "recipient_id": message.recipient_id,
                "about_id": message.about_id,
                "payload": message.payload,
                "status": OutboxStatus.PENDING.value,
                "attempts": 0,
                "not_before": message.not_before,
                "created_at": created_at,
            }
            for message in messages
        ]
        if not rows:
            return 0
        insert = dialect_insert(self._db, OUTBOX).on_conflict_do_nothing(
            index_elements=["dedupe_key"]
        )
        result = await self._db.execute(insert.returning(OUTBOX.c.id), rows)
        return len(result.all())

    async def sent_as(
        self, recipient_id: int, message_ref: str
    ) -> list[tuple[str, dict[str, Any]]]:
        query = (
            select(OUTBOX.c.kind, OUTBOX.c.payload)
            .where(OUTBOX.c.recipient_id == recipient_id, OUTBOX.c.message_ref == message_ref)
            .order_by(OUTBOX.c.id)
        )
        return [(str(kind), dict(payload)) for kind, payload in await self._db.execute(query)]


class SqlProcessedEvents:
    """Keys of inbound events already handled."""

    def __init__(self, connection: AsyncConnection) -> None:
        self._db = connection

    async def remember(
        self,
        key: str,
        source: str,
        *,
        at: datetime | None = None,
        result: str | None = None,
    ) -> bool:
        insert = dialect_insert(self._db, PROCESSED_EVENT).values(
            key=key, source=source, received_at=at or datetime.now(UTC), result=result
        )
        outcome = await self._db.execute(
            insert.on_conflict_do_nothing(index_elements=["key"]).returning(PROCESSED_EVENT.c.key)
        )
        return outcome.first() is not None

    async def result_of(self, key: str) -> str | None:
        query = select(PROCESSED_EVENT.c.result).where(PROCESSED_EVENT.c.key == key)
        result: str | None = (await self._db.execute(query)).scalar()
        return result

    async def set_result(self, key: str, result: str) -> None:
        await self._db.execute(
            update(PROCESSED_EVENT).where(PROCESSED_EVENT.c.key == key).values(result=result)
        )


__all__ = [
    "SqlActions",
    "SqlAssignments",
    "SqlCatalogue",
    "SqlCompletions",
    "SqlGoals",
    "SqlOutbox",
    "SqlPeople",
    "SqlProcessedEvents",
    "SqlSessions",
    "SqlSkillLevels",
    "dialect_insert",
]
