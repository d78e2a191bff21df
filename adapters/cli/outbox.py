"""`coachbot outbox [--failed]` / `coachbot outbox retry ID`: what is pending (or left in doubt)
or failed and why, by kind, recipient and status, never the message text; and re-queueing one."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from adapters.assemble import opened_application
from adapters.config import Settings
from bot.ports import NudgeParty, OutboxEntry
from storage.dispatch_queue import SqlDispatchQueue

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


def _who(parties: dict[int, NudgeParty], person_id: int | None) -> str:
    if person_id is None:
        return "-"
    party = parties.get(person_id)
    return party.email if party else f"person {person_id}"


def outbox_lines(entries: list[OutboxEntry], parties: dict[int, NudgeParty]) -> list[str]:
    """The listing as aligned columns: kinds, recipients, status and errors only."""
    rows = [COLUMNS]
    for entry in entries:
        status = "in doubt" if entry.status.value == "sending" else entry.status.value
        rows.append(
            (
                str(entry.id),
                status,
                entry.kind,
                _who(parties, entry.recipient_id),
                _who(parties, entry.about_id),
                str(entry.attempts),
                entry.not_before.isoformat(timespec="seconds") if entry.not_before else "-",
                (entry.last_error or "").replace("\n", " ")[:120] or "-",
            )
        )
    widths = [max(len(row[i]) for row in rows) for i in range(len(COLUMNS) - 1)]
    return [
        "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=False))
        + "  "
        + row[-1]
        for row in rows
    ]


async def run_outbox(settings: Settings, args: argparse.Namespace) -> int:
    async with opened_application(settings) as application:
        queue = SqlDispatchQueue(application.engine)
        if args.action == "retry":
            if args.id is None:
                print("coachbot: outbox retry needs the row's ID", file=sys.stderr)
                return 2
            if not await queue.requeue(args.id, application.clock.now()):
                print(f"coachbot: no failed or in-doubt outbox row {args.id}", file=sys.stderr)
                return 1
            print(f"re-queued outbox row {args.id}")
            return 0
        entries = await (queue.failed() if args.failed else queue.pending())
        if not entries:
            print("no failed messages" if args.failed else "nothing waiting to be sent")
            return 0
        ids = [e.recipient_id for e in entries if e.recipient_id is not None]
        ids += [e.about_id for e in entries if e.about_id is not None]
        parties = await application.nudge_store.parties(ids)
        print("\n".join(outbox_lines(entries, parties)))
        return 0
