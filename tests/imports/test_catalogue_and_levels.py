"""`coachbot import skills|courses|skill-levels` through the real command line, on SQLite and
PostgreSQL: what is stored, every problem reported, and a bad file changing nothing."""

from __future__ import annotations

import shutil
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bot.clock import local_date
from tests.imports.support import Cli

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"


def _copy(cli: Cli, name: str) -> str:
    shutil.copy(FIXTURES / name, cli.folder / name)
    return name


def _load_catalogue(cli: Cli) -> None:
    for kind in ("people", "skills", "courses"):
        assert cli("import", kind, _copy(cli, f"{kind}.csv")).code == 0


def test_skills_are_imported_and_updated_and_never_removed(cli: Cli) -> None:
    run = cli("import", "skills", _copy(cli, "skills.csv"))
    assert run.out == ["skills.csv: 2 added, 0 updated, 0 unchanged, 0 deactivated"]
    name = cli.write(
        "more.csv",
        "skill_id,name\nfeedback,Giving and receiving feedback\ncoaching,Coaching others\n",
    )

    run = cli("import", "skills", name)

    assert run.out == ["more.csv: 1 added, 1 updated, 0 unchanged, 0 deactivated"]
    assert cli.rows(
        "SELECT skill_id, name, category, description, framework, framework_ref"
        " FROM skill ORDER BY skill_id"
    ) == [
        ("coaching", "Coaching others", "", "", "custom", ""),
        # columns left out of the file are set to their defaults
        ("feedback", "Giving and receiving feedback", "", "", "custom", ""),
        (
            "python",
            "Python programming",
            "Engineering",
            "",
            "esco",
            "http://data.europa.eu/esco/skill/ccd0a1d9-afda-43d9-b901-96344886e14d",
        ),
    ]


def test_skill_problems(cli: Cli) -> None:
    name = cli.write(
        "skills.csv",
        "skill_id,name,framework\nfeedback,Feedback,\n,Nameless id,\nfeedback,Again,\nx;y,,sfia\n",
    )

    run = cli("import", "skills", name)

    assert run.code == 1
    assert run.err == [
        "skills.csv:3: skill_id: required, but blank",
        "skills.csv:4: skill_id: duplicate of line 2",
        "skills.csv:5: skill_id: 'x;y' contains ';' or '|', which separate lists",
        "skills.csv:5: name: required, but blank",
        "skills.csv: 4 problems; nothing imported, the database is unchanged",
    ]
    assert cli.rows("SELECT COUNT(*) FROM skill") == [(0,)]


def test_courses_map_to_known_skills(cli: Cli) -> None:
    _load_catalogue(cli)

    assert cli.rows(
        "SELECT course_id, title, url, skill_ids, provider, duration_minutes"
        " FROM course ORDER BY course_id"
    ) == [
        ("C-101", "Feedback that lands", "https://lms.example.org/course/101", "feedback",
         "Moodle", 45),
        ("C-202", "Python for analysts", "https://lms.example.org/course/202",
         "python;feedback", "Moodle", None),
    ]  # fmt: skip
    assert cli("import", "courses", "courses.csv").out == [
        "courses.csv: 0 added, 0 updated, 2 unchanged, 0 deactivated"
    ]


def test_course_problems_and_a_bad_file_changes_nothing(cli: Cli) -> None:
    _load_catalogue(cli)
    before = cli.snapshot()
    name = cli.write(
        "courses.csv",
        "course_id,title,url,skill_ids,duration_minutes\n"
        "C-101,Changed title,https://lms.example.org/101,feedback,45\n"
        "C-303,Unknown skills,,leadership;python;ghost,\n"
        "C-404,Bad link,lms.example.org/404,,0\n"
        "C-101,Twice,,,ninety\n",
    )

    run = cli("import", "courses", name)

    assert run.code == 1
    assert run.err == [
        "courses.csv:3: skill_ids: unknown skill 'leadership' (import it with skills.csv)",
        "courses.csv:3: skill_ids: unknown skill 'ghost' (import it with skills.csv)",
        "courses.csv:4: url: 'lms.example.org/404' is not an http(s) URL",
        "courses.csv:4: duration_minutes: 0 is out of range (must be at least 1)",
        "courses.csv:5: course_id: duplicate of line 2",
        "courses.csv:5: duration_minutes: 'ninety' is not a whole number",
        "courses.csv: 6 problems; nothing imported, the database is unchanged",
    ]
    assert cli.snapshot() == before


def test_skill_levels_are_imported_once_per_person_skill_and_date(cli: Cli) -> None:
    _load_catalogue(cli)

    run = cli("import", "skill-levels", _copy(cli, "skill-levels.csv"))

    assert run.out == ["skill-levels.csv: 3 added, 0 updated, 0 unchanged, 0 deactivated"]
    assert cli.rows(
        "SELECT p.email, l.skill_id, l.level, l.assessed_on, l.source FROM skill_level l"
        " JOIN person p ON p.id = l.employee_id ORDER BY l.id"
    ) == [
        ("grace@example.org", "python", 3, "2026-06-01", "import"),
        ("alan@example.org", "python", 2, "2026-06-01", "import"),
        ("alan@example.org", "feedback", 1, "2026-09-15", "import"),
    ]
    name = cli.write(
        "levels.csv",
        "email,skill_id,level,assessed_on\n"
        "GRACE@example.org,python,3,2026-06-01\n"
        "alan@example.org,python,3,2026-06-01\n",
    )
    assert cli("import", "skill-levels", name).out == [
        "levels.csv: 0 added, 1 updated, 1 unchanged, 0 deactivated"
    ]
    assert cli.rows("SELECT level FROM skill_level ORDER BY id") == [(3,), (3,), (1,)]


def test_skill_level_problems(cli: Cli) -> None:
    _load_catalogue(cli)
    before = cli.snapshot()
    tomorrow = (local_date(datetime.now(UTC), "UTC") + timedelta(days=1)).isoformat()
    name = cli.write(
        "levels.csv",
        "email,skill_id,level,assessed_on\n"
        "grace@example.org,python,3,2026-06-01\n"
        "nobody@example.org,ghost,5,2026-06-01\n"
        "alan@example.org,python,two,\n"
        f"alan@example.org,feedback,-1,{tomorrow}\n"
        "grace@example.org,python,2,2026-06-01\n",
    )

    run = cli("import", "skill-levels", name)

    assert run.code == 1
    assert run.err == [
        "levels.csv:3: email: unknown person nobody@example.org (import them with people.csv)",
        "levels.csv:3: skill_id: unknown skill 'ghost' (import it with skills.csv)",
        "levels.csv:3: level: 5 is out of range (must be from 0 to 4)",
        "levels.csv:4: level: 'two' is not a whole number",
        "levels.csv:4: assessed_on: required, but blank",
        "levels.csv:5: level: -1 is out of range (must be from 0 to 4)",
        f"levels.csv:5: assessed_on: {tomorrow} is in the future"
        f" (today is {local_date(datetime.now(UTC), 'UTC').isoformat()})",
        "levels.csv:6: assessed_on: line 2 already gives this person's level of python"
        " on 2026-06-01",
        "levels.csv: 8 problems; nothing imported, the database is unchanged",
    ]
    assert cli.snapshot() == before
