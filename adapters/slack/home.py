"""The App Home tab and the development-record modal, rendered from the use-cases' results."""

from __future__ import annotations

import json
from datetime import date

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
    ContextBlock,
    DividerBlock,
    HeaderBlock,
    SectionBlock,
)
from slack_sdk.models.views import View

from adapters.slack import limits
from adapters.slack.blocks import escape, fitted_mrkdwn, mrkdwn, slack_link
from bot.dates import day_text
from bot.fitting import more_line
from bot.model import AgreedAction
from bot.replies import Actions
from bot.services.console import CONSOLE_BUTTON
from bot.services.development import DevelopmentRecord, EventKind
from bot.services.home import ReportOverview

MAX_VIEW_BLOCKS = limits.VIEW_BLOCKS
MAX_REPORTS_SHOWN = 30  # two blocks each, within a Home view's 100
MAX_GOALS_SHOWN = 5
MAX_SESSIONS_SHOWN = 5
MAX_ACTIONS_SHOWN = 15
MAX_COURSES_SHOWN = 10
MAX_REPORT_ACTIONS_SHOWN = 5
REPORT_RECORD_CALLBACK = "report_record"
OWN_RECORD_CALLBACK = "development_record"


def _day(day: date | None, today: date) -> str:
    return day_text(day, today) if day else "never"


def _action_line(action: AgreedAction, today: date) -> str:
    due = f" _(by {_day(action.due_on, today)})_" if action.due_on else ""
    return f"• {escape(action.text)}{due}"


def _more(count: int, noun: str, hint: str = "") -> str:
    """The line that says what a list could not show."""
    return f"_{more_line(count, noun, hint)}_"


def manager_blocks(reports: list[ReportOverview], today: date) -> list[Block]:
    blocks: list[Block] = [HeaderBlock(text="Your coaching")]
    if not reports:
        return [*blocks, SectionBlock(text=mrkdwn("You have no direct reports right now."))]
    for index, report in enumerate(reports[:MAX_REPORTS_SHOWN]):
        status = (
            ":red_circle: *overdue*"
            if report.overdue
            else (
                ":large_orange_circle: due" if report.schedule.due_on <= today else ":white_circle:"
            )
        )
        lines = [
            f"*{escape(report.employee.name)}*  {status}",
            f"Last session: {_day(report.last_session_on, today)} · next due: "
            f"{_day(report.schedule.due_on, today)}",
        ]
        if report.open_actions:
            lines.append("Open actions:")
            lines += [
                _action_line(a, today) for a in report.open_actions[:MAX_REPORT_ACTIONS_SHOWN]
            ]
            if len(report.open_actions) > MAX_REPORT_ACTIONS_SHOWN:
                left = len(report.open_actions) - MAX_REPORT_ACTIONS_SHOWN
                lines.append(_more(left, "open actions", "*Sessions and record* lists them all"))
        blocks.append(
            SectionBlock(
                block_id=f"report-{index}",
                text=mrkdwn("\n".join(lines)),
                accessory=ButtonElement(
                    text="Log session",
                    action_id=f"{Actions.LOG_SESSION}:{index}",
                    value=str(report.employee.id),
                    style="primary" if report.schedule.due_on <= today else None,
                ),
            )
        )
        blocks.append(
            ActionsBlock(
                block_id=f"report-{index}-more",
                elements=[
                    ButtonElement(
                        text="Sessions and record",
                        action_id=f"{Actions.REPORT_RECORD}:{index}",
                        value=str(report.employee.id),
                    ),
                    ButtonElement(
                        text="Assign a course",
                        action_id=f"{Actions.ASSIGN_COURSE}:{index}",
                        value=str(report.employee.id),
                    ),
                ],
            )
        )
    if len(reports) > MAX_REPORTS_SHOWN:
        more = len(reports) - MAX_REPORTS_SHOWN
        blocks.append(
            ContextBlock(elements=[mrkdwn(f"…and {more} more: use `/coaching @person`.")])
        )
    return blocks


def employee_blocks(record: DevelopmentRecord, today: date) -> list[Block]:
    blocks: list[Block] = [HeaderBlock(text="Your development")]
    if record.open_actions:
        blocks.append(SectionBlock(text=mrkdwn("*Your open actions*")))
        for index, action in enumerate(record.open_actions[:MAX_ACTIONS_SHOWN]):
            blocks.append(
                SectionBlock(
                    block_id=f"action-{action.id}",
                    text=mrkdwn(_action_line(action, today)),
                    accessory=ButtonElement(
                        text="Done",
                        action_id=f"{Actions.ACTION_DONE}:{index}",
                        value=str(action.id),
                    ),
                )
            )
        if len(record.open_actions) > MAX_ACTIONS_SHOWN:
            left = len(record.open_actions) - MAX_ACTIONS_SHOWN
            hint = "mark these done first, or see them all with `/coaching`"
            blocks.append(ContextBlock(elements=[mrkdwn(_more(left, "open actions", hint))]))
    else:
        blocks.append(SectionBlock(text=mrkdwn("*Your open actions*\nNothing open. :tada:")))
    if record.courses:
        lines = ["*Assigned courses*"]
        if len(record.courses) > MAX_COURSES_SHOWN:
            left = len(record.courses) - MAX_COURSES_SHOWN
            lines.append(_more(left, "earlier courses", "`/coaching` shows your whole record"))
        for course in record.courses[-MAX_COURSES_SHOWN:]:
            state = "completed :white_check_mark:" if course.completed else "to do"
            link = slack_link(course.url, course.title) if course.url else escape(course.title)
            origin = (
                f", from your session of {_day(course.session_held_on, today)}"
                if course.session_held_on
                else ""
            )
            lines.append(f"• {link}: {state}{origin}")
        blocks.append(SectionBlock(text=mrkdwn("\n".join(lines))))
    blocks += goal_blocks(record, "Learning-plan goals")
    blocks += notes_blocks(record, "Recent sessions (newest first)", today)
    return blocks


def goal_blocks(record: DevelopmentRecord, heading: str) -> list[Block]:
    """The goals, each open one with *Achieved* and *Drop* buttons (value: the goal's id)."""
    ordered = sorted(record.goals_shown, key=lambda goal: not goal.is_open)
    shown = ordered[:MAX_GOALS_SHOWN]
    if not shown:
        return []
    blocks: list[Block] = [SectionBlock(text=mrkdwn(f"*{heading}*"))]
    for index, goal in enumerate(shown):
        blocks.append(SectionBlock(text=mrkdwn(f"• {escape(goal.line)}")))
        if goal.is_open:
            value = str(goal.goal.id)
            blocks.append(
                ActionsBlock(
                    block_id=f"goal-{goal.goal.id}",
                    elements=[
                        ButtonElement(
                            text="Achieved",
                            action_id=f"{Actions.GOAL_ACHIEVED}:{index}",
                            value=value,
                            style="primary",
                        ),
                        ButtonElement(
                            text="Drop",
                            action_id=f"{Actions.GOAL_DROPPED}:{index}",
                            value=value,
                        ),
                    ],
                )
            )
    if len(ordered) > len(shown):
        more = _more(len(ordered) - len(shown), "goals", "in the timeline")
        blocks.append(ContextBlock(elements=[mrkdwn(more)]))
    return blocks


def notes_blocks(record: DevelopmentRecord, heading: str, today: date) -> list[Block]:
    """The latest sessions, with their key points where the viewer may read them."""
    notes = {note.session_id: note for note in record.notes}
    every = [e for e in record.timeline if e.kind == EventKind.SESSION]
    sessions = every[-MAX_SESSIONS_SHOWN:]
    if not sessions:
        return []
    blocks: list[Block] = [SectionBlock(text=mrkdwn(f"*{heading}*"))]
    for event in reversed(sessions):
        lines = [f"*{_day(event.on, today)}*: {escape(event.text)}"]
        note = notes.get(event.session_id) if event.session_id else None
        if note:
            lines += [f"    ◦ {escape(point)}" for point in note.key_points]
        blocks.append(SectionBlock(text=mrkdwn("\n".join(lines))))
    if len(every) > len(sessions):
        older = _more(len(every) - len(sessions), "earlier sessions", "in the timeline")
        blocks.append(ContextBlock(elements=[mrkdwn(older)]))
    return blocks


def timeline_blocks(record: DevelopmentRecord, today: date) -> list[Block]:
    events = record.timeline
    if not events:
        return [SectionBlock(text=mrkdwn("_Nothing in your record yet._"))]
    lines = [f"• {_day(e.on, today)}: {escape(e.text)}" for e in reversed(events)]
    text, _ = fitted_mrkdwn(lines, "earlier events")
    return [
        SectionBlock(text=mrkdwn("*Timeline* (newest first)")),
        SectionBlock(text=mrkdwn(text)),
    ]


def console_blocks() -> list[Block]:
    """For an L&D admin: the way into the console (the link is made when it is pressed)."""
    return [
        HeaderBlock(text="L&D console"),
        SectionBlock(
            block_id="console",
            text=mrkdwn("Programme figures, imports, nudges and people, in your browser."),
            accessory=ButtonElement(text=CONSOLE_BUTTON, action_id=Actions.OPEN_CONSOLE),
        ),
    ]


def home_view(
    reports: list[ReportOverview] | None,
    record: DevelopmentRecord | None,
    today: date,
    *,
    ld_admin: bool = False,
) -> View:
    blocks: list[Block] = []
    if ld_admin:
        blocks += [*console_blocks(), DividerBlock()]
    if reports is not None:
        blocks += manager_blocks(reports, today)
    if record is not None:
        if blocks:
            blocks.append(DividerBlock())
        blocks += employee_blocks(record, today)
    if not blocks:
        blocks = [SectionBlock(text=mrkdwn("Nothing to show yet."))]
    blocks.append(ContextBlock(elements=[mrkdwn("Type `/coaching help` to see what I can do.")]))
    return View(type="home", blocks=within_view(blocks))


def within_view(blocks: list[Block]) -> list[Block]:
    """A view's blocks within Slack's 100; past that, the last one says how many did not fit."""
    if len(blocks) <= MAX_VIEW_BLOCKS:
        return blocks
    left = len(blocks) - (MAX_VIEW_BLOCKS - 1)
    note = _more(left, "parts of this page", "use `/coaching` for a person's full record")
    return [*blocks[: MAX_VIEW_BLOCKS - 1], ContextBlock(elements=[mrkdwn(note)])]


def record_modal(record: DevelopmentRecord, today: date) -> View:
    blocks = [
        *employee_blocks(record, today)[1:],
        DividerBlock(),
        *timeline_blocks(record, today),
    ]
    return View(
        type="modal",
        callback_id=OWN_RECORD_CALLBACK,
        title="Your development",
        close="Close",
        blocks=within_view(blocks),
    )


def report_record_modal(record: DevelopmentRecord, today: date) -> View:
    """A report's record as their manager sees it: the sessions with the key points this
    manager wrote, open actions, goals (with their buttons) and the timeline."""
    name = escape(record.employee.name)
    blocks: list[Block] = [SectionBlock(text=mrkdwn(f"*{name}*: coaching and development"))]
    blocks += notes_blocks(record, "Sessions (newest first)", today)
    if record.open_actions:
        lines = ["*Open actions*"] + [_action_line(a, today) for a in record.open_actions]
        text, _ = fitted_mrkdwn(lines, "open actions", keep=1)
        blocks.append(SectionBlock(text=mrkdwn(text)))
    blocks += goal_blocks(record, "Learning-plan goals")
    blocks += [DividerBlock(), *timeline_blocks(record, today)]
    return View(
        type="modal",
        callback_id=REPORT_RECORD_CALLBACK,
        title="Coaching record",
        close="Close",
        private_metadata=json.dumps({"employee": record.employee.id}),
        blocks=within_view(blocks),
    )
