"""The periodic jobs' lease: one holder at a time across processes sharing the database, renewed
by its holder, taken over once it has expired, let go at a clean stop."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncEngine

from adapters.bootstrap import Coachbot, build
from adapters.config import load_settings
from scheduler.leadership import LEASE_NAME, Leadership
from storage.leases import SqlLease

NOW = datetime(2026, 3, 9, 9, 0, tzinfo=UTC)
PERIOD = timedelta(seconds=30)


async def test_one_holder_at_a_time_until_its_lease_expires(engine: AsyncEngine) -> None:
    first = SqlLease(engine, "periodic-jobs", "host:1:aa")
    second = SqlLease(engine, "periodic-jobs", "host:2:bb")
    assert await first.hold(NOW, PERIOD)
    assert not await second.hold(NOW + timedelta(seconds=1), PERIOD)
    assert await first.hold(NOW + timedelta(seconds=10), PERIOD)  # renewed until 09:00:40
    assert not await second.hold(NOW + timedelta(seconds=39), PERIOD)
    assert await first.current_holder(NOW + timedelta(seconds=39)) == "host:1:aa"
    # the holder died: nobody renews, and the lease passes once it has expired
    assert await second.hold(NOW + timedelta(seconds=41), PERIOD)
    assert not await first.hold(NOW + timedelta(seconds=42), PERIOD)
    assert await first.current_holder(NOW + timedelta(seconds=42)) == "host:2:bb"


async def test_two_processes_asking_at_once_cannot_both_win(engine: AsyncEngine) -> None:
    leases = [SqlLease(engine, "periodic-jobs", f"host:{n}:cc") for n in range(6)]
    won = await asyncio.gather(*(lease.hold(NOW, PERIOD) for lease in leases))
    assert sum(won) == 1


async def test_a_released_lease_is_taken_at_once(engine: AsyncEngine) -> None:
    first = SqlLease(engine, "periodic-jobs", "host:1:aa")
    second = SqlLease(engine, "periodic-jobs", "host:2:bb")
    assert await first.hold(NOW, PERIOD)
    await first.release(NOW + timedelta(seconds=5))
    assert await second.hold(NOW + timedelta(seconds=6), PERIOD)


async def test_the_jobs_run_only_while_the_lease_is_held(engine: AsyncEngine) -> None:
    running: dict[str, bool] = {}

    def leadership(name: str) -> Leadership:
        lease = SqlLease(engine, "periodic-jobs", name)
        return Leadership(
            lease,
            lambda: running.__setitem__(name, True),
            lambda: running.__setitem__(name, False),
            timedelta(seconds=3),
        )

    first, second = leadership("host:1:aa"), leadership("host:2:bb")
    await first.turn()
    await second.turn()
    assert running == {"host:1:aa": True}
    stop = asyncio.Event()
    task = asyncio.create_task(first.run(stop))
    stop.set()
    await task  # a clean stop: jobs stopped, lease let go
    assert running == {"host:1:aa": False}
    await second.turn()
    assert running == {"host:1:aa": False, "host:2:bb": True}


async def test_scheduler_off_keeps_the_process_out_of_the_running(sqlite_url: str) -> None:
    coachbot = build(load_settings(DATABASE_URL=sqlite_url, COACHBOT_SCHEDULER="off"))
    await coachbot.start_background()
    try:
        lease = SqlLease(coachbot.engine, LEASE_NAME, "anyone")
        assert await lease.current_holder(datetime.now(UTC)) is None
    finally:
        await coachbot.stop_background()
        await coachbot.engine.dispose()


async def test_a_lone_process_runs_the_jobs_at_once_and_lets_them_go_when_it_stops(
    sqlite_url: str,
) -> None:
    coachbot = build(load_settings(DATABASE_URL=sqlite_url))
    await coachbot.start_background()
    lease = SqlLease(coachbot.engine, LEASE_NAME, "another:1:aa")
    try:
        assert coachbot.scheduler is not None and coachbot.scheduler.running
        assert await lease.current_holder(datetime.now(UTC)) == f"{coachbot_holder(coachbot)}"
        assert not await lease.hold(datetime.now(UTC), PERIOD)
    finally:
        await coachbot.stop_background()
    assert not coachbot.scheduler.running
    assert await lease.hold(datetime.now(UTC), PERIOD)  # let go at once, not after 30 s
    await coachbot.engine.dispose()


def coachbot_holder(coachbot: Coachbot) -> str:
    assert coachbot.leadership is not None
    return coachbot.leadership.lease.holder
