"""`coachbot demo`: one coaching cycle against the bundled Slack emulator."""

from __future__ import annotations

import argparse
from typing import Any

from adapters.config import Settings


def register(commands: Any) -> None:
    parser = commands.add_parser(
        "demo", help="play one coaching cycle against the bundled Slack emulator"
    )
    parser.set_defaults(handler=run)


async def run(settings: Settings, _args: argparse.Namespace) -> int:
    from adapters.sandbox.demo import run_demo

    return await run_demo(settings)
