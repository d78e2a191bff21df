"""Adaptive Cards (version 1.5, the highest Teams renders) built as plain dicts by small
functions: any neutral `Reply`, the session form (input ids are the record's field names, each
error shown beside its field), a person's development record and the programme report."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from adapters.teams import limits
from bot import session_form as form
from bot.commands import Field, LogSession
from bot.dates import day_text
from bot.errors import AppraisalFinding, FieldError
from bot.fitting import fit_lines, more_line, shorten
from bot.messages import appraisal_warning
from bot.model import ActionStatus, Course, Skill
from bot.replies import Actions, Reply, Section
from bot.review import group_label, split_for_review
from bot.services.console import CONSOLE_BUTTON
from bot.services.development import DevelopmentRecord, EventKind
from bot.services.sessions import SessionForm

Card = dict[str, Any]
SCHEMA = "http://adaptivecards.io/schemas/adaptive-card.json"
ACTION_KEY = "coachbot"  # the key of Action.Submit data naming what a button does
SUBMIT_SESSION = "submit_session"
CONFIRM_INPUT = form.CONFIRM.id
REVIEW_PREFIX = form.REVIEW_PREFIX
NEW_GOAL = form.NEW_GOAL.id
MAX_CHOICES = min(limits.CHOICES, form.MAX_CHOICES)
LIST_BYTES = limits.MESSAGE_BYTES // 2
"""What the lists of one card may take (UTF-16 bytes), shared between its sections: the rest
of the card (buttons with their data, headings) stays well inside the other half."""
ITEM_CHARS = 500
GROUP_LIST_BYTES = limits.MESSAGE_BYTES // 16
"""The list of open actions the session form reviews as a group, within this much."""
RECORD_LIST_BYTES = limits.MESSAGE_BYTES // 8
"""Each list of a development record (open actions, courses, timeline) within this much."""
REVIEW_GROUP = form.REVIEW_GROUP
GROUPED_KEY = form.GROUPED  # the submit data's list of the actions the card reviews as a group
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


def _input(field: form.FormField, kind: str, value: Any = None, **more: Any) -> Card:
    """The input of one of the form's fields: its label, whether it is required (and what is
    said when it is left empty), what it asks for, its limits, choices and current value."""
    item: Card = {"type": kind, "id": field.id, "label": field.label}
    if field.required:
        item |= {"isRequired": True, "errorMessage": field.missing}
    placeholder = field.placeholder or field.hint
    if placeholder:
        item["placeholder"] = placeholder
    if field.max_length is not None:
        item["maxLength"] = field.max_length
    if field.minimum is not None:
        item["min"] = field.minimum
    if field.maximum is not None:
        item["max"] = field.maximum
    if field.choices:
        item["choices"] = [_choice(label, choice) for label, choice in field.choices]
    item |= more
    if value is not None:
        item["value"] = value
    return item


def session_card(
    session_form: SessionForm,
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
    errors = _placed(errors or [], session_form)
    employee_id = values.employee_id if values and values.employee_id else None
    if employee_id is None and session_form.employee is not None:
        employee_id = session_form.employee.id
    body: list[Card] = [text(form.TITLE, weight="Bolder", size="Large")]
    body.append(text("_" + " · ".join(session_form.prompts) + "_", isSubtle=True, size="Small"))
    if errors:
        body.append(text(form.CHECK_FIELDS, color="Attention"))
    reports = session_form.reports[:MAX_CHOICES]
    body.append(
        _input(
            form.EMPLOYEE,
            "Input.ChoiceSet",
            str(employee_id) if employee_id else None,
            choices=[_choice(p.name, str(p.id)) for p in reports],
        )
    )
    body += _errors_for(errors, Field.EMPLOYEE)
    body += _review_inputs(session_form, values, errors)
    held_on = values.held_on if values and values.held_on else session_form.today
    duration = (
        values.duration_minutes if values and values.duration_minutes else form.DEFAULT_DURATION
    )
    skill_ids = [values.skill_id] if values and values.skill_id else []
    fields = [
        _input(form.HELD_ON, "Input.Date", held_on.isoformat(), max=session_form.today.isoformat()),
        _input(form.DURATION, "Input.Number", duration),
        _input(form.FOCUS_TYPE, "Input.ChoiceSet", values.focus_type or None if values else None),
        _input(
            form.SKILL,
            "Input.ChoiceSet",
            **_searched(SKILLS_DATASET, [(s.name, s.skill_id) for s in skills], skill_ids),
        ),
        _input(
            form.KEY_POINTS,
            "Input.Text",
            form.key_points_text(values) if values else None,
            isMultiline=True,
        ),
        _input(
            form.ACTIONS,
            "Input.Text",
            form.actions_text(values) if values else None,
            isMultiline=True,
        ),
        _input(
            form.COURSES,
            "Input.ChoiceSet",
            isMultiSelect=True,
            **_searched(
                COURSES_DATASET,
                [(c.title, c.course_id) for c in courses],
                list(values.course_ids) if values else [],
            ),
        ),
    ]
    for field in fields:
        body += [field, *_errors_for(errors, field["id"])]
    body += _goal_inputs(session_form, values, errors)
    level = values.level_now if values else None
    body.append(
        _input(form.LEVEL_NOW, "Input.ChoiceSet", str(level) if level is not None else None)
    )
    body += _errors_for(errors, Field.LEVEL_NOW)
    if findings:
        body += appraisal_items(findings)
    grouped = ",".join(str(a.id) for a in split_for_review(session_form.open_actions)[1])
    data = {
        ACTION_KEY: SUBMIT_SESSION,
        "form": form_id,
        **({GROUPED_KEY: grouped} if grouped else {}),
    }
    return card(body, [submit(form.SUBMIT, data, primary=True)])


def actions_text(values: LogSession) -> str:
    return form.actions_text(values)


def _placed(errors: list[FieldError], session_form: SessionForm) -> list[FieldError]:
    """Errors on fields the card has; a review error goes beside the first open action."""
    placed = []
    for error in errors:
        field = error.field
        if field == Field.REVIEW and session_form.open_actions:
            field = form.review_input(session_form.open_actions[0].id)
        elif field not in form.FIELD_IDS:
            field = Field.KEY_POINTS
        placed.append(FieldError(field, error.message))
    return placed


def _review_inputs(
    session_form: SessionForm, values: LogSession | None, errors: list[FieldError]
) -> list[Card]:
    """Each of the first open actions with its own choice, then the others as one choice."""
    if not session_form.open_actions:
        return []
    shown = session_form.review(values)
    items: list[Card] = [
        text(f"**{form.REVIEW_HEADING}** {form.REVIEW_QUESTION}", separator=True),
        text(f"_{shown.summary}_", spacing="None"),
    ]
    for action in shown.one_by_one:
        input_id = form.review_input(action.id)
        label = shorten(inert(action.text), form.ACTION_LABEL_CHARS)
        items.append(_review_choice(input_id, label, form.REVIEW_CHOICES, shown.chosen[action.id]))
        items += _errors_for(errors, input_id)
    if shown.grouped:
        lines = [f"- {inert(shorten(a.text, form.GROUP_LINE_CHARS))}" for a in shown.grouped]
        listed = fitted_list(lines, GROUP_LIST_BYTES, form.GROUP_NOUN, form.GROUP_HINT)
        label = group_label(len(shown.grouped))
        items += [
            text(listed, spacing="Small"),
            _review_choice(REVIEW_GROUP, label, form.GROUP_CHOICE_OPTIONS, shown.group_choice),
        ]
    return items


def _review_choice(input_id: str, label: str, choices: form.Choices, chosen: ActionStatus) -> Card:
    return {
        "type": "Input.ChoiceSet",
        "id": input_id,
        "label": label,
        "style": "expanded",
        "isRequired": True,
        "choices": [_choice(title, value) for title, value in choices],
        "value": chosen.value,
    }


def _goal_inputs(
    session_form: SessionForm, values: LogSession | None, errors: list[FieldError]
) -> list[Card]:
    items: list[Card] = []
    if session_form.goals:
        chosen = str(values.ilp_goal_id) if values and values.ilp_goal_id else None
        goals = session_form.goals[:MAX_CHOICES]
        choices = [_choice(g.title, str(g.id)) for g in goals]
        items.append(_input(form.ILP_GOAL, "Input.ChoiceSet", chosen, choices=choices))
    new_goal = values.new_goal_title if values else None
    items.append(_input(form.NEW_GOAL, "Input.Text", new_goal))
    return items + _errors_for(errors, Field.ILP_GOAL)


def appraisal_items(findings: list[AppraisalFinding]) -> list[Card]:
    """The warning shown before saving when key points read as appraisal."""
    [(title, value_on)] = form.CONFIRM.choices
    return [
        {"type": "Container", "style": "warning", "items": _section(appraisal_warning(findings))},
        {
            "type": "Input.Toggle",
            "id": CONFIRM_INPUT,
            "label": form.CONFIRM.label,
            "title": title,
            "valueOn": value_on,
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
