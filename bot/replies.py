"""Platform-neutral replies: what a message says and which buttons it offers, as intent.

Each door renders a `Reply` natively (Block Kit in `adapters/slack`, Adaptive Cards in
`adapters/teams`); nothing here knows a widget.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Button:
    """A button; `action` names what it does (see `Actions`), `value` what it acts on."""

    label: str
    action: str
    value: str
    primary: bool = False


@dataclass(frozen=True, slots=True)
class Link:
    """A titled link, e.g. a course in the catalogue."""

    title: str
    url: str


@dataclass(frozen=True, slots=True)
class Section:
    """A block of text with an optional heading, list items, links and buttons.

    `text` and `items` use light markdown: `*bold*` and `_italic_` only. Where a door cannot
    show every item it says so in these words: "and 43 more `noun`: `more_hint`".
    """

    text: str = ""
    heading: str = ""
    items: tuple[str, ...] = ()
    links: tuple[Link, ...] = ()
    buttons: tuple[Button, ...] = ()
    noun: str = "items"
    more_hint: str = ""


@dataclass(frozen=True, slots=True)
class Reply:
    """A whole message: `summary` is the one-line text notifications and screen readers show."""

    summary: str
    sections: tuple[Section, ...] = ()
    ephemeral: bool = False
    ref: str = ""  # the outbox key it carries, to tell after a crash whether it arrived


class Actions:
    """Names of the things a button can do; each door routes them to a use-case."""

    LOG_SESSION = "log_session"
    ACTION_DONE = "action_done"
    SNOOZE = "snooze_nudge"
    CONFIRM_APPRAISAL = "confirm_appraisal"
    ASSIGN_COURSE = "assign_course"
    REPORT_RECORD = "report_record"
    GOAL_ACHIEVED = "goal_achieved"
    GOAL_DROPPED = "goal_dropped"
    OPEN_CONSOLE = "open_console"
