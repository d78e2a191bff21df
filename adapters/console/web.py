"""What every console page uses: the sub-application with its templates and static files, the
middleware that lets only a signed-in L&D admin through (and a POST only with the session's
CSRF token), `admin(request)`, `application(request)` and the one `render`."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import aiohttp_jinja2
import jinja2
from aiohttp import web
from aiohttp.typedefs import Handler
from markupsafe import Markup, escape

from adapters.application import Application
from bot.model import Person
from bot.services.console import SignedIn, same_token

APPLICATION_KEY = web.AppKey("console_application", Application)
SIGNED_IN = web.RequestKey("console_signed_in", SignedIn)
COOKIE = "coachbot_console"
COOKIE_PATH = "/console"
CSRF_FIELD = "csrf_token"
STATIC = Path(__file__).parent / "static"
PUBLIC_ROUTES = frozenset({"sign_in", "sign_in_spend", "static"})
"""Routes open without a session: the sign-in link itself and the stylesheet."""
SAFE_METHODS = frozenset({"GET", "HEAD"})
UPLOAD_LIMIT_MB = 20
UPLOAD_ROUTES = frozenset({"imports_upload"})
"""Routes taking a file: their bodies may be up to `UPLOAD_LIMIT_MB` (the server's 1 MiB
otherwise), enough for an import of 50,000 people."""
SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
        "frame-ancestors 'none'; form-action 'self'; base-uri 'none'"
    ),
    # the sign-in link's secret is in its URL: never sent on to another site
    "Referrer-Policy": "no-referrer",
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
}

SESSION_ENDED = (
    "Your console session has ended (signed out, 8 hours without use, or your L&D role was "
    "removed), so nothing was changed. Open the console again from chat."
)
TOO_LARGE = (
    f"The file is larger than the console takes ({UPLOAD_LIMIT_MB} MB), so nothing was "
    "uploaded. Split it into smaller files, or import it with `coachbot import` on the server."
)
BAD_FORM = (
    "This form has expired or did not come from the console (its security token is missing "
    "or wrong), so nothing was changed. Go back, reload the page and try again."
)


def console_app(application: Application) -> web.Application:
    console = web.Application(middlewares=[guard])
    console[APPLICATION_KEY] = application
    env = aiohttp_jinja2.setup(
        console,
        loader=jinja2.PackageLoader("adapters.console", "templates"),
        autoescape=jinja2.select_autoescape(default=True),
        undefined=jinja2.StrictUndefined,
    )
    env.globals["csrf_field"] = _csrf_field
    console.router.add_static("/static/", STATIC, name="static")
    return console


def application(request: web.Request) -> Application:
    return request.config_dict[APPLICATION_KEY]


def signed_in(request: web.Request) -> SignedIn:
    """The signed-in admin and their session's CSRF token (the middleware has checked both)."""
    return request[SIGNED_IN]


def admin(request: web.Request) -> Person:
    """The signed-in L&D admin making this request."""
    return signed_in(request).person


@jinja2.pass_context
def _csrf_field(context: Any) -> Markup:
    token = context.get(CSRF_FIELD, "")
    return Markup(f'<input type="hidden" name="{CSRF_FIELD}" value="{escape(token)}">')


def render(
    request: web.Request, template: str, context: dict[str, Any] | None = None, *, status: int = 200
) -> web.Response:
    """The page `template` with `context`, plus the signed-in admin (None on the public
    pages), their CSRF token and the current route's name (for the nav)."""
    signed = request.get(SIGNED_IN)
    route = request.match_info.route.name
    full = {
        "admin": signed.person if signed else None,
        CSRF_FIELD: signed.csrf_token if signed else "",
        "current": route or "",
        **(context or {}),
    }
    return aiohttp_jinja2.render_template(template, request, full, status=status)


def see_other(location: str) -> web.Response:
    """The answer to a POST that worked: the browser goes (GET) to `location`."""
    return web.Response(status=303, headers={"Location": location})


def plain_page(request: web.Request, title: str, message: str, *, status: int) -> web.Response:
    """A page saying one thing (a refusal, an ended session), with nothing else on it."""
    return render(request, "message.html", {"heading": title, "message": message}, status=status)


@web.middleware
async def guard(request: web.Request, handler: Handler) -> web.StreamResponse:
    response = await _guarded(request, handler)
    for name, value in SECURITY_HEADERS.items():
        response.headers.setdefault(name, value)
    if request.match_info.route.name != "static":
        response.headers.setdefault("Cache-Control", "no-store")
    return response


async def _guarded(request: web.Request, handler: Handler) -> web.StreamResponse:
    if request.match_info.route.name in PUBLIC_ROUTES:
        return await handler(request)
    access = request.config_dict[APPLICATION_KEY].console
    signed = await access.signed_in(request.cookies.get(COOKIE, ""))
    if signed is None:
        if request.method not in SAFE_METHODS:
            return plain_page(request, "Signed out", SESSION_ENDED, status=403)
        return render(request, "signed_out.html", status=401)
    if request.match_info.route.name in UPLOAD_ROUTES:
        request = request.clone(client_max_size=UPLOAD_LIMIT_MB * 1024 * 1024)
    request[SIGNED_IN] = signed
    if request.method not in SAFE_METHODS:
        try:
            form = await request.post()
        except web.HTTPRequestEntityTooLarge:
            return plain_page(request, "File too large", TOO_LARGE, status=413)
        if not same_token(str(form.get(CSRF_FIELD, "")), signed.csrf_token):
            return plain_page(request, "Not changed", BAD_FORM, status=403)
    return await handler(request)
