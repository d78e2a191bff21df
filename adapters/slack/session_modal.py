"""The `/coaching` session form as a Slack modal, and its submitted state parsed back into a
`LogSession` command. Block ids are the record's field names, so field errors land beside
their fields.

The form is built as Block Kit JSON directly, with its parts that are the same for every
request made once: it is the busiest view (every `/coaching`), and `slack_sdk.models` would
run their validators again on each serialisation. The limits are kept here (options cut to
Slack's counts and lengths, as `limits` says); the Slack emulator validates every view it
receives with `slack_sdk.models`, so the tests check the form as Slack would."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

from adapters.slack import limits
from adapters.slack.blocks import (
    escape,
    escaped_length,
    fitted_mrkdwn,
    mrkdwn,
    plain,
    section_blocks,
)
from bot import session_form as form
from bot.commands import Field, LogSession, actions_from_lines, whole_number
from bot.errors import AppraisalFinding, FieldError
from bot.fitting import shorten
from bot.messages import appraisal_warning
from bot.model import ActionStatus, AgreedAction, FocusType
from bot.review import GROUP_CHOICES, REVIEW_LABELS, group_label, split_for_review
from bot.services.sessions import SessionForm

CALLBACK_ID = "coaching_session"
VALUE = "value"
EMPLOYEE_ACTION = "employee_chosen"
SKILL_SEARCH = "skill_search"
COURSE_SEARCH = "course_search"
CONFIRM_BLOCK = form.CONFIRM.id
REVIEW_PREFIX = form.REVIEW_PREFIX
REVIEW_GROUP = form.REVIEW_GROUP
NEW_GOAL = form.NEW_GOAL.id

Json = dict[str, Any]


def _text(text: str) -> Json:
    return {"type": "plain_text", "text": text, "emoji": True}


def _mrkdwn(text: str) -> Json:
    """Block Kit markdown; `text` is within the limit of where it goes."""
    return {"type": "mrkdwn", "text": text}


def _option(text: str, value: str) -> Json:
    return {"text": _text(plain(text, limits.OPTION_TEXT)), "value": value[: limits.OPTION_VALUE]}


def _input(block_id: str, label: str, element: Json, **more: Any) -> Json:
    """An input block; `more` (hint, optional, dispatch_action) only where it says something."""
    block: Json = {"type": "input", "block_id": block_id, "label": _text(label), "element": element}
    for key, value in more.items():
        if value:
            block[key] = _text(value) if key == "hint" else value
    return block


def _element(kind: str, action_id: str, **more: Any) -> Json:
    """An element; `more` left out where None or empty, as Slack wants no empty values."""
    element: Json = {"type": kind, "action_id": action_id}
    for key, value in more.items():
        if value is None or (isinstance(value, str | list) and not value):
            continue
        element[key] = _text(value) if key == "placeholder" else value
    return element


def _options(choices: form.Choices) -> list[Json]:
    return [_option(label, value) for label, value in choices]


def _field(
    field: form.FormField,
    element: Json,
    *,
    dispatch_action: bool = False,
) -> Json:
    """The input block of one of the form's fields, with its label, hint and optionality."""
    return _input(
        field.id,
        field.label,
        element,
        hint=field.hint,
        optional=not field.required,
        dispatch_action=dispatch_action,
    )


FOCUS_OPTIONS = _options(form.FOCUS_TYPE.choices)
REVIEW_OPTIONS = _options(form.REVIEW_CHOICES)
GROUP_OPTIONS = _options(form.GROUP_CHOICE_OPTIONS)
COURSES_BLOCK = _field(
    form.COURSES,
    _element(
        "multi_external_select",
        COURSE_SEARCH,
        min_query_length=2,
        max_selected_items=form.COURSES.most_chosen,
        placeholder=form.COURSES.placeholder,
    ),
)
LEVEL_BLOCK = _field(
    form.LEVEL_NOW, _element("static_select", VALUE, options=_options(form.LEVEL_NOW.choices))
)
VIEW_FRAME: Json = {
    "type": "modal",
    "callback_id": CALLBACK_ID,
    "title": _text(form.TITLE),
    "submit": _text(form.SUBMIT),
    "close": _text(form.CANCEL),
}
"""What every session modal has besides its blocks and metadata (made once: shared, read-only)."""


def session_view(
    session_form: SessionForm,
    *,
    values: LogSession | None = None,
    findings: list[AppraisalFinding] | None = None,
) -> Json:
    """The modal as Block Kit JSON; `values` re-fills what the manager typed (after an
    appraisal warning)."""
    employee = session_form.employee
    reports = session_form.reports[: form.MAX_CHOICES]
    blocks: list[Json] = [
        {"type": "context", "elements": [_mrkdwn("_" + " · ".join(session_form.prompts) + "_")]},
        _field(
            form.EMPLOYEE,
            _element(
                "static_select",
                EMPLOYEE_ACTION,
                placeholder=form.EMPLOYEE.placeholder,
                options=[_option(p.name, str(p.id)) for p in reports],
                initial_option=_option(employee.name, str(employee.id)) if employee else None,
            ),
            dispatch_action=True,
        ),
    ]
    blocks += _review_blocks(session_form, values)
    held_on = values.held_on if values and values.held_on else session_form.today
    duration = (
        values.duration_minutes if values and values.duration_minutes else form.DEFAULT_DURATION
    )
    blocks += [
        _field(form.HELD_ON, _element("datepicker", VALUE, initial_date=held_on.isoformat())),
        _field(
            form.DURATION,
            _element(
                "number_input",
                VALUE,
                is_decimal_allowed=False,
                min_value=str(form.DURATION.minimum),
                max_value=str(form.DURATION.maximum),
                initial_value=str(duration),
            ),
        ),
        _field(
            form.FOCUS_TYPE,
            _element(
                "static_select", VALUE, options=FOCUS_OPTIONS, initial_option=_focus_option(values)
            ),
        ),
        _field(
            form.SKILL,
            _element(
                "external_select",
                SKILL_SEARCH,
                min_query_length=0,
                placeholder=form.SKILL.placeholder,
                initial_option=_skill_option(session_form, values),
            ),
        ),
        _field(
            form.KEY_POINTS,
            _element(
                "plain_text_input",
                VALUE,
                multiline=True,
                max_length=form.KEY_POINTS.max_length,
                initial_value=form.key_points_text(values) if values else None,
            ),
        ),
        _field(
            form.ACTIONS,
            _element(
                "plain_text_input",
                VALUE,
                multiline=True,
                max_length=form.ACTIONS.max_length,
                initial_value=form.actions_text(values) if values else None,
            ),
        ),
        COURSES_BLOCK,
    ]
    blocks += _goal_blocks(session_form, values)
    blocks.append(LEVEL_BLOCK)
    if findings:
        blocks += appraisal_blocks(findings)
    metadata = {
        "employee": employee.id if employee else None,
        form.GROUPED: [a.id for a in split_for_review(session_form.open_actions)[1]],
    }
    return {
        **VIEW_FRAME,
        "private_metadata": json.dumps(metadata, separators=(",", ":")),
        "blocks": blocks,
    }


def _focus_option(values: LogSession | None) -> Json | None:
    if values and values.focus_type in {f.value for f in FocusType}:
        focus = FocusType(values.focus_type)
        return _option(focus.label, focus.value)
    return None


def _skill_option(session_form: SessionForm, values: LogSession | None) -> Json | None:
    skill_id = values.skill_id if values else None
    skill = session_form.skills_by_id.get(skill_id) if skill_id else None
    return _option(skill.name, skill.skill_id) if skill else None


def _review_blocks(session_form: SessionForm, values: LogSession | None) -> list[Json]:
    """Each of the first open actions with its own choice, then the others as one choice
    (carry over or drop), so that every open action is reviewed in the form."""
    if not session_form.open_actions:
        return []
    shown = session_form.review(values)
    summary = f"*{form.REVIEW_HEADING}* {form.REVIEW_QUESTION}\n_{shown.summary}_"
    blocks: list[Json] = [
        {"type": "divider"},
        {"type": "section", "block_id": "carry_summary", "text": _mrkdwn(mrkdwn(summary).text)},
    ]
    for action in shown.one_by_one:
        label = plain(action.text, form.ACTION_LABEL_CHARS)
        radio = _radio(REVIEW_OPTIONS, shown.chosen[action.id])
        blocks.append(_input(form.review_input(action.id), label, radio))
    if shown.grouped:
        blocks += _group_blocks(shown.grouped, shown.group_choice)
    blocks.append({"type": "divider"})
    return blocks


def _radio(options: list[Json], chosen: ActionStatus) -> Json:
    initial = _option(REVIEW_LABELS[chosen], chosen.value)
    return _element("radio_buttons", VALUE, options=options, initial_option=initial)


def _group_blocks(grouped: tuple[AgreedAction, ...], chosen: ActionStatus) -> list[Json]:
    """The open actions past the first ones, listed (as many as fit, the rest counted) with
    one choice for all of them."""
    lines = [f"• {escape(shorten(a.text, form.GROUP_LINE_CHARS, escaped_length))}" for a in grouped]
    text, _ = fitted_mrkdwn(lines, form.GROUP_NOUN, form.GROUP_HINT)
    return [
        {"type": "section", "block_id": "review_group_list", "text": _mrkdwn(text)},
        _input(REVIEW_GROUP, group_label(len(grouped)), _radio(GROUP_OPTIONS, chosen)),
    ]


def _goal_blocks(session_form: SessionForm, values: LogSession | None) -> list[Json]:
    blocks: list[Json] = []
    if session_form.goals:
        goals = session_form.goals[: form.MAX_CHOICES]
        options = [_option(goal.title, str(goal.id)) for goal in goals]
        initial = next(
            (o for o in options if values and o["value"] == str(values.ilp_goal_id)), None
        )
        select = _element("static_select", VALUE, options=options, initial_option=initial)
        blocks.append(_field(form.ILP_GOAL, select))
    new_goal = values.new_goal_title if values and values.new_goal_title else None
    text = _element(
        "plain_text_input", VALUE, max_length=form.NEW_GOAL.max_length, initial_value=new_goal
    )
    blocks.append(_field(form.NEW_GOAL, text))
    return blocks


def appraisal_blocks(findings: list[AppraisalFinding]) -> list[Json]:
    """The warning shown before saving when key points read as appraisal."""
    [warning] = section_blocks(appraisal_warning(findings), "appraisal")
    warning.block_id = "appraisal_warning"
    confirm = _element("checkboxes", VALUE, options=_options(form.CONFIRM.choices))
    return [warning.to_dict(), _field(form.CONFIRM, confirm)]


def _state(view: dict[str, Any]) -> dict[str, dict[str, Any]]:
    values: dict[str, dict[str, Any]] = (view.get("state") or {}).get("values") or {}
    return {block: next(iter(actions.values()), {}) for block, actions in values.items()}


def _selected(element: dict[str, Any]) -> str | None:
    value = (element.get("selected_option") or {}).get("value")
    return str(value) if value is not None else None


def parse_submission(view: dict[str, Any], manager_id: int) -> tuple[LogSession, list[FieldError]]:
    """The command the modal's state describes, and errors in values that cannot be parsed."""
    state = _state(view)
    errors: list[FieldError] = []
    employee = _chosen_id(state, Field.EMPLOYEE, "Choose the person you coached.", errors)
    held_on = _parse_date(state.get(Field.HELD_ON, {}).get("selected_date"))
    duration_text = state.get(Field.DURATION, {}).get("value")
    duration = whole_number(duration_text)
    if duration_text and duration is None:
        errors.append(FieldError(Field.DURATION, "Enter the duration as whole minutes."))
    actions, action_errors = actions_from_lines(state.get(Field.ACTIONS, {}).get("value") or "")
    errors += action_errors
    courses = state.get(Field.COURSES, {}).get("selected_options") or []
    goal = _chosen_id(state, Field.ILP_GOAL, "Choose a goal from the list.", errors)
    level = _chosen_id(state, Field.LEVEL_NOW, "Choose a level from the list.", errors)
    reviews = _reviews(state, errors)
    grouped_review, grouped_ids = _group_review(view, state, errors)
    confirm = bool(state.get(CONFIRM_BLOCK, {}).get("selected_options"))
    command = LogSession(
        manager_id=manager_id,
        employee_id=employee,
        held_on=held_on,
        duration_minutes=duration,
        focus_type=_selected(state.get(Field.FOCUS_TYPE, {})),
        skill_id=_selected(state.get(Field.SKILL, {})),
        key_points=tuple((state.get(Field.KEY_POINTS, {}).get("value") or "").splitlines()),
        actions=actions,
        course_ids=tuple(str(option.get("value") or "") for option in courses),
        ilp_goal_id=goal,
        new_goal_title=(state.get(NEW_GOAL, {}).get("value") or "").strip() or None,
        reviews=reviews,
        level_now=level,
        confirm_appraisal=confirm,
        source="chat",
        grouped_review=grouped_review,
        grouped_action_ids=grouped_ids,
    )
    return command, errors


def _group_review(
    view: dict[str, Any], state: dict[str, dict[str, Any]], errors: list[FieldError]
) -> tuple[ActionStatus | None, tuple[int, ...]]:
    """The one choice for the grouped open actions, and which actions the form grouped (its
    own list, kept in the view's metadata; the service checks them against the open ones)."""
    value = _selected(state.get(REVIEW_GROUP, {}))
    if not value:
        return None, ()
    if value not in {status.value for status in GROUP_CHOICES}:
        errors.append(FieldError(Field.REVIEW, "Choose Carry over or Drop for the others."))
        return None, ()
    try:
        listed = json.loads(view.get("private_metadata") or "{}").get(form.GROUPED) or []
    except (ValueError, AttributeError):
        listed = []
    ids = [whole_number(str(item)) for item in listed] if isinstance(listed, list) else []
    return ActionStatus(value), tuple(i for i in ids if i is not None)


def _chosen_id(
    state: dict[str, dict[str, Any]], block: str, problem: str, errors: list[FieldError]
) -> int | None:
    """The number a select's chosen option carries; the options are ours, so anything else
    was not chosen from them and is a field error."""
    chosen = _selected(state.get(block, {}))
    number = whole_number(chosen)
    if chosen and number is None:
        errors.append(FieldError(block, problem))
    return number


def _reviews(state: dict[str, dict[str, Any]], errors: list[FieldError]) -> dict[int, ActionStatus]:
    """What became of each open action, by action id, from its radio buttons."""
    reviews: dict[int, ActionStatus] = {}
    statuses = {status.value for status in ActionStatus}
    for block, element in state.items():
        value = _selected(element)
        if not block.startswith(REVIEW_PREFIX) or block == REVIEW_GROUP or not value:
            continue
        action_id = whole_number(block.removeprefix(REVIEW_PREFIX))
        if action_id is None or value not in statuses:
            errors.append(FieldError(Field.REVIEW, "Choose Done, Carry over or Drop."))
            continue
        reviews[action_id] = ActionStatus(value)
    return reviews


def _parse_date(text: str | None) -> date | None:
    try:
        return date.fromisoformat(text) if text else None
    except ValueError:
        return None


def error_map(errors: list[FieldError], view: dict[str, Any]) -> dict[str, str]:
    """Field errors keyed by the modal's block ids (Slack's `response_action: errors`)."""
    blocks = {block["block_id"] for block in view.get("blocks", []) if "block_id" in block}
    mapped: dict[str, str] = {}
    for error in errors:
        block = error.field
        if block == Field.REVIEW:
            block = next((b for b in sorted(blocks) if b.startswith(REVIEW_PREFIX)), block)
        if block not in blocks:
            block = Field.KEY_POINTS if Field.KEY_POINTS in blocks else min(blocks, default=block)
        mapped[block] = (mapped[block] + " " if block in mapped else "") + error.message
    return {block: message[:2000] for block, message in mapped.items()}
