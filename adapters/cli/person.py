"""`coachbot person export EMAIL` / `coachbot person erase EMAIL`: a person's whole record as
JSON, and its erasure with a line per table saying what went."""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from adapters.application import Application
from adapters.assemble import opened_application
from adapters.config import Settings
from adapters.privacy_text import describe_erasure, export_json
from bot.errors import Refusal
from bot.services.privacy import Erasure

T = TypeVar("T")


def register(commands: Any) -> None:
    parser = commands.add_parser("person", help="export or erase everything about one person")
    sub = parser.add_subparsers(dest="person_command", required=True)
    export = sub.add_parser("export", help="print everything stored about a person as JSON")
    export.add_argument("email")
    export.set_defaults(handler=run_export)
    erase = sub.add_parser(
        "erase",
        help="erase a person and every row about them",
        description="Erase a person and every row about them. It cannot be undone: it shows "
        "what would go and asks first, unless --yes.",
    )
    erase.add_argument("email")
    erase.add_argument("--dry-run", action="store_true", help="say what would go; change nothing")
    erase.add_argument("--yes", action="store_true", help="erase without asking")
    erase.set_defaults(handler=run_erase)


async def _on_person(settings: Settings, call: Callable[[Application], Awaitable[T]]) -> T | None:
    """Run one privacy use-case; an unknown person is told on stderr (None)."""
    async with opened_application(settings) as application:
        try:
            return await call(application)
        except Refusal as refusal:
            print(f"coachbot: {refusal.message}", file=sys.stderr)
            return None


async def run_export(settings: Settings, args: argparse.Namespace) -> int:
    record = await _on_person(settings, lambda app: app.export_person(args.email))
    if record is None:
        return 1
    print(export_json(record))
    return 0


NEEDS_YES = (
    "coachbot: erasing cannot be undone, so person erase asks first; pass --yes to erase "
    "without asking (or --dry-run to see what would go)"
)


async def _erase(settings: Settings, email: str, *, dry_run: bool) -> Erasure | None:
    return await _on_person(settings, lambda app: app.erase_person(email, dry_run=dry_run))


async def _confirmed(question: str) -> bool:
    try:
        answer = await asyncio.to_thread(input, question)
    except EOFError:
        return False
    return answer.strip().lower() in {"y", "yes"}


async def run_erase(settings: Settings, args: argparse.Namespace) -> int:
    if not args.dry_run and not args.yes:
        if not sys.stdin.isatty():
            print(NEEDS_YES, file=sys.stderr)
            return 2
        preview = await _erase(settings, args.email, dry_run=True)
        if preview is None:
            return 1
        print("\n".join(describe_erasure(preview)))
        if not await _confirmed(f"Erase {preview.email}? This cannot be undone. [y/N] "):
            print("nothing was erased")
            return 1
    erasure = await _erase(settings, args.email, dry_run=args.dry_run)
    if erasure is None:
        return 1
    print("\n".join(describe_erasure(erasure)))
    return 0
