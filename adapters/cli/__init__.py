"""The `coachbot` command line. Each subcommand lives in its own module with
`register(commands)`, which adds its parser and sets `handler` to an async function
`(settings, args) -> exit code`."""

from __future__ import annotations

import argparse
import asyncio
import os
import signal
import sys
from collections.abc import Sequence

from adapters import logs
from adapters.cli import (
    db,
    demo,
    imports,
    leave,
    lms,
    nudges,
    outbox,
    person,
    report,
    serve,
    teams_package,
)
from adapters.config import ConfigError, Settings, load_settings
from adapters.startup import driver_threads_finished

MODULES = [serve, db, imports, report, person, demo, nudges, outbox, leave, lms, teams_package]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="coachbot", description="The coaching programme bot.")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for module in MODULES:
        module.register(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    try:
        code = _run(argv)
        sys.stdout.flush()  # inside the try: a reader that has gone shows up here at the latest
    except BrokenPipeError:
        # the reader stopped early (`coachbot ... | head`): stop quietly, as Unix tools do, and
        # leave Python nothing to complain about when it flushes stdout at exit
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 128 + signal.SIGPIPE
    return code


def _run(argv: Sequence[str] | None) -> int:
    args = build_parser().parse_args(argv)
    try:
        settings = load_settings()
    except ConfigError as exc:
        print(f"coachbot: configuration error: {exc}", file=sys.stderr)
        return 2
    logs.configure(settings.log_level)
    try:
        return asyncio.run(_handled(args, settings))
    except KeyboardInterrupt:
        return 130


async def _handled(args: argparse.Namespace, settings: Settings) -> int:
    try:
        return int(await args.handler(settings, args))
    finally:
        await driver_threads_finished()


if __name__ == "__main__":
    sys.exit(main())
