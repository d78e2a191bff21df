"""A person's export and erasure as the operator and L&D read them: the export as JSON (the
`coachbot person export` output and the console's download) and what an erasure did, a line per
table (`coachbot person erase` and the console's erase page)."""

from __future__ import annotations

import json
from datetime import date, datetime
from typing import Any

from bot.services.privacy import Erasure


def export_json(record: dict[str, Any]) -> str:
    """The export, indented, dates as ISO 8601."""
    return json.dumps(record, indent=2, ensure_ascii=False, default=_json_value)


def _json_value(value: object) -> object:
    if isinstance(value, datetime | date):
        return value.isoformat()
    raise TypeError(f"cannot write {type(value).__name__} as JSON")


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
