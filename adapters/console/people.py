"""The People page: find a person; their directory facts, leave, export and erasure."""

from __future__ import annotations

from aiohttp import web

from adapters.console.web import render


def register(console: web.Application) -> None:
    console.router.add_get("/people", people_page, name="people")


async def people_page(request: web.Request) -> web.StreamResponse:
    return render(request, "people.html")
