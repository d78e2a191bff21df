"""`POST /lms/events` through the real aiohttp app: signature, validation, recording, replay."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from datetime import date
from typing import Any

import pytest
from aiohttp.test_utils import TestClient, TestServer
from sqlalchemy.ext.asyncio import AsyncEngine

from adapters.lms.webhook import LmsWebhook, mount, sign
from adapters.server import build_app
from bot.clock import FixedClock
from bot.messages import compose
from bot.services.completions import Completions
from bot.services.development import EventKind, development_record
from storage.unit_of_work import SqlUnitOfWork, unit_of_work_factory
from tests.services.helpers import NOW, command, logged, rows
from tests.storage.org import Org, build_org

SECRET = "webhook-test-secret"
STORED = ("learning_completion", "course_assignment", "outbox")


@pytest.fixture
async def client(engine: AsyncEngine) -> AsyncIterator[TestClient[Any, Any]]:
    app = build_app(engine)
    mount(app, LmsWebhook(SECRET, Completions(unit_of_work_factory(engine), FixedClock(NOW))))
    async with TestClient(TestServer(app)) as test_client:
        yield test_client


def event(**changes: str) -> dict[str, str]:
    return {
        "event_id": "lms-evt-1",
        "email": "ed@example.org",
        "course_id": "C-NEG-1",
        "status": "completed",
        "completed_at": "2026-11-20T14:30:00Z",
        **changes,
    }


async def post(
    client: TestClient[Any, Any],
    body: dict[str, str] | bytes,
    *,
    secret: str = SECRET,
    timestamp: int | None = None,
    signature: str | None = None,
) -> tuple[int, dict[str, Any]]:
    raw = body if isinstance(body, bytes) else json.dumps(body).encode()
    sent_at = str(timestamp if timestamp is not None else int(NOW.timestamp()))
    headers = {
        "Content-Type": "application/json",
        "X-Coachbot-Timestamp": sent_at,
        "X-Coachbot-Signature": signature or sign(secret, sent_at, raw),
    }
    response = await client.post("/lms/events", data=raw, headers=headers)
    return response.status, await response.json()


async def snapshot(engine: AsyncEngine) -> dict[str, list[dict[str, Any]]]:
    return {table: await rows(engine, table) for table in STORED}


async def assigned_in_session(engine: AsyncEngine) -> Org:
    org = await build_org(engine)
    await logged(engine, command(org, held_on=date(2026, 11, 3), course_ids=("C-NEG-1",)))
    return org


async def test_a_completion_closes_the_assignment_and_tells_the_manager(
    engine: AsyncEngine, client: TestClient[Any, Any]
) -> None:
    org = await assigned_in_session(engine)
    assert await post(client, event()) == (200, {"status": "recorded"})

    [assignment] = await rows(engine, "course_assignment")
    assert assignment["completed_at"] is not None
    [completion] = await rows(engine, "learning_completion")
    assert (completion["assignment_id"], completion["source"]) == (assignment["id"], "webhook")
    [told] = [row for row in await rows(engine, "outbox") if row["kind"] == "course_completed"]
    assert (told["recipient_id"], told["about_id"]) == (org.maya, org.ed)
    reply = compose(told["kind"], told["payload"], today=NOW.date())
    assert reply.summary == (
        "Ed completed Negotiation fundamentals, assigned in your session of 3 November."
    )
    record = await development_record(SqlUnitOfWork(engine), org.ed)
    [done] = [e for e in record.timeline if e.kind is EventKind.COURSE_COMPLETED]
    assert done.text == "Course completed: Negotiation fundamentals"


async def test_a_replayed_event_changes_nothing(
    engine: AsyncEngine, client: TestClient[Any, Any]
) -> None:
    await assigned_in_session(engine)
    await post(client, event())
    before = await snapshot(engine)
    assert await post(client, event()) == (200, {"status": "duplicate"})
    assert await snapshot(engine) == before


async def test_the_same_completion_from_another_source_changes_nothing(
    engine: AsyncEngine, client: TestClient[Any, Any]
) -> None:
    await assigned_in_session(engine)
    await post(client, event())
    before = await snapshot(engine)
    again = event(event_id="other-system-99", completed_at="2026-11-20T14:31:00+00:00")
    assert await post(client, again) == (200, {"status": "duplicate"})
    assert await snapshot(engine) == before


@pytest.mark.parametrize(
    ("secret", "timestamp", "signature"),
    [
        ("not-the-secret", None, None),
        (SECRET, int(NOW.timestamp()) - 301, None),
        (SECRET, None, "sha256=" + "0" * 64),
    ],
    ids=["wrong-secret", "older-than-300s", "forged"],
)
async def test_a_bad_signature_is_401_and_nothing_is_stored(
    engine: AsyncEngine,
    client: TestClient[Any, Any],
    secret: str,
    timestamp: int | None,
    signature: str | None,
) -> None:
    await assigned_in_session(engine)
    before = await snapshot(engine)
    status, _ = await post(client, event(), secret=secret, timestamp=timestamp, signature=signature)
    assert status == 401
    assert await snapshot(engine) == before


async def test_an_unsigned_request_is_401(
    engine: AsyncEngine, client: TestClient[Any, Any]
) -> None:
    await build_org(engine)
    response = await client.post("/lms/events", json=event())
    assert response.status == 401
    assert await rows(engine, "learning_completion") == []


@pytest.mark.parametrize(
    ("body", "problem"),
    [
        (b"{not json", "malformed JSON"),
        (json.dumps({"email": "ed@example.org"}).encode(), "event_id"),
        (json.dumps(event(completed_at="yesterday")).encode(), "completed_at"),
        (json.dumps(event(status="started")).encode(), "status"),
    ],
)
async def test_a_malformed_event_is_400(
    engine: AsyncEngine, client: TestClient[Any, Any], body: bytes, problem: str
) -> None:
    await build_org(engine)
    status, answer = await post(client, body)
    assert status == 400
    assert problem in answer["error"]
    assert await rows(engine, "learning_completion") == []


async def test_an_unknown_person_or_course_is_422_naming_it(
    engine: AsyncEngine, client: TestClient[Any, Any]
) -> None:
    await build_org(engine)
    status, answer = await post(client, event(email="nobody@example.org"))
    assert (status, answer["error"]) == (422, "unknown person nobody@example.org")
    status, answer = await post(client, event(event_id="e2", course_id="C-NOPE"))
    assert (status, answer["error"]) == (422, "unknown course C-NOPE")
    assert await rows(engine, "learning_completion") == []


async def test_a_course_nobody_assigned_is_self_directed_learning(
    engine: AsyncEngine, client: TestClient[Any, Any]
) -> None:
    org = await build_org(engine)
    assert await post(client, event(course_id="C-TALK")) == (200, {"status": "recorded"})
    [completion] = await rows(engine, "learning_completion")
    assert completion["assignment_id"] is None
    assert [row["kind"] for row in await rows(engine, "outbox")] == []
    record = await development_record(SqlUnitOfWork(engine), org.ed)
    [learning] = [e for e in record.timeline if e.kind is EventKind.SELF_DIRECTED]
    assert learning.text == "Self-directed learning: Speaking with confidence"
