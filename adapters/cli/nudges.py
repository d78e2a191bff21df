"""`coachbot nudges preview --at ISO-DATETIME [--format json]`: what the scheduler would send
at that moment and has not sent, without sending (`docs/nudges-preview.md`)."""

from __future__ import annotations

import argparse
import json
import sys
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from adapters.application import Application
from adapters.assemble import opened_application
from adapters.config import ConfigError, Settings
from adapters.nudge_overview import sends_at
from bot.services.nudges import PreviewEntry


def register(commands: Any) -> None:
    parser = commands.add_parser("nudges", help="the scheduler's reminders")
    sub = parser.add_subparsers(dest="nudges_command", required=True)
    dry_run = sub.add_parser(
        "preview",
        help="what the scheduler would send at a moment, without sending",
        description="Every reminder whose delivery window contains --at and that has not been "
        "sent, one line per recipient, kind and person it is about.",
    )
    dry_run.add_argument(
        "--at",
        required=True,
        help="ISO date and time; without an offset it is read in COACHBOT_TIMEZONE",
    )
    dry_run.add_argument("--format", choices=["table", "json"], default="table")
    dry_run.set_defaults(handler=run_preview)


def parse_at(text: str, zone: str) -> datetime | None:
    """The moment `--at` names, aware; None when it is not an ISO date-time."""
    try:
        at = datetime.fromisoformat(text)
    except ValueError:
        return None
    return at if at.tzinfo is not None else at.replace(tzinfo=ZoneInfo(zone))


def preview_lines(entries: list[PreviewEntry]) -> list[str]:
    """The table for L&D: the recipient's local time at `--at`, their name and e-mail, and
    what the message is in plain words."""
    rows = [("local time", "recipient", "e-mail", "message")] + [
        (e.local_time_text, e.recipient_name or "-", e.recipient, e.description) for e in entries
    ]
    widths = [max(len(row[i]) for row in rows) for i in range(3)]
    return [
        "  ".join(c.ljust(w) for c, w in zip(row, widths, strict=False)) + "  " + row[3]
        for row in rows
    ]


async def run_preview(settings: Settings, args: argparse.Namespace) -> int:
    at = parse_at(args.at, settings.timezone)
    if at is None:
        print(f"coachbot: --at: {args.at!r} is not an ISO date-time", file=sys.stderr)
        return 2
    try:
        async with opened_application(settings) as application:
            return await _preview(application, at, args.format)
    except ConfigError as exc:
        print(f"coachbot: configuration error: {exc}", file=sys.stderr)
        return 2


async def _preview(application: Application, at: datetime, output: str) -> int:
    entries = await sends_at(application, at)
    if output == "json":
        print(json.dumps([entry.as_json() for entry in entries], indent=2))
    elif entries:
        print("\n".join(preview_lines(entries)))
    else:
        print(f"nothing to send at {at.isoformat()}")
    return 0
