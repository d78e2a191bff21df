"""Adaptive Cards (version 1.5, the highest Teams renders) built as plain dicts by small
functions: any neutral `Reply`, the session form (input ids are the record's field names, each
error shown beside its field), a person's development record and the programme report."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from adapters.teams import limits
from bot.commands import Field, LogSession
from bot.dates import day_text
from bot.errors import AppraisalFinding, FieldError
from bot.fitting import fit_lines, more_line, shorten
from bot.messages import appraisal_warning
from bot.model import SKILL_LEVEL_NAMES, Course, FocusType, Skill
from bot.replies import Actions, Reply, Section
from bot.review import GROUP_CHOICES, REVIEW_LABELS, group_label, split_for_review
from bot.services.console import CONSOLE_BUTTON
from bot.services.development import DevelopmentRecord, EventKind
from bot.services.sessions import SessionForm

Card = dict[str, Any]
SCHEMA = "http://adaptivecards.io/schemas/adaptive-card.json"
ACTION_KEY = "coachbot"  # the key of Action.Submit data naming what a button does
SUBMIT_SESSION = "submit_session"
CONFIRM_INPUT = "appraisal_confirm"
REVIEW_PREFIX = "review_"
NEW_GOAL = "new_goal"
MAX_CHOICES = limits.CHOICES
LIST_BYTES = limits.MESSAGE_BYTES // 2
"""What the lists of one card may take (UTF-16 bytes), shared between its sections: the rest
of the card (buttons with their data, headings) stays well inside the other half."""
ITEM_CHARS = 500
GROUP_LIST_BYTES = limits.MESSAGE_BYTES // 16
"""The list of open actions the session form reviews as a group, within this much."""
RECORD_LIST_BYTES = limits.MESSAGE_BYTES // 8
"""Each list of a development record (open actions, courses, timeline) within this much."""
REVIEW_GROUP = "review_group"
GROUPED_KEY = "grouped"  # the submit data's list of the actions the card reviews as a group
SKILLS_DATASET = "skills"  # the `Data.Query` datasets the bot answers `application/search` for
COURSES_DATASET = "courses"
SEARCH_RESULTS = 15
"""Choices a typeahead dropdown shows at once (Teams: "the number of options in the dropdown is
limited to 15", learn.microsoft.com .../task-modules-and-cards/cards/dynamic-search): also
how many a search answers and how many the card carries before anything is typed."""


def card(body: list[Card], actions: list[Card] | None = None) -> Card:
    """A whole card."""
    whole: Card = {"type": "AdaptiveCard", "$schema": SCHEMA, "version": "1.5", "body": body}
    if actions:
        whole["actions"] = actions
    return whole


def text(value: str, **style: Any) -> Card:
    return {"type": "TextBlock", "text": value, "wrap": True, **style}


def inert(value: str) -> str:
    """Text people typed or imported (actions, names, titles), unable to become a link in a
    card's markdown: `](` is broken by a zero-width space. Every such text goes through here."""
    return value.replace("](", "]\u200b(")


def markdown(value: str) -> str:
    """Our light markdown (`*bold*`, `_italic_`) in the card's markdown (`**bold**`), made
    `inert` first."""
    return re.sub(r"(?<![*\w])\*([^*\n]+)\*(?![*\w])", r"**\1**", inert(value))


def submit(title: str, data: dict[str, Any], *, primary: bool = False) -> Card:
    action: Card = {
        "type": "Action.Submit",
        "title": shorten(title, limits.BUTTON_TITLE),
        "data": data,
    }
    if primary:
        action["style"] = "positive"
    return action


def action_set(actions: list[Card]) -> Card:
    """An ActionSet within Teams' six actions: past five, the rest behind *Show all*, itself
    in sets of six."""
    size = limits.ACTIONS_PER_SET
    if len(actions) <= size:
        return {"type": "ActionSet", "actions": actions}
    rest = actions[size - 1 :]
    sets = [
        {"type": "ActionSet", "actions": rest[start : start + size]}
        for start in range(0, len(rest), size)
    ]
    show_all: Card = {
        "type": "Action.ShowCard",
        "title": f"Show all ({len(rest)} more)",
        "card": {"type": "AdaptiveCard", "version": "1.5", "body": sets},
    }
    return {"type": "ActionSet", "actions": [*actions[: size - 1], show_all]}


def fitted_list(lines: list[str], budget: int, noun: str, hint: str = "") -> str:
    """Markdown list lines within `budget` UTF-16 bytes; the ones left out are announced."""
    shown, _ = fit_lines(
        lines,
        budget,
        limits.utf16_bytes,
        announce=lambda n: f"_{more_line(n, noun, hint)}_",
    )
    return "\n".join(shown)


def notice_card(message: str) -> Card:
    return card([text(markdown(message))])


def reply_card(reply: Reply) -> Card:
    """A neutral reply: headings, text, lists, links (open) and buttons (submit)."""
    body: list[Card] = []
    budget = LIST_BYTES // max(len(reply.sections), 1)
    for section in reply.sections:
        body += _section(section, budget)
    return card(body or [text(markdown(reply.summary))])


def _section(section: Section, budget: int = LIST_BYTES) -> list[Card]:
    items: list[Card] = []
    if section.heading:
        items.append(text(section.heading, weight="Bolder", size="Medium"))
    if section.text:
        items.append(text(markdown(section.text)))
    if section.items:
        lines = [f"- {markdown(shorten(item, ITEM_CHARS))}" for item in section.items]
        items.append(text(fitted_list(lines, budget, section.noun, markdown(section.more_hint))))
    actions = [
        {
            "type": "Action.OpenUrl",
            "title": shorten(link.title, limits.BUTTON_TITLE),
            "url": link.url,
        }
        for link in section.links
    ]
    actions += [
        submit(b.label, {ACTION_KEY: b.action, "value": b.value}, primary=b.primary)
        for b in section.buttons
    ]
    if actions:
        items.append(action_set(actions))
    return items


def _choice(title: str, value: str) -> Card:
    return {"title": title[:150], "value": value}


def _searched(dataset: str, shown: list[tuple[str, str]], chosen: list[str]) -> dict[str, Any]:
    """A choice input searched as the manager types (Teams' dynamic typeahead: the bot's
    `application/search` answers for `dataset`), carrying the few `shown` choices (title,
    value) and keeping `chosen` values that are among them."""
    choices = {value: title for title, value in shown}
    kept = [value for value in dict.fromkeys(chosen) if value in choices]
    return {
        "style": "filtered",
        "choices": [_choice(title, value) for value, title in choices.items()],
        "choices.data": {"type": "Data.Query", "dataset": dataset, "count": SEARCH_RESULTS},
        **({"value": ",".join(kept)} if kept else {}),
    }


def _errors_for(errors: list[FieldError], field: str) -> list[Card]:
    return [
        text(inert(e.message), color="Attention", spacing="None")
        for e in errors
        if e.field == field
    ]


def session_card(
    form: SessionForm,
    *,
    skills: list[Skill],
    courses: list[Course],
    values: LogSession | None = None,
    errors: list[FieldError] | None = None,
    findings: list[AppraisalFinding] | None = None,
    form_id: str = "",
) -> Card:
    """The session form; `values` re-fill what the manager typed, `errors` show beside their
    fields, `findings` add the appraisal warning and the "keep my wording" box."""
    errors = _placed(errors or [], form)
    employee_id = values.employee_id if values and values.employee_id else None
    if employee_id is None and form.employee is not None:
        employee_id = form.employee.id
    body: list[Card] = [text("Log a coaching session", weight="Bolder", size="Large")]
    body.append(text("_" + " · ".join(form.prompts) + "_", isSubtle=True, size="Small"))
    if errors:
        body.append(text("Please check the fields marked below.", color="Attention"))
    body.append(
        {
            "type": "Input.ChoiceSet",
            "id": Field.EMPLOYEE,
            "label": "Who did you coach?",
            "isRequired": True,
            "errorMessage": "Choose a direct report.",
            "placeholder": "Choose a direct report",
            "choices": [_choice(p.name, str(p.id)) for p in form.reports[:MAX_CHOICES]],
            **({"value": str(employee_id)} if employee_id else {}),
        }
    )
    body += _errors_for(errors, Field.EMPLOYEE)
    body += _review_inputs(form, values, errors)
    held_on = values.held_on if values and values.held_on else form.today
    duration = values.duration_minutes if values and values.duration_minutes else 30
    body += [
        {
            "type": "Input.Date",
            "id": Field.HELD_ON,
            "label": "Date held",
            "isRequired": True,
            "errorMessage": "Choose the date the session was held.",
            "value": held_on.isoformat(),
            "max": form.today.isoformat(),
        },
        *_errors_for(errors, Field.HELD_ON),
        {
            "type": "Input.Number",
            "id": Field.DURATION,
            "label": "Duration (minutes)",
            "isRequired": True,
            "errorMessage": "Enter 15 to 120 minutes.",
            "min": 15,
            "max": 120,
            "value": duration,
        },
        *_errors_for(errors, Field.DURATION),
        {
            "type": "Input.ChoiceSet",
            "id": Field.FOCUS_TYPE,
            "label": "Development focus",
            "isRequired": True,
            "errorMessage": "Choose the development focus.",
            "choices": [_choice(f.label, f.value) for f in FocusType],
            **({"value": values.focus_type} if values and values.focus_type else {}),
        },
        *_errors_for(errors, Field.FOCUS_TYPE),
        {
            "type": "Input.ChoiceSet",
            "id": Field.SKILL,
            "label": "Skill",
            "isRequired": True,
            "errorMessage": "Choose the skill from the framework.",
            "placeholder": "Type to find a skill",
            **_searched(
                SKILLS_DATASET,
                [(s.name, s.skill_id) for s in skills],
                [values.skill_id] if values and values.skill_id else [],
            ),
        },
        *_errors_for(errors, Field.SKILL),
        {
            "type": "Input.Text",
            "id": Field.KEY_POINTS,
            "label": "Key points (3 to 5, one a line)",
            "placeholder": "What did you explore together? What options came up?",
            "isMultiline": True,
            "isRequired": True,
            "errorMessage": "Write 3 to 5 key points, one a line.",
            "maxLength": 1600,
            **({"value": "\n".join(values.key_points)} if values else {}),
        },
        *_errors_for(errors, Field.KEY_POINTS),
        {
            "type": "Input.Text",
            "id": Field.ACTIONS,
            "label": "Agreed actions (1 to 5, one a line)",
            "placeholder": "Add a due date at the end of a line like: by 2026-12-18",
            "isMultiline": True,
            "isRequired": True,
            "errorMessage": "Write 1 to 5 agreed actions, one a line.",
            "maxLength": 1700,
            **({"value": actions_text(values)} if values else {}),
        },
        *_errors_for(errors, Field.ACTIONS),
        {
            "type": "Input.ChoiceSet",
            "id": Field.COURSES,
            "label": "Courses to assign (up to 5)",
            "isMultiSelect": True,
            "placeholder": "Type to find a course in the catalogue",
            **_searched(
                COURSES_DATASET,
                [(c.title, c.course_id) for c in courses],
                list(values.course_ids) if values else [],
            ),
        },
        *_errors_for(errors, Field.COURSES),
    ]
    body += _goal_inputs(form, values, errors)
    body.append(
        {
            "type": "Input.ChoiceSet",
            "id": Field.LEVEL_NOW,
            "label": "Skill level now, if you agreed one",
            "choices": [_choice(f"{i} - {n}", str(i)) for i, n in enumerate(SKILL_LEVEL_NAMES)],
            **({"value": str(values.level_now)} if values and values.level_now is not None else {}),
        }
    )
    body += _errors_for(errors, Field.LEVEL_NOW)
    if findings:
        body += appraisal_items(findings)
    grouped = ",".join(str(a.id) for a in split_for_review(form.open_actions)[1])
    data = {
        ACTION_KEY: SUBMIT_SESSION,
        "form": form_id,
        **({GROUPED_KEY: grouped} if grouped else {}),
    }
    return card(body, [submit("Save session", data, primary=True)])


def actions_text(values: LogSession) -> str:
    return "\n".join(
        f"{a.text} by {a.due_on.isoformat()}" if a.due_on else a.text for a in values.actions
    )


def _placed(errors: list[FieldError], form: SessionForm) -> list[FieldError]:
    """Errors on fields the card has; a review error goes beside the first open action."""
    placed = []
    for error in errors:
        field = error.field
        if field == Field.REVIEW and form.open_actions:
            field = f"{REVIEW_PREFIX}{form.open_actions[0].id}"
        elif field not in _FIELDS:
            field = Field.KEY_POINTS
        placed.append(FieldError(field, error.message))
    return placed


_FIELDS = {
    Field.EMPLOYEE,
    Field.HELD_ON,
    Field.DURATION,
    Field.FOCUS_TYPE,
    Field.SKILL,
    Field.KEY_POINTS,
    Field.ACTIONS,
    Field.COURSES,
    Field.ILP_GOAL,
    Field.LEVEL_NOW,
}


def _review_inputs(
    form: SessionForm, values: LogSession | None, errors: list[FieldError]
) -> list[Card]:
    """Each of the first open actions with its own choice, then the others as one choice."""
    if not form.open_actions:
        return []
    shown = form.review(values)
    one_by_one, grouped, chosen_reviews = shown.one_by_one, shown.grouped, shown.chosen
    group_choice, preview = shown.group_choice, shown.summary
    items: list[Card] = [
        text("**Last time you agreed:** what became of each action?", separator=True),
        text(f"_{preview}_", spacing="None"),
    ]
    for action in one_by_one:
        chosen = chosen_reviews[action.id]
        input_id = f"{REVIEW_PREFIX}{action.id}"
        items.append(
            {
                "type": "Input.ChoiceSet",
                "id": input_id,
                "label": shorten(inert(action.text), 150),
                "style": "expanded",
                "isRequired": True,
                "choices": [_choice(label, s.value) for s, label in REVIEW_LABELS.items()],
                "value": chosen.value,
            }
        )
        items += _errors_for(errors, input_id)
    if grouped:
        lines = [f"- {inert(shorten(a.text, 200))}" for a in grouped]
        listed = fitted_list(
            lines, GROUP_LIST_BYTES, "open actions", "the choice below covers them too"
        )
        items += [
            text(listed, spacing="Small"),
            {
                "type": "Input.ChoiceSet",
                "id": REVIEW_GROUP,
                "label": group_label(len(grouped)),
                "style": "expanded",
                "isRequired": True,
                "choices": [_choice(REVIEW_LABELS[s], s.value) for s in GROUP_CHOICES],
                "value": group_choice.value,
            },
        ]
    return items


def _goal_inputs(
    form: SessionForm, values: LogSession | None, errors: list[FieldError]
) -> list[Card]:
    items: list[Card] = []
    if form.goals:
        chosen = str(values.ilp_goal_id) if values and values.ilp_goal_id else None
        items.append(
            {
                "type": "Input.ChoiceSet",
                "id": Field.ILP_GOAL,
                "label": "Learning-plan goal this session works on",
                "choices": [_choice(g.title, str(g.id)) for g in form.goals[:MAX_CHOICES]],
                **({"value": chosen} if chosen else {}),
            }
        )
    items.append(
        {
            "type": "Input.Text",
            "id": NEW_GOAL,
            "label": "Or a new learning-plan goal",
            "placeholder": "For this session's skill; add a target date like: by 2027-03-31",
            "maxLength": 200,
            **({"value": values.new_goal_title} if values and values.new_goal_title else {}),
        }
    )
    return items + _errors_for(errors, Field.ILP_GOAL)


def appraisal_items(findings: list[AppraisalFinding]) -> list[Card]:
    """The warning shown before saving when key points read as appraisal."""
    return [
        {"type": "Container", "style": "warning", "items": _section(appraisal_warning(findings))},
        {
            "type": "Input.Toggle",
            "id": CONFIRM_INPUT,
            "label": "Keep my wording",
            "title": "Save the key points as I wrote them",
            "valueOn": "yes",
            "valueOff": "",
        },
    ]


def record_card(record: DevelopmentRecord, today: date, *, manager_view: bool = False) -> Card:
    """A development record: open actions, courses, goals (open ones with *Achieved* and
    *Drop*), the latest sessions with the key points the viewer may read, and the timeline
    (newest first).
    `manager_view` titles it for the report's manager rather than the person themself."""
    name = record.employee.name
    title = f"{name}: coaching record" if manager_view else f"{name}: your development"
    body: list[Card] = [text(inert(title), weight="Bolder", size="Large")]
    if record.open_actions:
        lines = [
            f"- {inert(a.text)}" + (f" (by {day_text(a.due_on, today)})" if a.due_on else "")
            for a in record.open_actions
        ]
        listed = fitted_list(lines, RECORD_LIST_BYTES, "open actions")
        body += [text("**Open actions**"), text(listed)]
    if record.courses:
        lines = [
            f"- {inert(c.title)}: {'completed' if c.completed else 'open'}" for c in record.courses
        ]
        body += [text("**Courses**"), text(fitted_list(lines, RECORD_LIST_BYTES, "courses"))]
    if record.goals_shown:
        body.append(text("**Learning-plan goals**"))
        for goal in sorted(record.goals_shown, key=lambda g: not g.is_open):
            body.append(text(f"- {inert(goal.line)}", spacing="Small"))
            if goal.is_open:
                value = str(goal.goal.id)
                body.append(
                    {
                        "type": "ActionSet",
                        "actions": [
                            submit("Achieved", {ACTION_KEY: Actions.GOAL_ACHIEVED, "value": value}),
                            submit("Drop", {ACTION_KEY: Actions.GOAL_DROPPED, "value": value}),
                        ],
                    }
                )
    body += _session_notes(record, today)
    events = [f"- {day_text(e.on, today)}: {inert(e.text)}" for e in reversed(record.timeline)]
    body += [
        text("**Timeline** (newest first)"),
        text(fitted_list(events, RECORD_LIST_BYTES, "earlier events") or "Nothing recorded yet."),
    ]
    return card(body)


def _session_notes(record: DevelopmentRecord, today: date) -> list[Card]:
    """The latest sessions, each with its key points where the viewer may read them."""
    notes = {note.session_id: note for note in record.notes}
    every = [e for e in record.timeline if e.kind == EventKind.SESSION]
    sessions = every[-5:]
    if not sessions:
        return []
    items: list[Card] = [text("**Sessions** (newest first)")]
    for event in reversed(sessions):
        note = notes.get(event.session_id) if event.session_id else None
        points = [f"  - {markdown(point)}" for point in note.key_points] if note else []
        items.append(
            text("\n".join([f"- {day_text(event.on, today)}: {inert(event.text)}", *points]))
        )
    if len(every) > len(sessions):
        older = more_line(len(every) - len(sessions), "earlier sessions", "in the timeline below")
        items.append(text(f"_{older}_", isSubtle=True))
    return items


def report_card(summary: str, table: str, chart_url: str | None) -> Card:
    """The programme report: the headline figures, the table, and the chart by link."""
    body: list[Card] = [text(markdown(summary))]
    body.append(text(inert(table[:12000]), fontType="Monospace", size="Small"))
    actions: list[Card] = []
    if chart_url:
        body.append({"type": "Image", "url": chart_url, "altText": "Completion and focus areas"})
        actions.append({"type": "Action.OpenUrl", "title": "Open the chart", "url": chart_url})
    return card(body, actions)


def console_card(message: str, url: str) -> Card:
    """A sign-in link to the L&D console, as a button that opens it."""
    return card(
        [text(markdown(message))],
        [{"type": "Action.OpenUrl", "title": CONSOLE_BUTTON, "url": url}],
    )
