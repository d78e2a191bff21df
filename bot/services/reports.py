"""The programme report for L&D (`docs/report.md`): the period and scope, the counts a
`ReportSource` aggregates in the database, and the arithmetic and privacy rules that turn those
counts into the released figures. Never a person's name, never note text."""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, time, timedelta
from typing import Protocol
from zoneinfo import ZoneInfo

from bot.clock import Clock, local_date
from bot.errors import FieldError
from bot.report_privacy import (
    CompletionFigures,
    CompletionRow,
    is_releasable,
    release_completion,
)
from bot.report_scope import OrgStructure, resolve_scope

PERIOD_DAYS = (30, 90, 180, 365)
DEFAULT_PERIOD_DAYS = 90
TOP_FOCUS_AREAS = 5
THEME_MIN_SESSIONS = 10
# Fixed interval lengths for the report only; due dates use calendar months.
REPORT_INTERVALS = {"fortnightly": 14, "monthly": 30, "quarterly": 91}
NEW_HIRE_DAYS = 90


# --- what is asked ----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Period:
    """The days `start` to `end`, both inclusive."""

    start: date
    end: date

    @classmethod
    def ending(cls, as_of: date, days: int) -> Period:
        return cls(start=as_of - timedelta(days=days - 1), end=as_of)


def parse_period(text: str) -> int | FieldError:
    """`30d`, `90d`, `180d` or `365d` as a number of days, or a field error saying what is
    allowed."""
    match = re.fullmatch(r"\s*(\d+)\s*d?\s*", text.lower())
    if match and int(match.group(1)) in PERIOD_DAYS:
        return int(match.group(1))
    allowed = ", ".join(f"{days}d" for days in PERIOD_DAYS)
    return FieldError("period", f"{text!r} is not a report period; use one of {allowed}")


@dataclass(frozen=True, slots=True)
class ReportScope:
    """The population's narrowing: a department, a team name, or both. A team name alone
    means every department's team of that name."""

    department: str | None = None
    team: str | None = None


@dataclass(frozen=True, slots=True)
class ReportRequest:
    """What someone asks for: a period of N days ending on `as_of` (today when None)."""

    period_days: int = DEFAULT_PERIOD_DAYS
    as_of: date | None = None
    department: str | None = None
    team: str | None = None


@dataclass(frozen=True, slots=True)
class ReportQuery:
    """What the database is asked to count. `completed_before` is the first instant (UTC)
    after the period's last day in the organisation's time zone."""

    period: Period
    scope: ReportScope
    completed_before: datetime
    manager_module_course: str | None = None


# --- what the database counts -------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class CompletionCell:
    """People of the population sharing everything the completion rate depends on.
    `start_date` is kept only when it can still matter to the period (later than 90 days
    before its start); `held` is the uncapped count of their sessions in the period."""

    department: str
    team: str
    cadence: str | None
    start_date: date | None
    held: int
    people: int


@dataclass(frozen=True, slots=True)
class SessionCell:
    """The period's sessions of the population sharing department, skill and focus type,
    and how many of them were flagged."""

    department: str
    skill_id: str
    skill_name: str
    focus_type: str
    sessions: int
    flagged: int = 0


@dataclass(frozen=True, slots=True)
class TeamGain:
    """The sum of the skill gains of one team's people in the period."""

    department: str
    team: str
    gain: int


@dataclass(frozen=True, slots=True)
class ReportAggregates:
    """Everything the report is computed from: counts only. `sessions_with_course` counts
    the sessions behind the period's assignments: an assignment from a session is dated the
    session's date, so those are the period's sessions with a course."""

    completion: tuple[CompletionCell, ...]
    sessions: tuple[SessionCell, ...]
    assignments: int
    assignments_completed: int
    sessions_with_course: int
    team_gains: tuple[TeamGain, ...]
    managers: int
    managers_with_module: int | None
    skills_with_courses: frozenset[str]


class ReportSource(Protocol):
    """The port the storage layer implements: aggregate counts, never note text."""

    async def report_aggregates(self, query: ReportQuery) -> ReportAggregates: ...

    async def org_structure(self) -> OrgStructure:
        """The departments and their teams' names, of everyone in the directory."""
        ...


# --- what the report says -----------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class FocusArea:
    skill_id: str
    name: str
    sessions: int
    share: float


@dataclass(frozen=True, slots=True)
class FocusTypeShare:
    focus_type: str
    sessions: int
    share: float


@dataclass(frozen=True, slots=True)
class MovementGroup:
    """The mean skill gain of the people of actively coached (or low-engagement) teams."""

    people: int
    mean_gain: float


@dataclass(frozen=True, slots=True)
class ThemeAlert:
    department: str
    skill_id: str
    share: float
    sessions: int
    catalogue_has_course: bool
    name: str = ""  # the skill's name, for people (the machine outputs keep the id)


@dataclass(frozen=True, slots=True)
class ManagerCapability:
    managers: int | None
    module_completed_share: float | None
    flagged_session_share: float | None


@dataclass(frozen=True, slots=True)
class ProgrammeReport:
    """The released report: the shape of `coachbot report --format json`."""

    period: Period
    scope: ReportScope
    min_group_size: int
    people: int | None
    suppressed: bool
    completion: tuple[CompletionRow, ...] = ()
    focus_areas: tuple[FocusArea, ...] = ()
    focus_types: tuple[FocusTypeShare, ...] = ()
    sessions: int | None = None
    course_assignment_rate: float | None = None
    assigned_course_completion_rate: float | None = None
    skills_movement_active: MovementGroup | None = None
    skills_movement_low: MovementGroup | None = None
    theme_alerts: tuple[ThemeAlert, ...] = ()
    manager_capability: ManagerCapability = field(
        default_factory=lambda: ManagerCapability(None, None, None)
    )
    people_coached: int | None = None
    """People of the population with a session in the period (the digest's "with N people";
    not part of the report's JSON)."""


# --- the arithmetic -----------------------------------------------------------------------


def expected_sessions(cadence: str | None, start_date: date | None, period: Period) -> int:
    """Sessions a person should have had in the period: active days floored by the fixed
    interval; a blank cadence with a start date splits at day 90 of employment (14, then 30)."""
    first = max(period.start, start_date) if start_date else period.start
    if first > period.end:
        return 0
    interval = REPORT_INTERVALS.get(cadence or "")
    if interval is not None or start_date is None:
        return ((period.end - first).days + 1) // (interval or REPORT_INTERVALS["monthly"])
    monthly_from = start_date + timedelta(days=NEW_HIRE_DAYS)
    fortnightly_days = max(0, (min(period.end, monthly_from - timedelta(days=1)) - first).days + 1)
    monthly_days = max(0, (period.end - max(first, monthly_from)).days + 1)
    return fortnightly_days // 14 + monthly_days // 30


def completion_figures(
    cells: tuple[CompletionCell, ...], period: Period
) -> list[CompletionFigures]:
    """Department rows by name, then team rows by (department, team); people counted only
    where expected >= 1, held capped at expected; groups with nobody expected are left out."""
    departments: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])
    teams: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0, 0, 0])
    for cell in cells:
        expected = expected_sessions(cell.cadence, cell.start_date, period)
        if expected < 1:
            continue
        figures = (cell.people, expected * cell.people, min(cell.held, expected) * cell.people)
        groups = [departments[cell.department]]
        if cell.team:
            groups.append(teams[(cell.department, cell.team)])
        for total in groups:
            for index, value in enumerate(figures):
                total[index] += value
    rows = [
        CompletionFigures("department", name, name, *departments[name])
        for name in sorted(departments)
    ]
    rows += [
        CompletionFigures("team", department, team, *teams[(department, team)])
        for department, team in sorted(teams)
    ]
    return rows


def build_report(
    aggregates: ReportAggregates, query: ReportQuery, min_group_size: int
) -> ProgrammeReport:
    """The released report from the counts: figures, then the minimum group size."""
    people = sum(cell.people for cell in aggregates.completion)
    if not is_releasable(people, min_group_size):
        return ProgrammeReport(query.period, query.scope, min_group_size, None, suppressed=True)
    figures = completion_figures(aggregates.completion, query.period)
    sessions = sum(cell.sessions for cell in aggregates.sessions)
    active, low = skills_movement(aggregates, figures, min_group_size)
    return ProgrammeReport(
        period=query.period,
        scope=query.scope,
        min_group_size=min_group_size,
        people=people,
        suppressed=False,
        completion=tuple(release_completion(figures, min_group_size)),
        focus_areas=focus_areas(aggregates.sessions, sessions),
        focus_types=focus_types(aggregates.sessions, sessions),
        sessions=sessions,
        course_assignment_rate=_ratio(aggregates.sessions_with_course, sessions),
        assigned_course_completion_rate=_ratio(
            aggregates.assignments_completed, aggregates.assignments
        ),
        skills_movement_active=active,
        skills_movement_low=low,
        theme_alerts=theme_alerts(aggregates, min_group_size),
        manager_capability=manager_capability(aggregates, sessions, min_group_size),
        people_coached=sum(cell.people for cell in aggregates.completion if cell.held > 0),
    )


def _ratio(part: int, whole: int) -> float | None:
    return part / whole if whole else None


def focus_areas(cells: tuple[SessionCell, ...], sessions: int) -> tuple[FocusArea, ...]:
    """The top five skills by sessions, ties by skill name in code point order."""
    counts: dict[tuple[str, str], int] = defaultdict(int)
    for cell in cells:
        counts[(cell.skill_id, cell.skill_name)] += cell.sessions
    ranked = sorted(counts.items(), key=lambda item: (-item[1], item[0][1], item[0][0]))
    return tuple(
        FocusArea(skill_id, name, count, count / sessions)
        for (skill_id, name), count in ranked[:TOP_FOCUS_AREAS]
    )


def focus_types(cells: tuple[SessionCell, ...], sessions: int) -> tuple[FocusTypeShare, ...]:
    """Each focus type with at least one session, by sessions, ties by type name."""
    counts: dict[str, int] = defaultdict(int)
    for cell in cells:
        counts[cell.focus_type] += cell.sessions
    ranked = sorted(counts.items(), key=lambda item: (-item[1], item[0]))
    return tuple(FocusTypeShare(kind, count, count / sessions) for kind, count in ranked)


def skills_movement(
    aggregates: ReportAggregates, figures: list[CompletionFigures], min_group_size: int
) -> tuple[MovementGroup | None, MovementGroup | None]:
    """Mean gain over everyone in actively coached teams (rate >= 0.75) and in
    low-engagement teams (rate < 0.40); a group of fewer than k people is null. The team
    rate is the true one, whether or not its row is released."""
    team_people: dict[tuple[str, str], int] = defaultdict(int)
    for cell in aggregates.completion:
        if cell.team:
            team_people[(cell.department, cell.team)] += cell.people
    gains = {(row.department, row.team): row.gain for row in aggregates.team_gains}
    groups = {"active": [0, 0], "low": [0, 0]}
    for row in figures:
        if row.group_type != "team":
            continue
        if 4 * row.held >= 3 * row.expected:
            group = groups["active"]
        elif 5 * row.held < 2 * row.expected:
            group = groups["low"]
        else:
            continue
        key = (row.department, row.name)
        group[0] += team_people[key]
        group[1] += gains.get(key, 0)

    def release(people: int, gain: int) -> MovementGroup | None:
        if not is_releasable(people, min_group_size):
            return None
        return MovementGroup(people, gain / people)

    return release(*groups["active"]), release(*groups["low"])


def theme_alerts(aggregates: ReportAggregates, min_group_size: int) -> tuple[ThemeAlert, ...]:
    """Departments of at least k people with at least 10 sessions in the period where one
    skill is the focus of at least 40% of them."""
    department_people: dict[str, int] = defaultdict(int)
    for cell in aggregates.completion:
        department_people[cell.department] += cell.people
    department_sessions: dict[str, int] = defaultdict(int)
    skill_sessions: dict[tuple[str, str], int] = defaultdict(int)
    skill_names: dict[str, str] = {}
    for session in aggregates.sessions:
        department_sessions[session.department] += session.sessions
        skill_sessions[(session.department, session.skill_id)] += session.sessions
        skill_names[session.skill_id] = session.skill_name
    alerts = []
    for (department, skill_id), count in sorted(skill_sessions.items()):
        total = department_sessions[department]
        if (
            is_releasable(department_people[department], min_group_size)
            and total >= THEME_MIN_SESSIONS
            and 5 * count >= 2 * total
        ):
            alerts.append(
                ThemeAlert(
                    department=department,
                    skill_id=skill_id,
                    share=count / total,
                    sessions=total,
                    catalogue_has_course=skill_id in aggregates.skills_with_courses,
                    name=skill_names[skill_id] or skill_id,
                )
            )
    return tuple(alerts)


def manager_capability(
    aggregates: ReportAggregates, sessions: int, min_group_size: int
) -> ManagerCapability:
    """Managers of the population; both shares are null when they are fewer than k."""
    managers = aggregates.managers
    if not is_releasable(managers, min_group_size):
        return ManagerCapability(managers, None, None)
    flagged = sum(cell.flagged for cell in aggregates.sessions)
    completed = aggregates.managers_with_module
    return ManagerCapability(
        managers=managers,
        module_completed_share=None if completed is None else completed / managers,
        flagged_session_share=_ratio(flagged, sessions),
    )


# --- the use-case -------------------------------------------------------------------------


class ProgrammeReports:
    """Computes the programme report from the database's counts, privately."""

    def __init__(
        self,
        source: ReportSource,
        clock: Clock,
        *,
        timezone: str = "UTC",
        min_group_size: int = 5,
        manager_module_course: str | None = None,
    ) -> None:
        self._source = source
        self._clock = clock
        self._timezone = timezone
        self._min_group_size = min_group_size
        self._module_course = manager_module_course

    def query_for(self, request: ReportRequest) -> ReportQuery:
        """The period (ending today in the organisation's time zone unless `as_of` is given)
        and scope to count."""
        if request.period_days not in PERIOD_DAYS:
            raise ValueError(f"period must be one of {PERIOD_DAYS} days")
        as_of = request.as_of or local_date(self._clock.now(), self._timezone)
        next_day = datetime.combine(
            as_of + timedelta(days=1), time(), tzinfo=ZoneInfo(self._timezone)
        )
        return ReportQuery(
            period=Period.ending(as_of, request.period_days),
            scope=ReportScope(request.department or None, request.team or None),
            completed_before=next_day.astimezone(UTC),
            manager_module_course=self._module_course or None,
        )

    async def scoped(self, request: ReportRequest) -> ReportRequest | FieldError:
        """The request with its department and team as the directory spells them, or a field
        error when no department or team has that name."""
        if request.department is None and request.team is None:
            return request
        scope = resolve_scope(request.department, request.team, await self._source.org_structure())
        if isinstance(scope, FieldError):
            return scope
        return replace(request, department=scope.department, team=scope.team)

    async def org_structure(self) -> OrgStructure:
        """The departments and their teams' names (what a report can be narrowed to)."""
        return await self._source.org_structure()

    async def report(self, request: ReportRequest) -> ProgrammeReport:
        query = self.query_for(request)
        aggregates = await self._source.report_aggregates(query)
        return build_report(aggregates, query, self._min_group_size)
