"""`coachbot person export EMAIL` / `coachbot person erase EMAIL`: a person's whole record as
JSON, and its erasure with a line per table saying what went."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Awaitable, Callable
from datetime import date, datetime
from typing import Any, TypeVar

from adapters.config import Settings
from adapters.lms.xapi import XapiVoiding
from bot.clock import SystemClock
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
    erase = sub.add_parser("erase", help="erase a person and every row about them")
    erase.add_argument("email")
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
    """What went, one line per table that changed."""
    lines = [f"erased {erasure.email}"]
    for table, rows in sorted(erasure.tables.items()):
        parts = []
        if rows.deleted:
            parts.append(f"{rows.deleted} deleted")
        if rows.unlinked:
            parts.append(f"{rows.unlinked} kept without them (shown as former manager)")
        if parts:
            lines.append(f"  {table}: {', '.join(parts)}")
    if erasure.statements_voided:
        lines.append(f"  xAPI: {erasure.statements_voided} voiding statement(s) queued")
    if erasure.statements_to_void:
        lines.append(
            f"  xAPI: {len(erasure.statements_to_void)} statement(s) about them were sent to "
            "the LRS and still need voiding there (set LRS_ENDPOINT to queue voiding statements)"
        )
    return lines


async def run_erase(settings: Settings, args: argparse.Namespace) -> int:
    voiding = XapiVoiding(SystemClock()) if settings.lrs_endpoint else None
    erasure = await _on_person(settings, lambda uow: erase_person(uow, args.email, voiding))
    if erasure is None:
        return 1
    print("\n".join(describe_erasure(erasure)))
    return 0
