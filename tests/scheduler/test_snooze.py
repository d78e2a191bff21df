"""*Snooze 3 days* keeps its word: clicked through the signed Slack door, the answer says when
the next reminder comes, and sweeping day by day on the server's clock it comes exactly then
(not before, not later). How long a snooze lasts is the server's to decide: the button only
names the reminder, which must be the clicker's own."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select

from adapters.nudge_policy import nudge_policy
from bot.clock import FixedClock
from bot.services.nudges import sweep
from storage.db import create_engine
from storage.nudge_store import SqlNudgeStore
from storage.tables import metadata
from tests.slack.conftest import USERS
from tests.storage.org import insert
from tests.support.slack_world import SlackWorld, eventually, start_world

SNOOZE = metadata.tables["snooze"]


@dataclass
class Org:
    world: SlackWorld
    clock: FixedClock
    maya: int
    ed: int
    kim: int


@pytest.fixture
async def org(database_url: str) -> AsyncIterator[Org]:
    """Maya (London) coaches Ed, last seen 15 November: due Tuesday 15 December 2026, overdue
    22 December. Olu coaches Kim. GB holidays: 25 and 28 December."""
    engine = create_engine(database_url)
    ids = {}
    for user in USERS[:5]:
        first = user.name.split()[0].lower()
        ids[first] = await insert(
            engine, "person", email=user.email, name=user.name, cadence="monthly"
        )
    await insert(engine, "skill", skill_id="SK-COMM", name="Communication")
    for manager, employee in (("maya", "ed"), ("olu", "kim")):
        await insert(
            engine,
            "coaching_relationship",
            manager_id=ids[manager],
            employee_id=ids[employee],
            started_on=date(2026, 1, 5),
        )
        await insert(
            engine,
            "coaching_session",
            manager_id=ids[manager],
            employee_id=ids[employee],
            held_on=date(2026, 11, 15),
            duration_minutes=30,
            focus_type="skill_development",
            skill_id="SK-COMM",
            key_points=["Talked about clarity"],
        )
    await engine.dispose()
    clock = FixedClock(datetime(2026, 12, 15, 8, 0, tzinfo=UTC))
    world, close = await start_world(
        database_url, USERS, clock=clock, COACHBOT_HOLIDAYS="GB", COACHBOT_SCHEDULER="off"
    )
    yield Org(world, clock, ids["maya"], ids["ed"], ids["kim"])
    await close()


async def run_at(org: Org, moment: datetime) -> None:
    """The server's clock moves to `moment`; the sweep runs and everything due is delivered."""
    org.clock.set(moment)
    await sweep(
        SqlNudgeStore(org.world.coachbot.engine), moment, nudge_policy(org.world.coachbot.settings)
    )
    await org.world.deliver()


def texts(org: Org) -> list[str]:
    return [m["text"] for m in org.world.emulator.messages_to("U0MAYA")]


async def click_snooze(org: Org, value: str) -> str:
    before = len(texts(org))
    response = await org.world.click("U0MAYA", "snooze_nudge:1", value)
    assert response.status == 200
    replies = await eventually(lambda: texts(org)[before:] or None)
    return replies[-1]


async def snoozes(org: Org) -> list[date]:
    async with org.world.coachbot.engine.connect() as db:
        return [row.until for row in await db.execute(select(SNOOZE.c.until))]


async def test_the_next_reminder_comes_exactly_when_the_snooze_answer_says(org: Org) -> None:
    await run_at(org, datetime(2026, 12, 15, 9, 30, tzinfo=UTC))
    assert texts(org) == ["Coaching session with Ed Jones is due"]

    org.clock.set(datetime(2026, 12, 15, 9, 45, tzinfo=UTC))
    answer = await click_snooze(org, f"{org.ed}:2026-12-15")

    # Overdue on 22 December, 3 days later: 25 December, a holiday, then the weekend and the
    # Boxing Day holiday on Monday 28.
    assert answer == (
        "Snoozed: I'll remind you about your session with Ed Jones again on Tuesday "
        "29 December, between 09:00 and 11:00 your time, unless you log it before then."
    )
    arrived: dict[date, list[str]] = {}
    day = date(2026, 12, 15)
    while day <= date(2027, 1, 8):
        for hour, minute in ((8, 55), (9, 0), (9, 30), (10, 55), (11, 0), (15, 0)):
            before = len(texts(org))
            await run_at(
                org,
                datetime.combine(day, datetime.min.time(), UTC).replace(hour=hour, minute=minute),
            )
            arrived.setdefault(day, []).extend(texts(org)[before:])
        day += timedelta(days=1)
    assert {day: got for day, got in arrived.items() if got} == {
        date(2026, 12, 29): ["Coaching session with Ed Jones is overdue"]
    }


async def test_the_snooze_length_is_the_servers_not_the_buttons(org: Org) -> None:
    await run_at(org, datetime(2026, 12, 15, 9, 30, tzinfo=UTC))

    answer = await click_snooze(org, f"{org.ed}:2099-01-01")

    assert "out of date" in answer
    assert await snoozes(org) == []
    await run_at(org, datetime(2026, 12, 22, 9, 30, tzinfo=UTC))
    assert texts(org)[-1] == "Coaching session with Ed Jones is overdue"


async def test_only_your_own_reminder_can_be_snoozed(org: Org) -> None:
    # Before any reminder, a made-up button snoozes nothing.
    org.clock.set(datetime(2026, 12, 14, 9, 30, tzinfo=UTC))
    assert "not reminded you" in await click_snooze(org, f"{org.ed}:2026-12-15")
    await run_at(org, datetime(2026, 12, 15, 9, 30, tzinfo=UTC))
    # Kim is Olu's report: her reminder is not Maya's to snooze.
    assert "no longer one of your reports" in await click_snooze(org, f"{org.kim}:2026-12-15")
    assert "Unknown reminder" in await click_snooze(org, f"{org.ed}:2026-02-30")
    assert await snoozes(org) == []
    # Snoozing after the last reminder of the period is refused too.
    await run_at(org, datetime(2026, 12, 22, 9, 30, tzinfo=UTC))
    assert "nothing left to snooze" in await click_snooze(org, f"{org.ed}:2026-12-15")
    assert await snoozes(org) == []
