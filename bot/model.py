"""The coaching programme's vocabulary: people, relationships, sessions, actions, skills,
courses, assignments, ILP goals, skill levels and the outbox message, as plain values."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any


class Cadence(enum.StrEnum):
    """How often a manager and a report meet."""

    FORTNIGHTLY = "fortnightly"
    MONTHLY = "monthly"
    QUARTERLY = "quarterly"


class FocusType(enum.StrEnum):
    """The development focus of a session."""

    SKILL_DEVELOPMENT = "skill_development"
    PERFORMANCE_GOALS = "performance_goals"
    ROLE_PROGRESSION = "role_progression"
    DEVELOPMENT_AREA = "development_area"

    @property
    def label(self) -> str:
        return FOCUS_TYPE_LABELS[self]


FOCUS_TYPE_LABELS: dict[FocusType, str] = {
    FocusType.SKILL_DEVELOPMENT: "Skill development",
    FocusType.PERFORMANCE_GOALS: "Performance goals",
    FocusType.ROLE_PROGRESSION: "Role progression",
    FocusType.DEVELOPMENT_AREA: "Specific development area",
}


class ActionStatus(enum.StrEnum):
    """Where an agreed action stands; the review of the last session sets it."""

    OPEN = "open"
    DONE = "done"
    CARRIED_OVER = "carried_over"
    DROPPED = "dropped"


class GoalStatus(enum.StrEnum):
    """Where an ILP goal stands."""

    PLANNED = "planned"
    IN_PROGRESS = "in_progress"
    ACHIEVED = "achieved"
    DROPPED = "dropped"


class Role(enum.StrEnum):
    """Roles a person may hold besides manager and employee."""

    LD_ADMIN = "ld_admin"


class OutboxStatus(enum.StrEnum):
    """The delivery state of an outbox row."""

    PENDING = "pending"
    SENDING = "sending"  # claimed; a crash here leaves the row in doubt
    SENT = "sent"
    FAILED = "failed"


SKILL_LEVEL_NAMES = ("none", "aware", "developing", "proficient", "expert")


@dataclass(frozen=True, slots=True)
class Person:
    """Someone in the organisation's directory."""

    id: int
    email: str
    name: str
    department: str = ""
    team: str = ""
    cadence: Cadence | None = None
    roles: frozenset[Role] = frozenset()
    start_date: date | None = None
    slack_user_id: str | None = None
    teams_user_id: str | None = None
    timezone: str | None = None
    active: bool = True
    deactivated_on: date | None = None

    @property
    def is_ld_admin(self) -> bool:
        return Role.LD_ADMIN in self.roles

    @property
    def first_name(self) -> str:
        return self.name.split()[0] if self.name.strip() else self.email


@dataclass(frozen=True, slots=True)
class CoachingRelationship:
    """A manager coaching a direct report until `ended_on` (exclusive). Two dates of its
    start, never one with two meanings: `started_on` is the day the import named this manager,
    from which *tracked since* (`bot.cadence.relationship_start`) dates the first due session;
    `history_from` is the first day of its history (reports, "is this my report" checks),
    None when it covers the employee's whole past (it came from the first import that named a
    manager for them)."""

    id: int
    manager_id: int
    employee_id: int
    started_on: date
    ended_on: date | None = None
    history_from: date | None = None

    @property
    def is_current(self) -> bool:
        return self.ended_on is None


@dataclass(frozen=True, slots=True)
class Skill:
    """One skill of the organisation's skills framework."""

    skill_id: str
    name: str
    category: str = ""
    description: str = ""
    framework: str = "custom"
    framework_ref: str = ""


@dataclass(frozen=True, slots=True)
class Course:
    """A course in the LMS catalogue; `course_id` is the LMS's own id."""

    course_id: str
    title: str
    url: str = ""
    skill_ids: tuple[str, ...] = ()
    provider: str = ""
    duration_minutes: int | None = None


@dataclass(frozen=True, slots=True)
class AgreedAction:
    """An action agreed at the end of a session; it belongs to the employee's record."""

    id: int
    session_id: int
    employee_id: int
    text: str
    due_on: date | None = None
    status: ActionStatus = ActionStatus.OPEN
    carried_from_id: int | None = None
    closed_on: date | None = None
    closed_reason: str | None = None  # why it was closed without a review (superseded)


@dataclass(frozen=True, slots=True)
class CoachingSession:
    """One documented development 1:1. `manager_id` is None once the manager was erased."""

    id: int
    manager_id: int | None
    employee_id: int
    held_on: date
    duration_minutes: int
    focus_type: FocusType
    skill_id: str
    key_points: tuple[str, ...]
    flagged: bool = False
    ilp_goal_id: int | None = None
    created_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class CourseAssignment:
    """A course assigned to an employee, usually from a session (dated the session's date)."""

    id: int
    employee_id: int
    course_id: str
    assigned_on: date
    session_id: int | None = None
    assigned_by_id: int | None = None
    reason: str = ""
    completed_at: datetime | None = None

    @property
    def is_open(self) -> bool:
        return self.completed_at is None


@dataclass(frozen=True, slots=True)
class IlpGoal:
    """A goal in an employee's individual learning plan."""

    id: int
    employee_id: int
    title: str
    skill_id: str | None = None
    target_date: date | None = None
    status: GoalStatus = GoalStatus.PLANNED
    created_on: date | None = None


@dataclass(frozen=True, slots=True)
class SkillLevel:
    """An assessed level (0-4) of one skill for one person on one date."""

    employee_id: int
    skill_id: str
    level: int
    assessed_on: date
    source: str = "import"


@dataclass(frozen=True, slots=True)
class LearningCompletion:
    """A course completion reported by the LMS; `assignment_id` None means self-directed."""

    id: int
    employee_id: int
    course_id: str
    completed_at: datetime
    source: str
    event_id: str
    assignment_id: int | None = None


@dataclass(frozen=True, slots=True)
class OutboxMessage:
    """An effect waiting to leave: a chat message, an LMS enrolment or an xAPI statement."""

    dedupe_key: str
    kind: str
    channel: str  # "chat", "moodle", "xapi"
    payload: dict[str, Any] = field(default_factory=dict)
    recipient_id: int | None = None
    not_before: datetime | None = None
    about_id: int | None = None
    """The person the message is about when that is not its recipient (the report a nudge
    concerns), so that erasing them removes it too."""
