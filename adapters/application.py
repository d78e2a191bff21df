"""The application every door serves: the settings, the unit of work, the clock, the nudge
store and policy, the programme reports and the LMS effects the configuration asks for, built
once by `adapters/bootstrap.py` and handed to Slack, Teams, the LMS webhook and the CLI."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import date

from sqlalchemy.ext.asyncio import AsyncEngine

from adapters.config import Settings
from adapters.lms import lms_targets
from adapters.nudge_policy import nudge_policy
from bot.clock import Clock, SystemClock, local_date
from bot.model import Person
from bot.ports import NudgeStore, UnitOfWork
from bot.services.assignments import LmsTargets
from bot.services.nudges import NudgePolicy
from bot.services.reports import ProgrammeReports
from storage.db import create_engine
from storage.nudge_store import SqlNudgeStore
from storage.reports import SqlReportSource
from storage.unit_of_work import unit_of_work_factory


def _nothing_to_deliver() -> None:
    """Where no dispatcher runs (the CLI), the rows a command queues wait for `serve`."""


@dataclass(frozen=True)
class Application:
    """What a door needs to call a service: doors parse, call one service with these, render."""

    settings: Settings
    engine: AsyncEngine
    unit_of_work: Callable[[], UnitOfWork]
    clock: Clock
    nudge_store: NudgeStore
    nudge_policy: NudgePolicy
    reports: ProgrammeReports
    lms: LmsTargets
    outbox_written: Callable[[], None] = _nothing_to_deliver
    """Wakes the outbox dispatcher once a transaction has queued messages."""

    @property
    def timezone(self) -> str:
        """The organisation's zone, for anyone whose own zone is not known."""
        return self.settings.timezone

    def today_for(self, person: Person) -> date:
        """The person's local date (their zone, else the organisation's)."""
        return local_date(self.clock.now(), person.timezone or self.timezone)


def application_for(
    settings: Settings,
    engine: AsyncEngine,
    clock: Clock,
    *,
    unit_of_work: Callable[[], UnitOfWork] | None = None,
    outbox_written: Callable[[], None] = _nothing_to_deliver,
) -> Application:
    """The application on `engine` as the settings configure it (a malformed
    `COACHBOT_HOLIDAYS` raises ConfigError)."""
    return Application(
        settings=settings,
        engine=engine,
        unit_of_work=unit_of_work or unit_of_work_factory(engine),
        clock=clock,
        nudge_store=SqlNudgeStore(engine),
        nudge_policy=nudge_policy(settings),
        reports=ProgrammeReports(
            SqlReportSource(engine),
            clock,
            timezone=settings.timezone,
            min_group_size=settings.min_group_size,
            manager_module_course=settings.manager_module_course,
        ),
        lms=lms_targets(settings),
        outbox_written=outbox_written,
    )


@asynccontextmanager
async def opened_application(settings: Settings) -> AsyncIterator[Application]:
    """The application for one command-line run: its engine is disposed when the run ends."""
    engine = create_engine(settings.database_url)
    try:
        yield application_for(settings, engine, SystemClock())
    finally:
        await engine.dispose()
