"""The session form as every door shows it, defined once: which fields it has, in what order,
what each is called, what it asks for, its limits and its fixed choices. A door only renders
these (`adapters/slack/session_modal.py` as a Block Kit modal, `adapters/teams/cards.py` as an
Adaptive Card); the limits are the ones `bot/record.py` checks, so the form never offers what
the record refuses. Input ids are the record's field names (`bot.commands.Field`), so each
error lands beside the field that caused it."""

from __future__ import annotations

from dataclasses import dataclass

from bot.commands import Field, LogSession
from bot.model import SKILL_LEVEL_NAMES, FocusType
from bot.record import (
    MAX_ACTIONS,
    MAX_COURSES,
    MAX_DURATION,
    MAX_KEY_POINTS,
    MIN_ACTIONS,
    MIN_DURATION,
    MIN_KEY_POINTS,
)
from bot.review import GROUP_CHOICES, REVIEW_LABELS

TITLE = "Log a coaching session"
SUBMIT = "Save session"
CANCEL = "Cancel"
CHECK_FIELDS = "Please check the fields marked below."
"""Said above the form when it comes back with field errors (where the door shows no summary
of its own)."""

DEFAULT_DURATION = 30
REVIEW_PREFIX = "review_"
"""An open action's review choice is the input `review_<action id>`."""
REVIEW_GROUP = "review_group"
"""The one choice for the open actions listed as a group."""
GROUPED = "grouped"
"""Where the form keeps the ids of the actions it listed as a group (the door's metadata)."""
REVIEW_QUESTION = "what became of each action?"
REVIEW_HEADING = "Last time you agreed:"
GROUP_NOUN = "open actions"
GROUP_HINT = "the choice below covers them too"
ACTION_LABEL_CHARS = 150
"""An open action's text as the label of its choice, at most this long."""
GROUP_LINE_CHARS = 200
"""Each open action in the group's list, at most this long."""
MAX_CHOICES = 100
"""Reports and goals offered in one choice list (Slack's select limit, within Teams' own)."""

Choices = tuple[tuple[str, str], ...]
"""(label, value) pairs, in the order shown."""


@dataclass(frozen=True, slots=True)
class FormField:
    """One input of the form. `hint` says what to write (shown under the input, or inside it
    where the door has no hint); `placeholder` is shown inside a choice list before anything
    is chosen; `missing` is what a door that checks required inputs itself says when it is
    left empty."""

    id: str
    label: str
    required: bool = True
    hint: str = ""
    placeholder: str = ""
    missing: str = ""
    max_length: int | None = None
    minimum: int | None = None
    maximum: int | None = None
    most_chosen: int | None = None
    choices: Choices = ()


EMPLOYEE = FormField(
    Field.EMPLOYEE,
    "Who did you coach?",
    placeholder="Choose a direct report",
    missing="Choose a direct report.",
)
HELD_ON = FormField(Field.HELD_ON, "Date held", missing="Choose the date the session was held.")
DURATION = FormField(
    Field.DURATION,
    "Duration (minutes)",
    minimum=MIN_DURATION,
    maximum=MAX_DURATION,
    missing=f"Enter {MIN_DURATION} to {MAX_DURATION} minutes.",
)
FOCUS_TYPE = FormField(
    Field.FOCUS_TYPE,
    "Development focus",
    missing="Choose the development focus.",
    choices=tuple((focus.label, focus.value) for focus in FocusType),
)
SKILL = FormField(
    Field.SKILL,
    "Skill",
    hint="Start typing a skill from the framework",
    placeholder="Search skills",
    missing="Choose the skill from the framework.",
)
KEY_POINTS = FormField(
    Field.KEY_POINTS,
    f"Key points ({MIN_KEY_POINTS} to {MAX_KEY_POINTS}, one a line)",
    hint="What did you explore together? What options came up?",
    missing=f"Write {MIN_KEY_POINTS} to {MAX_KEY_POINTS} key points, one a line.",
    max_length=1600,
)
ACTIONS = FormField(
    Field.ACTIONS,
    f"Agreed actions ({MIN_ACTIONS} to {MAX_ACTIONS}, one a line)",
    hint="Add a due date at the end of a line like: by 2026-12-18",
    missing=f"Write {MIN_ACTIONS} to {MAX_ACTIONS} agreed actions, one a line.",
    max_length=1700,
)
COURSES = FormField(
    Field.COURSES,
    f"Courses to assign (up to {MAX_COURSES})",
    required=False,
    placeholder="Search the catalogue by title",
    most_chosen=MAX_COURSES,
)
ILP_GOAL = FormField(Field.ILP_GOAL, "Learning-plan goal this session works on", required=False)
NEW_GOAL = FormField(
    "new_goal",
    "Or a new learning-plan goal",
    required=False,
    hint="For this session's skill; add a target date at the end like: by 2027-03-31",
    max_length=200,
)
LEVEL_NOW = FormField(
    Field.LEVEL_NOW,
    "Skill level now, if you agreed one",
    required=False,
    choices=tuple((f"{i} - {name}", str(i)) for i, name in enumerate(SKILL_LEVEL_NAMES)),
)
CONFIRM = FormField(
    "appraisal_confirm",
    "Keep my wording",
    required=False,
    choices=(("Save the key points as I wrote them", "yes"),),
)
"""Shown with the appraisal warning: keep the key points as written."""

FIELDS = (
    EMPLOYEE,
    HELD_ON,
    DURATION,
    FOCUS_TYPE,
    SKILL,
    KEY_POINTS,
    ACTIONS,
    COURSES,
    ILP_GOAL,
    LEVEL_NOW,
)
"""The record's fields the form has (an error on any other goes beside the key points)."""
FIELD_IDS = frozenset(field.id for field in FIELDS)

REVIEW_CHOICES: Choices = tuple((label, status.value) for status, label in REVIEW_LABELS.items())
GROUP_CHOICE_OPTIONS: Choices = tuple((REVIEW_LABELS[s], s.value) for s in GROUP_CHOICES)


def review_input(action_id: int) -> str:
    return f"{REVIEW_PREFIX}{action_id}"


def actions_text(values: LogSession) -> str:
    """The agreed actions as the manager typed them, one a line, due dates at the end."""
    return "\n".join(
        f"{a.text} by {a.due_on.isoformat()}" if a.due_on else a.text for a in values.actions
    )


def key_points_text(values: LogSession) -> str:
    return "\n".join(values.key_points)
