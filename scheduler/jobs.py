"""The scheduler's jobs: each takes the clock's time and calls one use-case. The sweep queues
the nudges due now and wakes the dispatcher; the digest job queues L&D admins' weekly digest."""

from __future__ import annotations

import logging
from collections.abc import Callable

from bot.clock import Clock
from bot.ports import NudgeStore
from bot.services.digest import DigestStore, queue_weekly_digests
from bot.services.nudges import NudgePolicy, SweepOutcome, sweep
from bot.services.reports import ProgrammeReports

log = logging.getLogger(__name__)


async def sweep_nudges(
    store: NudgeStore, clock: Clock, policy: NudgePolicy, notify: Callable[[], None]
) -> SweepOutcome:
    """Queue the nudges whose working window contains the clock's time."""
    outcome = await sweep(store, clock.now(), policy)
    if outcome.queued:
        log.info("sweep queued %d nudge(s) of %d planned", outcome.queued, outcome.planned)
        notify()
    return outcome


async def send_weekly_digests(
    store: DigestStore,
    reports: ProgrammeReports,
    clock: Clock,
    policy: NudgePolicy,
    notify: Callable[[], None],
) -> int:
    """Queue the L&D admins' weekly digest where their Monday window has come."""
    queued = await queue_weekly_digests(
        store, reports, clock.now(), policy.default_zone, policy.holidays, policy.country_holidays
    )
    if queued:
        log.info("queued %d weekly digest(s)", queued)
        notify()
    return queued
