"""The `/coaching` session form as a Slack modal, and its submitted state parsed back into a
`LogSession` command. Block ids are the record's field names, so field errors land beside
their fields."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

from slack_sdk.models.blocks import (
    Block,
    CheckboxesElement,
    ContextBlock,
    DatePickerElement,
    DividerBlock,
    ExternalDataMultiSelectElement,
    ExternalDataSelectElement,
    InputBlock,
    NumberInputElement,
    Option,
    PlainTextInputElement,
    RadioButtonsElement,
    SectionBlock,
    StaticSelectElement,
)
from slack_sdk.models.views import View

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


def _option(text: str, value: str) -> Option:
    return Option(text=plain(text, limits.OPTION_TEXT), value=value[: limits.OPTION_VALUE])


def session_view(
    form: SessionForm,
    *,
    values: LogSession | None = None,
    findings: list[AppraisalFinding] | None = None,
) -> View:
    """The modal; `values` re-fills what the manager typed (after an appraisal warning)."""
    employee = form.employee
    blocks: list[Block] = [
        ContextBlock(elements=[mrkdwn("_" + " · ".join(form.prompts) + "_")]),
        InputBlock(
            block_id=Field.EMPLOYEE,
            label="Who did you coach?",
            dispatch_action=True,
            element=StaticSelectElement(
                action_id=EMPLOYEE_ACTION,
                placeholder="Choose a direct report",
                options=[_option(p.name, str(p.id)) for p in form.reports[:100]],
                initial_option=_option(employee.name, str(employee.id)) if employee else None,
            ),
        ),
    ]
    blocks += _review_blocks(form, values)
    held_on = values.held_on if values and values.held_on else form.today
    blocks += [
        InputBlock(
            block_id=Field.HELD_ON,
            label="Date held",
            element=DatePickerElement(action_id=VALUE, initial_date=held_on.isoformat()),
        ),
        InputBlock(
            block_id=Field.DURATION,
            label="Duration (minutes)",
            element=NumberInputElement(
                action_id=VALUE,
                is_decimal_allowed=False,
                min_value="15",
                max_value="120",
                initial_value=str(
                    values.duration_minutes if values and values.duration_minutes else 30
                ),
            ),
        ),
        InputBlock(
            block_id=Field.FOCUS_TYPE,
            label="Development focus",
            element=StaticSelectElement(
                action_id=VALUE,
                options=[_option(f.label, f.value) for f in FocusType],
                initial_option=_focus_option(values),
            ),
        ),
        InputBlock(
            block_id=Field.SKILL,
            label="Skill",
            hint="Start typing a skill from the framework",
            element=ExternalDataSelectElement(
                action_id=SKILL_SEARCH,
                min_query_length=0,
                placeholder="Search skills",
                initial_option=_skill_option(form, values),
            ),
        ),
        InputBlock(
            block_id=Field.KEY_POINTS,
            label="Key points (3 to 5, one a line)",
            hint="What did you explore together? What options came up?",
            element=PlainTextInputElement(
                action_id=VALUE,
                multiline=True,
                max_length=1600,
                initial_value="\n".join(values.key_points) if values else None,
            ),
        ),
        InputBlock(
            block_id=Field.ACTIONS,
            label="Agreed actions (1 to 5, one a line)",
            hint="Add a due date at the end of a line like: by 2026-12-18",
            element=PlainTextInputElement(
                action_id=VALUE,
                multiline=True,
                max_length=1700,
                initial_value=_actions_text(values) if values else None,
            ),
        ),
        InputBlock(
            block_id=Field.COURSES,
            label="Courses to assign (up to 5)",
            optional=True,
            element=ExternalDataMultiSelectElement(
                action_id=COURSE_SEARCH,
                min_query_length=2,
                max_selected_items=5,
                placeholder="Search the catalogue by title",
            ),
        ),
    ]
    blocks += _goal_blocks(form, values)
    blocks.append(
        InputBlock(
            block_id=Field.LEVEL_NOW,
            label="Skill level now, if you agreed one",
            optional=True,
            element=StaticSelectElement(
                action_id=VALUE,
                options=[
                    _option(f"{i} - {name}", str(i)) for i, name in enumerate(SKILL_LEVEL_NAMES)
                ],
            ),
        )
    )
    if findings:
        blocks += appraisal_blocks(findings)
    return View(
        type="modal",
        callback_id=CALLBACK_ID,
        title="Log a coaching session",
        submit="Save session",
        close="Cancel",
        private_metadata=json.dumps(
            {
                "employee": employee.id if employee else None,
                "grouped": [a.id for a in split_for_review(form.open_actions)[1]],
            },
            separators=(",", ":"),
        ),
        blocks=blocks,
    )


def _focus_option(values: LogSession | None) -> Option | None:
    if values and values.focus_type in {f.value for f in FocusType}:
        focus = FocusType(values.focus_type)
        return _option(focus.label, focus.value)
    return None


def _skill_option(form: SessionForm, values: LogSession | None) -> Option | None:
    skill_id = values.skill_id if values else None
    skill = form.skills_by_id.get(skill_id) if skill_id else None
    return _option(skill.name, skill.skill_id) if skill else None


def _actions_text(values: LogSession) -> str:
    return "\n".join(
        f"{a.text} by {a.due_on.isoformat()}" if a.due_on else a.text for a in values.actions
    )


def _review_blocks(form: SessionForm, values: LogSession | None) -> list[Block]:
    """Each of the first open actions with its own choice, then the others as one choice
    (carry over or drop), so that every open action is reviewed in the form."""
    if not form.open_actions:
        return []
    shown = form.review(values)
    one_by_one, grouped, chosen_reviews = shown.one_by_one, shown.grouped, shown.chosen
    group_choice, preview = shown.group_choice, shown.summary
    blocks: list[Block] = [
        DividerBlock(),
        SectionBlock(
            block_id="carry_summary",
            text=mrkdwn(f"*Last time you agreed:* what became of each action?\n_{preview}_"),
        ),
    ]
    for action in one_by_one:
        chosen = chosen_reviews[action.id]
        options = [_option(label, status.value) for status, label in REVIEW_LABELS.items()]
        blocks.append(
            InputBlock(
                block_id=f"{REVIEW_PREFIX}{action.id}",
                label=plain(action.text, 150),
                element=RadioButtonsElement(
                    action_id=VALUE,
                    options=options,
                    initial_option=_option(REVIEW_LABELS[chosen], chosen.value),
                ),
            )
        )
    if grouped:
        blocks += _group_blocks(grouped, group_choice)
    blocks.append(DividerBlock())
    return blocks


def _group_blocks(grouped: tuple[AgreedAction, ...], chosen: ActionStatus) -> list[Block]:
    """The open actions past the first ones, listed (as many as fit, the rest counted) with
    one choice for all of them."""
    lines = [f"• {escape(shorten(a.text, 200, escaped_length))}" for a in grouped]
    text, _ = fitted_mrkdwn(lines, "open actions", "the choice below covers them too")
    options = [_option(REVIEW_LABELS[status], status.value) for status in GROUP_CHOICES]
    return [
        SectionBlock(block_id="review_group_list", text=mrkdwn(text)),
        InputBlock(
            block_id=REVIEW_GROUP,
            label=group_label(len(grouped)),
            element=RadioButtonsElement(
                action_id=VALUE,
                options=options,
                initial_option=_option(REVIEW_LABELS[chosen], chosen.value),
            ),
        ),
    ]


def _goal_blocks(form: SessionForm, values: LogSession | None) -> list[Block]:
    blocks: list[Block] = []
    if form.goals:
        options = [_option(goal.title, str(goal.id)) for goal in form.goals[:100]]
        initial = next((o for o in options if values and o.value == str(values.ilp_goal_id)), None)
        blocks.append(
            InputBlock(
                block_id=Field.ILP_GOAL,
                label="Learning-plan goal this session works on",
                optional=True,
                element=StaticSelectElement(
                    action_id=VALUE, options=options, initial_option=initial
                ),
            )
        )
    blocks.append(
        InputBlock(
            block_id=NEW_GOAL,
            label="Or a new learning-plan goal",
            hint="For this session's skill; add a target date at the end like: by 2027-03-31",
            optional=True,
            element=PlainTextInputElement(
                action_id=VALUE,
                max_length=200,
                initial_value=values.new_goal_title if values and values.new_goal_title else None,
            ),
        )
    )
    return blocks


def appraisal_blocks(findings: list[AppraisalFinding]) -> list[Block]:
    """The warning shown before saving when key points read as appraisal."""
    [warning] = section_blocks(appraisal_warning(findings), "appraisal")
    warning.block_id = "appraisal_warning"
    return [
        warning,
        InputBlock(
            block_id=CONFIRM_BLOCK,
            label="Keep my wording",
            optional=True,
            element=CheckboxesElement(
                action_id=VALUE, options=[_option("Save the key points as I wrote them", "yes")]
            ),
        ),
    ]


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
