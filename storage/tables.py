"""The database tables. Every column holding a person's key is a foreign key to `person.id`,
so that export and erase can find every row about a person by introspecting the metadata."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Column,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    UniqueConstraint,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator
from sqlmodel import Field, SQLModel


class UtcDateTime(TypeDecorator[datetime]):
    """A timezone-aware UTC datetime on every backend (SQLite keeps no offset)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _person_fk(*, nullable: bool = False, ondelete: str = "CASCADE", index: bool = True) -> Any:
    return Field(
        default=None if nullable else ...,
        sa_column=Column(
            Integer, ForeignKey("person.id", ondelete=ondelete), nullable=nullable, index=index
        ),
    )


def _utc(*, nullable: bool = True, index: bool = False) -> Any:
    return Field(default=None, sa_column=Column(UtcDateTime(), nullable=nullable, index=index))


class PersonRow(SQLModel, table=True):
    __tablename__ = "person"

    id: int | None = Field(default=None, primary_key=True)
    email: str = Field(sa_column=Column(String(320), unique=True, nullable=False))
    name: str
    department: str = Field(default="", index=True)
    team: str = Field(default="")
    cadence: str | None = None
    roles: str = ""
    start_date: date | None = None
    slack_user_id: str | None = Field(default=None, index=True)
    teams_user_id: str | None = Field(default=None, index=True)
    timezone: str | None = None
    country: str | None = None  # ISO 3166 code, with subdivision (`US-NY`): whose holidays
    active: bool = True
    deactivated_on: date | None = None


class RelationshipRow(SQLModel, table=True):
    __tablename__ = "coaching_relationship"
    __table_args__ = (
        Index("ix_relationship_current", "manager_id", "ended_on"),
        # the programme report's current-manager check, without reading the rows
        Index("ix_relationship_report", "employee_id", "history_from", "ended_on", "manager_id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    manager_id: int = _person_fk()
    employee_id: int = _person_fk()
    # the day the import named this manager: with the start date, the nudges' baseline
    started_on: date
    # the first day the relationship's history covers; None: the employee's whole past
    history_from: date | None = None
    ended_on: date | None = None


class SkillRow(SQLModel, table=True):
    __tablename__ = "skill"

    skill_id: str = Field(primary_key=True)
    name: str
    category: str = ""
    description: str = ""
    framework: str = "custom"
    framework_ref: str = ""


class CourseRow(SQLModel, table=True):
    __tablename__ = "course"

    course_id: str = Field(primary_key=True)
    title: str
    url: str = ""
    skill_ids: str = ""  # ';'-separated, as in courses.csv
    provider: str = ""
    duration_minutes: int | None = None


class SessionRow(SQLModel, table=True):
    __tablename__ = "coaching_session"
    __table_args__ = (
        UniqueConstraint("manager_id", "employee_id", "held_on", name="uq_session_per_day"),
        Index("ix_session_employee_held", "employee_id", "held_on"),
        Index("ix_session_held", "held_on"),
        # the programme report's scan of a period: everything it counts, no note text
        Index("ix_session_report", "employee_id", "held_on", "skill_id", "focus_type", "flagged"),
    )

    id: int | None = Field(default=None, primary_key=True)
    manager_id: int | None = _person_fk(nullable=True, ondelete="SET NULL", index=False)
    employee_id: int = _person_fk(index=False)
    held_on: date
    duration_minutes: int
    focus_type: str
    skill_id: str = Field(foreign_key="skill.skill_id")
    key_points: list[str] = Field(sa_column=Column(JSON, nullable=False))  # note text
    flagged: bool = False
    ilp_goal_id: int | None = Field(default=None, foreign_key="ilp_goal.id")
    created_at: datetime | None = _utc()


class ActionRow(SQLModel, table=True):
    __tablename__ = "agreed_action"

    id: int | None = Field(default=None, primary_key=True)
    session_id: int = Field(
        sa_column=Column(
            Integer, ForeignKey("coaching_session.id", ondelete="CASCADE"), nullable=False
        )
    )
    employee_id: int = _person_fk()
    text: str  # note text
    due_on: date | None = None
    status: str = "open"
    carried_from_id: int | None = None
    closed_on: date | None = None
    closed_reason: str | None = None  # why it was closed without a review (superseded)


class AssignmentRow(SQLModel, table=True):
    __tablename__ = "course_assignment"
    __table_args__ = (
        Index("ix_assignment_assigned_on", "assigned_on"),
        # the programme report's count of a period's assignments, without reading the rows
        Index("ix_assignment_report", "assigned_on", "employee_id", "completed_at", "session_id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    employee_id: int = _person_fk()
    course_id: str = Field(foreign_key="course.course_id", index=True)
    assigned_on: date
    session_id: int | None = Field(
        default=None,
        sa_column=Column(
            Integer, ForeignKey("coaching_session.id", ondelete="CASCADE"), index=True
        ),
    )
    assigned_by_id: int | None = _person_fk(nullable=True, ondelete="SET NULL", index=False)
    reason: str = ""
    completed_at: datetime | None = _utc()


class IlpGoalRow(SQLModel, table=True):
    __tablename__ = "ilp_goal"

    id: int | None = Field(default=None, primary_key=True)
    employee_id: int = _person_fk()
    title: str
    skill_id: str | None = Field(default=None, foreign_key="skill.skill_id")
    target_date: date | None = None
    status: str = "planned"
    created_on: date | None = None


class SkillLevelRow(SQLModel, table=True):
    __tablename__ = "skill_level"
    __table_args__ = (
        UniqueConstraint("employee_id", "skill_id", "assessed_on", name="uq_skill_level_day"),
    )

    id: int | None = Field(default=None, primary_key=True)
    employee_id: int = _person_fk()
    skill_id: str = Field(foreign_key="skill.skill_id")
    level: int
    assessed_on: date
    source: str = "import"


class CompletionRow(SQLModel, table=True):
    __tablename__ = "learning_completion"

    id: int | None = Field(default=None, primary_key=True)
    employee_id: int = _person_fk()
    course_id: str = Field(foreign_key="course.course_id")
    completed_at: datetime = _utc(nullable=False)
    source: str
    event_id: str = Field(sa_column=Column(String(255), unique=True, nullable=False))
    assignment_id: int | None = Field(
        default=None,
        sa_column=Column(Integer, ForeignKey("course_assignment.id", ondelete="SET NULL")),
    )


class LeaveRow(SQLModel, table=True):
    __tablename__ = "leave"

    id: int | None = Field(default=None, primary_key=True)
    person_id: int = _person_fk()
    starts_on: date
    ends_on: date


class OutboxRow(SQLModel, table=True):
    __tablename__ = "outbox"
    __table_args__ = (Index("ix_outbox_due", "status", "not_before"),)

    id: int | None = Field(default=None, primary_key=True)
    dedupe_key: str = Field(sa_column=Column(String(255), unique=True, nullable=False))
    kind: str
    channel: str = "chat"
    recipient_id: int | None = _person_fk(nullable=True)
    about_id: int | None = _person_fk(nullable=True)  # the person a message concerns
    payload: dict[str, Any] = Field(sa_column=Column(JSON, nullable=False))
    status: str = "pending"
    attempts: int = 0
    not_before: datetime | None = _utc()
    created_at: datetime | None = _utc()
    claimed_at: datetime | None = _utc()
    sent_at: datetime | None = _utc()
    message_ref: str | None = None
    last_error: str | None = None


class ImportRunRow(SQLModel, table=True):
    """One row per applied import: what was loaded, from which file, when, by whom (`imported_by`:
    "command line", or "L&D console" with the signed-in admin in `imported_by_id`, so that
    erasing that person leaves no name behind) and what it changed (`details`: the kind's side
    effects by name, such as relationships started and ended)."""

    __tablename__ = "import_run"

    id: int | None = Field(default=None, primary_key=True)
    kind: str
    file_name: str
    rows: int
    imported_at: datetime = _utc(nullable=False)
    imported_by: str = Field(
        default="command line", sa_column_kwargs={"server_default": "command line"}
    )
    imported_by_id: int | None = _person_fk(nullable=True, ondelete="SET NULL")
    added: int = Field(default=0, sa_column_kwargs={"server_default": "0"})
    updated: int = Field(default=0, sa_column_kwargs={"server_default": "0"})
    unchanged: int = Field(default=0, sa_column_kwargs={"server_default": "0"})
    deactivated: int = Field(default=0, sa_column_kwargs={"server_default": "0"})
    details: dict[str, int] = Field(
        default_factory=dict, sa_column=Column(JSON, nullable=False, server_default="{}")
    )


class ConsoleUploadRow(SQLModel, table=True):
    """A CSV file uploaded in the console, held between its dry run and *Apply* (so the file
    never travels back through the browser), for the session that uploaded it only (`owner`:
    a hash of that session's secret). `state`: checking, checked, applying, applied; `result`:
    the last run's problems, counts and summary."""

    __tablename__ = "console_upload"

    id: str = Field(sa_column=Column(String(64), primary_key=True))
    owner: str = Field(index=True)
    kind: str
    file_name: str
    content: bytes = Field(sa_column=Column(LargeBinary, nullable=False))
    uploaded_at: datetime = _utc(nullable=False)
    state: str = "checking"
    result: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON, nullable=True))


class ProcessedEventRow(SQLModel, table=True):
    """Inbound events already handled (Slack `event_id`, form submissions, LMS `event_id`):
    a retry or a double submission finds its key here and changes nothing."""

    __tablename__ = "processed_event"

    key: str = Field(sa_column=Column(String(255), primary_key=True))
    source: str
    received_at: datetime = _utc(nullable=False)
    result: str | None = None


class SnoozeRow(SQLModel, table=True):
    """A manager's *Snooze 3 days* on a nudge about one report."""

    __tablename__ = "snooze"

    id: int | None = Field(default=None, primary_key=True)
    manager_id: int = _person_fk()
    employee_id: int = _person_fk()
    until: date


def _outbox_fk() -> Any:
    return Field(
        default=None,
        sa_column=Column(
            Integer, ForeignKey("outbox.id", ondelete="SET NULL"), nullable=True, index=True
        ),
    )


class QueuedNudgesRow(SQLModel, table=True):
    """Which nudges of a coaching relationship's period (the session due on `due_on`) the
    outbox holds, by their outbox ids: written by the sweep, read by the next sweeps to leave
    the relationship out without looking its nudges up in the outbox one by one. Deleting an
    outbox row clears its id here (ON DELETE SET NULL), so this table can under-state what is
    queued, never over-state it."""

    __tablename__ = "queued_nudges"
    __table_args__ = (UniqueConstraint("manager_id", "employee_id", name="uq_queued_nudges"),)

    id: int | None = Field(default=None, primary_key=True)
    manager_id: int = _person_fk(index=False)  # the unique constraint's index leads with it
    employee_id: int = _person_fk()
    due_on: date
    session_due_id: int | None = _outbox_fk()
    session_overdue_id: int | None = _outbox_fk()
    action_checkin_id: int | None = _outbox_fk()


class ConversationRefRow(SQLModel, table=True):
    """Where a person can be reached proactively on a platform (a Teams conversation
    reference and tenant), kept in the database so that it survives restarts. `removed_at`
    is when they removed the app: the reference is forgotten and nothing is sent until they
    add it again."""

    __tablename__ = "conversation_ref"
    __table_args__ = (UniqueConstraint("person_id", "platform", name="uq_conversation_ref"),)

    id: int | None = Field(default=None, primary_key=True)
    person_id: int = _person_fk()
    platform: str
    reference: dict[str, Any] = Field(sa_column=Column(JSON, nullable=False))
    tenant_id: str | None = None
    updated_at: datetime | None = _utc()
    removed_at: datetime | None = _utc()


class SyncCursorRow(SQLModel, table=True):
    """Where a poll of an outside system stopped (the LRS's `since`, Moodle's last check)."""

    __tablename__ = "sync_cursor"

    name: str = Field(primary_key=True)
    value: str


class WorkspaceRow(SQLModel, table=True):
    """The chat workspace's installation state: uninstall or token revocation turns it off."""

    __tablename__ = "workspace"

    id: str = Field(primary_key=True)  # Slack team id or Teams tenant id
    platform: str
    installed: bool = True
    changed_at: datetime | None = _utc()


class SlackViewRow(SQLModel, table=True):
    """A Slack modal the bot opened, and for whom: a submission or a button press is taken
    only from the user (of the workspace) the view was opened for, whatever view id a payload
    names. Kept a week, longer than any modal stays open."""

    __tablename__ = "slack_view"

    view_id: str = Field(sa_column=Column(String(64), primary_key=True))
    team_id: str = Field(sa_column=Column(String(64), nullable=False))
    user_id: str = Field(sa_column=Column(String(64), nullable=False))
    person_id: int = _person_fk()
    opened_at: datetime = _utc(nullable=False, index=True)


metadata = SQLModel.metadata


class IlpGoalChangeRow(SQLModel, table=True):
    """Each change of an ILP goal's status (set, started, achieved, dropped), dated, so that
    the development record can show goal changes on its timeline."""

    __tablename__ = "ilp_goal_change"

    id: int | None = Field(default=None, primary_key=True)
    goal_id: int = Field(
        sa_column=Column(Integer, ForeignKey("ilp_goal.id", ondelete="CASCADE"), nullable=False)
    )
    employee_id: int = _person_fk()
    status: str
    changed_on: date


# ---- the course search index: ranked search by title words, id and skill ----


def _token_type() -> Any:
    """Tokens compare by code point on every backend, so a prefix is a range of the index."""
    return String(64).with_variant(String(64, collation="C"), "postgresql")


class CourseIndexedRow(SQLModel, table=True):
    """Which courses the search index holds, with the title and skills it was built from (a
    course whose row differs is indexed again)."""

    __tablename__ = "course_indexed"

    course_id: str = Field(
        sa_column=Column(
            String, ForeignKey("course.course_id", ondelete="CASCADE"), primary_key=True
        )
    )
    title: str
    skill_ids: str = ""


class CourseTokenRow(SQLModel, table=True):
    """One word of a course's title (weight 3), id (2) or skills (1), for ranked search."""

    __tablename__ = "course_token"
    # a course's own tokens, read without touching the table (covering): checking a broad
    # word against the candidates of a rare one
    __table_args__ = (Index("ix_course_token_course", "course_id", "token", "weight"),)

    token: str = Field(sa_column=Column(_token_type(), primary_key=True))
    course_id: str = Field(
        sa_column=Column(
            String, ForeignKey("course_indexed.course_id", ondelete="CASCADE"), primary_key=True
        )
    )
    weight: int


class LeaseRow(SQLModel, table=True):
    """Who runs a role of which there must be one at a time across processes (the periodic
    jobs): the holder renews it before `expires_at`; once that has passed, anyone may take it."""

    __tablename__ = "lease"

    name: str = Field(primary_key=True)
    holder: str
    expires_at: datetime = Field(sa_column=Column(UtcDateTime(), nullable=False))
    acquired_at: datetime = Field(sa_column=Column(UtcDateTime(), nullable=False))


class ConsoleLinkRow(SQLModel, table=True):
    """A one-time sign-in link to the L&D console, for one person: only the SHA-256 of its
    secret is kept, so a copy of the database opens nothing. Spent once (`used_at`)."""

    __tablename__ = "console_link"

    token_hash: str = Field(sa_column=Column(String(64), primary_key=True))
    person_id: int = _person_fk()
    expires_at: datetime = _utc(nullable=False)
    used_at: datetime | None = _utc()


class ConsoleSessionRow(SQLModel, table=True):
    """A signed-in console session, shared by every replica: the browser's cookie holds the
    secret, this row its SHA-256, the form token (CSRF) and when it was last used (it ends
    after a spell of idleness)."""

    __tablename__ = "console_session"

    token_hash: str = Field(sa_column=Column(String(64), primary_key=True))
    person_id: int = _person_fk()
    csrf_token: str = Field(sa_column=Column(String(64), nullable=False))
    created_at: datetime = _utc(nullable=False)
    last_seen_at: datetime = _utc(nullable=False)


# ---- Slack installed through OAuth: one row per workspace or Grid org-wide install ----


class SlackInstallationRow(SQLModel, table=True):
    """The app installed in a Slack workspace (`team_id`), or org-wide in an Enterprise Grid
    enterprise (`is_enterprise_install`, no `team_id`). Tokens are encrypted (Fernet)."""

    __tablename__ = "slack_installation"
    __table_args__ = (
        Index("ix_slack_installation_where", "client_id", "enterprise_id", "team_id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    client_id: str
    app_id: str | None = None
    enterprise_id: str | None = None
    enterprise_name: str | None = None
    enterprise_url: str | None = None
    team_id: str | None = None
    team_name: str | None = None
    bot_token: str | None = None  # encrypted
    bot_id: str | None = None
    bot_user_id: str | None = None
    bot_scopes: str | None = None
    bot_refresh_token: str | None = None  # encrypted
    bot_token_expires_at: datetime | None = _utc()
    user_id: str | None = None  # who installed it
    user_token: str | None = None  # encrypted
    user_scopes: str | None = None
    user_refresh_token: str | None = None  # encrypted
    user_token_expires_at: datetime | None = _utc()
    is_enterprise_install: bool = False
    token_type: str | None = None
    installed_at: datetime = _utc(nullable=False)


class SlackOAuthStateRow(SQLModel, table=True):
    """A `state` handed out with an "Add to Slack" link: taken back once, before it expires."""

    __tablename__ = "slack_oauth_state"

    state: str = Field(primary_key=True)
    expires_at: datetime = _utc(nullable=False, index=True)


class SlackUserRow(SQLModel, table=True):
    """Which workspace (and enterprise) a Slack user belongs to, so that what is sent to them
    goes through the installation that covers them."""

    __tablename__ = "slack_user"

    user_id: str = Field(primary_key=True)
    team_id: str | None = None
    enterprise_id: str | None = None
