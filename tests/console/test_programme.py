"""The Programme page shows the report of `coachbot report`: the same figures (its JSON and CSV
downloads are the CLI's output byte for byte), the filters, small groups as "fewer than k
people" with why, and a chart drawn as SVG."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from urllib.parse import urlencode

import pytest

from tests.console.conftest import ConsoleWorld
from tests.reports.sample import AS_OF, MODULE
from tests.support.cli import run_cli

FILTERS = [
    {"as_of": AS_OF.isoformat()},
    {"as_of": AS_OF.isoformat(), "period": "365d", "department": "Eng"},
    {"as_of": AS_OF.isoformat(), "team": "Field"},
    {"as_of": AS_OF.isoformat(), "period": "30d", "department": "eng", "team": "core"},
]


def _cli_args(filters: dict[str, str]) -> list[str]:
    args = ["--as-of", filters["as_of"], "--period", filters.get("period", "90d")]
    for name in ("department", "team"):
        if name in filters:
            args += [f"--{name}", filters[name]]
    return args


async def _cli(console: ConsoleWorld, tmp_path: Path, *args: str) -> str:
    run = await asyncio.to_thread(
        run_cli,
        "report",
        *args,
        cwd=tmp_path,
        DATABASE_URL=console.slack.coachbot.settings.database_url,
        COACHBOT_MIN_GROUP_SIZE="3",
        COACHBOT_MANAGER_MODULE_COURSE=MODULE,
    )
    assert run.returncode == 0, run.stderr
    return run.stdout


@pytest.mark.parametrize("filters", FILTERS, ids=["90d", "eng-365d", "team", "spelling"])
async def test_the_figures_are_coachbot_reports(
    org_console: ConsoleWorld, tmp_path: Path, filters: dict[str, str]
) -> None:
    console = org_console
    browser = await console.signed_in()
    query = urlencode(filters)
    as_json = await console.get(browser, f"/console/programme.json?{query}")
    as_csv = await console.get(browser, f"/console/programme.csv?{query}")
    cli_json = await _cli(console, tmp_path, *_cli_args(filters), "--format", "json")
    cli_csv = await _cli(console, tmp_path, *_cli_args(filters), "--format", "csv")
    assert as_json.status == 200 and as_csv.status == 200
    assert json.loads(as_json.text) == json.loads(cli_json)
    assert as_json.text == cli_json
    # the same lines (the capture reads the CLI's CRLF line ends as newlines)
    assert as_csv.text.splitlines() == cli_csv.splitlines()
    assert "attachment" in as_csv.headers["Content-Disposition"]
    assert as_csv.headers["Content-Type"].startswith("text/csv")

    page = await console.get(browser, f"/console/programme?{query}")
    assert page.status == 200
    figures = json.loads(cli_json)
    if figures["suppressed"]:
        assert f"Fewer than {figures['min_group_size']} people are in scope" in page.text
        return
    assert f"<dt>People in the programme</dt><dd>{figures['people']}</dd>" in page.text
    assert f"<dt>Sessions held</dt><dd>{figures['sessions']}</dd>" in page.text
    for row in figures["completion"]:
        if not row["suppressed"]:
            assert f'<td class="num">{100 * row["rate"]:.1f}%</td>' in page.text
    for area in figures["focus_areas"]:
        assert f'<td>{area["name"]}</td><td class="num">{area["sessions"]}</td>' in page.text
    assert '<svg xmlns="http://www.w3.org/2000/svg"' in page.text and 'role="img"' in page.text


async def test_small_groups_say_fewer_than_k_people_and_why(org_console: ConsoleWorld) -> None:
    browser = await org_console.signed_in()
    page = await org_console.get(browser, f"/console/programme?as_of={AS_OF}")
    assert page.status == 200
    assert "fewer than 3 people" in page.text
    assert "Not shown: fewer than 3 people." in page.text
    figures = json.loads(
        (await org_console.get(browser, f"/console/programme.json?as_of={AS_OF}")).text
    )
    assert figures["theme_alerts"]
    assert "Theme alerts" in page.text and "is the focus of" in page.text
    assert "Manager capability" in page.text


async def test_filters_that_name_nothing_are_refused_with_the_reason(
    org_console: ConsoleWorld,
) -> None:
    browser = await org_console.signed_in()
    for query, said in [
        ("period=45d", "is not a report period"),
        ("as_of=30%2F06%2F2026", "is not a date (YYYY-MM-DD)"),
        ("department=Nope", "Nope"),
    ]:
        page = await org_console.get(browser, f"/console/programme?{query}")
        assert page.status == 400 and said in page.text
        download = await org_console.get(browser, f"/console/programme.csv?{query}")
        assert download.status == 400 and said in download.text


async def test_the_filters_are_labelled_and_keep_their_choice(org_console: ConsoleWorld) -> None:
    browser = await org_console.signed_in()
    page = await org_console.get(
        browser, f"/console/programme?as_of={AS_OF}&period=180d&department=Ops"
    )
    for field in ("period", "department", "team", "as_of"):
        assert f'<label for="{field}">' in page.text and f'id="{field}"' in page.text
    assert '<option value="180d" selected>' in page.text
    assert '<option value="Ops" selected>' in page.text
    assert f'value="{AS_OF}"' in page.text
