"""`coachbot import sessions`: an existing coaching log, checked by the chat form's rules (any
past date allowed), stored with its actions, course assignments and appraisal flag; the natural
key (manager, employee, held_on) makes a re-import change nothing."""

from __future__ import annotations

import json
import shutil
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy.ext.asyncio import AsyncEngine

from adapters.imports import ImportResult, import_file
from bot.clock import FixedClock
from tests.imports.support import Cli, fetch, people_csv

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
HEADER = (
    "manager_email,employee_email,held_on,duration_minutes,focus_type,skill_id,key_points,"
    "actions,course_ids"
)


def _copy(cli: Cli, name: str) -> str:
    shutil.copy(FIXTURES / name, cli.folder / name)
    return name


def _organisation(cli: Cli) -> None:
    for kind in ("people", "skills", "courses"):
        assert cli("import", kind, _copy(cli, f"{kind}.csv")).code == 0


def _points(value: Any) -> list[str]:
    return json.loads(value) if isinstance(value, str) else list(value)


def test_a_coaching_log_is_imported_with_actions_assignments_and_flags(cli: Cli) -> None:
    _organisation(cli)

    run = cli("import", "sessions", _copy(cli, "sessions.csv"))

    assert run.code == 0
    assert run.out == [
        "sessions.csv: 3 added, 0 updated, 0 unchanged, 0 deactivated; actions added: 4, "
        "actions superseded: 2, courses assigned: 3, flagged for appraisal language: 1"
    ]
    sessions = cli.rows(
        "SELECT m.email, e.email, s.held_on, s.duration_minutes, s.focus_type, s.skill_id,"
        " s.key_points, s.flagged FROM coaching_session s JOIN person m ON m.id = s.manager_id"
        " JOIN person e ON e.id = s.employee_id ORDER BY s.held_on"
    )
    assert [(*row[:6], _points(row[6]), row[7]) for row in sessions] == [
        ("ada@example.org", "grace@example.org", "2025-11-04", 45, "skill_development",
         "feedback", ["Asks for feedback weekly", "Practised the SBI model",
                      "Wants to coach juniors"], 0),
        ("grace@example.org", "alan@example.org", "2025-11-05", 30, "performance_goals",
         "python", ["Talked about the rating in his last review", "Plans to pair more",
                    "Wants deeper Python"], 1),
        ("ada@example.org", "grace@example.org", "2025-12-02", 30, "role_progression",
         "python", ["Shadowing the lead, for a month", "Took on code review",
                    "Interested in the staff track"], 0),
    ]  # fmt: skip
    # Grace's session of 2025-12-02 supersedes the actions of her session of 2025-11-04
    assert cli.rows(
        "SELECT e.email, s.held_on, a.text, a.status FROM agreed_action a"
        " JOIN coaching_session s ON s.id = a.session_id JOIN person e ON e.id = a.employee_id"
        " ORDER BY a.id"
    ) == [
        ("grace@example.org", "2025-11-04", "Run one feedback session", "dropped"),
        ("grace@example.org", "2025-11-04", "Read the SBI guide", "dropped"),
        ("alan@example.org", "2025-11-05", "Pair twice a week", "open"),
        ("grace@example.org", "2025-12-02", "Lead one design review", "open"),
    ]
    # grace already has C-101 open from 2025-11-04: linking it again on 2025-12-02 assigns nothing
    assert cli.rows(
        "SELECT e.email, a.course_id, a.assigned_on, s.held_on, b.email, a.reason"
        " FROM course_assignment a JOIN person e ON e.id = a.employee_id"
        " JOIN coaching_session s ON s.id = a.session_id JOIN person b ON b.id = a.assigned_by_id"
        " ORDER BY a.id"
    ) == [
        ("grace@example.org", "C-101", "2025-11-04", "2025-11-04", "ada@example.org",
         "Agreed in your coaching session on 2025-11-04 (skill development: Giving feedback)"),
        ("alan@example.org", "C-202", "2025-11-05", "2025-11-05", "grace@example.org",
         "Agreed in your coaching session on 2025-11-05"
         " (performance goals: Python programming)"),
        ("alan@example.org", "C-101", "2025-11-05", "2025-11-05", "grace@example.org",
         "Agreed in your coaching session on 2025-11-05"
         " (performance goals: Python programming)"),
    ]  # fmt: skip


def test_importing_the_same_log_again_changes_nothing(cli: Cli) -> None:
    _organisation(cli)
    cli("import", "sessions", _copy(cli, "sessions.csv"))
    before = cli.snapshot()

    run = cli("import", "sessions", "sessions.csv")

    assert run.out == [
        "sessions.csv: 0 added, 0 updated, 3 unchanged, 0 deactivated; actions added: 0, "
        "actions superseded: 0, courses assigned: 0, flagged for appraisal language: 0"
    ]
    assert cli.snapshot() == before


def test_every_broken_rule_is_reported_on_its_column_and_nothing_is_written(cli: Cli) -> None:
    _organisation(cli)
    cli("import", "sessions", _copy(cli, "sessions.csv"))
    before = cli.snapshot()
    name = cli.write(
        "log.csv",
        "\n".join(
            [
                HEADER,
                # 2: the same session as stored: fine
                "ada@example.org,grace@example.org,2025-11-04,45,skill_development,feedback,"
                "Asks for feedback weekly|Practised the SBI model|Wants to coach juniors,"
                "Run one feedback session|Read the SBI guide,C-101",
                # 3: another session of a stored pair and day
                "ada@example.org,grace@example.org,2025-12-02,60,role_progression,python,"
                "Shadowing the lead|Took on code review|Interested in the staff track,Lead,",
                "nobody@example.org,grace@example.org,2025-11-06,30,skill_development,python,"
                "One|Two|Three,Act,",
                "ada@example.org,alan@example.org,2025-11-10,30,skill_development,python,"
                "One|Two|Three,Act,",
                "grace@example.org,alan@example.org,2099-01-01,5,chat,ghost,One|Two,Act,"
                "C-999;C-101",
                "grace@example.org,alan@example.org,2025-13-01,half an hour,skill_development,"
                "python,One|Two|Three,Act,",
                "grace@example.org,alan@example.org,2025-11-20,30,skill_development,python,"
                "One|Two|Three,Act,",
                "grace@example.org,alan@example.org,2025-11-20,45,skill_development,python,"
                "One|Two|Three,Act,",
                'grace@example.org,alan@example.org,2025-11-21,30,skill_development,python,"One',
                'continued|Two|Three",Act,',
                "ada@example.org,grace@example.org,2025-11-22,30,skill_development,python,"
                "One|Two|Three,A|B|C|D|E|F,",
            ]
        )
        + "\n",
    )

    run = cli("import", "sessions", name)

    assert run.code == 1
    assert run.err == [
        "log.csv:3: held_on: One session per day: a session with grace@example.org on"
        " 2025-12-02 is already logged.",
        "log.csv:4: manager_email: unknown person nobody@example.org (import them with people.csv)",
        "log.csv:5: employee_email: alan@example.org was not a report of ada@example.org"
        " on 2025-11-10",
        "log.csv:6: held_on: 2099-01-01 is in the future; log a session once it has happened.",
        "log.csv:6: duration_minutes: 5 minutes is outside 15-120 minutes.",
        "log.csv:6: focus_type: 'chat' is not one of skill_development, performance_goals,"
        " role_progression, development_area",
        "log.csv:6: skill_id: 'ghost' is not a skill in the framework.",
        "log.csv:6: key_points: Write 3 to 5 key points, separated by |; 2 given.",
        "log.csv:6: course_ids: 'C-999' is not a course in the catalogue.",
        "log.csv:7: held_on: '2025-13-01' is not a real date",
        "log.csv:7: duration_minutes: 'half an hour' is not a whole number",
        "log.csv:9: held_on: line 8 has a session of this pair on this day",
        "log.csv:10: key_points: Key point 1 runs over several lines; keep it to one line.",
        "log.csv:12: actions: Agree 1 to 5 actions, separated by |; 6 given.",
        "log.csv: 14 problems; nothing imported, the database is unchanged",
    ]
    assert cli.snapshot() == before


def test_a_dry_run_writes_no_session(cli: Cli) -> None:
    _organisation(cli)
    before = cli.snapshot()

    run = cli("import", "sessions", _copy(cli, "sessions.csv"), "--dry-run")

    assert run.out == [
        "sessions.csv: 3 added, 0 updated, 0 unchanged, 0 deactivated; actions added: 4, "
        "actions superseded: 2, courses assigned: 3, flagged for appraisal language: 1"
        " (dry run, nothing written)"
    ]
    assert cli.snapshot() == before


async def _import(
    engine: AsyncEngine, tmp_path: Path, kind: str, at: datetime, content: str
) -> ImportResult:
    path = tmp_path / f"{kind}.csv"
    path.write_text(content, encoding="utf-8")
    return await import_file(engine, kind, path, clock=FixedClock(at), file_name=f"{kind}.csv")


async def test_a_former_report_may_be_logged_for_days_before_the_relationship_ended(
    engine: AsyncEngine, tmp_path: Path
) -> None:
    ada = "ada@example.org,Ada,Eng,,,,,,,,"
    grace = "grace@example.org,Grace,Eng,,ada@example.org,,,,,,"
    day_1, day_2 = datetime(2026, 3, 1, tzinfo=UTC), datetime(2026, 4, 10, tzinfo=UTC)
    alan_under_grace = "alan@example.org,Alan,Eng,,grace@example.org,,,,,,"
    alan_under_ada = "alan@example.org,Alan,Eng,,ada@example.org,,,,,,"
    await _import(engine, tmp_path, "people", day_1, people_csv(ada, grace, alan_under_grace))
    # on day 2 Alan moves to Ada: Grace's relationship with him ends on 2026-04-10
    await _import(engine, tmp_path, "people", day_2, people_csv(ada, grace, alan_under_ada))
    await _import(engine, tmp_path, "skills", day_2, "skill_id,name\npython,Python\n")
    rows = "One|Two|Three,Act,"
    earlier = f"grace@example.org,alan@example.org,2025-06-01,30,skill_development,python,{rows}"
    last_day = f"grace@example.org,alan@example.org,2026-04-09,30,skill_development,python,{rows}"
    after = f"grace@example.org,alan@example.org,2026-04-10,30,skill_development,python,{rows}"
    new_manager = f"ada@example.org,alan@example.org,2025-06-01,30,skill_development,python,{rows}"
    day_3 = datetime(2026, 5, 1, tzinfo=UTC)

    refused = await _import(
        engine, tmp_path, "sessions", day_3, "\n".join([HEADER, earlier, last_day, after])
    )
    accepted = await _import(
        engine, tmp_path, "sessions", day_3, "\n".join([HEADER, earlier, last_day, new_manager])
    )

    assert refused.problems == [
        "sessions.csv:4: employee_email: alan@example.org was not a report of"
        " grace@example.org on 2026-04-10"
    ]
    assert accepted.ok
    assert await fetch(
        engine,
        "SELECT m.email, s.held_on FROM coaching_session s JOIN person m ON m.id = s.manager_id"
        " ORDER BY s.id",
    ) == [
        ("grace@example.org", "2025-06-01"),
        ("grace@example.org", "2026-04-09"),
        ("ada@example.org", "2025-06-01"),
    ]
