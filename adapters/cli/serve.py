"""`coachbot serve`: the bot's one process (or, with no chat credentials, the sandbox)."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from adapters.config import Settings


def register(commands: Any) -> None:
    parser = commands.add_parser("serve", help="serve chat, the LMS webhook and the scheduler")
    parser.add_argument(
        "--sandbox",
        action="store_true",
        help="serve the sandbox (the bundled Slack emulator and sample data in ./sandbox.db)"
        " whatever the credentials and DATABASE_URL",
    )
    parser.set_defaults(handler=run)


async def run(settings: Settings, args: argparse.Namespace) -> int:
    from adapters.bootstrap import serve
    from adapters.startup import StartupRefused

    try:
        await serve(settings, sandbox=args.sandbox)
    except StartupRefused as refused:
        print(f"coachbot: {refused.message}", file=sys.stderr)
        return refused.exit_status
    return 0
