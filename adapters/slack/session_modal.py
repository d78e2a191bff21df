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
from bot.commands import Field, LogSession, actions_from_lines, whole_number
from bot.errors import AppraisalFinding, FieldError
from bot.fitting import shorten
from bot.messages import appraisal_warning
from bot.model import SKILL_LEVEL_NAMES, ActionStatus, AgreedAction, FocusType
from bot.review import (
    GROUP_CHOICES,
    REVIEW_LABELS,
    group_label,
    split_for_review,
)
from bot.services.sessions import SessionForm

CALLBACK_ID = "coaching_session"
VALUE = "value"
EMPLOYEE_ACTION = "employee_chosen"
SKILL_SEARCH = "skill_search"
COURSE_SEARCH = "course_search"
CONFIRM_BLOCK = "appraisal_confirm"
REVIEW_PREFIX = "review_"
REVIEW_GROUP = "review_group"
NEW_GOAL = "new_goal"

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


FOCUS_OPTIONS = [_option(f.label, f.value) for f in FocusType]
REVIEW_OPTIONS = [_option(label, status.value) for status, label in REVIEW_LABELS.items()]
GROUP_OPTIONS = [_option(REVIEW_LABELS[status], status.value) for status in GROUP_CHOICES]
COURSES_BLOCK = _input(
    Field.COURSES,
    "Courses to assign (up to 5)",
    _element(
        "multi_external_select",
        COURSE_SEARCH,
        min_query_length=2,
        max_selected_items=5,
        placeholder="Search the catalogue by title",
    ),
    optional=True,
)
LEVEL_BLOCK = _input(
    Field.LEVEL_NOW,
    "Skill level now, if you agreed one",
    _element(
        "static_select",
        VALUE,
        options=[_option(f"{i} - {name}", str(i)) for i, name in enumerate(SKILL_LEVEL_NAMES)],
    ),
    optional=True,
)
VIEW_FRAME: Json = {
    "type": "modal",
    "callback_id": CALLBACK_ID,
    "title": _text("Log a coaching session"),
    "submit": _text("Save session"),
    "close": _text("Cancel"),
}
"""What every session modal has besides its blocks and metadata (made once: shared, read-only)."""


def session_view(
    form: SessionForm,
    *,
    values: LogSession | None = None,
    findings: list[AppraisalFinding] | None = None,
) -> Json:
    """The modal as Block Kit JSON; `values` re-fills what the manager typed (after an
    appraisal warning)."""
    employee = form.employee
    blocks: list[Json] = [
        {"type": "context", "elements": [_mrkdwn("_" + " · ".join(form.prompts) + "_")]},
        _input(
            Field.EMPLOYEE,
            "Who did you coach?",
            _element(
                "static_select",
                EMPLOYEE_ACTION,
                placeholder="Choose a direct report",
                options=[_option(p.name, str(p.id)) for p in form.reports[:100]],
                initial_option=_option(employee.name, str(employee.id)) if employee else None,
            ),
            dispatch_action=True,
        ),
    ]
    blocks += _review_blocks(form, values)
    held_on = values.held_on if values and values.held_on else form.today
    duration = values.duration_minutes if values and values.duration_minutes else 30
    blocks += [
        _input(
            Field.HELD_ON,
            "Date held",
            _element("datepicker", VALUE, initial_date=held_on.isoformat()),
        ),
        _input(
            Field.DURATION,
            "Duration (minutes)",
            _element(
                "number_input",
                VALUE,
                is_decimal_allowed=False,
                min_value="15",
                max_value="120",
                initial_value=str(duration),
            ),
        ),
        _input(
            Field.FOCUS_TYPE,
            "Development focus",
            _element(
                "static_select", VALUE, options=FOCUS_OPTIONS, initial_option=_focus_option(values)
            ),
        ),
        _input(
            Field.SKILL,
            "Skill",
            _element(
                "external_select",
                SKILL_SEARCH,
                min_query_length=0,
                placeholder="Search skills",
                initial_option=_skill_option(form, values),
            ),
            hint="Start typing a skill from the framework",
        ),
        _input(
            Field.KEY_POINTS,
            "Key points (3 to 5, one a line)",
            _element(
                "plain_text_input",
                VALUE,
                multiline=True,
                max_length=1600,
                initial_value="\n".join(values.key_points) if values else None,
            ),
            hint="What did you explore together? What options came up?",
        ),
        _input(
            Field.ACTIONS,
            "Agreed actions (1 to 5, one a line)",
            _element(
                "plain_text_input",
                VALUE,
                multiline=True,
                max_length=1700,
                initial_value=_actions_text(values) if values else None,
            ),
            hint="Add a due date at the end of a line like: by 2026-12-18",
        ),
        COURSES_BLOCK,
    ]
    blocks += _goal_blocks(form, values)
    blocks.append(LEVEL_BLOCK)
    if findings:
        blocks += appraisal_blocks(findings)
    metadata = {
        "employee": employee.id if employee else None,
        "grouped": [a.id for a in split_for_review(form.open_actions)[1]],
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


def _skill_option(form: SessionForm, values: LogSession | None) -> Json | None:
    skill_id = values.skill_id if values else None
    skill = form.skills_by_id.get(skill_id) if skill_id else None
    return _option(skill.name, skill.skill_id) if skill else None


def _actions_text(values: LogSession) -> str:
    return "\n".join(
        f"{a.text} by {a.due_on.isoformat()}" if a.due_on else a.text for a in values.actions
    )


def _review_blocks(form: SessionForm, values: LogSession | None) -> list[Json]:
    """Each of the first open actions with its own choice, then the others as one choice
    (carry over or drop), so that every open action is reviewed in the form."""
    if not form.open_actions:
        return []
    shown = form.review(values)
    one_by_one, grouped, chosen_reviews = shown.one_by_one, shown.grouped, shown.chosen
    group_choice, preview = shown.group_choice, shown.summary
    summary = f"*Last time you agreed:* what became of each action?\n_{preview}_"
    blocks: list[Json] = [
        {"type": "divider"},
        {"type": "section", "block_id": "carry_summary", "text": _mrkdwn(mrkdwn(summary).text)},
    ]
    for action in one_by_one:
        chosen = chosen_reviews[action.id]
        radio = _element(
            "radio_buttons",
            VALUE,
            options=REVIEW_OPTIONS,
            initial_option=_option(REVIEW_LABELS[chosen], chosen.value),
        )
        blocks.append(_input(f"{REVIEW_PREFIX}{action.id}", plain(action.text, 150), radio))
    if grouped:
        blocks += _group_blocks(grouped, group_choice)
    blocks.append({"type": "divider"})
    return blocks


def _group_blocks(grouped: tuple[AgreedAction, ...], chosen: ActionStatus) -> list[Json]:
    """The open actions past the first ones, listed (as many as fit, the rest counted) with
    one choice for all of them."""
    lines = [f"• {escape(shorten(a.text, 200, escaped_length))}" for a in grouped]
    text, _ = fitted_mrkdwn(lines, "open actions", "the choice below covers them too")
    radio = _element(
        "radio_buttons",
        VALUE,
        options=GROUP_OPTIONS,
        initial_option=_option(REVIEW_LABELS[chosen], chosen.value),
    )
    return [
        {"type": "section", "block_id": "review_group_list", "text": _mrkdwn(text)},
        _input(REVIEW_GROUP, group_label(len(grouped)), radio),
    ]


def _goal_blocks(form: SessionForm, values: LogSession | None) -> list[Json]:
    blocks: list[Json] = []
    if form.goals:
        options = [_option(goal.title, str(goal.id)) for goal in form.goals[:100]]
        initial = next(
            (o for o in options if values and o["value"] == str(values.ilp_goal_id)), None
        )
        blocks.append(
            _input(
                Field.ILP_GOAL,
                "Learning-plan goal this session works on",
                _element("static_select", VALUE, options=options, initial_option=initial),
                optional=True,
            )
        )
    new_goal = values.new_goal_title if values and values.new_goal_title else None
    blocks.append(
        _input(
            NEW_GOAL,
            "Or a new learning-plan goal",
            _element("plain_text_input", VALUE, max_length=200, initial_value=new_goal),
            hint="For this session's skill; add a target date at the end like: by 2027-03-31",
            optional=True,
        )
    )
    return blocks


def appraisal_blocks(findings: list[AppraisalFinding]) -> list[Json]:
    """The warning shown before saving when key points read as appraisal."""
    [warning] = section_blocks(appraisal_warning(findings), "appraisal")
    warning.block_id = "appraisal_warning"
    confirm = _element(
        "checkboxes", VALUE, options=[_option("Save the key points as I wrote them", "yes")]
    )
    return [warning.to_dict(), _input(CONFIRM_BLOCK, "Keep my wording", confirm, optional=True)]


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
        listed = json.loads(view.get("private_metadata") or "{}").get("grouped") or []
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
