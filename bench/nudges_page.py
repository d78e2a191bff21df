"""How long the console's Nudges page takes to work out the next 7 days' reminders for 20,000
coaching relationships (`adapters.nudge_overview.forecast`: each day read once, each of its 12
moments planned for the time zones in their window) against asking the preview at each moment
(`sends_at`, what `coachbot nudges preview` does for one moment: one query per moment), in
the same run, on SQLite and PostgreSQL. The organisation is `bench/sweep.py`'s, on the Monday
morning it measures. Printed: both times and `nudges page ratio forecast/per moment`. Target:
at most 0.5x (what the page gained). Run:
`.venv/bin/python bench/nudges_page.py [--relationships N] [--only sqlite|postgresql]`."""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from adapters.bootstrap import build
from adapters.config import load_settings
from adapters.nudge_overview import SAMPLE_EVERY, forecast, sends_at
from bot.clock import FixedClock
from storage.db import create_engine, upgrade
from tests.support.databases import PostgresFactory, SqliteFactory
from tests.support.pgcluster import throwaway_cluster
from tests.support.sweep_org import populate

TARGET = 0.5
DAYS = 7
NOW = datetime(2026, 3, 9, 6, 0, tzinfo=ZoneInfo("Europe/London"))


async def measure(url: str, relationships: int) -> tuple[float, float, int]:
    """Seconds for the forecast, seconds for the same days moment by moment, and how many
    reminders the forecast lists (checked equal to the other's)."""
    engine = create_engine(url)
    try:
        await upgrade(engine)
        await populate(engine, relationships)
    finally:
        await engine.dispose()
    settings = load_settings().model_copy(update={"database_url": url, "timezone": "Europe/London"})
    application = build(settings, clock=FixedClock(NOW)).application
    try:
        started = time.perf_counter()
        plans = await forecast(application, DAYS)
        page = time.perf_counter() - started
        started = time.perf_counter()
        seen: set[tuple[str, str, str | None, object]] = set()
        at = NOW
        end = datetime.combine(plans[-1].day + timedelta(days=1), datetime.min.time(), NOW.tzinfo)
        while at < end:
            for entry in await sends_at(application, at):
                seen.add((entry.recipient, entry.kind, entry.about, entry.due_on))
            at += SAMPLE_EVERY
        one_by_one = time.perf_counter() - started
    finally:
        await application.engine.dispose()
    listed = sum(len(plan.entries) for plan in plans)
    assert listed == len(seen), (listed, len(seen))
    return page, one_by_one, listed


def run(label: str, fresh: Callable[[], str], relationships: int) -> bool:
    page, one_by_one, listed = asyncio.run(measure(fresh(), relationships))
    ratio = page / one_by_one
    print(
        f"{label}: {relationships} relationships, {listed} reminders over {DAYS + 1} days: "
        f"the page's forecast {page:.2f} s, moment by moment {one_by_one:.2f} s"
    )
    print(f"{label} nudges page ratio forecast/per moment: {ratio:.2f}x (target <= {TARGET}x)")
    return ratio <= TARGET


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--relationships", type=int, default=20000)
    parser.add_argument("--only", choices=["sqlite", "postgresql"])
    args = parser.parse_args()
    ok = True
    if args.only != "postgresql":
        with tempfile.TemporaryDirectory() as folder:
            ok &= run("SQLite", SqliteFactory(Path(folder)).fresh, args.relationships)
    if args.only != "sqlite":
        with throwaway_cluster() as admin_url:
            ok &= run("PostgreSQL", PostgresFactory(admin_url).fresh, args.relationships)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
