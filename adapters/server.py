"""The one aiohttp application: health, metrics, and the doors each issue mounts on it."""

from __future__ import annotations

import gc
import hmac

from aiohttp import web
from aiohttp.typedefs import Handler
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, generate_latest
from sqlalchemy.ext.asyncio import AsyncEngine

from storage.db import takes_writes

ENGINE_KEY = web.AppKey("engine", AsyncEngine)
REGISTRY_KEY = web.AppKey("registry", CollectorRegistry)
METRICS_TOKEN_KEY = web.AppKey("metrics_token", str)


def build_app(
    engine: AsyncEngine,
    registry: CollectorRegistry | None = None,
    *,
    metrics_token: str | None = None,
) -> web.Application:
    """The HTTP application with `/healthz` and `/metrics`; doors add their own routes.
    `/metrics` shares the port Slack and Teams reach, so it answers only a scraper presenting
    `metrics_token` as a bearer token, and does not exist without one."""
    app = web.Application()
    app[ENGINE_KEY] = engine
    app[METRICS_TOKEN_KEY] = metrics_token or ""
    registry = registry or CollectorRegistry()
    app[REGISTRY_KEY] = registry
    requests = Counter(
        "coachbot_http_requests", "HTTP requests served", ["route", "status"], registry=registry
    )

    @web.middleware
    async def count_requests(request: web.Request, handler: Handler) -> web.StreamResponse:
        route = request.match_info.route.resource
        name = route.canonical if route is not None else "unmatched"
        try:
            response = await handler(request)
        except web.HTTPException as exc:
            requests.labels(name, str(exc.status)).inc()
            raise
        except Exception:
            # aiohttp answers an unhandled error with 500: counted, so alerts see every 5xx
            requests.labels(name, "500").inc()
            raise
        requests.labels(name, str(response.status)).inc()
        return response

    app.middlewares.append(count_requests)
    app.router.add_get("/healthz", healthz)
    app.router.add_get("/metrics", metrics)
    return app


async def healthz(request: web.Request) -> web.Response:
    """200 while the database answers and can take a write; 503 otherwise (unreachable, or
    locked by another writer for longer than a request may wait)."""
    if await takes_writes(request.app[ENGINE_KEY]):
        return web.json_response({"status": "ok", "database": "ok"})
    return web.json_response({"status": "unavailable", "database": "error"}, status=503)


async def metrics(request: web.Request) -> web.Response:
    """The Prometheus exposition, for `Authorization: Bearer <COACHBOT_METRICS_TOKEN>` only: 404
    when no token is configured (nothing to find), 401 for a missing or wrong token."""
    expected = request.app[METRICS_TOKEN_KEY]
    if not expected:
        raise web.HTTPNotFound(text="Not found: set COACHBOT_METRICS_TOKEN to serve /metrics.")
    scheme, _, given = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not hmac.compare_digest(
        given.strip().encode("utf-8", "surrogatepass"), expected.encode("utf-8")
    ):
        raise web.HTTPUnauthorized(
            text="Refused: /metrics needs Authorization: Bearer <COACHBOT_METRICS_TOKEN>.",
            headers={"WWW-Authenticate": 'Bearer realm="metrics"'},
        )
    body = generate_latest(request.app[REGISTRY_KEY])
    return web.Response(body=body, headers={"Content-Type": CONTENT_TYPE_LATEST})


def settle_heap() -> None:
    """Called once a server has started everything it keeps (libraries, the app, its caches),
    before it takes requests: those objects leave the garbage collector's view. Python's full
    collections otherwise walk them all, again and again, under a burst of requests: ~100 ms of
    a 200-form burst's ~1 s of CPU (`bench/slack_ack.py`). What requests allocate is still
    collected as before."""
    gc.collect()
    gc.freeze()
