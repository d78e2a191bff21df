"""`coachbot leave add EMAIL FROM TO` / `coachbot leave remove EMAIL FROM` / `coachbot leave
list`: people's leave (ISO dates, both inclusive); messages to them, and their manager's nudges
about them, wait until it ends."""

from __future__ import annotations

import argparse
import sys
from datetime import date
from typing import Any

from adapters.assemble import opened_application
from adapters.config import Settings
from bot.errors import Refusal
from bot.services.nudges import add_leave, leave_list, remove_leave


def register(commands: Any) -> None:
    parser = commands.add_parser("leave", help="record or list people's leave")
    sub = parser.add_subparsers(dest="leave_command", required=True)
    add = sub.add_parser("add", help="record leave, both days inclusive")
    add.add_argument("email")
    add.add_argument("first_day", metavar="FROM", help="first day of leave, YYYY-MM-DD")
    add.add_argument("last_day", metavar="TO", help="last day of leave, YYYY-MM-DD")
    add.set_defaults(handler=run_add)
    remove = sub.add_parser("remove", help="remove recorded leave (e.g. a trip cancelled)")
    remove.add_argument("email")
    remove.add_argument("first_day", metavar="FROM", help="first day of the leave, YYYY-MM-DD")
    remove.set_defaults(handler=run_remove)
    listing = sub.add_parser("list", help="list recorded leave")
    listing.set_defaults(handler=run_list)


def _day(text: str, name: str) -> date | str:
    try:
        return date.fromisoformat(text)
    except ValueError:
        return f"{name}: {text!r} is not a YYYY-MM-DD date"


async def run_add(settings: Settings, args: argparse.Namespace) -> int:
    first, last = _day(args.first_day, "FROM"), _day(args.last_day, "TO")
    for problem in (first, last):
        if isinstance(problem, str):
            print(f"coachbot: {problem}", file=sys.stderr)
            return 1
    assert isinstance(first, date) and isinstance(last, date)
    try:
        async with opened_application(settings) as app:
            entry = await add_leave(app.unit_of_work, app.nudge_store, args.email, first, last)
    except Refusal as refusal:
        print(f"coachbot: {refusal.message}", file=sys.stderr)
        return 1
    print(f"leave recorded: {entry.email} from {entry.first_day} to {entry.last_day}")
    return 0


async def run_remove(settings: Settings, args: argparse.Namespace) -> int:
    first = _day(args.first_day, "FROM")
    if isinstance(first, str):
        print(f"coachbot: {first}", file=sys.stderr)
        return 1
    try:
        async with opened_application(settings) as app:
            removed = await remove_leave(app.unit_of_work, app.nudge_store, args.email, first)
    except Refusal as refusal:
        print(f"coachbot: {refusal.message}", file=sys.stderr)
        return 1
    for entry in removed:
        print(f"leave removed: {entry.email} from {entry.first_day} to {entry.last_day}")
    return 0


async def run_list(settings: Settings, args: argparse.Namespace) -> int:
    async with opened_application(settings) as app:
        entries = await leave_list(app.nudge_store)
    if not entries:
        print("no leave recorded")
    for entry in entries:
        print(f"{entry.email}  {entry.first_day}  {entry.last_day}")
    return 0
