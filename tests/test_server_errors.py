"""When something does fail: `/metrics` counts every 5xx of every route, and what a statement
was given (what people typed) never reaches a log or an error's text."""

from __future__ import annotations

import logging

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine

from adapters.server import build_app
from storage.tables import metadata


async def test_every_5xx_is_counted_by_route(engine: AsyncEngine) -> None:
    async def broken(request: web.Request) -> web.Response:
        raise RuntimeError("a defect")

    app = build_app(engine, metrics_token="scrape")
    app.router.add_get("/broken", broken)
    async with TestClient(TestServer(app)) as client:
        assert (await client.get("/broken")).status == 500
        response = await client.get("/metrics", headers={"Authorization": "Bearer scrape"})
        body = await response.text()
    assert 'coachbot_http_requests_total{route="/broken",status="500"} 1.0' in body


async def test_statement_parameters_never_reach_logs_or_errors(
    engine: AsyncEngine, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    person = metadata.tables["person"]
    typed = "Confidential words typed into a form"
    async with engine.begin() as connection:
        await connection.execute(person.insert().values(email="a@example.org", name="A"))
    with pytest.raises(IntegrityError) as failure:
        async with engine.begin() as connection:
            await connection.execute(person.insert().values(email="a@example.org", name=typed))
    logging.getLogger("test").exception("a failed write", exc_info=failure.value)
    assert typed not in str(failure.value)
    assert typed not in caplog.text
