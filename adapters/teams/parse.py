"""Adaptive Card submissions (`activity.value`: input ids plus the button's data) parsed into
commands, values that cannot be read becoming field errors; and the typeahead searches
(`application/search`) the session card makes."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from adapters.teams.cards import (
    CONFIRM_INPUT,
    COURSES_DATASET,
    GROUPED_KEY,
    NEW_GOAL,
    REVIEW_GROUP,
    REVIEW_PREFIX,
    SEARCH_RESULTS,
    SKILLS_DATASET,
)
from bot.commands import Field, LogSession, actions_from_lines, whole_number
from bot.errors import FieldError
from bot.model import ActionStatus
from bot.review import GROUP_CHOICES

REVIEW_VALUES = {status.value for status in ActionStatus}
MAX_QUERY = 200  # characters of typed text a search reads
MAX_SKIP = 1000  # how far a search may page into the catalogue


def _text(value: dict[str, Any], key: str) -> str:
    raw = value.get(key)
    return "" if raw is None else str(raw).strip()


def _chosen_id(
    value: dict[str, Any], key: str, problem: str, errors: list[FieldError]
) -> int | None:
    """The number a choice input carries; the choices are ours, so anything else was not
    chosen from them and is a field error."""
    text = _text(value, key)
    number = whole_number(text)
    if text and number is None:
        errors.append(FieldError(key, problem))
    return number


def parse_session_submission(
    value: dict[str, Any], manager_id: int
) -> tuple[LogSession, list[FieldError]]:
    """The command a submitted session card describes, and errors in unreadable values."""
    errors: list[FieldError] = []
    held_on = _date(_text(value, Field.HELD_ON))
    if _text(value, Field.HELD_ON) and held_on is None:
        errors.append(FieldError(Field.HELD_ON, "Enter the date as YYYY-MM-DD."))
    duration_text = _text(value, Field.DURATION).removesuffix(".0")
    duration = whole_number(duration_text)
    if duration_text and duration is None:
        errors.append(FieldError(Field.DURATION, "Enter the duration as whole minutes."))
    actions, action_errors = actions_from_lines(str(value.get(Field.ACTIONS) or ""))
    errors += action_errors
    reviews: dict[int, ActionStatus] = {}
    for key, status in value.items():
        if not key.startswith(REVIEW_PREFIX) or key == REVIEW_GROUP or not status:
            continue
        action_id = whole_number(key.removeprefix(REVIEW_PREFIX))
        if action_id is None or str(status) not in REVIEW_VALUES:
            errors.append(FieldError(Field.REVIEW, "Choose Done, Carry over or Drop."))
            continue
        reviews[action_id] = ActionStatus(str(status))
    grouped_review, grouped_ids = _group_review(value, errors)
    employee = _chosen_id(value, Field.EMPLOYEE, "Choose the person you coached.", errors)
    goal = _chosen_id(value, Field.ILP_GOAL, "Choose a goal from the list.", errors)
    level = _chosen_id(value, Field.LEVEL_NOW, "Choose a level from the list.", errors)
    command = LogSession(
        manager_id=manager_id,
        employee_id=employee,
        held_on=held_on,
        duration_minutes=duration,
        focus_type=_text(value, Field.FOCUS_TYPE) or None,
        skill_id=_text(value, Field.SKILL) or None,
        key_points=tuple(str(value.get(Field.KEY_POINTS) or "").splitlines()),
        actions=actions,
        course_ids=tuple(c.strip() for c in _text(value, Field.COURSES).split(",") if c.strip()),
        ilp_goal_id=goal,
        new_goal_title=_text(value, NEW_GOAL) or None,
        reviews=reviews,
        level_now=level,
        confirm_appraisal=_text(value, CONFIRM_INPUT).lower() in {"yes", "true"},
        source="chat",
        grouped_review=grouped_review,
        grouped_action_ids=grouped_ids,
    )
    return command, errors


def _group_review(
    value: dict[str, Any], errors: list[FieldError]
) -> tuple[ActionStatus | None, tuple[int, ...]]:
    """The one choice for the grouped open actions and the ids the card listed as grouped
    (from the button's data; the service checks them against the open actions)."""
    chosen = _text(value, REVIEW_GROUP)
    if not chosen:
        return None, ()
    if chosen not in {status.value for status in GROUP_CHOICES}:
        errors.append(FieldError(Field.REVIEW, "Choose Carry over or Drop for the others."))
        return None, ()
    ids = [whole_number(part.strip()) for part in _text(value, GROUPED_KEY).split(",")]
    if None in ids:
        errors.append(
            FieldError(Field.REVIEW, "The form's list of open actions is damaged; reload the form.")
        )
        return None, ()
    return ActionStatus(chosen), tuple(i for i in ids if i is not None)


def _date(text: str) -> date | None:
    try:
        return date.fromisoformat(text) if text else None
    except ValueError:
        return None


@dataclass(frozen=True)
class SearchQuery:
    """One typeahead search: the dataset, the typed text and the page wanted."""

    dataset: str
    text: str
    skip: int
    top: int


def parse_search(value: Any) -> SearchQuery | str:
    """The search an `application/search` invoke asks for, or what is wrong with it."""
    if not isinstance(value, dict):
        return "the search has no value"
    dataset = value.get("dataset")
    if dataset not in (SKILLS_DATASET, COURSES_DATASET):
        return f"unknown dataset {str(dataset)[:40]!r}: coachbot searches skills and courses"
    text = value.get("queryText", "")
    if not isinstance(text, str):
        return "queryText must be text"
    options = value.get("queryOptions") or {}
    if not isinstance(options, dict):
        return "queryOptions must be an object"
    skip, top = options.get("skip", 0), options.get("top", SEARCH_RESULTS)
    for name, number in (("skip", skip), ("top", top)):
        if isinstance(number, bool) or not isinstance(number, int) or number < 0:
            return f"queryOptions.{name} must be a whole number"
    return SearchQuery(
        dataset, text[:MAX_QUERY], min(skip, MAX_SKIP), min(max(top, 1), SEARCH_RESULTS)
    )
