"""The wired process: with LMS settings, the outbox takes "xapi" and "moodle" rows and the
server answers `POST /lms/events`."""

from __future__ import annotations

import json
import time

from aiohttp.test_utils import TestClient, TestServer

from adapters.bootstrap import build
from adapters.config import load_settings
from adapters.lms.webhook import sign
from storage.db import upgrade


async def test_the_lms_settings_open_the_webhook_and_the_lms_channels(sqlite_url: str) -> None:
    settings = load_settings(
        database_url=sqlite_url,
        lms_webhook_secret="s3cret",
        lrs_endpoint="http://127.0.0.1:9/xAPI/",
        moodle_url="http://127.0.0.1:9",
        moodle_token="t",
    )
    coachbot = build(settings)
    try:
        await upgrade(coachbot.engine)
        assert sorted(coachbot.dispatcher.lms_gateways) == ["moodle", "xapi"]
        assert coachbot.lms_polls is not None
        body = json.dumps(
            {
                "event_id": "e1",
                "email": "nobody@example.org",
                "course_id": "42",
                "status": "completed",
                "completed_at": "2026-11-20T10:00:00Z",
            }
        ).encode()
        stamp = str(int(time.time()))
        headers = {
            "X-Coachbot-Timestamp": stamp,
            "X-Coachbot-Signature": sign("s3cret", stamp, body),
        }
        async with TestClient(TestServer(coachbot.web_app)) as client:
            response = await client.post("/lms/events", data=body, headers=headers)
            assert response.status == 422
            assert await response.json() == {"error": "unknown person nobody@example.org"}
    finally:
        await coachbot.engine.dispose()


async def test_without_lms_settings_nothing_is_polled_and_lms_rows_have_no_gateway(
    sqlite_url: str,
) -> None:
    coachbot = build(load_settings(database_url=sqlite_url))
    try:
        assert coachbot.dispatcher.lms_gateways == {}
        assert coachbot.lms_polls is None
    finally:
        await coachbot.engine.dispose()
