"""The sweep's set-based reads and the snooze button through the real Slack door (more in
`test_snooze.py`)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import date
from typing import Any

import pytest
from sqlalchemy import select

from bot.model import Cadence, OutboxMessage, OutboxStatus
from bot.nudges import LeavePeriod, RelationshipState, Snooze
from storage.tables import metadata
from tests.scheduler.conftest import World, at
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
    await world.store.add_snooze(Snooze(maya, ed, date(2026, 3, 8)))
    await world.store.add_snooze(Snooze(maya, ed, date(2026, 3, 10)))

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
    await world.sweep_at(at("2026-03-09T09:30+00:00"))
    first = await world.queue.claim_due(world.clock.now(), 2)  # asks for 2, gets the window
    assert len(first) == 6
    assert await world.queue.claim_due(world.clock.now(), 2) == []


async def test_the_sweep_remembers_what_it_queued_and_forgets_what_leaves_the_outbox(
    both_world: World,
) -> None:
    world = both_world
    maya = await world.person("Maya Patel")
    ed = await world.person("Ed Jones", cadence="monthly")
    await world.coaches(maya, ed, date(2025, 6, 2))
    await world.session(maya, ed, date(2026, 2, 9), actions=["Draft the plan"])
    moment = at("2026-03-09T09:30+00:00")
    everything = frozenset(OutboxStatus)

    assert (await world.sweep_at(at("2026-03-06T09:30+00:00"))).queued == 1  # check-in to Ed
    assert (await world.sweep_at(moment)).queued == 1  # session_due to Maya
    rows = {row["kind"]: row["id"] for row in await world.outbox()}
    assert await _queued_nudges(world) == [
        (maya, ed, date(2026, 3, 9), rows["session_due"], None, rows["action_checkin"])
    ]
    settled = await world.store.unsettled_snapshot(
        moment, moment.date(), None, everything, "Europe/London"
    )
    assert settled.relationships == ()  # both nudges known queued: left out in SQL

    await world.queue.drop([rows["session_due"]])  # e.g. found stale by the dispatcher
    assert await _queued_nudges(world) == [
        (maya, ed, date(2026, 3, 9), None, None, rows["action_checkin"])
    ]
    again = await world.store.unsettled_snapshot(
        moment, moment.date(), None, everything, "Europe/London"
    )
    assert [(r.manager_id, r.employee_id) for r in again.relationships] == [(maya, ed)]
    assert (await world.sweep_at(moment)).queued == 1  # planned again, queued again
    assert sorted(row["kind"] for row in await world.outbox()) == [
        "action_checkin",
        "session_due",
    ]


async def test_a_session_logged_late_starts_a_period_whose_nudge_is_not_hidden(
    both_world: World,
) -> None:
    world = both_world
    maya = await world.person("Maya Patel")
    ed = await world.person("Ed Jones", cadence="monthly")
    await world.coaches(maya, ed, date(2025, 6, 2))
    await world.session(maya, ed, date(2026, 1, 5))
    assert (await world.run_at("2026-02-05T09:30+00:00")).queued == 1  # due 5 February
    assert (await world.run_at("2026-02-12T09:30+00:00")).queued == 1  # overdue
    await world.session(maya, ed, date(2026, 1, 20))  # held in January, logged late

    assert (await world.run_at("2026-02-23T09:30+00:00")).queued == 1  # due 20 February
    assert [row["dedupe_key"] for row in await world.outbox()][-1] == (
        f"nudge:session_due:{maya}:{ed}:2026-02-20"
    )


async def _queued_nudges(world: World) -> list[tuple[Any, ...]]:
    table = metadata.tables["queued_nudges"]
    async with world.engine.connect() as db:
        columns = [column for column in table.columns if column.name != "id"]
        return [tuple(row) for row in await db.execute(select(*columns))]


async def test_queueing_counts_only_new_rows(both_world: World) -> None:
    world = both_world
    maya = await world.person("Maya Patel")
    moment = at("2026-03-09T09:30+00:00")

    def message(key: str) -> OutboxMessage:
        return OutboxMessage(key, "session_due", "chat", recipient_id=maya)

    assert await world.store.queue([message("a"), message("b")], moment) == 2
    assert await world.store.queue([message("b"), message("c"), message("a")], moment) == 1
    assert await world.store.queue([], moment) == 0
    assert sorted(row["dedupe_key"] for row in await world.outbox()) == ["a", "b", "c"]


@pytest.fixture
async def slack(sqlite_url: str) -> AsyncIterator[SlackWorld]:
    await seed(sqlite_url)
    world, close = await start_world(sqlite_url, USERS)
    yield world
    await close()


async def test_snoozing_someone_who_is_not_your_report_is_refused(slack: SlackWorld) -> None:
    await slack.click("U0KIM", "snooze_nudge:0", f"2:{today_utc().isoformat()}")
    [reply] = await eventually(lambda: slack.emulator.messages_to("U0KIM"))
    assert "no longer one of your reports" in reply["text"]
