"""Run the Slack emulator alone: `python -m adapters.slack_emulator --port 3999 --users U.json`."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
from pathlib import Path

from adapters.slack_emulator.directory import WorkspaceUser
from adapters.slack_emulator.server import DEFAULT_BOT_TOKEN, SlackEmulator


async def serve(args: argparse.Namespace, users: list[WorkspaceUser]) -> None:
    emulator = SlackEmulator(bot_token=args.token, users=users, rate_limits=not args.no_rate_limits)
    base_url = await emulator.start(port=args.port)
    print(f"Slack emulator: SLACK_API_BASE_URL={base_url} token={emulator.bot_token}", flush=True)
    try:
        await asyncio.Event().wait()
    finally:
        await emulator.close()


def main() -> None:
    parser = argparse.ArgumentParser(description="A local Slack Web API")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--token", default=DEFAULT_BOT_TOKEN)
    parser.add_argument("--users", help="a JSON list of {id, email, name, tz, deleted}")
    parser.add_argument("--no-rate-limits", action="store_true")
    args = parser.parse_args()
    people = json.loads(Path(args.users).read_text()) if args.users else []
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(serve(args, [WorkspaceUser(**person) for person in people]))


if __name__ == "__main__":
    main()
