"""What the scheduler sends, as `coachbot nudges preview` and the console's Nudges page show it:
`sends_at` one moment (reminders and L&D digests, from the scheduler's own planner), and
`forecast` each day from now on, by sampling every hour of the day."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from adapters.application import Application
from bot.services.digest import digest_preview
from bot.services.nudges import PreviewEntry, preview
from storage.digest import SqlDigestStore

SAMPLE_EVERY = timedelta(hours=1)
"""Every delivery window (two hours of the recipient's local morning, whatever their offset)
holds at least one sample an hour apart."""


async def sends_at(application: Application, at: datetime) -> list[PreviewEntry]:
    """Every reminder and digest whose delivery window contains `at` and that is not sent."""
    policy = application.nudge_policy
    entries = await preview(application.nudge_store, at, policy)
    entries += await digest_preview(
        SqlDigestStore(application.engine),
        at,
        policy.default_zone,
        policy.holidays,
        policy.country_holidays,
    )
    entries.sort(key=lambda e: (e.recipient, e.kind, e.about or ""))
    return entries


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
        at = max(start, now)
        entries: list[PreviewEntry] = []
        while at < end:
            for entry in await sends_at(application, at):
                key = (entry.recipient, entry.kind, entry.about, entry.due_on)
                if key not in seen:
                    seen.add(key)
                    entries.append(entry)
            at += SAMPLE_EVERY
        plans.append(DayPlan(day, entries))
    return plans
