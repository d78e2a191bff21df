"""Every figure of the programme report on a hand-built organisation, against values worked
out by hand (see tests/reports/sample.py), on SQLite and on PostgreSQL."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from adapters.report_render import report_as_dict
from bot.clock import FixedClock
from bot.services.reports import ProgrammeReports, ReportRequest
from storage.reports import SqlReportSource
from tests.reports.org import Org
from tests.reports.sample import AS_OF, MODULE, d, sample_org


def reports(
    engine: AsyncEngine, k: int, module: str | None = MODULE, timezone: str = "UTC"
) -> ProgrammeReports:
    clock = FixedClock(datetime(2026, 6, 30, 12, tzinfo=UTC))
    return ProgrammeReports(
        SqlReportSource(engine),
        clock,
        timezone=timezone,
        min_group_size=k,
        manager_module_course=module,
    )


async def report(engine: AsyncEngine, k: int = 1, **request: Any) -> dict[str, Any]:
    module = request.pop("module", MODULE)
    request.setdefault("as_of", AS_OF)
    result = await reports(engine, k, module).report(ReportRequest(**request))
    return report_as_dict(result)


def row(group_type: str, department: str, name: str, *figures: int) -> dict[str, Any]:
    people, expected, held = figures
    return {
        "group_type": group_type,
        "department": department,
        "name": name,
        "people": people,
        "expected": expected,
        "held": held,
        "rate": held / expected,
        "suppressed": False,
    }


def hidden(group_type: str, department: str, name: str) -> dict[str, Any]:
    return {
        "group_type": group_type,
        "department": department,
        "name": name,
        "people": None,
        "expected": None,
        "held": None,
        "rate": None,
        "suppressed": True,
    }


@pytest.fixture
async def org_engine(engine: AsyncEngine) -> AsyncEngine:
    await sample_org().save(engine)
    return engine


async def test_every_figure_matches_the_hand_worked_values(org_engine: AsyncEngine) -> None:
    # k = 1 releases every row, so that each figure can be checked.
    assert await report(org_engine) == {
        "period": {"from": "2026-04-02", "to": "2026-06-30"},
        "min_group_size": 1,
        "people": 12,
        "suppressed": False,
        "completion": [
            row("department", "Eng", "Eng", 6, 22, 15),
            row("department", "Ops", "Ops", 3, 9, 3),
            row("team", "Eng", "Apps", 2, 8, 7),
            row("team", "Eng", "Core", 3, 11, 6),
            row("team", "Ops", "Field", 3, 9, 3),
        ],
        "focus_areas": [
            {"skill_id": "sk-l", "name": "Listening", "sessions": 8, "share": 0.4},
            {"skill_id": "sk-d", "name": "Delegation", "sessions": 4, "share": 0.2},
            {"skill_id": "sk-c", "name": "Coaching", "sessions": 2, "share": 0.1},
            {"skill_id": "sk-f", "name": "Feedback", "sessions": 2, "share": 0.1},
            {"skill_id": "sk-p", "name": "Planning", "sessions": 2, "share": 0.1},
        ],
        "focus_types": [
            {"focus_type": "skill_development", "sessions": 10, "share": 0.5},
            {"focus_type": "performance_goals", "sessions": 5, "share": 0.25},
            {"focus_type": "role_progression", "sessions": 5, "share": 0.25},
        ],
        "sessions": 20,
        "course_assignment_rate": 4 / 20,
        "assigned_course_completion_rate": 2 / 5,
        "skills_movement": {
            "active": {"people": 3, "mean_gain": 5 / 3},
            "low": {"people": 3, "mean_gain": 4 / 3},
        },
        "theme_alerts": [
            {
                "department": "Eng",
                "skill_id": "sk-l",
                "share": 8 / 17,
                "sessions": 17,
                "catalogue_has_course": True,
            }
        ],
        "manager_capability": {
            "managers": 2,
            "module_completed_share": 0.5,
            "flagged_session_share": 3 / 20,
        },
    }


async def test_module_share_is_null_without_a_module_course(org_engine: AsyncEngine) -> None:
    result = await report(org_engine, module=None)
    assert result["manager_capability"] == {
        "managers": 2,
        "module_completed_share": None,
        "flagged_session_share": 3 / 20,
    }


async def test_small_team_and_its_smallest_sibling_are_hidden(org_engine: AsyncEngine) -> None:
    # k = 3: Eng/Apps (2 people) is hidden, so Eng/Core (its only released sibling) is too;
    # two managers are too few for their shares.
    result = await report(org_engine, k=3)
    assert result["completion"] == [
        row("department", "Eng", "Eng", 6, 22, 15),
        row("department", "Ops", "Ops", 3, 9, 3),
        hidden("team", "Eng", "Apps"),
        hidden("team", "Eng", "Core"),
        row("team", "Ops", "Field", 3, 9, 3),
    ]
    assert result["skills_movement"]["active"] == {"people": 3, "mean_gain": 5 / 3}
    assert result["manager_capability"] == {
        "managers": 2,
        "module_completed_share": None,
        "flagged_session_share": None,
    }


async def test_small_department_hides_the_smallest_released_one_and_all_teams(
    org_engine: AsyncEngine,
) -> None:
    result = await report(org_engine, k=4)
    assert result["completion"] == [
        hidden("department", "Eng", "Eng"),
        hidden("department", "Ops", "Ops"),
        hidden("team", "Eng", "Apps"),
        hidden("team", "Eng", "Core"),
        hidden("team", "Ops", "Field"),
    ]
    assert result["skills_movement"] == {"active": None, "low": None}
    assert result["people"] == 12
    assert result["sessions"] == 20
    assert [alert["department"] for alert in result["theme_alerts"]] == ["Eng"]


async def test_population_smaller_than_k_suppresses_everything(org_engine: AsyncEngine) -> None:
    assert await report(org_engine, k=13) == {
        "period": {"from": "2026-04-02", "to": "2026-06-30"},
        "min_group_size": 13,
        "people": None,
        "suppressed": True,
        "completion": [],
        "focus_areas": [],
        "focus_types": [],
        "sessions": None,
        "course_assignment_rate": None,
        "assigned_course_completion_rate": None,
        "skills_movement": {"active": None, "low": None},
        "theme_alerts": [],
        "manager_capability": {
            "managers": None,
            "module_completed_share": None,
            "flagged_session_share": None,
        },
    }


async def test_department_scope(org_engine: AsyncEngine) -> None:
    result = await report(org_engine, department="Ops")
    assert result["people"] == 3
    assert result["completion"] == [
        row("department", "Ops", "Ops", 3, 9, 3),
        row("team", "Ops", "Field", 3, 9, 3),
    ]
    assert result["sessions"] == 3
    assert result["manager_capability"]["managers"] == 1
    assert result["skills_movement"] == {"active": None, "low": {"people": 3, "mean_gain": 4 / 3}}


async def test_team_scope_takes_that_team_in_every_department(org_engine: AsyncEngine) -> None:
    # Eng/Core (a, b, c, d) and Sales/Core (s, quarterly: expected 0, so no Sales row).
    result = await report(org_engine, team="Core")
    assert result["people"] == 5
    assert result["completion"] == [
        row("department", "Eng", "Eng", 3, 11, 6),
        row("team", "Eng", "Core", 3, 11, 6),
    ]
    assert result["sessions"] == 8  # a 4, b 2, c 1, d 1, and none for s
    narrowed = await report(org_engine, department="Sales", team="Core")
    assert narrowed["people"] == 1
    assert narrowed["completion"] == []


async def test_unknown_department_is_an_empty_suppressed_report(org_engine: AsyncEngine) -> None:
    result = await report(org_engine, k=3, department="Nobody")
    assert result["suppressed"] is True
    assert result["people"] is None


async def test_a_30_day_period_counts_only_its_days(org_engine: AsyncEngine) -> None:
    # 2026-06-01 .. 06-30: a 1 session (06-30), d 1, e 2, f 1, h 1, i 1 = 7 sessions.
    result = await report(org_engine, period_days=30)
    assert result["period"] == {"from": "2026-06-01", "to": "2026-06-30"}
    assert result["sessions"] == 7
    # e: day 90 is 05-30, so the whole period is monthly: 30//30 = 1, held 2 capped at 1.
    assert row("team", "Eng", "Apps", 2, 2, 2) in result["completion"]


async def test_default_period_ends_today_in_the_organisation_time_zone(
    engine: AsyncEngine,
) -> None:
    # 2026-06-30 12:00 UTC is already 1 July in Auckland (UTC+12).
    service = reports(engine, k=5, timezone="Pacific/Auckland")
    query = service.query_for(ReportRequest())
    assert (query.period.start, query.period.end) == (date(2026, 4, 3), date(2026, 7, 1))
    assert query.completed_before == datetime(2026, 7, 1, 12, tzinfo=UTC)


async def test_new_hire_started_inside_the_period_with_a_blank_cadence(
    engine: AsyncEngine,
) -> None:
    # Started 2026-05-16: active 05-16..06-30 = 46 days, all before day 90: 46//14 = 3.
    # 4 sessions are held but only 3 count.
    org = Org()
    org.skill("sk", "Skill")
    org.person("boss", "Lead")
    org.person("new", "Eng", "Core", cadence=None, start_date=d(5, 16), manager="boss")
    for day in (16, 20, 25, 30):
        org.session("new", d(5, day), "sk")
    await org.save(engine)
    result = await report(engine)
    assert result["completion"][0] == row("department", "Eng", "Eng", 1, 3, 3)


async def test_a_group_where_nobody_is_expected_a_session_has_no_row(engine: AsyncEngine) -> None:
    org = Org()
    org.skill("sk", "Skill")
    org.person("boss", "Lead")
    org.person("q", "Eng", "Core", cadence="quarterly", manager="boss")
    org.session("q", d(6, 1), "sk")
    await org.save(engine)
    result = await report(engine)
    assert result["people"] == 1
    assert result["completion"] == []
    assert result["sessions"] == 1
    assert result["skills_movement"] == {"active": None, "low": None}
