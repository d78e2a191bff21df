"""`POST /lms/events` (README.md, the L&D connection): a completion pushed by the LMS, signed with
`LMS_WEBHOOK_SECRET` over `<timestamp>.<raw body>`. Bad or stale signature 401 (nothing stored),
malformed 400, unknown person or course 422 naming it, else 200 recorded|duplicate."""

from __future__ import annotations

import hashlib
import hmac
import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from aiohttp import web

from adapters.lms.xapi import parse_timestamp
from bot.services.completions import CompletionOutcome, CompletionReport, Completions

ROUTE = "/lms/events"
MAX_AGE_SECONDS = 300
TIMESTAMP = re.compile(r"[0-9]{1,12}")  # unix seconds; longer would overflow the comparison
FIELDS = ("event_id", "email", "course_id", "status", "completed_at")


def sign(secret: str, timestamp: str, body: bytes) -> str:
    """The `X-Coachbot-Signature` value for a body sent at `timestamp` (unix seconds)."""
    mac = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256)
    return f"sha256={mac.hexdigest()}"


def _error(status: int, message: str) -> web.Response:
    return web.json_response({"error": message}, status=status)


@dataclass
class LmsWebhook:
    """The handler, with what it needs; `recorded` wakes the outbox dispatcher."""

    secret: str | None
    completions: Completions
    recorded: Callable[[], None] = lambda: None

    def check_signature(self, request: web.Request, body: bytes) -> str | None:
        """Why the request is not signed by the LMS, or None when it is."""
        if not self.secret:
            return "LMS_WEBHOOK_SECRET is not set"
        timestamp = request.headers.get("X-Coachbot-Timestamp", "")
        signature = request.headers.get("X-Coachbot-Signature", "")
        if not timestamp or not signature:
            return "missing signature"
        if not TIMESTAMP.fullmatch(timestamp):
            return "malformed timestamp"
        if abs(self.completions.clock.now().timestamp() - int(timestamp)) > MAX_AGE_SECONDS:
            return "stale signature"
        # Compared as bytes: a header of any characters is simply a wrong signature.
        expected = sign(self.secret, timestamp, body).encode()
        if not hmac.compare_digest(expected, signature.encode("utf-8", "surrogateescape")):
            return "wrong signature"
        return None

    async def handle(self, request: web.Request) -> web.Response:
        body = await request.read()
        refused = self.check_signature(request, body)
        if refused is not None:
            return _error(401, refused)
        parsed = parse_event(body)
        if isinstance(parsed, str):
            return _error(400, parsed)
        result = await self.completions.record(parsed)
        if result.outcome in (CompletionOutcome.UNKNOWN_PERSON, CompletionOutcome.UNKNOWN_COURSE):
            return _error(422, result.problem)
        if result.outcome is CompletionOutcome.RECORDED:
            self.recorded()
        return web.json_response({"status": result.outcome.value})


def parse_event(body: bytes) -> CompletionReport | str:
    """The completion in a webhook body, or what is wrong with the body."""
    try:
        event: Any = json.loads(body)
    except (ValueError, RecursionError):
        return "malformed JSON"
    if not isinstance(event, dict):
        return "the body must be a JSON object"
    missing = [name for name in FIELDS if not isinstance(event.get(name), str) or not event[name]]
    if missing:
        return "missing or empty field(s): " + ", ".join(missing)
    unstorable = [name for name in FIELDS if "\x00" in event[name]]
    if unstorable:
        return "NUL character in field(s): " + ", ".join(unstorable)
    if len(event["event_id"]) > 200:
        return "event_id is longer than 200 characters"
    if event["status"] != "completed":
        return f"status must be 'completed', not {event['status']!r}"
    completed_at: datetime | None = parse_timestamp(event["completed_at"])
    if completed_at is None:
        return "completed_at must be an ISO-8601 datetime"
    return CompletionReport(
        email=event["email"].strip(),
        course_id=event["course_id"].strip(),
        completed_at=completed_at,
        source="webhook",
        event_id=f"webhook:{event['event_id']}",
    )


def mount(app: web.Application, webhook: LmsWebhook) -> None:
    app.router.add_post(ROUTE, webhook.handle)
