"""What each outbox row carries: its kind (`OutboxKind`, or for the scheduler's reminders
`bot.nudges.NudgeKind`) and, per chat message kind, a typed payload (`PAYLOADS`).

Payloads are stored as JSON in the row and read back when the message is composed, possibly by
another release: `to_json` writes exactly the keys, in the order, that rows hold, and
`from_json` reads rows written before a field existed (it takes the field's default). Dates
are ISO text in the JSON.
"""

from __future__ import annotations

import enum
import types
from collections.abc import Mapping
from dataclasses import MISSING, dataclass, field, fields, is_dataclass
from datetime import date, datetime
from functools import cache
from typing import TYPE_CHECKING, Any, TypeVar, Union, get_args, get_origin, get_type_hints

from bot.nudges import NudgeKind


class OutboxKind(enum.StrEnum):
    """The outbox rows other than nudges."""

    SESSION_LOGGED = "session_logged"
    SESSION_SAVED = "session_saved"
    COURSE_ASSIGNED = "course_assigned"
    COURSE_COMPLETED = "course_completed"
    XAPI_STATEMENT = "xapi_statement"
    """An xAPI statement for the LRS (channel `xapi`; `XapiPayload` or `XapiVoidingPayload`)."""
    MOODLE_ENROL = "moodle_enrol"
    """A Moodle enrolment (channel `moodle`; `MoodleEnrolPayload`)."""


MessageKind = OutboxKind | NudgeKind


def message_kind(kind: str) -> MessageKind:
    """The kind named by an outbox row; KeyError for a kind this release does not know."""
    nudge = NudgeKind.of(kind)
    if nudge is not None:
        return nudge
    try:
        return OutboxKind(kind)
    except ValueError:
        raise KeyError(f"unknown outbox kind {kind!r}") from None


OMITTED = {"omitted": True}
"""Field metadata: the key is left out of the JSON while the field has its default (rows
never held it then)."""


if TYPE_CHECKING:
    from _typeshed import DataclassInstance as Payload

P = TypeVar("P", bound="Payload")


def _key(name: str, metadata: Mapping[str, Any]) -> str:
    return str(metadata.get("key", name))


def _encode(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, tuple | list):
        return [_encode(item) for item in value]
    if is_dataclass(value) and not isinstance(value, type):
        return to_json(value)
    return value


def to_json(payload: Payload) -> dict[str, Any]:
    """The payload as the row stores it."""
    custom = getattr(payload, "as_json", None)
    if custom is not None:
        return dict(custom())
    encoded: dict[str, Any] = {}
    for spec in fields(payload):
        value = getattr(payload, spec.name)
        if spec.metadata.get("omitted") and value == spec.default:
            continue
        encoded[_key(spec.name, spec.metadata)] = _encode(value)
    return encoded


@cache
def _hints(cls: type[Any]) -> dict[str, Any]:
    return get_type_hints(cls)


def _decode(hint: Any, value: Any) -> Any:
    if value is None:
        return None
    origin = get_origin(hint)
    if origin is Union or origin is types.UnionType:
        (hint,) = [arg for arg in get_args(hint) if arg is not type(None)]
        origin = get_origin(hint)
    if hint is datetime:
        return datetime.fromisoformat(value)
    if hint is date:
        return date.fromisoformat(value)
    if origin is tuple:
        return tuple(_decode(get_args(hint)[0], item) for item in value)
    if isinstance(hint, type) and is_dataclass(hint):
        return from_json(hint, value)
    return value


def from_json(cls: type[P], data: Mapping[str, Any]) -> P:
    """The payload a row stores; KeyError when a field with no default is missing."""
    custom = getattr(cls, "from_stored", None)
    if custom is not None:
        return custom(data)  # type: ignore[no-any-return]
    hints = _hints(cls)
    values: dict[str, Any] = {}
    for spec in fields(cls):
        key = _key(spec.name, spec.metadata)
        if key in data:
            values[spec.name] = _decode(hints[spec.name], data[key])
        elif spec.default is MISSING and spec.default_factory is MISSING:
            raise KeyError(key)
    return cls(**values)


# ---- the parts payloads share -----------------------------------------------------------


@dataclass(frozen=True, slots=True, kw_only=True)
class ActionLine:
    """An agreed action as a message lists it; `closed` is its status once closed after the
    message went (set when the message is composed again, never stored)."""

    text: str
    id: int | None = field(default=None, metadata=OMITTED)
    due_on: date | None = None
    closed: str | None = field(default=None, metadata=OMITTED)

    def as_json(self) -> dict[str, Any]:
        row: dict[str, Any] = {} if self.id is None else {"id": self.id}
        row |= {"text": self.text, "due_on": _encode(self.due_on)}
        return row | ({"closed": self.closed} if self.closed else {})


@dataclass(frozen=True, slots=True, kw_only=True)
class CourseLine:
    """A course assigned in a session, as the employee's message lists it."""

    course_id: str
    title: str
    url: str
    why: str


@dataclass(frozen=True, slots=True, kw_only=True)
class CourseRef:
    course_id: str
    title: str


# ---- after a session ----------------------------------------------------------------------


@dataclass(frozen=True, slots=True, kw_only=True)
class SessionLoggedPayload:
    """The employee's DM after a session."""

    session_id: int | None = None
    held_on: date
    manager_name: str
    focus_type: str = ""
    focus: str
    skill_id: str = ""
    skill_name: str
    actions: tuple[ActionLine, ...] = ()
    courses: tuple[CourseLine, ...] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class SessionSavedPayload:
    """The manager's confirmation of a session."""

    session_id: int | None = None
    employee_name: str
    held_on: date
    next_due_on: date
    flagged: bool = False
    assigned: tuple[str, ...] = ()
    already_open: tuple[CourseRef, ...] = ()


# ---- the L&D connection -------------------------------------------------------------------


@dataclass(frozen=True, slots=True, kw_only=True)
class CourseAssignedPayload:
    """The employee's DM for a course assigned outside a session."""

    assignment_id: int | None = None
    manager_name: str
    course_id: str = ""
    title: str
    url: str = ""
    why: str


@dataclass(frozen=True, slots=True, kw_only=True)
class CourseCompletedPayload:
    """The manager's DM when their report completes an assigned course."""

    employee_name: str
    title: str
    course_id: str = ""
    session_held_on: date | None = None
    assigned_on: date


# ---- the scheduler's nudges ---------------------------------------------------------------


@dataclass(frozen=True, slots=True, kw_only=True)
class SessionReminderPayload:
    """A manager's `session_due` or `session_overdue` about a report."""

    window_ends: datetime | None = None
    manager_id: int | None = None
    employee_id: int
    due_on: date
    last_session_on: date | None = None
    employee_name: str
    open_actions: tuple[ActionLine, ...] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class ActionCheckinPayload:
    """An employee's check-in on their agreed actions, midway to the next session."""

    window_ends: datetime | None = None
    manager_id: int | None = None
    employee_id: int | None = None
    due_on: date
    last_session_on: date | None = None
    manager_name: str
    actions: tuple[ActionLine, ...] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class ManagerModulePayload:
    """The monthly offer of the coaching-skills module."""

    window_ends: datetime | None = None
    course_id: str
    title: str = ""
    url: str = ""


@dataclass(frozen=True, slots=True, kw_only=True)
class ThemeAlertLine:
    department: str
    skill_id: str
    share: float
    sessions: int
    catalogue_has_course: bool


@dataclass(frozen=True, slots=True, kw_only=True)
class DigestFigures:
    """The digest's figures (absent when too few people are in the programme)."""

    period_days: int
    from_: date = field(metadata={"key": "from"})
    to: date
    people: int | None
    people_coached: int | None
    sessions: int | None
    sessions_week_ago: int | None
    completion_rate: float | None
    completion_rate_week_ago: float | None
    course_assignment_rate: float | None
    alerts: int
    new_alerts: tuple[ThemeAlertLine, ...]


@dataclass(frozen=True, slots=True, kw_only=True)
class LdDigestPayload:
    """The weekly digest for an L&D admin: the figures, or (with `figures` None) only the
    group size below which none are shown."""

    figures: DigestFigures | None
    min_group_size: int | None = None
    window_ends: datetime | None = None

    def as_json(self) -> dict[str, Any]:
        row: dict[str, Any] = {"suppressed": self.figures is None}
        if self.figures is None:
            row["min_group_size"] = self.min_group_size
        else:
            row |= to_json(self.figures)
        if self.window_ends is not None:
            row["window_ends"] = self.window_ends.isoformat()
        return row

    @classmethod
    def from_stored(cls, data: Mapping[str, Any]) -> LdDigestPayload:
        window_ends = _decode(datetime | None, data.get("window_ends"))
        if data.get("suppressed"):
            return cls(figures=None, min_group_size=data["min_group_size"], window_ends=window_ends)
        return cls(figures=from_json(DigestFigures, data), window_ends=window_ends)


# ---- the LMS effects (channels "xapi" and "moodle") ------------------------------------------


@dataclass(frozen=True, slots=True, kw_only=True)
class LmsParty:
    """A person as a statement or an enrolment needs them (no more)."""

    email: str
    name: str
    slack_user_id: str | None = None
    teams_user_id: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class XapiObject:
    """What a statement is about: a catalogue course (with its link), a coaching session or an
    ILP goal, by coachbot's own key."""

    kind: str  # "course", "session" or "goal"
    id: str
    name: str
    url: str | None = field(default=None, metadata=OMITTED)  # courses only


@dataclass(frozen=True, slots=True, kw_only=True)
class XapiFacts:
    """The context a statement carries: focus, skill, duration, target date; never notes."""

    session_id: int | None = field(default=None, metadata=OMITTED)
    focus_type: str | None = field(default=None, metadata=OMITTED)
    skill_id: str | None = field(default=None, metadata=OMITTED)
    skill_name: str | None = field(default=None, metadata=OMITTED)
    duration_minutes: int | None = field(default=None, metadata=OMITTED)
    target_date: date | None = field(default=None, metadata=OMITTED)


@dataclass(frozen=True, slots=True, kw_only=True)
class XapiPayload:
    """One statement to send: `verb` (a key of `adapters.lms.xapi.VERBS`) by `actor` about
    `object`, with the manager as `instructor` where there is one."""

    verb: str
    actor: LmsParty
    instructor: LmsParty | None = None
    object: XapiObject
    context: XapiFacts = XapiFacts()
    timestamp: datetime


@dataclass(frozen=True, slots=True, kw_only=True)
class XapiVoidingPayload:
    """A voiding statement of an earlier one (`target`, its statement id); it names nobody,
    so that an erasure keeps it."""

    verb: str = "voided"
    target: str
    timestamp: datetime


def xapi_payload(data: Mapping[str, Any]) -> XapiPayload | XapiVoidingPayload:
    """The statement a `xapi_statement` row holds; KeyError when a field is missing."""
    if data.get("verb") == "voided":
        return from_json(XapiVoidingPayload, data)
    return from_json(XapiPayload, data)


@dataclass(frozen=True, slots=True, kw_only=True)
class MoodleEnrolPayload:
    """A manual enrolment of the person with this e-mail in a Moodle course."""

    email: str
    course_id: str


PAYLOADS: dict[MessageKind, type[Any]] = {
    OutboxKind.SESSION_LOGGED: SessionLoggedPayload,
    OutboxKind.SESSION_SAVED: SessionSavedPayload,
    OutboxKind.COURSE_ASSIGNED: CourseAssignedPayload,
    OutboxKind.COURSE_COMPLETED: CourseCompletedPayload,
    NudgeKind.SESSION_DUE: SessionReminderPayload,
    NudgeKind.SESSION_OVERDUE: SessionReminderPayload,
    NudgeKind.ACTION_CHECKIN: ActionCheckinPayload,
    NudgeKind.MANAGER_MODULE: ManagerModulePayload,
    NudgeKind.LD_DIGEST: LdDigestPayload,
}
"""The payload type of each chat message kind."""
