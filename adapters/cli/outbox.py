"""`coachbot outbox [--failed]` / `coachbot outbox retry ID`: what is pending (or left in doubt)
or failed and why, by kind, recipient and status, never the message text; and re-queueing one."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from adapters.assemble import opened_application
from adapters.config import Settings
from adapters.nudge_overview import OutboxRow, outbox_rows, retry

COLUMNS = ("id", "status", "kind", "recipient", "about", "attempts", "not_before", "error")


def register(commands: Any) -> None:
    parser = commands.add_parser(
        "outbox",
        help="what is waiting to be sent, or failed and why (never message text)",
        description="List pending and in-doubt outbox rows (or failed ones with --failed); "
        "`coachbot outbox retry ID` re-queues a failed or in-doubt row.",
    )
    parser.add_argument("action", nargs="?", choices=["retry"], help="re-queue one row")
    parser.add_argument("id", nargs="?", type=int, help="the row's id (for retry)")
    parser.add_argument("--failed", action="store_true", help="list failed rows instead")
    parser.set_defaults(handler=run_outbox)


def outbox_lines(rows: list[OutboxRow]) -> list[str]:
    """The listing as aligned columns: kinds, recipients, status and errors only."""
    table = [COLUMNS]
    for row in rows:
        table.append(
            (
                str(row.id),
                row.status,
                row.kind,
                row.recipient,
                row.about,
                str(row.attempts),
                row.not_before.isoformat(timespec="seconds") if row.not_before else "-",
                row.error[:120] or "-",
            )
        )
    widths = [max(len(line[i]) for line in table) for i in range(len(COLUMNS) - 1)]
    return [
        "  ".join(cell.ljust(width) for cell, width in zip(line, widths, strict=False))
        + "  "
        + line[-1]
        for line in table
    ]


async def run_outbox(settings: Settings, args: argparse.Namespace) -> int:
    async with opened_application(settings) as application:
        if args.action == "retry":
            if args.id is None:
                print("coachbot: outbox retry needs the row's ID", file=sys.stderr)
                return 2
            if not await retry(application, args.id):
                print(f"coachbot: no failed or in-doubt outbox row {args.id}", file=sys.stderr)
                return 1
            print(f"re-queued outbox row {args.id}")
            return 0
        rows = await outbox_rows(application, failed=args.failed)
        if not rows:
            print("no failed messages" if args.failed else "nothing waiting to be sent")
            return 0
        print("\n".join(outbox_lines(rows)))
        return 0
