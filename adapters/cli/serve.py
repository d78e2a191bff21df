"""`coachbot serve`: the bot's one process."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from adapters.config import Settings


def register(commands: Any) -> None:
    parser = commands.add_parser("serve", help="serve chat, the LMS webhook and the scheduler")
    parser.set_defaults(handler=run)


async def run(settings: Settings, _args: argparse.Namespace) -> int:
    from adapters.bootstrap import serve
    from adapters.listening import CannotListen

    try:
        await serve(settings)
    except CannotListen as problem:
        print(f"coachbot: {problem}", file=sys.stderr)
        return 1
    return 0
