"""The Imports page in Chromium: a bad people.csv shows every line's problem and changes
nothing; a good one shows what would change, and *Apply* imports it; the history says who."""

from __future__ import annotations

from pathlib import Path

from tests.browser.conftest import sign_in
from tests.browser.harness import InLoop
from tests.console.conftest import ConsoleWorld
from tests.imports.support import IMPORT_TABLES
from tests.support.serve_process import coachbot, environment

PEOPLE = "People (the whole directory: managers, roles, chat identities)"
FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"


def cli_env(world: ConsoleWorld) -> dict[str, str]:
    return environment(FIXTURES, DATABASE_URL=world.slack.coachbot.settings.database_url)


async def snapshot(world: ConsoleWorld) -> dict[str, int]:
    return {table: await world.count(table) for table in IMPORT_TABLES}


async def upload(page: InLoop, kind_label: str, file: Path) -> None:
    await page.open("/console/imports")
    await page.assert_accessible()
    await page.choose("What the file holds", kind_label)
    await page.attach("CSV file", file)
    await page.press("Check the file")
    await page.wait_for_text("main", ("problem", "would change"))


async def test_a_bad_people_file_shows_each_lines_problem_and_changes_nothing(
    world: ConsoleWorld, page: InLoop
) -> None:
    await sign_in(world, page)
    before = await snapshot(world)
    await upload(
        page,
        "People (the whole directory: managers, roles, chat identities)",
        FIXTURES / "people-bad.csv",
    )
    shown = await page.texts("ul.problems li")
    # the same import as `coachbot import --dry-run`, so the same lines
    cli = coachbot(FIXTURES, cli_env(world), "import", "people", "people-bad.csv", "--dry-run")
    assert cli.returncode == 1
    assert shown == cli.stderr.splitlines()[:-1]
    assert len(shown) == 12
    assert cli.stderr.splitlines()[-1] in await page.text("main")
    assert await page.count("form[action$='/apply']") == 0
    await page.assert_accessible()
    assert await snapshot(world) == before


async def test_a_good_people_file_is_checked_first_then_applied_and_listed_in_the_history(
    world: ConsoleWorld, page: InLoop, tmp_path: Path
) -> None:
    await sign_in(world, page)
    (tmp_path / "directory.csv").write_text(DIRECTORY)
    checked = coachbot(tmp_path, cli_env(world), "import", "people", "directory.csv", "--dry-run")
    assert checked.returncode == 0, checked.stderr
    would = checked.stdout.strip().removesuffix(" (dry run, nothing written)")
    assert "1 added" in would and "relationships started: 1" in would
    before = await snapshot(world)

    await upload(page, PEOPLE, tmp_path / "directory.csv")
    main = await page.text("main")
    assert "Applying it would change" in main
    assert "Added 1" in main and "Relationships started 1" in main
    assert await snapshot(world) == before  # the check wrote nothing
    await page.assert_accessible()

    await page.press("Apply")
    main = await page.wait_for_text("main", ("Imported:",))
    assert f"Imported: {would}" in main
    assert await world.count("person") == before["person"] + 1
    await page.assert_accessible()

    await page.follow("Back to imports")
    rows = await page.texts("table tbody tr")
    assert len(rows) == 1
    assert (
        "Dana Okafor people directory.csv 7 1 added, 1 updated, relationships started: 1" in rows[0]
    )
    await page.assert_accessible()


DIRECTORY = """\
email,name,department,team,manager_email,cadence,roles,start_date,slack_user_id,teams_user_id,timezone
maya@example.org,Maya Patel,Sales,North,,monthly,,,,,
ed@example.org,Ed Jones,Sales,North,maya@example.org,monthly,,,,,
zoe@example.org,Zoe Adams,Sales,North,maya@example.org,monthly,,,,,
olu@example.org,Olu Bello,Sales,North,,monthly,,,,,
kim@example.org,Kim Lee,Sales,South,olu@example.org,monthly,,,,,
lee@example.org,Lee Park,Sales,South,olu@example.org,monthly,,,,,
dana@example.org,Dana Okafor,People,,,,ld_admin,,,,
"""
