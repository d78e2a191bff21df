"""The periodic jobs' runner (APScheduler, in memory, coalesced, explicit misfire grace;
off with COACHBOT_SCHEDULER=off while the dispatcher still runs) and the send pacing."""

from __future__ import annotations

from adapters.bootstrap import build
from adapters.config import load_settings
from scheduler.jobs import SWEEP_EVERY
from scheduler.pacing import SEND, Pacer, Rate
from scheduler.runner import MISFIRE_GRACE_SECONDS


async def test_the_jobs_run_in_memory_coalesced_with_a_misfire_grace(sqlite_url: str) -> None:
    coachbot = build(load_settings(DATABASE_URL=sqlite_url, COACHBOT_SCHEDULER="on"))
    assert coachbot.scheduler is not None
    await coachbot.start_background()
    try:
        scheduler = coachbot.scheduler._scheduler
        assert scheduler is not None
        jobs = {job.id: job for job in scheduler.get_jobs()}
        assert set(jobs) == {"nudge-sweep", "ld-digest"}
        for job in jobs.values():
            assert job.coalesce is True
            assert job.misfire_grace_time == MISFIRE_GRACE_SECONDS
            assert job.trigger.interval == SWEEP_EVERY
        assert type(scheduler._jobstores["default"]).__name__ == "MemoryJobStore"
    finally:
        await coachbot.stop_background()
        await coachbot.engine.dispose()
    assert not coachbot.scheduler.running


async def test_scheduler_off_still_runs_the_dispatcher(sqlite_url: str) -> None:
    coachbot = build(load_settings(DATABASE_URL=sqlite_url, COACHBOT_SCHEDULER="off"))
    assert coachbot.scheduler is None
    await coachbot.start_background()
    try:
        assert len(coachbot._tasks) == 1 and not coachbot._tasks[0].done()
    finally:
        await coachbot.stop_background()
        await coachbot.engine.dispose()


class Ticks:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_sends_are_spaced_at_the_platforms_rate() -> None:
    ticks = Ticks()
    pacer = Pacer({"slack": {SEND: Rate(50.0)}}, monotonic=ticks)
    waits = [pacer.reserve("slack", SEND) for _ in range(100)]
    assert waits[0] == 0
    assert abs(waits[-1] - 99 / 50) < 1e-9


def test_a_burst_goes_at_once_then_the_sustained_rate() -> None:
    ticks = Ticks()
    pacer = Pacer({"slack": {SEND: Rate(1.0, burst=5)}}, monotonic=ticks)
    waits = [pacer.reserve("slack", SEND) for _ in range(7)]
    assert waits == [0, 0, 0, 0, 0, 1.0, 2.0]


def test_retry_after_pauses_the_whole_platform() -> None:
    ticks = Ticks()
    pacer = Pacer({"slack": {SEND: Rate(50.0)}}, monotonic=ticks)
    pacer.pause("slack", 30)
    assert pacer.reserve("slack", SEND) == 30
    assert pacer.reserve("teams", SEND) == 0


def test_one_message_per_second_per_channel() -> None:
    ticks = Ticks()
    pacer = Pacer({}, monotonic=ticks)
    assert [pacer.reserve_channel("slack", "U1") for _ in range(3)] == [0, 1.0, 2.0]
    assert pacer.reserve_channel("slack", "U2") == 0
