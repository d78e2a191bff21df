"""`make screenshots`: a PNG of each console page, as the sample organisation's L&D admin sees
it, written to docs/console/ (README shows them). Driven by the browser tests' harness against
the same coachbot the tests serve, signed in through the Slack door."""

from __future__ import annotations

import asyncio
import sys
import tempfile
from datetime import datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from bot.services.nudges import sweep
from tests.browser.harness import InLoop, chromium_in_loop
from tests.browser.worlds import SAMPLE_ADMIN, console_world
from tests.console.conftest import ConsoleWorld
from tests.support.databases import SqliteFactory

PEOPLE = "People (the whole directory: managers, roles, chat identities)"
SAMPLE_PEOPLE = (
    Path(__file__).resolve().parents[2] / "adapters" / "sandbox" / "sample" / "people.csv"
)
LEAVER = "U0MGR0001"  # Maya Chen, a manager, has left Slack: her reminders fail


async def take(out: Path, database_url: str, folder: Path) -> list[Path]:
    shots: list[Path] = []
    async with console_world(database_url, sample=True) as world:
        await failed_messages(world)
        async with chromium_in_loop(world.slack.url, folder / "chromium") as page:

            async def shot(name: str) -> None:
                await page.assert_accessible()
                await page.screenshot(out / f"{name}.png")
                shots.append(out / f"{name}.png")

            link = await world.link_by_command(SAMPLE_ADMIN)
            assert link is not None
            await page.open(world.local(link))
            await shot("sign-in")
            await page.press("Sign in")
            await shot("programme")
            await page.open("/console/people?q=raj")
            await page.follow("Raj Mehta")
            await shot("people")
            await page.open("/console/nudges")
            await shot("nudges")
            await upload(page, folder / "people.csv", bad=True)
            await shot("import-problems")
            await upload(page, folder / "people.csv", bad=False)
            await shot("import-check")
            await page.press("Apply")
            await page.wait_for_text("main", ("Imported:",))
            await page.open("/console/imports")
            await shot("imports")
    return shots


def directory(file: Path, *, bad: bool) -> None:
    """The sample directory with one newcomer, or with mistakes in it."""
    lines = SAMPLE_PEOPLE.read_text(encoding="utf-8").splitlines()
    if bad:
        lines[3] = lines[3].replace("@example.org", "@example", 1)
        lines.append("new.starter@example.org,New Starter,Sales,,nobody@example.org,weekly,,,,,")
    else:
        lines.append("new.starter@example.org,New Starter,Sales,,,monthly,,,,,Europe/London")
    file.write_text("\n".join(lines) + "\n", encoding="utf-8")


async def upload(page: InLoop, file: Path, *, bad: bool) -> None:
    directory(file, bad=bad)
    await page.open("/console/imports")
    await page.choose("What the file holds", PEOPLE)
    await page.attach("CSV file", file)
    await page.press("Check the file")
    await page.wait_for_text("main", ("problem", "would change"))


async def failed_messages(world: ConsoleWorld) -> None:
    """A reminder or two that could not be delivered, so the outbox has something to show."""
    london = ZoneInfo("Europe/London")
    day = world.clock.now().astimezone(london).date() + timedelta(days=1)
    while day.weekday() > 3:
        day += timedelta(days=1)
    world.clock.set(datetime.combine(day, time(9, 30), london))
    app = world.slack.coachbot.application
    await sweep(app.nudge_store, world.clock.now(), app.nudge_policy)
    world.slack.emulator.deactivate_user(LEAVER)
    await world.slack.deliver()


def main(out: Path) -> int:
    with tempfile.TemporaryDirectory(prefix="coachbot-screenshots-") as name:
        folder = Path(name)
        database_url = SqliteFactory(folder).fresh()
        shots = asyncio.run(take(out, database_url, folder))
    for shot in shots:
        print(shot)
    return 0


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1] if len(sys.argv) > 1 else "docs/console")))
