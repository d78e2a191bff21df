"""An imported log (`docs/csv-imports.md`, sessions.csv): what became of the actions of imported
sessions. A line may say it (`[done]`, `[dropped]`); otherwise the actions of a session followed by
a later session of the same pair are closed as superseded by it, and only the last session's stay
open, as if each had been reviewed at the next one."""

from __future__ import annotations

import itertools
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from bot.model import ActionStatus

OUTCOME_TAGS = {"[done]": ActionStatus.DONE, "[dropped]": ActionStatus.DROPPED}
"""The tags an action line may begin with, and the status each gives it."""


@dataclass(frozen=True, slots=True)
class ImportedAction:
    """An action line of an imported session: its text and what the line says became of it
    (None: it says nothing)."""

    text: str
    outcome: ActionStatus | None = None


def read_action(line: str) -> ImportedAction:
    """The line's text without its tag (case-insensitive), and the tag's status."""
    text = line.strip()
    for tag, status in OUTCOME_TAGS.items():
        if text[: len(tag)].lower() == tag:
            return ImportedAction(text[len(tag) :].strip(), status)
    return ImportedAction(text)


def superseded_reason(by: date) -> str:
    """Why an action was closed without a review."""
    return f"superseded by the session of {by.isoformat()}"


def next_sessions(days: Iterable[date]) -> dict[date, date]:
    """Each session day of a pair mapped to the pair's next session day (the last one to none)."""
    ordered = sorted(set(days))
    return dict(itertools.pairwise(ordered))


@dataclass(frozen=True, slots=True)
class ActionClosing:
    """What becomes of one action of an imported session: its status, the day it closed (the
    next session's, or the session's own when there is none), and why, when superseded."""

    status: ActionStatus
    closed_on: date | None = None
    reason: str | None = None


def closing(action: ImportedAction, held_on: date, next_on: date | None) -> ActionClosing:
    """The action's fate: as its line says, else superseded by the next session, else open."""
    if action.outcome is not None:
        return ActionClosing(action.outcome, next_on or held_on)
    if next_on is not None:
        return ActionClosing(ActionStatus.DROPPED, next_on, superseded_reason(next_on))
    return ActionClosing(ActionStatus.OPEN)
