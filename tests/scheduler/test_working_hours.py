"""Nudges reach people between 09:00 and 11:00 in their own time zone, on working days, through
both DST changes and across the date line; monthly due dates follow the calendar."""

from __future__ import annotations

from datetime import date

from tests.scheduler.conftest import World


async def _manager_due(world: World, due_basis: date, tz: str = "Europe/London") -> tuple[int, int]:
    """A manager (in `tz`) whose monthly session with Ed is due one month after `due_basis`."""
    manager = await world.person("Maya Patel", tz=tz)
    employee = await world.person("Ed Jones", cadence="monthly", tz=tz)
    await world.coaches(manager, employee, date(2025, 6, 2))
    await world.session(manager, employee, due_basis)
    return manager, employee


async def test_spring_forward_london_window_moves_an_hour_earlier_in_utc(world: World) -> None:
    # Due Saturday 28 March 2026 -> first working window Monday 30 March, the day after BST
    # starts: 09:00 London is 08:00 UTC.
    manager, _ = await _manager_due(world, date(2026, 2, 28))
    await world.run_at("2026-03-27T09:30+00:00")  # Friday, before the due date
    await world.run_at("2026-03-30T07:30+00:00")  # 08:30 BST: too early
    assert world.messages_to(manager) == []
    await world.run_at("2026-03-30T08:15+00:00")  # 09:15 BST
    [message] = world.messages_to(manager)
    assert "is due" in message["text"]
    await world.run_at("2026-03-30T09:30+00:00")
    assert len(world.messages_to(manager)) == 1


async def test_fall_back_london_window_moves_an_hour_later_in_utc(world: World) -> None:
    # Due Monday 26 October 2026, the day after BST ends: 09:00 London is 09:00 UTC again.
    manager, _ = await _manager_due(world, date(2026, 9, 26))
    await world.run_at("2026-10-26T08:30+00:00")  # 08:30 GMT: too early (in BST it was not)
    assert world.messages_to(manager) == []
    await world.run_at("2026-10-26T10:45+00:00")  # 10:45 GMT: in the window
    assert len(world.messages_to(manager)) == 1


async def test_auckland_and_los_angeles_each_in_their_own_morning(world: World) -> None:
    # Both sessions are due Monday 2 March 2026.
    auckland, _ = await _manager_due(world, date(2026, 2, 2), tz="Pacific/Auckland")
    los_angeles, _ = await _manager_due(world, date(2026, 2, 2), tz="America/Los_Angeles")
    await world.run_at("2026-03-01T20:30+00:00")  # Monday 09:30 NZDT; Sunday 12:30 PST
    assert len(world.messages_to(auckland)) == 1
    assert world.messages_to(los_angeles) == []
    await world.run_at("2026-03-02T09:30+00:00")  # Monday 22:30 NZDT; 01:30 PST
    assert world.messages_to(los_angeles) == []
    await world.run_at("2026-03-02T17:30+00:00")  # Monday 09:30 PST; Tuesday 06:30 NZDT
    assert len(world.messages_to(los_angeles)) == 1
    await world.run_at("2026-03-02T20:30+00:00")  # Tuesday 09:30 NZDT: nothing twice
    assert len(world.messages_to(auckland)) == 1
    assert world.posts() == 2


async def test_31_january_is_due_at_the_end_of_february(world: World) -> None:
    # 31 Jan + one month = 28 Feb 2026, a Saturday: the nudge waits for Monday 2 March.
    manager, employee = await _manager_due(world, date(2026, 1, 31))
    await world.run_at("2026-02-27T09:30+00:00")
    assert world.messages_to(manager) == []
    await world.run_at("2026-03-02T09:30+00:00")
    [message] = world.messages_to(manager)
    assert "28 February" in str(message["blocks"])
    [row] = await world.outbox()
    assert row["dedupe_key"] == f"nudge:session_due:{manager}:{employee}:2026-02-28"
    assert row["status"] == "sent"


async def test_nothing_on_weekends(world: World) -> None:
    manager, _ = await _manager_due(world, date(2026, 2, 6))  # due Friday 6 March
    await world.run_at("2026-03-07T09:30+00:00")  # Saturday
    await world.run_at("2026-03-08T09:30+00:00")  # Sunday
    # Friday's window was missed (the bot was down): Monday's window still brings it.
    assert world.messages_to(manager) == []
    await world.run_at("2026-03-09T09:30+00:00")
    assert len(world.messages_to(manager)) == 1
