"""The scheduler's jobs: each takes the clock's time and calls one use-case. The sweep queues
the nudges due now and wakes the dispatcher."""

from __future__ import annotations

import logging
from collections.abc import Callable

from bot.clock import Clock
from bot.ports import NudgeStore
from bot.services.nudges import NudgePolicy, SweepOutcome, sweep

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
