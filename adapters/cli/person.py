"""`coachbot person export EMAIL` / `coachbot person erase EMAIL`: a person's whole record as
JSON, and its erasure with a line per table saying what went."""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from collections.abc import Awaitable, Callable
from datetime import date, datetime
from typing import Any, TypeVar

from adapters.config import Settings
from adapters.lms.xapi import XapiVoiding
from bot.clock import SystemClock, local_date
from bot.errors import Refusal
from bot.services.privacy import Erasure, erase_person, export_person
from storage.db import create_engine
from storage.unit_of_work import SqlUnitOfWork

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


def _json_value(value: object) -> object:
    if isinstance(value, datetime | date):
        return value.isoformat()
    raise TypeError(f"cannot write {type(value).__name__} as JSON")


async def _on_person(settings: Settings, call: Callable[[SqlUnitOfWork], Awaitable[T]]) -> T | None:
    """Run one privacy use-case; an unknown person is told on stderr (None)."""
    engine = create_engine(settings.database_url)
    try:
        return await call(SqlUnitOfWork(engine))
    except Refusal as refusal:
        print(f"coachbot: {refusal.message}", file=sys.stderr)
        return None
    finally:
        await engine.dispose()


async def run_export(settings: Settings, args: argparse.Namespace) -> int:
    record = await _on_person(settings, lambda uow: export_person(uow, args.email))
    if record is None:
        return 1
    print(json.dumps(record, indent=2, ensure_ascii=False, default=_json_value))
    return 0


def describe_erasure(erasure: Erasure) -> list[str]:
    """What went (or, in a dry run, would go), one line per table that changes."""
    would = erasure.dry_run
    if would:
        lines = [f"would erase {erasure.email} (dry run: nothing has changed)"]
    else:
        lines = [f"erased {erasure.email}"]
    for table, rows in sorted(erasure.tables.items()):
        parts = []
        if rows.deleted:
            parts.append(f"{rows.deleted} {'to delete' if would else 'deleted'}")
        if rows.unlinked:
            kept = "to keep" if would else "kept"
            parts.append(f"{rows.unlinked} {kept} without them (shown as former manager)")
        if parts:
            lines.append(f"  {table}: {', '.join(parts)}")
    if erasure.statements_voided:
        queued = "to queue" if would else "queued"
        lines.append(f"  xAPI: {erasure.statements_voided} voiding statement(s) {queued}")
    if erasure.statements_to_void:
        lines.append(
            f"  xAPI: {len(erasure.statements_to_void)} statement(s) about them were sent to "
            "the LRS and still need voiding there (set LRS_ENDPOINT to queue voiding statements)"
        )
    reports = erasure.reports_left_without_manager
    if reports:
        who = "1 report" if reports == 1 else f"{reports} reports"
        verb = "will have" if would else ("now has" if reports == 1 else "now have")
        lines.append(f"  {who} {verb} no manager until the next people import")
    return lines


NEEDS_YES = (
    "coachbot: erasing cannot be undone, so person erase asks first; pass --yes to erase "
    "without asking (or --dry-run to see what would go)"
)


async def _erase(settings: Settings, email: str, *, dry_run: bool) -> Erasure | None:
    voiding = XapiVoiding(SystemClock()) if settings.lrs_endpoint else None
    today = local_date(SystemClock().now(), settings.timezone)
    return await _on_person(
        settings, lambda uow: erase_person(uow, email, voiding, today=today, dry_run=dry_run)
    )


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
