"""`coachbot demo`: one coaching cycle on a throwaway server, Slack emulator and database of
its own."""

from __future__ import annotations

import argparse
from typing import Any

from adapters.config import Settings


def register(commands: Any) -> None:
    parser = commands.add_parser(
        "demo",
        help="play one coaching cycle on its own throwaway server, Slack emulator and database",
    )
    parser.set_defaults(handler=run)


async def run(settings: Settings, _args: argparse.Namespace) -> int:
    from adapters.sandbox.demo import run_demo

    return await run_demo(settings)
