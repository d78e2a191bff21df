"""Whether the Slack app is installed: one bot token serves one workspace, so the latest change
recorded decides, and a workspace left for another one stops nothing."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncEngine

from storage.workspaces import SqlInstallations, platform_installed

MONDAY = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


async def installed(engine: AsyncEngine, platform: str = "slack") -> bool:
    async with engine.connect() as connection:
        return await platform_installed(connection, platform)


async def test_the_latest_change_for_the_platform_decides(engine: AsyncEngine) -> None:
    assert await installed(engine)  # nothing recorded: installed
    await SqlInstallations(engine).set_installed("T0OLD", "slack", False, MONDAY)
    assert not await installed(engine)
    assert await installed(engine, "teams")  # another platform is not concerned
    await SqlInstallations(engine).set_installed(
        "T0NEW", "slack", True, MONDAY + timedelta(hours=1)
    )
    assert await installed(engine)  # moved to another workspace
    assert not await SqlInstallations(engine).seen_installed(
        "T0NEW", "slack", MONDAY + timedelta(hours=2)
    )
    await SqlInstallations(engine).set_installed(
        "T0NEW", "slack", False, MONDAY + timedelta(hours=3)
    )
    assert not await installed(engine)
    assert await SqlInstallations(engine).seen_installed(
        "T0NEW", "slack", MONDAY + timedelta(hours=4)
    )
    assert await installed(engine)


async def test_a_workspace_never_recorded_is_not_recorded_by_being_seen(
    engine: AsyncEngine,
) -> None:
    assert not await SqlInstallations(engine).seen_installed("T0NEVER", "slack", MONDAY)
    assert await installed(engine)
