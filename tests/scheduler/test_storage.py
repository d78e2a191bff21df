"""The sweep's set-based reads and the snooze button through the real Slack door."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import date

import pytest
from sqlalchemy import select

from bot.model import Cadence
from bot.nudges import LeavePeriod, RelationshipState
from bot.ports import SnoozeRecord
from storage.tables import metadata
from tests.scheduler.conftest import World
from tests.slack.conftest import USERS, seed
from tests.support.slack_world import SlackWorld, eventually, start_world, today_utc


async def test_snapshot_reads_current_relationships_with_their_last_session(
    both_world: World,
) -> None:
    world = both_world
    maya = await world.person("Maya Patel")
    olu = await world.person("Olu Bello")
    ed = await world.person("Ed Jones", cadence="fortnightly", tz="Pacific/Auckland")
    new = await world.person("Nia New", start_date=date(2026, 2, 16))
    gone = await world.person("Gus Gone", active=False)
    later = await world.person("Lou Later", start_date=date(2026, 6, 1))
    await world.coaches(olu, ed, date(2025, 1, 6))
    async with world.engine.begin() as db:
        relationship = metadata.tables["coaching_relationship"]
        await db.execute(relationship.update().values(ended_on=date(2025, 9, 1)))
    await world.coaches(maya, ed, date(2025, 9, 1))
    await world.coaches(maya, ed, date(2025, 12, 1))  # named again later: first start counts
    await world.coaches(maya, new, date(2026, 2, 2))
    await world.coaches(maya, gone, date(2025, 9, 1))
    await world.coaches(maya, later, date(2026, 2, 2))
    await world.session(olu, ed, date(2025, 8, 1), actions=["Old action"])
    await world.session(maya, ed, date(2026, 2, 20), actions=["New action", "Another"])
    await world.session(maya, ed, date(2026, 1, 20))
    await world.store.add_leave(ed, LeavePeriod(date(2026, 3, 1), date(2026, 3, 5)))
    await world.store.add_leave(ed, LeavePeriod(date(2025, 1, 1), date(2025, 1, 5)))  # long over
    await world.store.add_snooze(SnoozeRecord(maya, ed, date(2026, 3, 8)))
    await world.store.add_snooze(SnoozeRecord(maya, ed, date(2026, 3, 10)))

    snapshot = await world.store.snapshot(date(2026, 3, 2), module_course="C-COACH")

    fortnightly = Cadence.FORTNIGHTLY
    assert sorted(snapshot.relationships, key=lambda r: r.employee_id) == [
        RelationshipState(maya, ed, date(2025, 9, 1), fortnightly, None, date(2026, 2, 20), 3),
        RelationshipState(maya, new, date(2026, 2, 16), None, date(2026, 2, 16), None, 0),
    ]
    assert snapshot.zones[ed] == "Pacific/Auckland"
    assert snapshot.leave == {ed: (LeavePeriod(date(2026, 3, 1), date(2026, 3, 5)),)}
    assert [(s.manager_id, s.employee_id, s.until) for s in snapshot.snoozes] == [
        (maya, ed, date(2026, 3, 10))
    ]
    assert snapshot.module_pending == (maya,)


async def test_claims_take_a_recipients_nudges_of_one_window_together(both_world: World) -> None:
    world = both_world
    maya = await world.person("Maya Patel")
    reports = []
    for number in range(6):
        employee = await world.person(f"Report{number} Person", cadence="monthly")
        await world.coaches(maya, employee, date(2025, 6, 2))
        await world.session(maya, employee, date(2026, 2, 9))
        reports.append(employee)
    from tests.scheduler.conftest import at

    await world.sweep_at(at("2026-03-09T09:30+00:00"))
    first = await world.queue.claim_due(world.clock.now(), 2)  # asks for 2, gets the window
    assert len(first) == 6
    assert await world.queue.claim_due(world.clock.now(), 2) == []


@pytest.fixture
async def slack(sqlite_url: str) -> AsyncIterator[SlackWorld]:
    await seed(sqlite_url)
    world, close = await start_world(sqlite_url, USERS)
    yield world
    await close()


async def test_the_snooze_button_stores_a_snooze_and_says_until_when(slack: SlackWorld) -> None:
    due = today_utc()
    response = await slack.click("U0MAYA", "snooze_nudge:1", f"2:{due.isoformat()}")
    assert response.status == 200
    [reply] = await eventually(lambda: slack.emulator.messages_to("U0MAYA"))
    assert reply["text"].startswith("Snoozed: I'll remind you again from ")
    snooze = metadata.tables["snooze"]
    async with slack.coachbot.engine.connect() as db:
        rows = (await db.execute(select(snooze))).mappings().all()
    assert [(r["manager_id"], r["employee_id"]) for r in rows] == [(1, 2)]
    assert (rows[0]["until"] - due).days == 3


async def test_snoozing_someone_who_is_not_your_report_is_refused(slack: SlackWorld) -> None:
    await slack.click("U0KIM", "snooze_nudge:0", f"2:{today_utc().isoformat()}")
    [reply] = await eventually(lambda: slack.emulator.messages_to("U0KIM"))
    assert "no longer one of your reports" in reply["text"]
