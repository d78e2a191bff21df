"""What the scheduler sends and what waits in the outbox, as `coachbot nudges preview`,
`coachbot outbox` and the console's Nudges page show them: `sends_at` one moment (reminders and
L&D digests, from the scheduler's own planner), `forecast` each day from now on (sampled once
per delivery window's length), `outbox_rows` (pending, in doubt, failed: kinds, recipients,
status and errors, never a message's text) and `retry` (a failed or in-doubt row queued again)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from adapters.application import Application
from bot.nudges import WINDOW_CLOSES, WINDOW_OPENS
from bot.ports import NudgeParty, OutboxEntry
from bot.services.digest import digest_preview
from bot.services.nudges import PreviewEntry, preview, preview_day
from storage.dispatch_queue import SqlDispatchQueue

SAMPLE_EVERY = datetime.combine(date.min, WINDOW_CLOSES) - datetime.combine(date.min, WINDOW_OPENS)
"""Samples as far apart as a delivery window is long: every recipient's window (the same local
hours for everyone, whatever their offset from UTC) holds exactly one of them."""


async def sends_at(application: Application, at: datetime) -> list[PreviewEntry]:
    """Every reminder and digest whose delivery window contains `at` and that is not sent."""
    reminders = await preview(application.nudge_store, at, application.nudge_policy)
    return (await _with_digests(application, [at], [reminders]))[0]


async def _with_digests(
    application: Application, moments: list[datetime], reminders: list[list[PreviewEntry]]
) -> list[list[PreviewEntry]]:
    """Each moment's `reminders` with the L&D digests due then, sorted as the preview is."""
    policy = application.nudge_policy
    digests = await digest_preview(
        application.unit_of_work,
        moments,
        policy.default_zone,
        policy.holidays,
        policy.country_holidays,
    )
    return [
        sorted(planned + due, key=lambda e: (e.recipient, e.kind, e.about or ""))
        for planned, due in zip(reminders, digests, strict=True)
    ]


@dataclass(frozen=True, slots=True)
class DayPlan:
    """What goes out on one day (in the organisation's zone), each message once."""

    day: date
    entries: list[PreviewEntry]

    def by_kind(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        for entry in self.entries:
            counts[entry.kind] = counts.get(entry.kind, 0) + 1
        return counts


async def forecast(application: Application, days: int) -> list[DayPlan]:
    """Today from now and the next `days` days: what the scheduler would send on each, if
    nothing changes meanwhile. A message planned for one day is not counted again on a later
    one (the preview alone would list it until it is sent)."""
    zone = ZoneInfo(application.timezone)
    now = application.clock.now()
    today = now.astimezone(zone).date()
    seen: set[tuple[str, str, str | None, date | None]] = set()
    plans: list[DayPlan] = []
    for offset in range(days + 1):
        day = today + timedelta(days=offset)
        start = datetime.combine(day, datetime.min.time(), zone)
        end = start + timedelta(days=1)
        moments: list[datetime] = []
        at = max(start, now)
        while at < end:
            moments.append(at)
            at += SAMPLE_EVERY
        reminders = await preview_day(application.nudge_store, moments, application.nudge_policy)
        entries: list[PreviewEntry] = []
        for planned in await _with_digests(application, moments, reminders):
            for entry in planned:
                key = (entry.recipient, entry.kind, entry.about, entry.due_on)
                if key not in seen:
                    seen.add(key)
                    entries.append(entry)
        plans.append(DayPlan(day, entries))
    return plans


@dataclass(frozen=True, slots=True)
class OutboxRow:
    """One outbox row as L&D and operators see it: never the message itself."""

    id: int
    status: str  # pending, in doubt, failed
    kind: str
    recipient: str
    about: str
    attempts: int
    not_before: datetime | None
    error: str

    @property
    def retryable(self) -> bool:
        return self.status in ("failed", "in doubt")


async def outbox_rows(application: Application, *, failed: bool) -> list[OutboxRow]:
    """The failed rows, or those waiting to go and those left in doubt."""
    queue = SqlDispatchQueue(application.engine)
    entries = await (queue.failed() if failed else queue.pending())
    ids = [e.recipient_id for e in entries if e.recipient_id is not None]
    ids += [e.about_id for e in entries if e.about_id is not None]
    parties = await application.nudge_store.parties(ids)
    return [_row(entry, parties) for entry in entries]


def _row(entry: OutboxEntry, parties: dict[int, NudgeParty]) -> OutboxRow:
    def who(person_id: int | None) -> str:
        if person_id is None:
            return "-"
        party = parties.get(person_id)
        return party.email if party else f"person {person_id}"

    return OutboxRow(
        entry.id,
        "in doubt" if entry.status.value == "sending" else entry.status.value,
        entry.kind,
        who(entry.recipient_id),
        who(entry.about_id),
        entry.attempts,
        entry.not_before,
        (entry.last_error or "").replace("\n", " "),
    )


async def retry(application: Application, row_id: int) -> bool:
    """Queue a failed or in-doubt row again, due at once, and wake the dispatcher; False when
    there is no such row (sent rows stay sent)."""
    if not await SqlDispatchQueue(application.engine).requeue(row_id, application.clock.now()):
        return False
    application.outbox_written()
    return True
