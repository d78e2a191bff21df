"""The `coachbot` command line: serve, migrate, import, and the operators' tools."""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Sequence

from adapters.config import ConfigError, Settings, load_settings


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="coachbot", description="The coaching programme bot.")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    commands.add_parser("serve", help="serve Slack, Teams, the LMS webhook and the scheduler")
    db = commands.add_parser("db", help="database maintenance")
    db_commands = db.add_subparsers(dest="db_command", required=True)
    db_commands.add_parser("upgrade", help="run migrations to head")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        settings = load_settings()
    except ConfigError as exc:
        print(f"coachbot: configuration error: {exc}", file=sys.stderr)
        return 2
    handler = HANDLERS[args.command]
    return asyncio.run(handler(settings, args))


async def _serve(settings: Settings, _args: argparse.Namespace) -> int:
    from adapters.bootstrap import serve

    await serve(settings)
    return 0


async def _db(settings: Settings, _args: argparse.Namespace) -> int:
    from storage.db import create_engine, upgrade

    engine = create_engine(settings.database_url)
    try:
        await upgrade(engine)
    finally:
        await engine.dispose()
    print("database is at the latest migration")
    return 0


HANDLERS = {"serve": _serve, "db": _db}

if __name__ == "__main__":
    sys.exit(main())
