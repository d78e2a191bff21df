"""`coachbot serve`: the bot's process, or `--workers N` of them on one port (or, with no chat
credentials, the sandbox)."""

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
    parser.add_argument(
        "--workers",
        type=_count,
        default=1,
        metavar="N",
        help="serve with N processes on the one port (PostgreSQL only; default 1)",
    )
    parser.add_argument("--worker-fds", help=argparse.SUPPRESS)  # a worker of --workers N
    parser.set_defaults(handler=run)


def _count(value: str) -> int:
    if not value.isdigit() or not 1 <= int(value) <= 64:
        raise argparse.ArgumentTypeError(
            f"must be a number of processes from 1 to 64, not {value!r}"
        )
    return int(value)


async def run(settings: Settings, args: argparse.Namespace) -> int:
    from adapters.bootstrap import serve
    from adapters.startup import StartupRefused
    from adapters.workers import WorkerPipes, serve_workers, workers_problem

    try:
        if args.worker_fds:
            await serve(settings, worker=WorkerPipes.parse(args.worker_fds))
        elif args.workers > 1:
            problem = workers_problem(settings, args.workers, sandbox=args.sandbox)
            if problem is not None:
                raise StartupRefused(problem)
            await serve_workers(settings, args.workers)
        else:
            await serve(settings, sandbox=args.sandbox)
    except StartupRefused as refused:
        print(f"coachbot: {refused.message}", file=sys.stderr)
        return refused.exit_status
    return 0
