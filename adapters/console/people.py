"""The People page: find a person by name or e-mail; their directory facts (manager, reports,
cadence, zone, chat identities) and leave, which L&D adds and removes here (the service of
`coachbot leave`); their export as a JSON download and their erasure behind a confirmation
that asks for their e-mail (the Application methods of `coachbot person export|erase`).
Never what was said in a session: the export withholds notes."""

from __future__ import annotations

from datetime import date
from typing import Any

from aiohttp import web

from adapters.application import Application, PersonOverview
from adapters.console.web import application, record_id, render, see_other
from adapters.privacy_text import describe_erasure, export_json
from bot.errors import Refusal
from bot.services.nudges import add_leave, remove_leave

MAX_FOUND = 50
NOTICES = {
    "leave-added": "Leave recorded.",
    "leave-removed": "Leave removed.",
}


def register(console: web.Application) -> None:
    console.router.add_get("/people", people_page, name="people")
    console.router.add_get(r"/people/{id:\d{1,12}}", person_page, name="people_person")
    console.router.add_post(r"/people/{id:\d{1,12}}/leave", leave_add, name="people_leave_add")
    console.router.add_post(
        r"/people/{id:\d{1,12}}/leave/remove", leave_remove, name="people_leave_remove"
    )
    console.router.add_get(
        r"/people/{id:\d{1,12}}/export.json", person_export, name="people_export"
    )
    console.router.add_get(r"/people/{id:\d{1,12}}/erase", erase_page, name="people_erase")
    console.router.add_post(r"/people/{id:\d{1,12}}/erase", erase, name="people_erase_post")


async def people_page(request: web.Request) -> web.StreamResponse:
    words = request.query.get("q", "").strip()[:200]
    found = await application(request).search_people(words, MAX_FOUND + 1) if words else []
    return render(
        request,
        "people.html",
        {"q": words, "found": found[:MAX_FOUND], "more": len(found) > MAX_FOUND},
    )


async def _overview(request: web.Request) -> PersonOverview:
    person_id = record_id(request.match_info["id"])
    overview = None if person_id is None else await application(request).person_overview(person_id)
    if overview is None:
        raise web.HTTPNotFound(text="No such person (erased, or never imported).")
    return overview


def _person_context(overview: PersonOverview, app: Application) -> dict[str, Any]:
    return {
        "overview": overview,
        "person": overview.person,
        "zone": overview.person.timezone or f"{app.timezone} (the organisation's)",
        "today": app.today_for(overview.person).isoformat(),
    }


async def person_page(request: web.Request) -> web.StreamResponse:
    overview = await _overview(request)
    notice = NOTICES.get(request.query.get("done", ""))
    return render(
        request,
        "person.html",
        {**_person_context(overview, application(request)), "notice": notice, "problem": None},
    )


def _day(text: object, label: str) -> date:
    value = str(text or "").strip()
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise Refusal(f"{label}: {value!r} is not a date (YYYY-MM-DD)") from None


async def _leave_change(request: web.Request, *, adding: bool) -> web.StreamResponse:
    overview = await _overview(request)
    app = application(request)
    form = await request.post()
    person = overview.person
    try:
        first = _day(form.get("first_day"), "First day")
        if adding:
            last = _day(form.get("last_day"), "Last day")
            await add_leave(app.unit_of_work, app.nudge_store, person.email, first, last)
        else:
            await remove_leave(app.unit_of_work, app.nudge_store, person.email, first)
    except Refusal as refusal:
        context = {**_person_context(overview, app), "notice": None, "problem": refusal.message}
        return render(request, "person.html", context, status=400)
    done = "leave-added" if adding else "leave-removed"
    return see_other(f"/console/people/{person.id}?done={done}")


async def leave_add(request: web.Request) -> web.StreamResponse:
    return await _leave_change(request, adding=True)


async def leave_remove(request: web.Request) -> web.StreamResponse:
    return await _leave_change(request, adding=False)


async def person_export(request: web.Request) -> web.StreamResponse:
    overview = await _overview(request)
    try:
        record = await application(request).export_person(
            overview.person.email, withhold_notes=True
        )
    except Refusal as refusal:  # erased meanwhile
        raise web.HTTPNotFound(text=refusal.message) from None
    return web.Response(
        text=export_json(record) + "\n",
        content_type="application/json",
        charset="utf-8",
        headers={"Content-Disposition": f'attachment; filename="person-{overview.person.id}.json"'},
    )


async def _erase_preview(
    request: web.Request, overview: PersonOverview, problem: str | None, status: int = 200
) -> web.StreamResponse:
    preview = await application(request).erase_person(overview.person.email, dry_run=True)
    return render(
        request,
        "erase.html",
        {
            "person": overview.person,
            "lines": describe_erasure(preview)[1:],
            "problem": problem,
        },
        status=status,
    )


async def erase_page(request: web.Request) -> web.StreamResponse:
    return await _erase_preview(request, await _overview(request), None)


async def erase(request: web.Request) -> web.StreamResponse:
    overview = await _overview(request)
    typed = str((await request.post()).get("email", "")).strip()
    if typed.lower() != overview.person.email.lower():
        problem = (
            f"The e-mail typed is not {overview.person.email}, so nothing was erased. Type it "
            "exactly to confirm."
        )
        return await _erase_preview(request, overview, problem, status=400)
    try:
        erasure = await application(request).erase_person(overview.person.email)
    except Refusal as refusal:
        raise web.HTTPNotFound(text=refusal.message) from None
    return render(request, "erased.html", {"lines": describe_erasure(erasure)})
