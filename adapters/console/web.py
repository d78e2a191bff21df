"""What every console page uses: the sub-application with its templates and static files, the
middleware that lets only a signed-in L&D admin through (and a POST only with the session's
CSRF token), `admin(request)`, `application(request)` and the one `render`."""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import aiohttp_jinja2
import jinja2
from aiohttp import web
from aiohttp.typedefs import Handler
from markupsafe import Markup, escape

from adapters.application import Application
from adapters.request_body import body_problem
from bot.commands import whole_number
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
    env.globals["csrf_query"] = _csrf_query
    console.router.add_static("/static/", STATIC, name="static")
    return console


MAX_RECORD_ID = 2**31 - 1
"""The largest id a table's integer key holds (PostgreSQL refuses a larger one outright)."""


def record_id(text: object) -> int | None:
    """A record id from a URL or a form (ASCII digits that an id column can hold), or None."""
    number = whole_number(text if isinstance(text, str) else None)
    return number if number is not None and number <= MAX_RECORD_ID else None


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


@jinja2.pass_context
def _csrf_query(context: Any) -> Markup:
    """`csrf_token=...` for the action URL of an upload form (multipart)."""
    return Markup(escape(urlencode({CSRF_FIELD: context.get(CSRF_FIELD, "")})))


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
    try:
        response = await _guarded(request, handler)
    except web.HTTPException as exc:  # a 404 or a redirect: the same headers
        _secured(request, exc.headers)
        raise
    _secured(request, response.headers)
    return response


def _secured(request: web.Request, headers: Any) -> None:
    for name, value in SECURITY_HEADERS.items():
        headers.setdefault(name, value)
    if request.match_info.route.name != "static":
        headers.setdefault("Cache-Control", "no-store")


async def _unusable(request: web.Request) -> str | None:
    """Why the query or form cannot be acted on (a NUL character), or None."""
    values: list[object] = [*request.query.keys(), *request.query.values()]
    if request.method not in SAFE_METHODS and request.content_type != "multipart/form-data":
        form = await request.post()
        values += [*form.keys(), *(v for v in form.values() if isinstance(v, str))]
    return body_problem(values)


async def _guarded(request: web.Request, handler: Handler) -> web.StreamResponse:
    problem = await _unusable(request)
    if problem is not None:
        message = f"This request cannot be used ({problem}), so nothing was changed."
        return plain_page(request, "Not understood", message, status=400)
    if request.match_info.route.name in PUBLIC_ROUTES:
        return await handler(request)
    access = request.config_dict[APPLICATION_KEY].console
    signed = await access.signed_in(request.cookies.get(COOKIE, ""))
    if signed is None:
        if request.method not in SAFE_METHODS:
            return plain_page(request, "Signed out", SESSION_ENDED, status=403)
        return render(request, "signed_out.html", status=401)
    request[SIGNED_IN] = signed
    if request.method not in SAFE_METHODS:
        if request.content_type == "multipart/form-data":
            # an upload's token is in its form's action URL: its body is the handler's to
            # stream, not read whole here
            given = request.query.get(CSRF_FIELD, "")
        else:
            given = str((await request.post()).get(CSRF_FIELD, ""))
        if not same_token(given, signed.csrf_token):
            return plain_page(request, "Not changed", BAD_FORM, status=403)
    return await handler(request)
