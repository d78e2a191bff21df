"""The Nudges page in Chromium: the week's reminders by kind and day, changed by leave; the
outbox's failed rows with their reason and a *Retry* that sends them again."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot.services.nudges import sweep
from tests.browser.conftest import sign_in
from tests.browser.harness import InLoop
from tests.console.conftest import ConsoleWorld

MAYA = "U0MAYA"
LONDON = ZoneInfo("Europe/London")


def planned(rows: list[str], who: str) -> list[str]:
    return [row for row in rows if row.startswith(who)]


async def test_leave_added_on_the_people_page_takes_a_managers_reminders_off_the_week(
    world: ConsoleWorld, page: InLoop
) -> None:
    await sign_in(world, page)
    await page.open("/console/nudges")
    await page.assert_accessible()
    before = await page.texts("details table tbody tr")
    assert planned(before, "Maya Patel session overdue Ed Jones")
    assert planned(before, "Olu Bello session overdue Kim Lee")

    await page.follow("People")
    await page.fill("Name or e-mail", "maya")
    await page.press("Search")
    await page.follow("Maya Patel")
    today = world.clock.now().date()
    await page.set_date("First day", str(today - timedelta(days=1)))
    await page.set_date("Last day", str(today + timedelta(days=10)))
    await page.press("Add leave")
    assert str(today + timedelta(days=10)) in await page.text("main")

    await page.follow("Nudges")
    after = await page.texts("details table tbody tr")
    assert not planned(after, "Maya Patel")
    assert planned(after, "Olu Bello session overdue Kim Lee")
    assert len(after) < len(before)
    await page.assert_accessible()


async def test_a_failed_message_is_listed_with_its_reason_and_retry_sends_it(
    world: ConsoleWorld, page: InLoop
) -> None:
    app = world.slack.coachbot.application
    world.clock.set(next_working_morning(world.clock.now()))
    assert (await sweep(app.nudge_store, world.clock.now(), app.nudge_policy)).queued
    maya = world.slack.emulator.directory.get(MAYA)
    assert maya is not None
    # Maya has left Slack, so her reminders fail (a copy: the tests' users stay as they are)
    world.slack.emulator.add_user(replace(maya, deleted=True))
    await world.slack.deliver()
    sent_before = len(world.slack.emulator.messages_to(MAYA))

    await sign_in(world, page)
    await page.open("/console/nudges")
    failed = [row for row in await page.texts("#outbox-rows tbody tr") if " failed " in row]
    assert failed and all("maya@example.org" in row for row in failed), failed
    assert all("undeliverable: users_not_found" in row for row in failed), failed
    await page.assert_accessible()

    world.slack.emulator.add_user(maya)  # she is back
    row_id = failed[0].split()[0]
    await page.press(f"Retry message {row_id}", by_label=True)
    assert f"Message {row_id} is queued again" in await page.text("main")
    await page.assert_accessible()
    await world.slack.deliver()
    assert len(world.slack.emulator.messages_to(MAYA)) == sent_before + 1
    await page.open("/console/nudges")
    rows = await page.texts("#outbox-rows tbody tr")
    assert not [row for row in rows if row.startswith(f"{row_id} ")]


def next_working_morning(now: datetime) -> datetime:
    """09:30 in London on the next Monday to Thursday after `now`."""
    day = now.astimezone(LONDON).date() + timedelta(days=1)
    while day.weekday() > 3:
        day += timedelta(days=1)
    return datetime.combine(day, time(9, 30), LONDON)
