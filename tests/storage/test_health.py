"""The health check: 200 while the database answers and can take a write, 503 when it does
not."""

from __future__ import annotations

from aiohttp.test_utils import TestClient, TestServer
from sqlalchemy.ext.asyncio import AsyncEngine

from adapters.server import build_app
from storage.db import create_engine
from tests.support.databases import write_lock_held


async def test_healthz_is_ok_when_the_database_answers(engine: AsyncEngine) -> None:
    async with TestClient(TestServer(build_app(engine))) as client:
        response = await client.get("/healthz")
        assert response.status == 200
        assert await response.json() == {"status": "ok", "database": "ok"}


async def test_healthz_is_503_when_the_database_is_unreachable() -> None:
    engine = create_engine("postgresql://nobody@127.0.0.1:1/none")
    async with TestClient(TestServer(build_app(engine))) as client:
        response = await client.get("/healthz")
        assert response.status == 503
        assert await response.json() == {"status": "unavailable", "database": "error"}
    await engine.dispose()


async def test_healthz_is_503_while_the_database_cannot_take_writes(sqlite_url: str) -> None:
    engine = create_engine(sqlite_url)
    async with TestClient(TestServer(build_app(engine))) as client:
        with write_lock_held(sqlite_url):
            response = await client.get("/healthz")
            assert response.status == 503
            assert await response.json() == {"status": "unavailable", "database": "error"}
        response = await client.get("/healthz")
        assert response.status == 200
        assert await response.json() == {"status": "ok", "database": "ok"}
    await engine.dispose()


async def test_metrics_count_requests(engine: AsyncEngine) -> None:
    async with TestClient(TestServer(build_app(engine, metrics_token="scrape"))) as client:
        await client.get("/healthz")
        response = await client.get("/metrics", headers={"Authorization": "Bearer scrape"})
        body = await response.text()
    assert 'coachbot_http_requests_total{route="/healthz",status="200"} 1.0' in body


async def test_metrics_are_refused_without_the_token(engine: AsyncEngine) -> None:
    async with TestClient(TestServer(build_app(engine, metrics_token="scrape"))) as client:
        for headers in ({}, {"Authorization": "Bearer wrong"}, {"Authorization": "Basic scrape"}):
            response = await client.get("/metrics", headers=headers)
            assert response.status == 401
            assert "COACHBOT_METRICS_TOKEN" in await response.text()
            assert "coachbot_http_requests" not in await response.text()


async def test_metrics_are_not_served_when_no_token_is_configured(engine: AsyncEngine) -> None:
    async with TestClient(TestServer(build_app(engine))) as client:
        response = await client.get("/metrics", headers={"Authorization": "Bearer "})
        assert response.status == 404
        assert "coachbot_http_requests" not in await response.text()
