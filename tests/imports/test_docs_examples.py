"""The example files of `docs/` are true: each example CSV imports as it is, and the example
report and reminder preview are what coachbot gives for the organisation those files describe."""

from __future__ import annotations

import asyncio
import json
import shutil
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from adapters.cli import main
from adapters.imports import import_file
from bot.clock import FixedClock
from storage.db import create_engine
from tests.imports.support import Cli
from tests.reports.test_cli import SCHEMA as REPORT_SCHEMA

EXAMPLES = Path(__file__).resolve().parents[2] / "docs" / "examples"
IMPORT_ORDER = ("people", "skills", "courses", "skill-levels", "sessions")
IMPORTED_AT = datetime(2026, 12, 4, 9, 0, tzinfo=UTC)  # the day the docs say they were imported

PREVIEW_SCHEMA = {
    "type": "array",
    "items": {
        "type": "object",
        "properties": {
            "recipient": {"type": "string", "format": "email"},
            "kind": {
                "enum": [
                    "session_due",
                    "session_overdue",
                    "action_checkin",
                    "manager_module",
                    "ld_digest",
                ]
            },
            "about": {"type": ["string", "null"]},
            "due_on": {"type": ["string", "null"], "pattern": r"^\d{4}-\d{2}-\d{2}$"},
        },
        "required": ["recipient", "kind", "about", "due_on"],
        "additionalProperties": False,
    },
}


def test_each_example_csv_in_docs_imports_with_dry_run(cli: Cli) -> None:
    for kind in IMPORT_ORDER:
        name = f"{kind}.csv"
        shutil.copy(EXAMPLES / name, cli.folder / name)

        checked = cli("import", kind, name, "--dry-run")
        imported = cli("import", kind, name)  # the next files name what this one holds

        assert (checked.code, checked.err) == (0, []), name
        assert checked.out[0].endswith("(dry run, nothing written)")
        assert imported.code == 0, imported.err
        assert " 0 updated, 0 unchanged, 0 deactivated" in imported.out[0]


@pytest.fixture
def example_organisation(sqlite_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """The example files imported on the day the docs say, as the command line would."""

    async def load() -> None:
        engine = create_engine(sqlite_url)
        try:
            for kind in IMPORT_ORDER:
                result = await import_file(
                    engine, kind, EXAMPLES / f"{kind}.csv", clock=FixedClock(IMPORTED_AT)
                )
                assert result.ok, result.problems
        finally:
            await engine.dispose()

    asyncio.run(load())
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("DATABASE_URL", sqlite_url)
    monkeypatch.setenv("COACHBOT_TIMEZONE", "UTC")
    return sqlite_url


def _run(capsys: pytest.CaptureFixture[str], *args: str) -> str:
    capsys.readouterr()
    assert main(list(args)) == 0
    return capsys.readouterr().out


def test_report_examples_in_docs_are_the_example_organisations_report(
    example_organisation: str, capsys: pytest.CaptureFixture[str]
) -> None:
    documented = json.loads((EXAMPLES / "report.json").read_text())
    jsonschema.validate(documented, REPORT_SCHEMA)

    as_json = _run(capsys, "report", "--as-of", "2026-12-04", "--format", "json")
    as_csv = _run(capsys, "report", "--as-of", "2026-12-04", "--format", "csv")

    assert json.loads(as_json) == documented
    assert as_csv.encode() == (EXAMPLES / "report.csv").read_bytes()


def test_nudges_preview_example_in_docs_is_what_the_preview_lists(
    example_organisation: str, capsys: pytest.CaptureFixture[str]
) -> None:
    documented: list[dict[str, Any]] = json.loads((EXAMPLES / "nudges-preview.json").read_text())
    jsonschema.validate(documented, PREVIEW_SCHEMA)
    order = [(e["recipient"], e["kind"], e["about"] or "") for e in documented]
    assert order == sorted(order)

    previewed = json.loads(
        _run(capsys, "nudges", "preview", "--at", "2026-12-07T09:30Z", "--format", "json")
    )

    assert [entry for entry in documented if entry not in previewed] == []
