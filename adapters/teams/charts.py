"""Report charts by link (`GET /charts/{signed-token}.png` under `COACHBOT_PUBLIC_URL`): a card
cannot carry a large image, so the report card shows a URL. The token names the report asked
for and when the link expires (24 hours), signed with HMAC-SHA256; the chart is drawn again
from the aggregates when the link is opened, so nothing is kept and a restart loses nothing."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
from datetime import date, datetime, timedelta

from aiohttp import web

from adapters.report_render import render_chart
from bot.clock import Clock
from bot.services.reports import ProgrammeReports, ReportRequest

LINK_LIFETIME = timedelta(hours=24)
ROUTE = "/charts/{token}.png"


def chart_secret(app_password: str | None) -> bytes:
    """The signing key: derived from MicrosoftAppPassword, else random for this process."""
    if app_password:
        return hmac.new(app_password.encode(), b"coachbot chart links", hashlib.sha256).digest()
    return secrets.token_bytes(32)


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


class ChartLinks:
    """Signs and reads chart tokens."""

    def __init__(self, secret: bytes, clock: Clock, public_url: str | None) -> None:
        self._secret = secret
        self._clock = clock
        self._public_url = (public_url or "").rstrip("/")

    def url_for(self, request: ReportRequest, as_of: date) -> str | None:
        """The chart's link, valid for 24 hours; None without COACHBOT_PUBLIC_URL."""
        if not self._public_url:
            return None
        expires = self._clock.now() + LINK_LIFETIME
        claims = {
            "p": request.period_days,
            "a": as_of.isoformat(),
            "d": request.department,
            "t": request.team,
            "e": int(expires.timestamp()),
            "n": secrets.token_urlsafe(8),
        }
        body = _b64(json.dumps(claims, separators=(",", ":")).encode())
        return f"{self._public_url}/charts/{body}.{self._sign(body)}.png"

    def request_for(self, token: str) -> ReportRequest | None:
        """The report a token names, or None when it is forged, malformed or expired."""
        body, _, signature = token.partition(".")
        if not (body.isascii() and signature.isascii()):
            return None  # a signed token is base64url; compare_digest refuses other text
        if not hmac.compare_digest(signature, self._sign(body)):
            return None
        try:
            claims = json.loads(_unb64(body))
            expires = datetime.fromtimestamp(int(claims["e"]), tz=self._clock.now().tzinfo)
            request = ReportRequest(
                period_days=int(claims["p"]),
                as_of=date.fromisoformat(claims["a"]),
                department=claims.get("d"),
                team=claims.get("t"),
            )
        except (ValueError, KeyError, TypeError):
            return None
        return request if self._clock.now() < expires else None

    def _sign(self, body: str) -> str:
        return _b64(hmac.new(self._secret, body.encode(), hashlib.sha256).digest())


def mount_charts(app: web.Application, links: ChartLinks, reports: ProgrammeReports) -> None:
    async def chart(request: web.Request) -> web.Response:
        wanted = links.request_for(request.match_info["token"])
        if wanted is None:
            raise web.HTTPNotFound(text="This chart link is unknown or has expired.")
        report = await reports.report(wanted)
        if report.suppressed:
            raise web.HTTPNotFound(text="No figure of this report can be shown.")
        return web.Response(
            body=render_chart(report),
            content_type="image/png",
            headers={"Cache-Control": "private, max-age=3600"},
        )

    app.router.add_get(ROUTE, chart)
