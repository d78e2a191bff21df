"""The L&D console: the programme's admin work in a browser, at `/console/`, on the same aiohttp
server as the chat doors and with the same services (`Application`): no rule is written here.
Server-rendered HTML (Jinja2 templates in `templates/`, static files in `static/` served at
`/console/static/`); every page works without JavaScript.

Signing in (`sign_in.py`): an L&D admin asks in chat for a one-time link; spending it opens a
session kept in the database. `web.py`'s middleware then, on every request of every page, reads
the session, checks the `ld_admin` role again, and checks the CSRF token of every POST, so a page
cannot forget either; a page never sees a request from anyone else.

Adding a page:
1. a module here with `register(console: web.Application) -> None` adding its routes, paths
   relative to `/console` (`console.router.add_get("/people", people_page, name="people")`;
   name every route: the name is how the middleware knows public routes, and it is the nav's
   `current`);
2. handlers take the `web.Request`, call `admin(request)` for the signed-in `Person` and
   `application(request)` for the `Application`, call one service, and return
   `render(request, "people.html", {...})` (a template extending `base.html`, filling the blocks
   `title` and `main`; `render` adds `admin`, `csrf_token` and `current`);
3. every form that POSTs carries `{{ csrf_field() }}`; a file upload form
   (`enctype="multipart/form-data"`) carries the token in its action URL instead
   (`action="/console/imports?{{ csrf_query() }}"`), so that its handler can stream the body
   (`await request.multipart()`; the server's `client_max_size` bounds `request.post()`);
   POST handlers answer with a redirect (303, `see_other`) to a page, or
   `render(..., status=400)` naming the problem;
4. call its `register` in `mount_console` below (and link it from base.html's nav).
Pages show aggregates and directory facts only: never a session's notes, key points or actions.
The Content-Security-Policy allows scripts, styles and images from the app only (no inline
script or `style=` attribute): a script goes in `static/` and is loaded with `<script src>`.
"""

from __future__ import annotations

from aiohttp import web

from adapters.application import Application
from adapters.console import imports, nudges, people, programme, sign_in
from adapters.console.web import console_app

CONSOLE_PREFIX = "/console"


def mount_console(web_app: web.Application, application: Application) -> None:
    """Serve the console under `/console/` on the one HTTP app."""
    console = console_app(application)
    sign_in.register(console)
    programme.register(console)
    imports.register(console)
    nudges.register(console)
    people.register(console)
    web_app.add_subapp(CONSOLE_PREFIX, console)
