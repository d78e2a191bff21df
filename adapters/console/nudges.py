"""The Nudges page: what the scheduler sends today and in the next 7 days (the planner behind
`coachbot nudges preview`), counted by kind and by day; and the outbox's pending, in-doubt and
failed rows with the reason and a *Retry* (as `coachbot outbox retry`). Kinds, recipients and
status only: never a message's text."""

from __future__ import annotations

from aiohttp import web

from adapters.console.web import application, plain_page, render, see_other
from adapters.nudge_forecast import forecast
from bot.ports import NudgeParty, OutboxEntry
from storage.dispatch_queue import SqlDispatchQueue

DAYS_AHEAD = 7
NO_SUCH_ROW = (
    "That message is not failed or in doubt any more (already re-queued or sent), so nothing "
    "was changed."
)


def register(console: web.Application) -> None:
    console.router.add_get("/nudges", nudges_page, name="nudges")
    console.router.add_post("/nudges/outbox/{id}/retry", retry, name="nudges_retry")


async def nudges_page(request: web.Request) -> web.StreamResponse:
    app = application(request)
    plans = await forecast(app, DAYS_AHEAD)
    kinds = sorted({kind for plan in plans for kind in plan.by_kind()})
    queue = SqlDispatchQueue(app.engine)
    outbox = await queue.pending() + await queue.failed()
    ids = {e.recipient_id for e in outbox} | {e.about_id for e in outbox}
    parties = await app.nudge_store.parties([i for i in ids if i is not None])
    context = {
        "plans": plans,
        "kinds": kinds,
        "outbox": [_row(entry, parties) for entry in outbox],
        "retried": request.query.get("retried"),
    }
    return render(request, "nudges.html", context)


def _who(parties: dict[int, NudgeParty], person_id: int | None) -> str:
    if person_id is None:
        return "-"
    party = parties.get(person_id)
    return party.email if party else "a former colleague"


def _row(entry: OutboxEntry, parties: dict[int, NudgeParty]) -> dict[str, object]:
    status = "in doubt" if entry.status.value == "sending" else entry.status.value
    return {
        "id": entry.id,
        "status": status,
        "kind": entry.kind,
        "recipient": _who(parties, entry.recipient_id),
        "about": _who(parties, entry.about_id),
        "attempts": entry.attempts,
        "not_before": entry.not_before,
        "reason": (entry.last_error or "").replace("\n", " ")[:200],
        "retryable": status in ("failed", "in doubt"),
    }


async def retry(request: web.Request) -> web.StreamResponse:
    text = request.match_info["id"]
    app = application(request)
    entry_id = int(text) if text.isascii() and text.isdigit() and len(text) < 12 else None
    if entry_id is None or not await SqlDispatchQueue(app.engine).requeue(
        entry_id, app.clock.now()
    ):
        return plain_page(request, "Not changed", NO_SUCH_ROW, status=404)
    app.outbox_written()
    return see_other(f"/console/nudges?retried={entry_id}#outbox")
