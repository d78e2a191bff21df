"""What each outbox message says: a `Reply` composed from the row's kind and payload.

Payloads hold what the message needs at the moment it was caused; composing happens at delivery,
so a message reads the same whichever door carries it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date
from typing import Any

from bot.dates import iso_day_text
from bot.errors import AppraisalFinding
from bot.fitting import shorten
from bot.replies import Actions, Button, Link, Reply, Section

_CLOSED_WORDS = {"done": "✅ _done_", "carried_over": "_(carried over)_", "dropped": "_(dropped)_"}


def _action_line(action: dict[str, Any], today: date) -> str:
    due = f" (by {iso_day_text(action['due_on'], today)})" if action.get("due_on") else ""
    closed = _CLOSED_WORDS.get(str(action.get("closed") or ""))
    return f"{action['text']}{due}" + (f" {closed}" if closed else "")


def _open(actions: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The actions still offering *Done*: those with an id not closed since the message."""
    return [a for a in actions if "id" in a and not a.get("closed")]


def _done_label(action: dict[str, Any]) -> str:
    return "Done: " + shorten(str(action["text"]), 60)


HOME_HINT = "open your Home tab"
"""Where every list a message cannot show in full can be read whole."""


def with_action_statuses(payload: dict[str, Any], closed: dict[int, str]) -> dict[str, Any]:
    """The payload with each listed action closed since marked so (`closed` maps action id to
    its status), so that the message composed again shows it closed, with no *Done* left."""
    actions = [
        {**a, "closed": closed[a["id"]]} if a.get("id") in closed else a
        for a in payload.get("actions", [])
    ]
    return {**payload, "actions": actions} if "actions" in payload else payload


def session_logged(payload: dict[str, Any], today: date) -> Reply:
    """The employee's DM after a session: focus, agreed actions, assigned courses."""
    manager = payload["manager_name"]
    held_on = iso_day_text(payload["held_on"], today)
    sections = [
        Section(
            heading="Your coaching session",
            text=(
                f"{manager} logged your coaching session of {held_on}.\n"
                f"*Focus:* {payload['focus']}: {payload['skill_name']}"
            ),
        )
    ]
    actions = payload.get("actions", [])
    if actions:
        sections.append(
            Section(
                text="*What you agreed*",
                items=tuple(_action_line(a, today) for a in actions),
                noun="agreed actions",
                more_hint=HOME_HINT,
                buttons=tuple(
                    Button(_done_label(a), Actions.ACTION_DONE, str(a["id"]))
                    for a in _open(actions)
                ),
            )
        )
    for course in payload.get("courses", []):
        sections.append(
            Section(
                text=f"*Course assigned:* {course['title']}\n_{course['why']}_",
                links=(Link(f"Open {course['title']}", course["url"]),) if course["url"] else (),
            )
        )
    titles = ", ".join(c["title"] for c in payload.get("courses", []))
    summary = f"{manager} logged your coaching session" + (f"; course: {titles}" if titles else "")
    return Reply(summary=summary, sections=tuple(sections))


def session_saved(payload: dict[str, Any], today: date) -> Reply:
    """The manager's confirmation, with the next due date."""
    held_on = iso_day_text(payload["held_on"], today)
    lines = [
        f"Saved your session with {payload['employee_name']} of {held_on}.",
        f"Next session due by *{iso_day_text(payload['next_due_on'], today)}*.",
    ]
    if payload.get("assigned"):
        lines.append("Assigned: " + ", ".join(payload["assigned"]) + ".")
    for course in payload.get("already_open", []):
        lines.append(
            f"{payload['employee_name']} already has *{course['title']}* open, so it was not "
            "assigned again."
        )
    if payload.get("flagged"):
        lines.append("_Some key points read as appraisal; the session is saved as you wrote it._")
    return Reply(summary=lines[0], sections=(Section(text="\n".join(lines)),))


COMPOSERS: dict[str, Callable[[dict[str, Any], date], Reply]] = {
    "session_logged": session_logged,
    "session_saved": session_saved,
}


def appraisal_warning(findings: Sequence[AppraisalFinding]) -> Section:
    """What the session form shows, before saving, when key points read as appraisal: each
    one with the phrases found and a development-focused rewording."""
    return Section(
        text=(
            "⚠️ *Some key points read like appraisal.* Coaching is development: try a "
            "rewording, or keep your words and tick the box below."
        ),
        items=tuple(
            f"_{f.text}_ ({', '.join(f'“{p}”' for p in f.phrases)})\nTry: {f.suggestion}"
            for f in findings
        ),
    )


def compose(kind: str, payload: dict[str, Any], ref: str = "", *, today: date) -> Reply:
    """The reply for an outbox row on `today` (whose year its dates leave out); `ref` is its
    dedupe key, carried for in-doubt checks."""
    composer = COMPOSERS.get(kind)
    if composer is None:
        raise KeyError(f"no message composer for outbox kind {kind!r}")
    reply = composer(payload, today)
    return Reply(reply.summary, reply.sections, reply.ephemeral, ref)


# ---- the scheduler's nudges (`programme.md`, "Nudges") ------------------------------------


def _actions_listed(actions: list[dict[str, Any]], today: date) -> tuple[str, ...]:
    return tuple(_action_line(action, today) for action in actions)


def _since(payload: dict[str, Any], today: date) -> str:
    last = payload.get("last_session_on")
    return f"last session {iso_day_text(last, today)}" if last else "no session logged yet"


def session_due(payload: dict[str, Any], today: date) -> Reply:
    """The manager's reminder: whom, since when, the open actions, *Log session* and *Snooze*."""
    employee = payload["employee_name"]
    actions = payload.get("open_actions", [])
    text = (
        f"Your coaching session with *{employee}* is due ({_since(payload, today)}; due "
        f"{iso_day_text(payload['due_on'], today)})."
    )
    if actions:
        text += "\n*Open actions to review*"
    buttons = (
        Button("Log session", Actions.LOG_SESSION, str(payload["employee_id"]), primary=True),
        Button("Snooze 3 days", Actions.SNOOZE, f"{payload['employee_id']}:{payload['due_on']}"),
    )
    section = Section(
        heading="Coaching session due",
        text=text,
        items=_actions_listed(actions, today),
        buttons=buttons,
        noun="open actions",
        more_hint="*Log session* reviews them all",
    )
    return Reply(summary=f"Coaching session with {employee} is due", sections=(section,))


def session_overdue(payload: dict[str, Any], today: date) -> Reply:
    """The manager's one reminder a week after the due date."""
    employee = payload["employee_name"]
    actions = payload.get("open_actions", [])
    due_on = iso_day_text(payload["due_on"], today)
    text = (
        f"Your coaching session with *{employee}* was due {due_on} and is not "
        f"logged yet ({_since(payload, today)}). This is the last reminder for it."
    )
    if actions:
        text += "\n*Open actions to review*"
    button = Button("Log session", Actions.LOG_SESSION, str(payload["employee_id"]), primary=True)
    section = Section(
        heading="Coaching session overdue",
        text=text,
        items=_actions_listed(actions, today),
        buttons=(button,),
        noun="open actions",
        more_hint="*Log session* reviews them all",
    )
    return Reply(summary=f"Coaching session with {employee} is overdue", sections=(section,))


def action_checkin(payload: dict[str, Any], today: date) -> Reply:
    """The employee's "log your actions" prompt midway to the next session, with *Done*s."""
    actions = payload.get("actions", [])
    due_on = iso_day_text(payload["due_on"], today)
    text = (
        f"Halfway to your next coaching session with {payload['manager_name']} (due "
        f"{due_on}). How are your agreed actions going? Mark what is done."
    )
    buttons = tuple(
        Button(_done_label(action), Actions.ACTION_DONE, str(action["id"]))
        for action in _open(actions)
    )
    section = Section(
        heading="Your agreed actions",
        text=text,
        items=_actions_listed(actions, today),
        buttons=buttons,
        noun="agreed actions",
        more_hint=HOME_HINT,
    )
    return Reply(summary="How are your agreed actions going?", sections=(section,))


def manager_module(payload: dict[str, Any], today: date) -> Reply:
    """The monthly offer of the coaching-skills module to a manager who has not completed it."""
    title = payload.get("title") or payload["course_id"]
    url = payload.get("url") or ""
    section = Section(
        heading="Coaching skills for managers",
        text=(
            f"The *{title}* module helps you run short, development-focused sessions "
            "(goal, reality, options, way forward). It takes less time than it saves."
        ),
        links=(Link(f"Open {title}", url),) if url else (),
    )
    return Reply(summary=f"Coaching skills module: {title}", sections=(section,))


COMPOSERS.update(
    {
        "session_due": session_due,
        "session_overdue": session_overdue,
        "action_checkin": action_checkin,
        "manager_module": manager_module,
    }
)


MAX_COMBINED = 16
"""Nudges one message combines at most, so that each door shows all of them in one message
(a due reminder takes two or three Slack blocks of 50; a card shares its size between them),
and a larger bundle goes as several messages."""


def combine(replies: list[Reply], ref: str = "") -> Reply:
    """Several nudges for one person in one window (at most `MAX_COMBINED`), as one message
    listing them all."""
    if len(replies) == 1:
        only = replies[0]
        return Reply(only.summary, only.sections, only.ephemeral, ref)
    sections = tuple(section for reply in replies for section in reply.sections)
    summary = f"{len(replies)} coaching reminders: " + "; ".join(r.summary for r in replies)
    return Reply(summary=shorten(summary, 300), sections=sections, ref=ref)


# ---- the L&D connection (issue 5): courses assigned and completed ----------------------------


def course_assigned(payload: dict[str, Any], today: date) -> Reply:
    """The employee's DM for a course assigned outside a session: title, link, why, who."""
    title = payload["title"]
    section = Section(
        heading="Course assigned",
        text=f"{payload['manager_name']} assigned you *{title}*.\n_{payload['why']}_",
        links=(Link(f"Open {title}", payload["url"]),) if payload.get("url") else (),
    )
    return Reply(summary=f"{payload['manager_name']} assigned you {title}", sections=(section,))


def course_completed(payload: dict[str, Any], today: date) -> Reply:
    """The manager's DM: "Sam completed Negotiation basics, assigned in your session of 3
    November"."""
    held_on = payload.get("session_held_on")
    where = (
        f"assigned in your session of {iso_day_text(held_on, today)}"
        if held_on
        else f"assigned on {iso_day_text(payload['assigned_on'], today)}"
    )
    first_name = payload["employee_name"].split()[0]
    text = f"{first_name} completed {payload['title']}, {where}."
    return Reply(summary=text, sections=(Section(text=text),))


COMPOSERS.update({"course_assigned": course_assigned, "course_completed": course_completed})


# ---- the weekly digest for L&D admins (issue 6) -----------------------------------------------


def _percent(value: float | None) -> str:
    return "n/a" if value is None else f"{100 * value:.0f}%"


def _change(now: float | int | None, before: float | int | None, percent: bool) -> str:
    if now is None or before is None:
        return ""
    delta = (now - before) * (100 if percent else 1)
    unit = " points" if percent else ""
    return f" ({'+' if delta >= 0 else ''}{delta:.0f}{unit} on last week)"


def ld_digest(payload: dict[str, Any], today: date) -> Reply:
    """The Monday digest: the last 30 days' figures, how they moved in a week, new alerts."""
    if payload.get("suppressed"):
        text = (
            f"Fewer than {payload['min_group_size']} people are in the programme, so there are "
            "no figures to show this week."
        )
        return Reply(summary="Your weekly coaching digest", sections=(Section(text=text),))
    coached = payload.get("people_coached")
    lines = [
        f"*{payload['sessions']} sessions*"
        + (
            f" with {coached} {'person' if coached == 1 else 'people'}"
            if coached is not None
            else ""
        )
        + f" in the last {payload['period_days']} days"
        + _change(payload["sessions"], payload["sessions_week_ago"], percent=False),
        f"People in the programme: {payload['people']}",
        f"Session completion: *{_percent(payload['completion_rate'])}*"
        + _change(payload["completion_rate"], payload["completion_rate_week_ago"], percent=True),
        f"Sessions with a course assigned: {_percent(payload['course_assignment_rate'])}",
    ]
    items = tuple(
        f"{a['department']}: {a['skill_id']} is the focus of {_percent(a['share'])} of "
        f"{a['sessions']} sessions"
        + ("" if a["catalogue_has_course"] else " (no course in the catalogue for it)")
        for a in payload["new_alerts"]
    )
    sections = [Section(heading="Your weekly coaching digest", text="\n".join(lines))]
    if items:
        sections.append(Section(text="*New theme alerts*", items=items))
    sections.append(Section(text="_`/coaching-report` has the full figures._"))
    summary = f"Coaching this week: {payload['sessions']} sessions in the last 30 days"
    return Reply(summary=summary, sections=tuple(sections))


COMPOSERS["ld_digest"] = ld_digest
