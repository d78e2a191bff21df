"""Hypothesis over random organisations and filters: no released figure describes fewer than
k people, and no hidden figure can be recovered by subtracting its released siblings from
their released parent."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, date, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.report_privacy import CompletionFigures, CompletionRow
from bot.services.reports import (
    CompletionCell,
    Period,
    ReportAggregates,
    ReportQuery,
    ReportScope,
    SessionCell,
    TeamGain,
    build_report,
    completion_figures,
)

PERIOD = Period.ending(date(2026, 6, 30), 90)
QUERY = ReportQuery(PERIOD, ReportScope(), datetime(2026, 7, 1, tzinfo=UTC))
DEPARTMENTS = ["Eng", "Ops", "Sales", "HR", "eng"]
TEAMS = ["", "A", "B", "C", "D"]
CADENCES = [None, "fortnightly", "monthly", "quarterly"]

person = st.tuples(
    st.sampled_from(DEPARTMENTS),
    st.sampled_from(TEAMS),
    st.sampled_from(CADENCES),
    st.one_of(st.none(), st.integers(-200, 89).map(lambda n: PERIOD.start + timedelta(days=n))),
    st.integers(0, 8),  # sessions held in the period
    st.integers(0, 6),  # skill gain
)


@st.composite
def organisations(draw: st.DrawFn) -> tuple[ReportAggregates, int]:
    people = draw(st.lists(person, min_size=0, max_size=60))
    scope = draw(st.sampled_from([None, *DEPARTMENTS]))
    team_scope = draw(st.sampled_from([None, *TEAMS[1:]]))
    people = [
        p for p in people if scope in (None, p[0]) and team_scope in (None, p[1])
    ]  # the population after the --department / --team filter
    gains: Counter[tuple[str, str]] = Counter()
    for department, team, _, _, _, gain in people:
        if team:
            gains[(department, team)] += gain
    sessions = [
        SessionCell(department, "sk", "Skill", "skill_development", held, flagged=held // 3)
        for department, _, _, _, held, _ in people
        if held
    ]
    aggregates = ReportAggregates(
        completion=tuple(
            CompletionCell(department, team, cadence, start, held, 1)
            for department, team, cadence, start, held, _ in people
        ),
        sessions=tuple(sessions),
        assignments=0,
        assignments_completed=0,
        sessions_with_course=0,
        team_gains=tuple(TeamGain(d, t, g) for (d, t), g in gains.items()),
        managers=draw(st.integers(0, 12)),
        managers_with_module=draw(st.integers(0, 0)),
        skills_with_courses=frozenset(),
    )
    return aggregates, draw(st.integers(3, 8))


def _residual_isolates(parent_people: int, children: list[CompletionRow], truth: dict) -> bool:
    """True when the parent minus its released children describes exactly one hidden row."""
    hidden = [row for row in children if row.suppressed]
    if len(hidden) != 1:
        return False
    released = sum(row.people or 0 for row in children if not row.suppressed)
    return parent_people - released == truth[_key(hidden[0])].people


def _key(row: CompletionRow | CompletionFigures) -> tuple[str, str, str]:
    return (row.group_type, row.department, row.name)


@settings(max_examples=400, deadline=None)
@given(organisations())
def test_no_released_figure_describes_fewer_than_k_people(
    organisation: tuple[ReportAggregates, int],
) -> None:
    aggregates, k = organisation
    report = build_report(aggregates, QUERY, k)
    population = sum(cell.people for cell in aggregates.completion)
    if population < k:
        assert report.suppressed
        assert report.people is None
        assert report.completion == ()
        assert report.sessions is None
        assert report.manager_capability.managers is None
        return
    assert report.people == population
    for row in report.completion:
        assert row.suppressed or (row.people is not None and row.people >= k)
    for group in (report.skills_movement_active, report.skills_movement_low):
        assert group is None or group.people >= k
    capability = report.manager_capability
    if capability.module_completed_share is not None or capability.flagged_session_share:
        assert aggregates.managers >= k
    department_people = Counter()
    for cell in aggregates.completion:
        department_people[cell.department] += cell.people
    for alert in report.theme_alerts:
        assert department_people[alert.department] >= k


@settings(max_examples=400, deadline=None)
@given(organisations())
def test_no_hidden_row_is_its_released_parent_minus_released_siblings(
    organisation: tuple[ReportAggregates, int],
) -> None:
    aggregates, k = organisation
    report = build_report(aggregates, QUERY, k)
    if report.suppressed:
        return
    truth = {_key(row): row for row in completion_figures(aggregates.completion, PERIOD)}
    departments = [row for row in report.completion if row.group_type == "department"]
    assert report.people is not None
    assert not _residual_isolates(report.people, departments, truth)
    for department in departments:
        teams = [
            row
            for row in report.completion
            if row.group_type == "team" and row.department == department.name
        ]
        if department.suppressed:
            assert all(team.suppressed for team in teams)
            continue
        assert department.people is not None
        assert not _residual_isolates(department.people, teams, truth)
        # a single hidden team under a released department is never the whole remainder
        hidden = [team for team in teams if team.suppressed]
        released = [team for team in teams if not team.suppressed]
        assert len(hidden) != 1 or not released
