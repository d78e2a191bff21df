"""The Nudges page: what the scheduler sends today and in the next 7 days (the planner behind
`coachbot nudges preview`), counted by kind and by day; and the outbox's pending, in-doubt and
failed rows with the reason and a *Retry* (as `coachbot outbox retry`). Kinds, recipients and
status only: never a message's text."""

from __future__ import annotations

from aiohttp import web

from adapters.console.web import application, plain_page, record_id, render, see_other
from adapters.nudge_overview import forecast, outbox_rows, retry

DAYS_AHEAD = 7
NO_SUCH_ROW = (
    "That message is not failed or in doubt any more (already re-queued or sent), so nothing "
    "was changed."
)


def register(console: web.Application) -> None:
    console.router.add_get("/nudges", nudges_page, name="nudges")
    console.router.add_post("/nudges/outbox/{id}/retry", retry_row, name="nudges_retry")


async def nudges_page(request: web.Request) -> web.StreamResponse:
    app = application(request)
    plans = await forecast(app, DAYS_AHEAD)
    context = {
        "plans": plans,
        "kinds": sorted({kind for plan in plans for kind in plan.by_kind()}),
        "outbox": await outbox_rows(app, failed=False) + await outbox_rows(app, failed=True),
        "retried": request.query.get("retried"),
    }
    return render(request, "nudges.html", context)


async def retry_row(request: web.Request) -> web.StreamResponse:
    row_id = record_id(request.match_info["id"])
    if row_id is None or not await retry(application(request), row_id):
        return plain_page(request, "Not changed", NO_SUCH_ROW, status=404)
    return see_other(f"/console/nudges?retried={row_id}#outbox")
