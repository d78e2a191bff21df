"""Completions brought back by polling: `completed` statements in the LRS since a stored cursor,
and Moodle's completion status of each open assignment. Each completion goes to
`record_completion`, like the webhook's; the same one seen twice changes nothing."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from adapters.lms.moodle import MoodleClient, MoodleError, MoodleUnreachable
from adapters.lms.xapi import COURSE_URN, SLACK_HOME, TEAMS_HOME, LrsClient, parse_timestamp
from bot.services.completions import CompletionOutcome, CompletionReport, Completions

log = logging.getLogger(__name__)

LRS_CURSOR = "lrs_completions"
POLL_SECONDS = 300.0
LRS_OVERLAP = timedelta(days=1)


@dataclass
class PollResult:
    """What one poll found: completions recorded, already known, and skipped (with why)."""

    recorded: int = 0
    duplicates: int = 0
    skipped: list[str] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)


async def _record(completions: Completions, report: CompletionReport, result: PollResult) -> None:
    outcome = await completions.record(report)
    if outcome.outcome is CompletionOutcome.RECORDED:
        result.recorded += 1
    elif outcome.outcome is CompletionOutcome.DUPLICATE:
        result.duplicates += 1
    else:
        result.skipped.append(f"{report.event_id}: {outcome.problem}")


async def _email_of(completions: Completions, actor: dict[str, Any]) -> str | None:
    mbox = str(actor.get("mbox") or "")
    if mbox.startswith("mailto:"):
        return mbox.removeprefix("mailto:")
    account = actor.get("account") or {}
    name, home = str(account.get("name") or ""), str(account.get("homePage") or "")
    platforms = {SLACK_HOME: "slack", TEAMS_HOME: "teams"}
    return await completions.email_of(name, platforms.get(home.rstrip("/")))


async def poll_lrs(
    client: LrsClient,
    completions: Completions,
) -> PollResult:
    """Record the `completed` statements on catalogue courses stored since the cursor, then
    move the cursor to the last one seen. Raises `LrsError` when the LRS cannot be read (the
    cursor stays, so nothing is missed)."""
    cursor = await completions.cursor(LRS_CURSOR)
    since = parse_timestamp(cursor) if cursor else None
    # read a margin again: some LRSes (Ralph) filter `since` on the statement's timestamp, and
    # a completion may be posted after a later one; what was seen is a duplicate, not a loss
    statements = await client.completed_since((since - LRS_OVERLAP).isoformat() if since else None)
    result = PollResult()
    for statement in statements:
        obj = statement.get("object") or {}
        course = await completions.course_by_activity(str(obj.get("id", "")), COURSE_URN)
        email = await _email_of(completions, statement.get("actor") or {})
        when = parse_timestamp(str(statement.get("timestamp", "")))
        if course is None or email is None or when is None:
            result.skipped.append(f"xapi:{statement.get('id')}: not a catalogue course completion")
            continue
        report = CompletionReport(email, course.course_id, when, "xapi", f"xapi:{statement['id']}")
        await _record(completions, report, result)
    seen = [parse_timestamp(str(s.get("stored") or s.get("timestamp") or "")) for s in statements]
    latest = max((when for when in seen if when is not None), default=None)
    if latest is not None and (since is None or latest > since):
        await completions.move_cursor(LRS_CURSOR, latest.isoformat())
    return result


async def poll_moodle(
    client: MoodleClient,
    completions: Completions,
) -> PollResult:
    """Ask Moodle about each open assignment of a Moodle course; record those completed.
    Raises `MoodleError` when the site refuses the token or cannot be reached."""
    result = PollResult()
    users: dict[str, int | None] = {}
    for assignment in await completions.open_assignments():
        if not assignment.course_id.isdigit():
            continue  # not a Moodle course id
        if assignment.email not in users:
            users[assignment.email] = await client.user_id(assignment.email)
        user_id = users[assignment.email]
        if user_id is None:
            result.skipped.append(f"{assignment.email}: no Moodle user with this e-mail")
            continue
        try:
            when = await client.completed_at(assignment.course_id, user_id, completions.clock.now())
        except MoodleError as exc:
            if exc.access_refused or isinstance(exc, MoodleUnreachable):
                raise
            result.skipped.append(f"{assignment.email} {assignment.course_id}: {exc}")
            continue
        if when is None:
            continue
        report = CompletionReport(
            assignment.email,
            assignment.course_id,
            when,
            "moodle",
            f"moodle:{assignment.course_id}:{user_id}:{int(when.timestamp())}",
        )
        await _record(completions, report, result)
    return result


class CompletionPolls:
    """Runs the configured polls every `every` seconds until stopped; a failing LMS is logged
    and tried again next time."""

    def __init__(
        self,
        completions: Completions,
        *,
        lrs: LrsClient | None = None,
        moodle: MoodleClient | None = None,
        every: float = POLL_SECONDS,
        recorded: Callable[[], None] = lambda: None,
    ) -> None:
        self.completions = completions
        self.lrs, self.moodle, self.every, self.recorded = lrs, moodle, every, recorded

    async def poll_once(self) -> PollResult:
        total = PollResult()
        polls: list[Any] = []
        if self.lrs is not None:
            polls.append(poll_lrs(self.lrs, self.completions))
        if self.moodle is not None:
            polls.append(poll_moodle(self.moodle, self.completions))
        for poll in polls:
            try:
                found = await poll
            except Exception as exc:  # noqa: BLE001 - an LMS away must not stop the loop
                log.warning("LMS completion poll failed: %s", exc)
                total.failures.append(str(exc) or type(exc).__name__)
                continue
            total.recorded += found.recorded
            total.duplicates += found.duplicates
            total.skipped += found.skipped
        if total.recorded:
            self.recorded()
        return total

    async def run(self, stop: asyncio.Event) -> None:
        while not stop.is_set():
            await self.poll_once()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), self.every)
