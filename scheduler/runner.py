"""The periodic jobs on APScheduler 3.x: an `AsyncIOScheduler` with an in-memory job store
rebuilt at every start (APScheduler's FAQ: a job store is never shared between schedulers; all
state is in our tables), `coalesce` so that missed runs collapse into one, and an explicit
`misfire_grace_time`. `COACHBOT_SCHEDULER=off` leaves it unstarted; the dispatcher runs anyway."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import UTC, datetime

from apscheduler.jobstores.memory import MemoryJobStore  # type: ignore[import-untyped]
from apscheduler.schedulers.asyncio import AsyncIOScheduler  # type: ignore[import-untyped]
from apscheduler.triggers.interval import IntervalTrigger  # type: ignore[import-untyped]

from scheduler.jobs import PeriodicJob

log = logging.getLogger(__name__)

MISFIRE_GRACE_SECONDS = 240
"""A run late by less than this (a busy event loop, a slow database) still happens."""


class SchedulerRunner:
    """Runs the periodic jobs in the current event loop."""

    def __init__(self, jobs: Sequence[PeriodicJob]) -> None:
        self.jobs = list(jobs)
        self._scheduler: AsyncIOScheduler | None = None

    @property
    def running(self) -> bool:
        return self._scheduler is not None and self._scheduler.running

    def start(self) -> None:
        """Build a fresh scheduler with the jobs in memory and start it."""
        scheduler = AsyncIOScheduler(
            jobstores={"default": MemoryJobStore()},
            job_defaults={
                "coalesce": True,
                "max_instances": 1,
                "misfire_grace_time": MISFIRE_GRACE_SECONDS,
            },
            timezone=UTC,
        )
        now = datetime.now(UTC)  # APScheduler's own timing; the jobs read the injected clock
        for job in self.jobs:
            scheduler.add_job(
                job.run,
                IntervalTrigger(seconds=job.every.total_seconds(), timezone=UTC),
                id=job.name,
                name=job.name,
                next_run_time=now + job.first_after,
                replace_existing=True,
            )
        scheduler.start()
        self._scheduler = scheduler
        log.info("scheduler started: %s", ", ".join(job.name for job in self.jobs))

    def stop(self) -> None:
        if self._scheduler is not None and self._scheduler.running:
            self._scheduler.shutdown(wait=False)
        self._scheduler = None
