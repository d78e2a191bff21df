"""Shared helpers for the service tests: a typical session command and a way to log it."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.clock import FixedClock
from bot.commands import LogSession, NewAction
from bot.services.sessions import SessionLogged, log_session
from storage.tables import metadata
from storage.unit_of_work import SqlUnitOfWork
from tests.storage.org import Org

NOW = datetime(2026, 11, 20, 15, 0, tzinfo=UTC)
TODAY = NOW.date()


async def rows(engine: AsyncEngine, table: str) -> list[dict[str, Any]]:
    t = metadata.tables[table]
    async with engine.connect() as connection:
        result = await connection.execute(select(t).order_by(*t.primary_key.columns))
        return [dict(row) for row in result.mappings()]


def command(org: Org, **changes: Any) -> LogSession:
    cmd = LogSession(
        manager_id=org.maya,
        employee_id=org.ed,
        held_on=TODAY,
        duration_minutes=45,
        focus_type="skill_development",
        skill_id="negotiation",
        key_points=("Prepared for the Acme renewal", "Opened with questions", "Held the price"),
        actions=(NewAction("Role-play the opener with Zoe", date(2026, 11, 27)),),
    )
    return replace(cmd, **changes)


async def logged(
    engine: AsyncEngine, cmd: LogSession, key: str = "k1", *, now: datetime = NOW
) -> SessionLogged:
    result = await log_session(SqlUnitOfWork(engine), cmd, FixedClock(now), "UTC", key)
    assert isinstance(result, SessionLogged), result
    return result
