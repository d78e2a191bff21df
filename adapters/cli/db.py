"""`coachbot db upgrade`: migrations to head, saying which database and from which revision."""

from __future__ import annotations

import argparse
from typing import Any

from adapters.config import Settings
from storage.db import create_engine, describe_database, upgrade


def register(commands: Any) -> None:
    parser = commands.add_parser("db", help="database maintenance")
    sub = parser.add_subparsers(dest="db_command", required=True)
    sub.add_parser("upgrade", help="run migrations to head").set_defaults(handler=run_upgrade)


async def run_upgrade(settings: Settings, _args: argparse.Namespace) -> int:
    engine = create_engine(settings.database_url)
    try:
        migrated = await upgrade(engine)
    finally:
        await engine.dispose()
    database = describe_database(settings.database_url)
    if migrated.before is None:
        print(f"created the tables in {database} (revision {migrated.after}, the latest)")
    elif migrated.before == migrated.after:
        print(f"{database} is already at the latest revision ({migrated.after})")
    else:
        print(
            f"upgraded {database} from revision {migrated.before} to {migrated.after} (the latest)"
        )
    return 0
