"""The programme report service as the organisation's settings configure it (period default
zone, minimum group size, the managers' coaching module), for every door that reports."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncEngine

from adapters.config import Settings
from bot.clock import Clock
from bot.services.reports import ProgrammeReports
from storage.reports import SqlReportSource


def programme_reports(settings: Settings, engine: AsyncEngine, clock: Clock) -> ProgrammeReports:
    return ProgrammeReports(
        SqlReportSource(engine),
        clock,
        timezone=settings.timezone,
        min_group_size=settings.min_group_size,
        manager_module_course=settings.manager_module_course,
    )
