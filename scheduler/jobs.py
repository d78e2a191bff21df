"""The scheduler's periodic jobs: each reads the clock's time, calls one use-case and wakes the
dispatcher when it queued anything. The sweep queues the nudges due now; the digest job queues
L&D admins' weekly digest."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import timedelta

from bot.clock import Clock
from bot.ports import NudgeStore, UnitOfWork
from bot.services.digest import queue_weekly_digests
from bot.services.nudges import NudgePolicy, sweep
from bot.services.reports import ProgrammeReports

log = logging.getLogger(__name__)

SWEEP_EVERY = timedelta(minutes=5)
"""Working windows are two hours long: a sweep every few minutes reaches everyone early."""


@dataclass(frozen=True, slots=True)
class PeriodicJob:
    """A job run every `every`, first `first_after` after start."""

    name: str
    every: timedelta
    run: Callable[[], Awaitable[object]]
    first_after: timedelta = timedelta(seconds=5)


def sweep_job(
    store: NudgeStore, clock: Clock, policy: NudgePolicy, notify: Callable[[], None]
) -> PeriodicJob:
    """The nudge sweep: queue the nudges whose working window contains the clock's time."""

    async def run_sweep() -> object:
        outcome = await sweep(store, clock.now(), policy)
        log.info("sweep queued %d nudge(s) of %d planned", outcome.queued, outcome.planned)
        if outcome.queued:
            notify()
        return outcome

    return PeriodicJob("nudge-sweep", SWEEP_EVERY, run_sweep)


def digest_job(
    unit_of_work: Callable[[], UnitOfWork],
    reports: ProgrammeReports,
    clock: Clock,
    policy: NudgePolicy,
    notify: Callable[[], None],
) -> PeriodicJob:
    """The weekly L&D digest where an admin's Monday window has come, checked as often as the
    sweep (it goes once a week per admin)."""

    async def run_digest() -> object:
        queued = await queue_weekly_digests(
            unit_of_work,
            reports,
            clock.now(),
            policy.default_zone,
            policy.holidays,
            policy.country_holidays,
        )
        if queued:
            log.info("queued %d weekly digest(s)", queued)
            notify()
        return queued

    return PeriodicJob("ld-digest", SWEEP_EVERY, run_digest, first_after=timedelta(seconds=20))
