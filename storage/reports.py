"""The programme report's SQL aggregates (the `ReportSource` port): a handful of grouped
scans. Report queries are built only from `REPORT_COLUMNS`, an allow-list with no notes
column in it, so no report query can read key points or action text."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta
from typing import Any

from sqlalchemy import (
    Column,
    ColumnElement,
    Date,
    Executable,
    Insert,
    Integer,
    MetaData,
    Select,
    String,
    Table,
    TableClause,
    and_,
    case,
    column,
    exists,
    func,
    insert,
    literal,
    or_,
    select,
    text,
    true,
    tuple_,
    union,
)
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.schema import CreateTable, DropTable
from sqlalchemy.sql.compiler import SQLCompiler

from bot.report_scope import OrgStructure
from bot.services.reports import (
    NEW_HIRE_DAYS,
    CompletionCell,
    ReportAggregates,
    ReportQuery,
    SessionCell,
    TeamGain,
)
from storage.tables import metadata

# The only columns a report query may name. Never add coaching_session.key_points,
# agreed_action.text or anything else a person wrote about someone.
REPORT_COLUMNS: dict[str, tuple[str, ...]] = {
    "person": ("id", "department", "team", "cadence", "start_date", "active", "deactivated_on"),
    "coaching_relationship": ("manager_id", "employee_id", "history_from", "ended_on"),
    "coaching_session": ("id", "employee_id", "held_on", "focus_type", "skill_id", "flagged"),
    "course_assignment": ("employee_id", "course_id", "assigned_on", "session_id", "completed_at"),
    "learning_completion": ("employee_id", "course_id", "completed_at"),
    "skill_level": ("employee_id", "skill_id", "level", "assessed_on"),
    "skill": ("skill_id", "name"),
    "course": ("skill_ids",),
    # SQLite's session groups, counted from the allowed session columns above
    "report_session_groups": ("department", "skill_id", "focus_type", "sessions", "flagged"),
}
NOTES_COLUMNS = frozenset({("coaching_session", "key_points"), ("agreed_action", "text")})


def _readable(name: str, kind: type[TableClause] = TableClause) -> TableClause:
    """A view of one table holding only its allowed columns, typed as in storage.tables."""
    real = metadata.tables[name]
    allowed = REPORT_COLUMNS[name]
    if any((name, column_name) in NOTES_COLUMNS for column_name in allowed):
        raise RuntimeError(f"a notes column of {name} is on the report allow-list")
    return kind(name, *(column(column_name, real.c[column_name].type) for column_name in allowed))


class _ReadableByIndex(TableClause):
    """An allowed view of a table that SQLite must read through one index (`INDEXED BY`):
    its planner would otherwise prefer a narrower index and fetch every row's notes page."""

    inherit_cache = True
    sqlite_index = "ix_session_report"


class _CountableByIndex(_ReadableByIndex):
    """The sessions counted person by person: the narrowest index holding (employee, day)."""

    inherit_cache = True
    sqlite_index = "ix_session_employee_held"


@compiles(_ReadableByIndex, "sqlite")
def _indexed_by(element: _ReadableByIndex, compiler: SQLCompiler, **kw: Any) -> str:
    sql: str = compiler.visit_table(element, **kw)  # type: ignore[no-untyped-call]
    return f"{sql} INDEXED BY {element.sqlite_index}" if kw.get("asfrom") else sql


person = _readable("person")
relationship = _readable("coaching_relationship")
session = _readable("coaching_session")
period_session = _readable("coaching_session", _ReadableByIndex)
counted_session = _readable("coaching_session", _CountableByIndex)
assignment = _readable("course_assignment")
completion = _readable("learning_completion")
skill_level = _readable("skill_level")
skill = _readable("skill")
course = _readable("course")


# The population, computed once per report into a temporary table of this connection.
population = Table(
    "report_population",
    MetaData(),
    Column("id", Integer, primary_key=True),
    Column("department", String, nullable=False),
    Column("team", String, nullable=False),
    Column("cadence", String),
    Column("start_date", Date),
    Column("held", Integer, nullable=False),
    prefixes=["TEMPORARY"],
)


# SQLite: the period's session groups, counted into a temporary table keyed by the group.
session_groups = Table(
    "report_session_groups",
    MetaData(),
    Column("department", String, primary_key=True),
    Column("skill_id", String, primary_key=True),
    Column("focus_type", String, primary_key=True),
    Column("sessions", Integer, nullable=False),
    Column("flagged", Integer, nullable=False),
    prefixes=["TEMPORARY"],
)
TEMPORARY_TABLES = {"postgresql": (population,), "sqlite": (population, session_groups)}


def _current_manager(employee_id: Any, as_of: date) -> list[ColumnElement[bool]]:
    return [
        relationship.c.employee_id == employee_id,
        # by the relationship's history: a first import covers the imported past
        or_(relationship.c.history_from.is_(None), relationship.c.history_from <= as_of),
        or_(relationship.c.ended_on.is_(None), relationship.c.ended_on > as_of),
    ]


def _in_period(day: Any, query: ReportQuery) -> ColumnElement[bool]:
    return and_(day >= query.period.start, day <= query.period.end)


def _member_conditions(query: ReportQuery) -> list[ColumnElement[bool]]:
    """Who is in the population: active on the as-of date, started by then, with a current
    manager, and within the scope."""
    as_of = query.period.end
    conditions: list[ColumnElement[bool]] = [
        or_(
            and_(person.c.deactivated_on.is_(None), person.c.active == true()),
            person.c.deactivated_on > as_of,
        ),
        or_(person.c.start_date.is_(None), person.c.start_date <= as_of),
        exists().where(*_current_manager(person.c.id, as_of)),
    ]
    if query.scope.department is not None:
        conditions.append(person.c.department == query.scope.department)
    if query.scope.team is not None:
        conditions.append(person.c.team == query.scope.team)
    return conditions


def _members(query: ReportQuery) -> Select[Any]:
    """People active on the as-of date who have a manager on it, narrowed by the scope, with
    their start date where it can still matter (later than 90 days before the period): the
    population table's rows, less their sessions held in the period."""
    relevant_from = query.period.start - timedelta(days=NEW_HIRE_DAYS)
    start = case((person.c.start_date > relevant_from, person.c.start_date), else_=None)
    return select(
        person.c.id,
        person.c.department,
        person.c.team,
        person.c.cadence,
        start.label("start_date"),
    ).where(*_member_conditions(query))


_POPULATION_COLUMNS = ["id", "department", "team", "cadence", "start_date", "held"]


def population_statement(query: ReportQuery) -> Insert:
    """The population (`_members`), its sessions counted person by person in the (employee,
    day) index: SQLite never reads a row for it."""
    held = (
        select(func.count())
        .where(
            counted_session.c.employee_id == person.c.id,
            _in_period(counted_session.c.held_on, query),
        )
        .scalar_subquery()
    )
    return insert(population).from_select(_POPULATION_COLUMNS, _members(query).add_columns(held))


def _flagged(flagged: Any) -> Any:
    return func.sum(case((flagged == true(), 1), else_=0))


def _named(counted: Any) -> Select[Any]:
    """Session groups with their skill's name (its id when the catalogue has no name)."""
    return select(
        counted, func.coalesce(skill.c.name, counted.c.skill_id).label("skill_name")
    ).outerjoin(skill, skill.c.skill_id == counted.c.skill_id)


def population_sessions_statement(query: ReportQuery) -> Select[Any]:
    """PostgreSQL: the population and the session groups from one pass over the period's
    sessions, aggregated as they are read (no row of the period is kept): one hash
    aggregation of two grouping sets, the sessions per person (the held counts) and per
    department, skill and focus type. The population is inserted with its held counts from
    the first set (`members`, a data-modifying CTE) and the statement answers what
    `sessions_statement` does from the second.

    The sessions are joined to the population's ids grouped by id: the planner then knows
    them distinct and hashes the population, not the period (a CTE has no statistics, so
    joined to one the planner hashed the period's rows)."""
    people = (
        select(person.c.id, person.c.department)
        .where(*_member_conditions(query))
        .group_by(person.c.id)
        .subquery("people")
    )
    groups = (
        select(
            func.grouping(people.c.id).label("per_department"),
            people.c.id.label("employee_id"),
            people.c.department,
            session.c.skill_id,
            session.c.focus_type,
            func.count().label("sessions"),
            _flagged(session.c.flagged).label("flagged"),
        )
        .select_from(session)
        .join(people, people.c.id == session.c.employee_id)
        .where(_in_period(session.c.held_on, query))
        .group_by(
            func.grouping_sets(
                tuple_(people.c.id),
                tuple_(people.c.department, session.c.skill_id, session.c.focus_type),
            )
        )
        .cte("groups")
    )
    per_person = and_(groups.c.employee_id == person.c.id, groups.c.per_department == 0)
    members = (
        insert(population)
        .from_select(
            _POPULATION_COLUMNS,
            _members(query)
            .add_columns(func.coalesce(groups.c.sessions, 0))
            .outerjoin_from(person, groups, per_person),
        )
        .cte("members")
    )
    counted = (
        select(
            groups.c.department,
            groups.c.skill_id,
            groups.c.focus_type,
            groups.c.sessions,
            groups.c.flagged,
        )
        .where(groups.c.per_department == 1)
        .subquery("counted")
    )
    return _named(counted).add_cte(members)


def completion_statement() -> Select[Any]:
    """Population cells: (department, team, cadence, start date, held) -> people."""
    columns = [
        population.c.department,
        population.c.team,
        population.c.cadence,
        population.c.start_date,
        population.c.held,
    ]
    return select(*columns, func.count().label("people")).group_by(*columns)


def count_sessions_statement(query: ReportQuery) -> Insert:
    """SQLite: the period's sessions of the population counted by department, skill and
    focus type (with how many were flagged) into `session_groups`, one probe of its key a
    session. SQLite groups by sorting, and sorting a year's sessions of 50,000 people
    (~490,000 rows on three text keys) cost more than the probes: ~640 ms of CPU against
    ~420 ms."""
    flagged = case((period_session.c.flagged == true(), 1), else_=0)
    rows = (
        select(
            population.c.department,
            period_session.c.skill_id,
            period_session.c.focus_type,
            literal(1),
            flagged,
        )
        .select_from(period_session)
        .join(population, population.c.id == period_session.c.employee_id)
        .where(_in_period(period_session.c.held_on, query))
    )
    counted = sqlite_insert(session_groups).from_select(
        ["department", "skill_id", "focus_type", "sessions", "flagged"], rows
    )
    return counted.on_conflict_do_update(
        index_elements=[
            session_groups.c.department,
            session_groups.c.skill_id,
            session_groups.c.focus_type,
        ],
        set_={
            "sessions": session_groups.c.sessions + 1,
            "flagged": session_groups.c.flagged + counted.excluded.flagged,
        },
    )


def sessions_statement() -> Select[Any]:
    """SQLite: the session groups counted by `count_sessions_statement`, with their skill's
    name."""
    counted = select(
        session_groups.c.department,
        session_groups.c.skill_id,
        session_groups.c.focus_type,
        session_groups.c.sessions,
        session_groups.c.flagged,
    ).subquery("counted")
    return _named(counted)


def assignments_statement(query: ReportQuery) -> Select[Any]:
    """Assignments dated in the period, those of them completed by its end, and the
    sessions they were assigned from (dated the session's date, so the period's)."""
    done = case((assignment.c.completed_at < query.completed_before, 1), else_=0)
    return (
        select(
            func.count().label("assigned"),
            func.coalesce(func.sum(done), 0).label("done"),
            func.count(assignment.c.session_id.distinct()).label("sessions"),
        )
        .join(population, population.c.id == assignment.c.employee_id)
        .where(_in_period(assignment.c.assigned_on, query))
    )


def gains_statement(query: ReportQuery) -> Select[Any]:
    """Per team, the sum over its people and skills of max(0, latest level by the period's
    end minus latest level before its start), from the pairs assessed in the period (only
    they can have changed) with a level before it: two probes of the unique index each."""
    pairs = (
        select(skill_level.c.employee_id, skill_level.c.skill_id)
        .where(_in_period(skill_level.c.assessed_on, query))
        .distinct()
        .subquery("pairs")
    )

    def latest_level(name: str, on_or_before: date, *, inclusive: bool) -> Any:
        level = skill_level.alias(name)
        day = level.c.assessed_on
        return (
            select(level.c.level)
            .where(
                level.c.employee_id == pairs.c.employee_id,
                level.c.skill_id == pairs.c.skill_id,
                day <= on_or_before if inclusive else day < on_or_before,
            )
            .order_by(day.desc())
            .limit(1)
            .scalar_subquery()
        )

    levels = (
        select(
            population.c.department,
            population.c.team,
            latest_level("was", query.period.start, inclusive=False).label("was"),
            latest_level("now", query.period.end, inclusive=True).label("now"),
        )
        .select_from(pairs)
        .join(population, population.c.id == pairs.c.employee_id)
        .where(population.c.team != "")
        .subquery("levels")
    )
    gain = case((levels.c.now > levels.c.was, levels.c.now - levels.c.was), else_=0)
    return (
        select(levels.c.department, levels.c.team, func.sum(gain).label("gain"))
        .where(levels.c.was.is_not(None))
        .group_by(levels.c.department, levels.c.team)
    )


def managers_statement(query: ReportQuery) -> Select[Any, Any]:
    """Managers of the population, and how many of them completed the coaching-skills
    module by the period's end (a completion, or a completed assignment of that course)."""
    managers = (
        select(relationship.c.manager_id)
        .join(population, population.c.id == relationship.c.employee_id)
        .where(*_current_manager(population.c.id, query.period.end))
        .distinct()
        .subquery("managers")
    )
    module = query.manager_module_course
    if module is None:
        return select(func.count().label("managers"), literal(0).label("completed")).select_from(
            managers
        )
    completed = union(
        select(completion.c.employee_id.label("person_id")).where(
            completion.c.course_id == module,
            completion.c.completed_at < query.completed_before,
        ),
        select(assignment.c.employee_id.label("person_id")).where(
            assignment.c.course_id == module,
            assignment.c.completed_at < query.completed_before,
        ),
    ).subquery("completed")
    return (
        select(
            func.count().label("managers"),
            func.count(completed.c.person_id).label("completed"),
        )
        .select_from(managers)
        .outerjoin(completed, completed.c.person_id == managers.c.manager_id)
    )


def catalogue_statement() -> Select[Any]:
    """The skill lists of the catalogue's courses."""
    return select(course.c.skill_ids).where(course.c.skill_ids != "").distinct()


def report_statements(query: ReportQuery, dialect: str = "sqlite") -> dict[str, Executable]:
    """Every statement the report runs, in order (the privacy tests compile them all)."""
    first: dict[str, Executable] = (
        {"population_sessions": population_sessions_statement(query)}
        if dialect == "postgresql"
        else {
            "population": population_statement(query),
            "count_sessions": count_sessions_statement(query),
            "sessions": sessions_statement(),
        }
    )
    return {
        **first,
        "completion": completion_statement(),
        "assignments": assignments_statement(query),
        "gains": gains_statement(query),
        "managers": managers_statement(query),
        "catalogue": catalogue_statement(),
    }


class SqlReportSource:
    """The report's counts from the database."""

    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine

    async def report_aggregates(self, query: ReportQuery) -> ReportAggregates:
        statements = report_statements(query, self._engine.dialect.name)
        rows: dict[str, list[Any]] = {}
        async with self._engine.begin() as connection:
            if connection.dialect.name == "postgresql":
                # a few grouped scans: JIT compilation costs more than it saves here, and
                # the groupings fit in memory (SQLite sorts in memory by storage.db's pragmas)
                await connection.execute(text("SET LOCAL jit = off"))
                await connection.execute(text("SET LOCAL work_mem = '64MB'"))
            # not analysed once filled: the planner sizes it from its pages, enough for it to
            # hash-join it, and an ANALYZE cost more than it saved at every size measured
            temporary = TEMPORARY_TABLES.get(connection.dialect.name, (population,))
            for table in temporary:
                await connection.execute(DropTable(table, if_exists=True))
                await connection.execute(CreateTable(table))
            for name, statement in statements.items():
                result = await connection.execute(statement)
                rows[name] = list(result.all()) if result.returns_rows else []
            for table in temporary:
                await connection.execute(DropTable(table))
        assigned = rows["assignments"][0]
        managers = rows["managers"][0]
        # PostgreSQL's session groups come from the statement that fills the population
        session_rows = rows["sessions"] if "sessions" in rows else rows["population_sessions"]
        return ReportAggregates(
            completion=tuple(
                CompletionCell(
                    department, team, cadence or None, start_date, int(held), int(people)
                )
                for department, team, cadence, start_date, held, people in rows["completion"]
            ),
            sessions=tuple(
                SessionCell(
                    department, skill_id, skill_name, focus_type, int(sessions), int(flagged)
                )
                for department, skill_id, focus_type, sessions, flagged, skill_name in session_rows
            ),
            assignments=int(assigned.assigned),
            assignments_completed=int(assigned.done),
            sessions_with_course=int(assigned.sessions),
            team_gains=tuple(
                TeamGain(row.department, row.team, int(row.gain)) for row in rows["gains"]
            ),
            managers=int(managers.managers),
            managers_with_module=(
                None if query.manager_module_course is None else int(managers.completed)
            ),
            skills_with_courses=frozenset(
                skill_id.strip()
                for row in rows["catalogue"]
                for skill_id in row.skill_ids.split(";")
                if skill_id.strip()
            ),
        )

    async def org_structure(self) -> OrgStructure:
        query = select(person.c.department, person.c.team).distinct()
        teams: dict[str, set[str]] = defaultdict(set)
        async with self._engine.connect() as connection:
            for department, team in await connection.execute(query):
                if department:
                    names = teams[department]  # a department whose people have no team: none
                    if team:
                        names.add(team)
        return OrgStructure({name: frozenset(names) for name, names in teams.items()})


__all__ = ["REPORT_COLUMNS", "SqlReportSource", "report_statements"]
