"""Builds the one `Application` from the settings: `adapters/bootstrap.py` for the running
process, `opened_application` for one command-line run. The only place its stores are made."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager

from sqlalchemy.ext.asyncio import AsyncEngine

from adapters.application import Application, nothing_to_deliver
from adapters.config import Settings
from adapters.lms import lms_targets
from adapters.nudge_policy import nudge_policy
from bot.clock import Clock, SystemClock
from bot.ports import UnitOfWork
from bot.services.console import ConsoleAccess
from bot.services.identity import ChatIdentity
from bot.services.reports import ProgrammeReports
from storage.console_sign_ins import SqlConsoleSignIns
from storage.conversations import SqlConversations
from storage.db import create_engine
from storage.nudge_store import SqlNudgeStore
from storage.reports import SqlReportSource
from storage.slack_views import SqlOpenedViews
from storage.unit_of_work import unit_of_work_factory
from storage.workspaces import SqlInstallations


def application_for(
    settings: Settings,
    engine: AsyncEngine,
    clock: Clock,
    *,
    unit_of_work: Callable[[], UnitOfWork] | None = None,
    outbox_written: Callable[[], None] = nothing_to_deliver,
) -> Application:
    """The application on `engine` as the settings configure it (a malformed
    `COACHBOT_HOLIDAYS` raises ConfigError)."""
    unit_of_work = unit_of_work or unit_of_work_factory(engine)
    return Application(
        settings=settings,
        engine=engine,
        unit_of_work=unit_of_work,
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
        installations=SqlInstallations(engine),
        opened_views=SqlOpenedViews(engine),
        conversations=SqlConversations(engine),
        identity=ChatIdentity(unit_of_work),
        console=ConsoleAccess(SqlConsoleSignIns(engine), unit_of_work, clock, settings.public_url),
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
