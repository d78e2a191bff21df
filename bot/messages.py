"""What each outbox message says: a `Reply` composed from the row's kind and typed payload
(`bot.payloads`), one composer per kind.

Payloads hold what the message needs at the moment it was caused; composing happens at delivery,
so a message reads the same whichever door carries it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from datetime import date
from typing import Any

from bot.dates import day_text
from bot.errors import AppraisalFinding
from bot.fitting import shorten
from bot.nudges import NudgeKind
from bot.payloads import (
    PAYLOADS,
    ActionCheckinPayload,
    ActionLine,
    CourseAssignedPayload,
    CourseCompletedPayload,
    LdDigestPayload,
    ManagerModulePayload,
    MessageKind,
    OutboxKind,
    SessionLoggedPayload,
    SessionReminderPayload,
    SessionSavedPayload,
    from_json,
    message_kind,
)
from bot.replies import Actions, Button, Link, Reply, Section

_CLOSED_WORDS = {"done": "✅ _done_", "carried_over": "_(carried over)_", "dropped": "_(dropped)_"}


def _action_line(action: ActionLine, today: date) -> str:
    due = f" (by {day_text(action.due_on, today)})" if action.due_on else ""
    closed = _CLOSED_WORDS.get(action.closed or "")
    return f"{action.text}{due}" + (f" {closed}" if closed else "")


def _open(actions: Sequence[ActionLine]) -> list[ActionLine]:
    """The actions still offering *Done*: those with an id not closed since the message."""
    return [a for a in actions if a.id is not None and not a.closed]


def _done_label(action: ActionLine) -> str:
    return "Done: " + shorten(action.text, 60)


HOME_HINT = "open your Home tab"
"""Where every list a message cannot show in full can be read whole."""


def _done_buttons(actions: Sequence[ActionLine]) -> tuple[Button, ...]:
    return tuple(Button(_done_label(a), Actions.ACTION_DONE, str(a.id)) for a in _open(actions))


def _closed(actions: tuple[ActionLine, ...], closed: Mapping[int, str]) -> tuple[ActionLine, ...]:
    return tuple(
        replace(a, closed=closed[a.id]) if a.id is not None and a.id in closed else a
        for a in actions
    )


def with_action_statuses(payload: Any, closed: Mapping[int, str]) -> Any:
    """The payload with each listed action closed since marked so (`closed` maps action id to
    its status), so that the message composed again shows it closed, with no *Done* left."""
    if isinstance(payload, SessionLoggedPayload | ActionCheckinPayload):
        return replace(payload, actions=_closed(payload.actions, closed))
    if isinstance(payload, SessionReminderPayload):
        return replace(payload, open_actions=_closed(payload.open_actions, closed))
    return payload


def session_logged(payload: SessionLoggedPayload, today: date) -> Reply:
    """The employee's DM after a session: focus, agreed actions, assigned courses."""
    manager = payload.manager_name
    held_on = day_text(payload.held_on, today)
    sections = [
        Section(
            heading="Your coaching session",
            text=(
                f"{manager} logged your coaching session of {held_on}.\n"
                f"*Focus:* {payload.focus}: {payload.skill_name}"
            ),
        )
    ]
    if payload.actions:
        sections.append(
            Section(
                text="*What you agreed*",
                items=tuple(_action_line(a, today) for a in payload.actions),
                noun="agreed actions",
                more_hint=HOME_HINT,
                buttons=_done_buttons(payload.actions),
            )
        )
    for course in payload.courses:
        sections.append(
            Section(
                text=f"*Course assigned:* {course.title}\n_{course.why}_",
                links=(Link(f"Open {course.title}", course.url),) if course.url else (),
            )
        )
    titles = ", ".join(c.title for c in payload.courses)
    summary = f"{manager} logged your coaching session" + (f"; course: {titles}" if titles else "")
    return Reply(summary=summary, sections=tuple(sections))


def session_saved(payload: SessionSavedPayload, today: date) -> Reply:
    """The manager's confirmation, with the next due date."""
    held_on = day_text(payload.held_on, today)
    lines = [
        f"Saved your session with {payload.employee_name} of {held_on}.",
        f"Next session due by *{day_text(payload.next_due_on, today)}*.",
    ]
    if payload.assigned:
        lines.append("Assigned: " + ", ".join(payload.assigned) + ".")
    for course in payload.already_open:
        lines.append(
            f"{payload.employee_name} already has *{course.title}* open, so it was not "
            "assigned again."
        )
    if payload.flagged:
        lines.append("_Some key points read as appraisal; the session is saved as you wrote it._")
    return Reply(summary=lines[0], sections=(Section(text="\n".join(lines)),))


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


def compose(
    kind: str,
    payload: Mapping[str, Any] | Any,
    ref: str = "",
    *,
    today: date,
    closed: Mapping[int, str] | None = None,
) -> Reply:
    """The reply for an outbox row on `today` (whose year its dates leave out): its stored
    JSON payload, or the typed one; `ref` is its dedupe key, carried for in-doubt checks;
    `closed` marks actions closed since it went (`with_action_statuses`). KeyError for a kind
    with no message or a payload missing what it needs."""
    known = message_kind(kind)
    composer = COMPOSERS.get(known)
    if composer is None:
        raise KeyError(f"no message composer for outbox kind {kind!r}")
    typed = from_json(PAYLOADS[known], payload) if isinstance(payload, Mapping) else payload
    if closed:
        typed = with_action_statuses(typed, closed)
    reply = composer(typed, today)
    return Reply(reply.summary, reply.sections, reply.ephemeral, ref)


# ---- the scheduler's nudges ------------------------------------------------------------------


def _actions_listed(actions: Sequence[ActionLine], today: date) -> tuple[str, ...]:
    return tuple(_action_line(action, today) for action in actions)


def _since(last_session_on: date | None, today: date) -> str:
    if last_session_on is None:
        return "no session logged yet"
    return f"last session {day_text(last_session_on, today)}"


def session_due(payload: SessionReminderPayload, today: date) -> Reply:
    """The manager's reminder: whom, since when, the open actions, *Log session* and *Snooze*."""
    employee = payload.employee_name
    text = (
        f"Your coaching session with *{employee}* is due "
        f"({_since(payload.last_session_on, today)}; due {day_text(payload.due_on, today)})."
    )
    if payload.open_actions:
        text += "\n*Open actions to review*"
    buttons = (
        Button("Log session", Actions.LOG_SESSION, str(payload.employee_id), primary=True),
        Button(
            "Snooze 3 days",
            Actions.SNOOZE,
            f"{payload.employee_id}:{payload.due_on.isoformat()}",
        ),
    )
    section = Section(
        heading="Coaching session due",
        text=text,
        items=_actions_listed(payload.open_actions, today),
        buttons=buttons,
        noun="open actions",
        more_hint="*Log session* reviews them all",
    )
    return Reply(summary=f"Coaching session with {employee} is due", sections=(section,))


def session_overdue(payload: SessionReminderPayload, today: date) -> Reply:
    """The manager's one reminder a week after the due date."""
    employee = payload.employee_name
    due_on = day_text(payload.due_on, today)
    text = (
        f"Your coaching session with *{employee}* was due {due_on} and is not "
        f"logged yet ({_since(payload.last_session_on, today)}). This is the last reminder for it."
    )
    if payload.open_actions:
        text += "\n*Open actions to review*"
    button = Button("Log session", Actions.LOG_SESSION, str(payload.employee_id), primary=True)
    section = Section(
        heading="Coaching session overdue",
        text=text,
        items=_actions_listed(payload.open_actions, today),
        buttons=(button,),
        noun="open actions",
        more_hint="*Log session* reviews them all",
    )
    return Reply(summary=f"Coaching session with {employee} is overdue", sections=(section,))


def action_checkin(payload: ActionCheckinPayload, today: date) -> Reply:
    """The employee's "log your actions" prompt midway to the next session, with *Done*s."""
    due_on = day_text(payload.due_on, today)
    text = (
        f"Halfway to your next coaching session with {payload.manager_name} (due "
        f"{due_on}). How are your agreed actions going? Mark what is done."
    )
    section = Section(
        heading="Your agreed actions",
        text=text,
        items=_actions_listed(payload.actions, today),
        buttons=_done_buttons(payload.actions),
        noun="agreed actions",
        more_hint=HOME_HINT,
    )
    return Reply(summary="How are your agreed actions going?", sections=(section,))


def manager_module(payload: ManagerModulePayload, today: date) -> Reply:
    """The monthly offer of the coaching-skills module to a manager who has not completed it."""
    title = payload.title or payload.course_id
    section = Section(
        heading="Coaching skills for managers",
        text=(
            f"The *{title}* module helps you run short, development-focused sessions "
            "(goal, reality, options, way forward). It takes less time than it saves."
        ),
        links=(Link(f"Open {title}", payload.url),) if payload.url else (),
    )
    return Reply(summary=f"Coaching skills module: {title}", sections=(section,))


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


# ---- the L&D connection: courses assigned and completed ------------------------------------


def course_assigned(payload: CourseAssignedPayload, today: date) -> Reply:
    """The employee's DM for a course assigned outside a session: title, link, why, who."""
    title = payload.title
    section = Section(
        heading="Course assigned",
        text=f"{payload.manager_name} assigned you *{title}*.\n_{payload.why}_",
        links=(Link(f"Open {title}", payload.url),) if payload.url else (),
    )
    return Reply(summary=f"{payload.manager_name} assigned you {title}", sections=(section,))


def course_completed(payload: CourseCompletedPayload, today: date) -> Reply:
    """The manager's DM: "Sam completed Negotiation basics, assigned in your session of 3
    November"."""
    held_on = payload.session_held_on
    where = (
        f"assigned in your session of {day_text(held_on, today)}"
        if held_on
        else f"assigned on {day_text(payload.assigned_on, today)}"
    )
    first_name = payload.employee_name.split()[0]
    text = f"{first_name} completed {payload.title}, {where}."
    return Reply(summary=text, sections=(Section(text=text),))


# ---- the weekly digest for L&D admins -----------------------------------------------------


def _percent(value: float | None) -> str:
    return "n/a" if value is None else f"{100 * value:.0f}%"


def _change(now: float | int | None, before: float | int | None, percent: bool) -> str:
    if now is None or before is None:
        return ""
    delta = (now - before) * (100 if percent else 1)
    unit = " points" if percent else ""
    return f" ({'+' if delta >= 0 else ''}{delta:.0f}{unit} on last week)"


def ld_digest(payload: LdDigestPayload, today: date) -> Reply:
    """The Monday digest: the last 30 days' figures, how they moved in a week, new alerts."""
    figures = payload.figures
    if figures is None:
        text = (
            f"Fewer than {payload.min_group_size} people are in the programme, so there are "
            "no figures to show this week."
        )
        return Reply(summary="Your weekly coaching digest", sections=(Section(text=text),))
    coached = figures.people_coached
    lines = [
        f"*{figures.sessions} sessions*"
        + (
            f" with {coached} {'person' if coached == 1 else 'people'}"
            if coached is not None
            else ""
        )
        + f" in the last {figures.period_days} days"
        + _change(figures.sessions, figures.sessions_week_ago, percent=False),
        f"People in the programme: {figures.people}",
        f"Session completion: *{_percent(figures.completion_rate)}*"
        + _change(figures.completion_rate, figures.completion_rate_week_ago, percent=True),
        f"Sessions with a course assigned: {_percent(figures.course_assignment_rate)}",
    ]
    items = tuple(
        f"{a.department}: {a.skill_id} is the focus of {_percent(a.share)} of "
        f"{a.sessions} sessions"
        + ("" if a.catalogue_has_course else " (no course in the catalogue for it)")
        for a in figures.new_alerts
    )
    sections = [Section(heading="Your weekly coaching digest", text="\n".join(lines))]
    if items:
        sections.append(Section(text="*New theme alerts*", items=items))
    sections.append(Section(text="_`/coaching-report` has the full figures._"))
    summary = f"Coaching this week: {figures.sessions} sessions in the last 30 days"
    return Reply(summary=summary, sections=tuple(sections))


COMPOSERS: dict[MessageKind, Callable[[Any, date], Reply]] = {
    OutboxKind.SESSION_LOGGED: session_logged,
    OutboxKind.SESSION_SAVED: session_saved,
    OutboxKind.COURSE_ASSIGNED: course_assigned,
    OutboxKind.COURSE_COMPLETED: course_completed,
    NudgeKind.SESSION_DUE: session_due,
    NudgeKind.SESSION_OVERDUE: session_overdue,
    NudgeKind.ACTION_CHECKIN: action_checkin,
    NudgeKind.MANAGER_MODULE: manager_module,
    NudgeKind.LD_DIGEST: ld_digest,
}
"""The composer of each chat message kind (`bot.payloads.PAYLOADS` gives its payload)."""
