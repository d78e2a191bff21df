"""Signing in from Slack and reading the Programme page in Chromium, against what
`coachbot report --format json` says; and axe-core's check on every console page."""

from __future__ import annotations

import json
from pathlib import Path

from tests.browser.conftest import sign_in
from tests.browser.harness import InLoop
from tests.browser.worlds import SAMPLE_ADMIN
from tests.console.conftest import ConsoleWorld
from tests.support.serve_process import coachbot, environment


def report_json(world: ConsoleWorld, folder: Path) -> dict:
    env = environment(
        folder,
        DATABASE_URL=world.slack.coachbot.settings.database_url,
        COACHBOT_TIMEZONE="UTC",
    )
    run = coachbot(folder, env, "report", "--format", "json")
    assert run.returncode == 0, run.stderr
    return json.loads(run.stdout)


def percent(rate: float | None) -> str:
    return "–" if rate is None else f"{100 * rate:.1f}%"


async def test_an_admin_signs_in_from_slack_and_reads_the_figures_coachbot_report_prints(
    sample: ConsoleWorld, page: InLoop, tmp_path: Path
) -> None:
    await sign_in(sample, page, SAMPLE_ADMIN)
    assert "Dana Okafor" in await page.text("header")
    cookie = next(c for c in await page.cookies() if c["name"] == "coachbot_console")
    assert cookie["httpOnly"] and cookie["sameSite"] == "Lax"

    report = report_json(sample, tmp_path)
    assert not report["suppressed"]
    facts = dict(zip(await page.texts("dl.facts dt"), await page.texts("dl.facts dd"), strict=True))
    assert facts["People in the programme"] == str(report["people"])
    assert facts["Sessions held"] == str(report["sessions"])
    assert facts["Sessions with a course assigned"] == percent(report["course_assignment_rate"])

    rows = await page.texts("main table:first-of-type tbody tr")
    assert len(rows) == len(report["completion"])
    for shown, row in zip(rows, report["completion"], strict=True):
        if row["suppressed"]:
            assert "fewer than" in shown or "not shown" in shown
            continue
        team = row["name"] if row["group_type"] == "team" else ""
        cells = [row["department"] or "(no department)", team]
        cells += [str(row["people"]), str(row["expected"]), str(row["held"]), percent(row["rate"])]
        assert shown.split() == " ".join(cells).split(), shown
    await page.assert_accessible()


async def test_every_console_page_passes_axe_cores_check(
    sample: ConsoleWorld, page: InLoop, tmp_path: Path
) -> None:
    await page.open("/console/programme")  # signed out
    assert "Sign in to the console" in await page.text("main")
    await page.assert_accessible()
    await page.open("/console/sign-in?person=1&token=forged")
    assert "This link cannot be used" in await page.text("main")
    await page.assert_accessible()

    await sign_in(sample, page, SAMPLE_ADMIN)  # checks the sign-in page itself
    for path in (
        "/console/programme",
        "/console/programme?period=365d&department=Sales",
        "/console/imports",
        "/console/nudges",
        "/console/people",
    ):
        await page.open(path)
        await page.assert_accessible()

    (tmp_path / "skills.csv").write_text("skill_id,name\nSK-X,\n")
    await page.open("/console/imports")
    await page.choose("What the file holds", "Skills")
    await page.attach("CSV file", tmp_path / "skills.csv")
    await page.press("Check the file")
    await page.wait_for_text("main", ("problem",))
    await page.assert_accessible()

    await page.press("Sign out")
    assert "You have signed out" in await page.text("main")
    await page.assert_accessible()
