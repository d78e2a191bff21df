"""Signing in and out. The link from chat opens `GET /console/sign-in?person=..&token=..`, a page
with one *Sign in* button: the link is spent by that button's POST, never by the GET, so a chat
client's or mail scanner's preview of the link cannot use it up. Sign-out ends the session."""

from __future__ import annotations

from aiohttp import web

from adapters.console.imports import forget_uploads
from adapters.console.web import (
    COOKIE,
    COOKIE_PATH,
    SIGNED_IN,
    application,
    plain_page,
    record_id,
    render,
    see_other,
)
from bot.errors import Refusal
from bot.services.console import LINK_REFUSED

LINK_TITLE = "This link cannot be used"


def register(console: web.Application) -> None:
    console.router.add_get("/sign-in", sign_in_page, name="sign_in")
    console.router.add_post("/sign-in", spend_link, name="sign_in_spend")
    console.router.add_post("/sign-out", sign_out, name="sign_out")
    console.router.add_get("", home, name="home")
    console.router.add_get("/", home, name="home_slash")


def _person_id(text: object) -> int | None:
    return record_id(text)


async def home(request: web.Request) -> web.StreamResponse:
    return see_other("/console/programme")


async def sign_in_page(request: web.Request) -> web.StreamResponse:
    person_id = _person_id(request.query.get("person"))
    token = request.query.get("token", "")
    access = application(request).console
    if person_id is None or not await access.link_usable(person_id, token):
        return plain_page(request, LINK_TITLE, LINK_REFUSED, status=403)
    return render(request, "sign_in.html", {"person_id": person_id, "token": token})


async def spend_link(request: web.Request) -> web.StreamResponse:
    form = await request.post()
    person_id = _person_id(form.get("person"))
    access = application(request).console
    try:
        if person_id is None:
            raise Refusal(LINK_REFUSED)
        opened = await access.spend_link(person_id, str(form.get("token", "")))
    except Refusal as refusal:
        return plain_page(request, LINK_TITLE, refusal.message, status=403)
    response = see_other("/console/programme")
    response.set_cookie(
        COOKIE,
        opened.cookie,
        path=COOKIE_PATH,
        httponly=True,
        samesite="Lax",
        secure=access.secure,
    )
    return response


async def sign_out(request: web.Request) -> web.StreamResponse:
    await forget_uploads(request)
    await application(request).console.sign_out(request.cookies.get(COOKIE, ""))
    request.pop(SIGNED_IN, None)  # the page after sign-out is a signed-out one
    response = plain_page(request, "Signed out", "You have signed out of the console.", status=200)
    response.del_cookie(COOKIE, path=COOKIE_PATH)
    return response
