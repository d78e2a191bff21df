"""What users ask the programme to do, parsed from any door into plain values."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

from bot.errors import FieldError
from bot.model import ActionStatus


class Field:
    """Names of the session record's fields; doors map them to their widgets (Slack block ids,
    Adaptive Card input ids), so that each error lands beside the field that caused it."""

    EMPLOYEE = "employee"
    HELD_ON = "held_on"
    DURATION = "duration"
    FOCUS_TYPE = "focus_type"
    SKILL = "skill"
    KEY_POINTS = "key_points"
    ACTIONS = "actions"
    COURSES = "courses"
    ILP_GOAL = "ilp_goal"
    REVIEW = "review"
    LEVEL_NOW = "level_now"


@dataclass(frozen=True, slots=True)
class NewAction:
    """An agreed action as the manager typed it."""

    text: str
    due_on: date | None = None


@dataclass(frozen=True, slots=True)
class LogSession:
    """A manager's record of one coaching session, before validation.

    `key_points` and `actions` hold the lines as typed (blank lines are ignored by validation).
    `reviews` says what became of each open action from earlier sessions (action id -> status).
    `grouped_review` is the one choice made for the open actions the form listed as a group
    (`grouped_action_ids`, the form's own list; they are checked against the open actions).
    `confirm_appraisal` is set once the manager has seen the appraisal-language warning and chose
    to keep their wording. `source` is "chat" (60-day limit on the date) or "import".
    """

    manager_id: int
    employee_id: int | None
    held_on: date | None
    duration_minutes: int | None
    focus_type: str | None
    skill_id: str | None
    key_points: tuple[str, ...] = ()
    actions: tuple[NewAction, ...] = ()
    course_ids: tuple[str, ...] = ()
    ilp_goal_id: int | None = None
    new_goal_title: str | None = None
    reviews: dict[int, ActionStatus] = field(default_factory=dict)
    level_now: int | None = None
    confirm_appraisal: bool = False
    source: str = "chat"
    grouped_review: ActionStatus | None = None
    grouped_action_ids: tuple[int, ...] = ()

    def all_reviews(self) -> dict[int, ActionStatus]:
        """Every review the form made: the group's choice for each grouped action, then each
        action reviewed on its own."""
        grouped = (
            dict.fromkeys(self.grouped_action_ids, self.grouped_review)
            if self.grouped_review
            else {}
        )
        return {**grouped, **self.reviews}


_WHOLE_NUMBER = re.compile(r"[0-9]{1,10}")
LARGEST_ID = 2**31 - 1
"""The largest record id a database integer column holds (PostgreSQL's `integer`)."""


def whole_number(text: object) -> int | None:
    """A record id or a count as a chat payload carries it (ASCII digits, small enough for a
    database integer column), or None: `abc`, `²`, `-1`, `2**31` and `10**30` are not one."""
    if not isinstance(text, str) or not _WHOLE_NUMBER.fullmatch(text):
        return None
    number = int(text)
    return number if number <= LARGEST_ID else None


_SNOOZE_VALUE = re.compile(r"([0-9]+):([0-9]{4}-[0-9]{2}-[0-9]{2})")


def parse_snooze(value: object) -> tuple[int, date] | None:
    """The report and the due date a *Snooze* button carries (`{employee id}:{YYYY-MM-DD}`),
    or None when it carries anything else (an impossible date, an id no record can have)."""
    match = _SNOOZE_VALUE.fullmatch(value) if isinstance(value, str) else None
    employee_id = whole_number(match[1]) if match else None
    if match is None or employee_id is None:
        return None
    due_on = _iso_date(match[2])
    return None if due_on is None else (employee_id, due_on)


_DUE_SUFFIX = re.compile(r"\s*[\(\[]?\s*(?:by|due)\s+(\d{4}-\d{2}-\d{2})\s*[\)\]]?\s*$", re.I)


def actions_from_lines(text: str) -> tuple[tuple[NewAction, ...], list[FieldError]]:
    """Agreed actions typed one a line in a chat form, each with an optional due date at the
    end of its line (`by 2026-12-18`); an impossible date is a field error."""
    actions: list[NewAction] = []
    errors: list[FieldError] = []
    for line in text.splitlines():
        match = _DUE_SUFFIX.search(line)
        due = _iso_date(match.group(1)) if match else None
        if match and due is None:
            errors.append(FieldError(Field.ACTIONS, f"{match.group(1)} is not a real date."))
        actions.append(NewAction(text=line[: match.start()] if match else line, due_on=due))
    return tuple(actions), errors


def _iso_date(text: str) -> date | None:
    try:
        return date.fromisoformat(text)
    except ValueError:
        return None


def goal_from_line(text: str) -> tuple[str, date | None, list[FieldError]]:
    """A new learning-plan goal typed on one line, with an optional target date at its end
    (`by 2027-03-31`): its title, the date, and an error for an impossible date."""
    match = _DUE_SUFFIX.search(text)
    if match is None:
        return text.strip(), None, []
    target = _iso_date(match.group(1))
    errors = [] if target else [FieldError(Field.ILP_GOAL, f"{match.group(1)} is not a real date.")]
    return text[: match.start()].strip(), target, errors
