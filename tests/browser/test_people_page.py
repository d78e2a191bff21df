"""Erasing a person from the People page in Chromium: behind a confirmation that asks for
their e-mail, as `coachbot person erase` does."""

from __future__ import annotations

from sqlalchemy import select

from storage.tables import metadata
from tests.browser.conftest import sign_in
from tests.browser.harness import InLoop
from tests.console.conftest import ConsoleWorld

PERSON = metadata.tables["person"]


async def emails(world: ConsoleWorld) -> set[str]:
    async with world.slack.coachbot.engine.connect() as db:
        return set((await db.execute(select(PERSON.c.email))).scalars())


async def test_a_person_is_erased_only_once_their_email_is_typed(
    world: ConsoleWorld, page: InLoop
) -> None:
    await sign_in(world, page)
    await page.open("/console/people")
    await page.fill("Name or e-mail", "ed@")
    await page.press("Search")
    await page.follow("Ed Jones")
    await page.assert_accessible()
    await page.follow("Erase Ed Jones…")
    await page.assert_accessible()

    await page.fill("Type their e-mail, ed@example.org, to confirm", "zoe@example.org")
    await page.press("Erase for good")
    shown = await page.text("main")
    assert "ed@example.org" in await emails(world), shown  # the wrong e-mail erases nothing
    await page.assert_accessible()

    await page.fill("Type their e-mail, ed@example.org, to confirm", "ed@example.org")
    await page.press("Erase for good")
    assert await page.text("h1") == "Erased", await page.text("main")
    await page.assert_accessible()
    assert "ed@example.org" not in await emails(world)
    assert "zoe@example.org" in await emails(world)
