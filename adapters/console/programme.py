"""The Programme page: the programme report of `/coaching-report` and `coachbot report`."""

from __future__ import annotations

from aiohttp import web

from adapters.console.web import render


def register(console: web.Application) -> None:
    console.router.add_get("/programme", programme_page, name="programme")


async def programme_page(request: web.Request) -> web.StreamResponse:
    return render(request, "programme.html")
