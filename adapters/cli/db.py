"""`coachbot db upgrade`: migrations to head."""

from __future__ import annotations

import argparse
from typing import Any

from adapters.config import Settings
from storage.db import create_engine, upgrade


def register(commands: Any) -> None:
    parser = commands.add_parser("db", help="database maintenance")
    sub = parser.add_subparsers(dest="db_command", required=True)
    sub.add_parser("upgrade", help="run migrations to head").set_defaults(handler=run_upgrade)


async def run_upgrade(settings: Settings, _args: argparse.Namespace) -> int:
    engine = create_engine(settings.database_url)
    try:
        await upgrade(engine)
    finally:
        await engine.dispose()
    print("database is at the latest migration")
    return 0
