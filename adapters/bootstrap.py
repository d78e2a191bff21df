"""The one place that wires coachbot together: settings -> engine -> services -> doors."""

from __future__ import annotations

import asyncio
import contextlib
import signal

from aiohttp import web

from adapters.config import Settings
from adapters.server import build_app
from storage.db import create_engine, upgrade


def describe_doors(settings: Settings) -> list[str]:
    """Lines telling the operator which doors are open and what would open the others."""
    lines = []
    if settings.slack_enabled:
        lines.append("Slack: enabled")
    else:
        lines.append(
            "Slack: off (set SLACK_BOT_TOKEN and SLACK_SIGNING_SECRET, or SLACK_APP_TOKEN)"
        )
    if settings.teams_enabled:
        lines.append("Teams: enabled")
    else:
        lines.append("Teams: off (set MicrosoftAppId, MicrosoftAppPassword, MicrosoftAppTenantId)")
    return lines


async def serve(settings: Settings) -> None:
    """Migrate, then serve HTTP until SIGINT or SIGTERM."""
    engine = create_engine(settings.database_url)
    await upgrade(engine)
    app = build_app(engine)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, settings.host, settings.port)
    await site.start()
    for line in describe_doors(settings):
        print(line, flush=True)
    print(f"coachbot listening on http://{settings.host}:{settings.port}", flush=True)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError):
            loop.add_signal_handler(sig, stop.set)
    try:
        await stop.wait()
    finally:
        await runner.cleanup()
        await engine.dispose()
