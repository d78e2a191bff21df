"""The outbox dispatcher: claims due rows (a recipient's nudges of one window together), resolves
rows a crash left in doubt before anything is resent, drops nudges a logged session made
pointless, composes each message, paces sends within the platform's rate limits and records the
outcome. Rate limits pause the platform for `Retry-After`; transient errors back off up to a
limit; permanent errors fail the row with the reason; nothing is sent inside a request."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime, timedelta

from bot.clock import Clock
from bot.messages import MAX_COMBINED, combine, compose
from bot.model import Person
from bot.nudges import NudgeKind, cancelled, session_pair
from bot.ports import (
    AwaitingReinstall,
    ChatAddress,
    DeliveryCheck,
    DispatchQueue,
    LmsGateway,
    Messenger,
    OutboxEntry,
    RateLimited,
    RetryLater,
    Undeliverable,
    UnitOfWork,
)
from scheduler.pacing import SEND, VERIFY, Pacer

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 8
BATCH = 10
"""Rows claimed at a time: about what goes out in a fifth of a second at Slack's pace, so that
a crash leaves few rows in doubt (each costs a look at the conversation's history)."""
CONCURRENCY = 16
IDLE_POLL_SECONDS = 0.5
IN_DOUBT_AFTER = timedelta(seconds=30)
"""A row claimed longer ago than this and still `sending` was left by a dispatcher that died:
no live dispatcher holds a row that long. It waits for a send slot at most half of it (then
gives the row back to the queue) and for an answer at most `SEND_TIMEOUT`."""
SEND_TIMEOUT = 10.0
"""Seconds to wait for the platform to take a message; after that the row stays in doubt."""
IN_DOUBT_MARGIN = 5.0
"""Seconds before the crashed claim from which to look for the message (clock skew)."""
UNINSTALLED_RECHECK = timedelta(minutes=10)
"""How often rows for an uninstalled app look again, in case its return went unseen (they are
due at once when a request from the workspace shows it installed again)."""


def chat_address(person: Person, platforms: Mapping[str, Messenger]) -> ChatAddress | None:
    """Where to reach the person: their Slack id, else their Teams id, else Slack by e-mail."""
    if "slack" in platforms and person.slack_user_id:
        return ChatAddress("slack", person.slack_user_id, person.id)
    if "teams" in platforms and person.teams_user_id:
        return ChatAddress("teams", person.teams_user_id, person.id)
    if "slack" in platforms:
        return ChatAddress("slack", "", person.id, {"email": person.email})
    return None


def backoff(attempts: int) -> float:
    """Seconds before retrying after a transient error: 2, 4, 8 ... capped at 10 minutes."""
    return float(min(2**attempts, 600))


def bundles(entries: Sequence[OutboxEntry]) -> list[list[OutboxEntry]]:
    """Rows that go as one message: a recipient's nudges of one window (same `not_before`),
    at most `MAX_COMBINED` a message (so a message shows every nudge whose row it marks sent);
    every other row alone. In id order, the first row leads (its key is the message's ref)."""
    grouped: dict[object, list[OutboxEntry]] = {}
    for entry in sorted(entries, key=lambda e: e.id):
        if NudgeKind.of(entry.kind) and entry.recipient_id is not None and entry.not_before:
            key: object = ("nudges", entry.recipient_id, entry.not_before)
        else:
            key = ("row", entry.id)
        grouped.setdefault(key, []).append(entry)
    return [
        group[start : start + MAX_COMBINED]
        for group in grouped.values()
        for start in range(0, len(group), MAX_COMBINED)
    ]


class OutboxDispatcher:
    """Delivers pending chat messages; `notify()` wakes it as soon as a row is committed.
    Several dispatchers (replicas) may share one database: claims never overlap."""

    def __init__(
        self,
        queue: DispatchQueue,
        unit_of_work: Callable[[], UnitOfWork],
        messengers: Mapping[str, Messenger],
        clock: Clock,
        *,
        max_attempts: int = MAX_ATTEMPTS,
        pacer: Pacer | None = None,
        in_doubt_after: timedelta = IN_DOUBT_AFTER,
        batch: int = BATCH,
        concurrency: int = CONCURRENCY,
        rate_limit_retries: int = 5,
        send_timeout: float = SEND_TIMEOUT,
        lms_gateways: Mapping[str, LmsGateway] | None = None,
    ) -> None:
        self.queue = queue
        self.unit_of_work = unit_of_work
        self.messengers = messengers
        self.clock = clock
        self.max_attempts = max_attempts
        self.pacer = pacer or Pacer()
        self.in_doubt_after = in_doubt_after
        self.batch = batch
        self.rate_limit_retries = rate_limit_retries
        self.send_timeout = send_timeout
        self.lms_gateways = dict(lms_gateways or {})  # channel -> gateway: "xapi" / "moodle" rows
        self._wake = asyncio.Event()
        self._limit = asyncio.Semaphore(concurrency)
        self._outcomes: Counter[str] = Counter()  # rows sent and failed in the current batch
        self._installed: dict[str, bool] = {}  # each platform's app, read once a batch

    def notify(self) -> None:
        self._wake.set()

    async def deliver_due(self) -> int:
        """Resolve rows left in doubt, then deliver one batch of due rows; the rows handled.
        A batch that handled any is logged with how many rows went and failed (counts only)."""
        self._outcomes.clear()
        self._installed.clear()
        now = self.clock.now()
        hold_until = time.monotonic() + self.in_doubt_after.total_seconds() / 2
        doubts = await self.queue.claim_in_doubt(now, now - self.in_doubt_after, 10_000)
        since = {doubt.entry.id: doubt.claimed_at for doubt in doubts}
        doubtful = bundles([doubt.entry for doubt in doubts])
        entries = await self.queue.claim_due(now, self.batch)
        fresh = bundles(entries)
        pointless = await self._cancelled([e for group in doubtful + fresh for e in group], now)
        jobs = [
            self._deliver_limited(group, min(since[e.id] for e in group), pointless, hold_until)
            for group in doubtful
        ] + [self._deliver_limited(group, None, pointless, hold_until) for group in fresh]
        for outcome in await asyncio.gather(*jobs, return_exceptions=True):
            if isinstance(outcome, BaseException):
                log.error("outbox delivery failed; the row stays in doubt", exc_info=outcome)
        handled = len(entries) + len(doubts)
        if handled:
            log.info(
                "outbox batch: %d row(s), %d sent, %d failed (the rest wait or were dropped)",
                handled,
                self._outcomes["sent"],
                self._outcomes["failed"],
            )
        return handled

    async def run(self, stop: asyncio.Event) -> None:
        """Deliver until `stop` is set; idle, wait for `notify()` or the next poll."""
        while not stop.is_set():
            try:
                handled = await self.deliver_due()
            except Exception:  # the database may be briefly away; keep going
                log.exception("outbox dispatch failed; retrying")
                handled = 0
            if handled:
                continue
            self._wake.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), IDLE_POLL_SECONDS)

    async def _deliver_limited(
        self,
        group: list[OutboxEntry],
        doubt_since: datetime | None,
        pointless: set[int],
        hold_until: float,
    ) -> None:
        async with self._limit:
            await self.deliver(
                group, doubt_since=doubt_since, pointless=pointless, hold_until=hold_until
            )

    async def deliver(
        self,
        group: list[OutboxEntry],
        *,
        doubt_since: datetime | None = None,
        pointless: set[int] | frozenset[int] = frozenset(),
        hold_until: float | None = None,
    ) -> None:
        """Deliver rows claimed together as one message, holding them until `hold_until`
        (monotonic seconds; a send slot later than that gives them back to the queue). Rows in
        doubt (`doubt_since` is when the crashed dispatcher claimed them) are first looked for
        on the platform: found, they are marked sent; not found, they go now; when the
        platform cannot tell, they fail for an operator to decide (`coachbot outbox retry ID`)."""
        leader = group[0]
        ids = [entry.id for entry in group]
        if leader.channel != "chat":
            # LMS rows go to their gateway (resending one in doubt is harmless: both dedupe)
            gateway = self.lms_gateways.get(leader.channel)
            if gateway is not None:
                await self._deliver_lms(group, gateway)
                return
            await self._fail(group, f"no gateway for channel {leader.channel!r}")
            return
        person = await self._recipient(leader)
        address = chat_address(person, self.messengers) if person else None
        if address is None:
            reason = "recipient erased" if person is None else "no chat identity"
            await self._fail(group, f"undeliverable: {reason}")
            return
        messenger = self.messengers[address.platform]
        if await self._wait_while_uninstalled(group, address.platform, doubt_since):
            return
        if doubt_since is not None:
            try:
                arrived = await self._arrived(messenger, address, leader.dedupe_key, doubt_since)
            except (RetryLater, AwaitingReinstall):
                # still in doubt; looked at again after `in_doubt_after` (once the person's
                # workspace has the app again, for one that was removed)
                return
            except Undeliverable as exc:
                await self._fail(group, f"undeliverable: {exc.reason}")
                return
            if arrived is None:
                await self._fail(group, "in doubt: the platform cannot tell whether it arrived")
                return
            if arrived:
                log.info("outbox rows %s were delivered before a crash; marked sent", ids)
                await self._sent(ids, None)
                return
        live = [entry for entry in group if entry.id not in pointless]
        if len(live) < len(group):
            await self.queue.drop([entry.id for entry in group if entry.id in pointless])
        if live:
            if hold_until is None:
                hold_until = time.monotonic() + self.in_doubt_after.total_seconds() / 2
            await self._send(live, messenger, address, hold_until)

    async def _wait_while_uninstalled(
        self, group: list[OutboxEntry], platform: str, doubt_since: datetime | None
    ) -> bool:
        """Nothing goes to a platform whose app was uninstalled or had its tokens revoked: the
        rows wait as `undeliverable: uninstalled` until it is back (rows in doubt stay in doubt,
        to be looked for once it is). True when the rows were held."""
        if platform not in self._installed:
            self._installed[platform] = await self.queue.installed(platform)
        if self._installed[platform]:
            return False
        if doubt_since is None:
            not_before = self.clock.now() + UNINSTALLED_RECHECK
            await self.queue.wait_for_reinstall([entry.id for entry in group], not_before)
        return True

    async def _send(
        self,
        group: list[OutboxEntry],
        messenger: Messenger,
        address: ChatAddress,
        hold_until: float,
    ) -> None:
        ids = [entry.id for entry in group]
        try:
            today = self.clock.now().date()
            replies = [compose(e.kind, e.payload, today=today) for e in group]
            reply = combine(replies, ref=group[0].dedupe_key)
        except (KeyError, ValueError, TypeError) as exc:
            await self._fail(group, f"cannot compose {group[0].kind}: {exc}")
            return
        for _ in range(self.rate_limit_retries + 1):
            late = await self._turn(address.platform, address.user_id, hold_until)
            if late:
                await self._release(group, late, "waiting for the platform's rate limit")
                return
            try:
                message_ref = await asyncio.wait_for(
                    messenger.send(address, reply), self.send_timeout
                )
            except TimeoutError:  # it may have arrived: resolved as in doubt, never resent blind
                log.warning("no answer sending outbox rows %s; left in doubt", ids)
                return
            except RateLimited as exc:
                self.pacer.pause(address.platform, exc.after_seconds)
                continue  # wait our turn again, still holding the claim if in time
            except RetryLater as exc:
                delay = max(exc.after_seconds, backoff(group[0].attempts))
                await self._retry(group, delay, exc.reason or str(exc))
                return
            except AwaitingReinstall:  # due again as soon as the person adds the app
                await self.queue.wait_for_reinstall(ids, self.clock.now() + UNINSTALLED_RECHECK)
                return
            except Undeliverable as exc:
                await self._fail(group, f"undeliverable: {exc.reason}")
                return
            except Exception as exc:  # an unexpected failure must not lose the row
                log.exception("delivering outbox rows %s (%s) failed", ids, group[0].kind)
                await self._retry(group, backoff(group[0].attempts), f"error: {type(exc).__name__}")
                return
            await self._sent(ids, message_ref)
            return
        await self._release(group, 1.0, "rate limited")

    async def _turn(self, platform: str, channel: str, hold_until: float) -> float:
        """Wait for a send slot (the channel's, then the platform's); 0 when it came in time,
        else how much later it comes (the caller gives the rows back rather than hold them)."""
        for step in ("channel", "platform"):
            if step == "channel":
                delay = self.pacer.reserve_channel(platform, channel)
            else:
                delay = self.pacer.reserve(platform, SEND)
            if time.monotonic() + delay > hold_until:
                return max(delay, 0.001)
            if delay > 0:
                await asyncio.sleep(delay)
        return 0.0

    async def _release(self, group: list[OutboxEntry], delay: float, reason: str) -> None:
        """Give rows back to the queue for `delay` seconds; rate limits are not failures, so
        this never counts towards giving up."""
        not_before = self.clock.now() + timedelta(seconds=max(delay, 1.0))
        for entry in group:
            await self.queue.retry_later(entry.id, not_before, reason)

    async def _deliver_lms(self, group: list[OutboxEntry], gateway: LmsGateway) -> None:
        """One LMS row through its gateway. An unreachable LMS never fails the row: it waits
        in the outbox, backing off, until the LMS is back."""
        ids = [entry.id for entry in group]
        attempts = group[0].attempts
        try:
            reference = await gateway.deliver(group[0])
        except RetryLater as exc:
            not_before = self.clock.now() + timedelta(
                seconds=max(exc.after_seconds, backoff(attempts))
            )
            for entry_id in ids:
                await self.queue.retry_later(entry_id, not_before, exc.reason or str(exc))
        except Undeliverable as exc:
            await self._fail(group, f"undeliverable: {exc.reason}")
        except Exception as exc:  # an unexpected failure must not lose the row
            log.exception("delivering outbox rows %s (%s) failed", ids, group[0].kind)
            await self._retry(group, backoff(attempts), f"error: {type(exc).__name__}")
        else:
            await self._sent(ids, reference)

    async def _arrived(
        self, messenger: Messenger, address: ChatAddress, ref: str, since: datetime
    ) -> bool | None:
        """Whether the message carrying `ref` arrived; None when the messenger cannot tell."""
        if not isinstance(messenger, DeliveryCheck):
            return None
        await self.pacer.wait_turn(address.platform, VERIFY)
        oldest = since.astimezone(UTC).timestamp() - IN_DOUBT_MARGIN
        return await messenger.was_delivered(address, ref, oldest)

    async def _cancelled(self, entries: list[OutboxEntry], now: datetime) -> set[int]:
        """The rows not to send (`bot.nudges.cancelled`)."""
        pairs = {pair for e in entries if (pair := session_pair(e.kind, e.payload))}
        last = await self.queue.last_sessions(sorted(pairs)) if pairs else {}
        return {e.id for e in entries if cancelled(e.kind, e.payload, now, last)}

    async def _recipient(self, entry: OutboxEntry) -> Person | None:
        if entry.recipient_id is None:
            return None
        async with self.unit_of_work() as uow:
            return await uow.people.get(entry.recipient_id)

    async def _sent(self, ids: list[int], message_ref: str | None) -> None:
        await self.queue.mark_all_sent(ids, message_ref, self.clock.now())
        self._outcomes["sent"] += len(ids)

    async def _fail(self, group: list[OutboxEntry], reason: str) -> None:
        for entry in group:
            await self.queue.mark_failed(entry.id, reason)
        self._outcomes["failed"] += len(group)

    async def _retry(self, group: list[OutboxEntry], delay: float, reason: str) -> None:
        if group[0].attempts >= self.max_attempts:
            await self._fail(group, f"gave up after {group[0].attempts} tries: {reason}")
            return
        not_before = self.clock.now() + timedelta(seconds=max(delay, 1.0))
        for entry in group:
            await self.queue.retry_later(entry.id, not_before, reason)
