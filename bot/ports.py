"""The ports: what the use-cases need from the world (repositories in one unit of work, the
outbox, the messenger), as `typing.Protocol`s that `storage/` and `adapters/` implement.

Entities passed to an `add` carry `id=0` (not stored yet); `add` returns them with their id.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from types import TracebackType
from typing import Any, Protocol, Self, runtime_checkable

from bot.model import (
    ActionStatus,
    AgreedAction,
    CoachingRelationship,
    CoachingSession,
    Course,
    CourseAssignment,
    GoalStatus,
    IlpGoal,
    LearningCompletion,
    OutboxMessage,
    OutboxStatus,
    Person,
    Skill,
    SkillLevel,
)
from bot.nudges import LeavePeriod, PlannedNudge, RelationshipState, Snooze
from bot.replies import Reply

NOT_STORED = 0
"""The id of an entity that has not been added yet."""
WITHHELD = "(withheld: session notes are only for the manager and the employee)"
"""What an export for someone else than the two people of a session shows in place of notes."""


class PeopleRepository(Protocol):
    """The directory: people, their chat identities and who coaches whom."""

    async def get(self, person_id: int) -> Person | None:
        """The person with this id, active or not."""
        ...

    async def by_email(self, email: str) -> Person | None:
        """The person with this e-mail (compared case-insensitively)."""
        ...

    async def by_slack_id(self, slack_user_id: str) -> Person | None: ...

    async def search(self, words: str, limit: int) -> list[Person]:
        """People (active or not) whose name or e-mail contains every word, case-insensitively,
        by name."""
        ...

    async def by_teams_id(self, teams_user_id: str) -> Person | None: ...

    async def set_chat_identity(
        self,
        person_id: int,
        *,
        slack_user_id: str | None = None,
        teams_user_id: str | None = None,
    ) -> None:
        """Remember the person's chat user ids; a None leaves that id as it is."""
        ...

    async def set_timezone(self, person_id: int, timezone: str) -> None:
        """Remember the person's IANA time zone (from their chat profile)."""
        ...

    async def current_reports(self, manager_id: int, on: date) -> list[Person]:
        """The active people this manager coaches on `on`, by name."""
        ...

    async def with_current_reports(
        self, manager_id: int, on: date
    ) -> tuple[Person | None, list[Person]]:
        """The manager (None if not in the directory) and their `current_reports`, in one go."""
        ...

    async def current_manager(self, employee_id: int, on: date) -> Person | None:
        """Who coaches this employee on `on`, if anyone."""
        ...

    async def relationship(
        self, manager_id: int, employee_id: int, on: date
    ) -> CoachingRelationship | None:
        """The relationship between the two that is current on `on`."""
        ...

    async def first_relationship_start(self, manager_id: int, employee_id: int) -> date | None:
        """The day this manager was first named as this employee's manager."""
        ...


class CatalogueRepository(Protocol):
    """The skills framework and the LMS course catalogue."""

    async def skill(self, skill_id: str) -> Skill | None: ...

    async def skills(self, skill_ids: Sequence[str]) -> dict[str, Skill]:
        """The known skills among `skill_ids`, by id."""
        ...

    async def search_skills(self, words: str, limit: int) -> list[Skill]:
        """Skills whose name or id contains every word (case-insensitively), by name."""
        ...

    async def course(self, course_id: str) -> Course | None: ...

    async def courses(self, course_ids: Sequence[str]) -> dict[str, Course]:
        """The known courses among `course_ids`, by id."""
        ...

    async def search_courses(self, words: str, limit: int) -> list[Course]:
        """Courses whose title or id contains every word (case-insensitively), by title."""
        ...


class SessionAlreadyLogged(Exception):
    """A session of this manager with this employee is already stored for that day (a second
    submission raced the first); the transaction can only be rolled back."""


class CompletionAlreadyRecorded(Exception):
    """A completion with this event id was stored meanwhile (the webhook and a poll, or two
    deliveries of one event, at the same moment); the transaction can only be rolled back."""


class SessionRepository(Protocol):
    """Coaching sessions."""

    async def add(self, session: CoachingSession) -> CoachingSession:
        """Store the session; raises `SessionAlreadyLogged` for a second one on the same day."""
        ...

    async def get(self, session_id: int) -> CoachingSession | None: ...

    async def exists_on_day(self, manager_id: int, employee_id: int, held_on: date) -> bool:
        """Whether this manager already logged a session with this employee on that day."""
        ...

    async def last_for_employee(
        self, employee_id: int, *, before: date | None = None
    ) -> CoachingSession | None:
        """The employee's latest session (with any manager), optionally held before a day."""
        ...

    async def recent_for_employee(self, employee_id: int, limit: int) -> list[CoachingSession]:
        """The employee's latest sessions, newest first."""
        ...

    async def for_employee(self, employee_id: int) -> list[CoachingSession]:
        """All the employee's sessions, oldest first."""
        ...


class ActionRepository(Protocol):
    """Agreed actions, which belong to the employee's development record."""

    async def add(self, action: AgreedAction) -> AgreedAction: ...

    async def for_session(self, session_id: int) -> list[AgreedAction]: ...

    async def hold_for_employee(self, employee_id: int) -> None:
        """Until this transaction ends, no other transaction reviews or carries the employee's
        actions: call it before reading the open actions that will be changed."""
        ...

    async def open_for_employee(
        self, employee_id: int, *, agreed_before: date | None = None
    ) -> list[AgreedAction]:
        """The employee's actions still open, oldest first; with `agreed_before`, only those
        agreed in sessions held before that date."""
        ...

    async def for_employee(self, employee_id: int) -> list[AgreedAction]: ...

    async def set_status(
        self, action_id: int, status: ActionStatus, closed_on: date | None
    ) -> None: ...


class AssignmentRepository(Protocol):
    """Courses assigned to employees."""

    async def add(self, assignment: CourseAssignment) -> CourseAssignment: ...

    async def open_assignment(self, employee_id: int, course_id: str) -> CourseAssignment | None:
        """The employee's not yet completed assignment of this course, if any."""
        ...

    async def for_employee(self, employee_id: int) -> list[CourseAssignment]:
        """All the employee's assignments, oldest first."""
        ...

    async def for_session(self, session_id: int) -> list[CourseAssignment]: ...

    async def get(self, assignment_id: int) -> CourseAssignment | None: ...

    async def complete(self, assignment_id: int, completed_at: datetime) -> None:
        """Mark the assignment done (an assignment already done keeps its first completion)."""
        ...


class GoalRepository(Protocol):
    """Goals of individual learning plans."""

    async def add(self, goal: IlpGoal) -> IlpGoal:
        """Store the goal and its first change (set, on `created_on`)."""
        ...

    async def get(self, goal_id: int) -> IlpGoal | None: ...

    async def for_employee(self, employee_id: int) -> list[IlpGoal]: ...

    async def set_status(self, goal_id: int, status: GoalStatus, on: date) -> None:
        """Change the goal's status and record the change, dated."""
        ...

    async def changes_for_employee(self, employee_id: int) -> list[GoalChange]:
        """Every status change of the employee's goals, oldest first."""
        ...


@dataclass(frozen=True, slots=True)
class GoalChange:
    """An ILP goal reaching a status on a day (the first change is the goal being set)."""

    goal_id: int
    status: GoalStatus
    changed_on: date


class SkillLevelRepository(Protocol):
    """Assessed skill levels, one per (person, skill, date)."""

    async def record(self, level: SkillLevel) -> None:
        """Store the level, replacing one already stored for the same person, skill and date."""
        ...

    async def for_employee(self, employee_id: int) -> list[SkillLevel]:
        """All the person's levels, oldest first."""
        ...


class CompletionRepository(Protocol):
    """Course completions reported by the LMS."""

    async def add(self, completion: LearningCompletion) -> LearningCompletion: ...

    async def for_employee(self, employee_id: int) -> list[LearningCompletion]: ...

    async def by_event_id(self, event_id: str) -> LearningCompletion | None:
        """The completion stored for this LMS event, if any."""
        ...


class OutboxRepository(Protocol):
    """Effects waiting to leave, written in the transaction that causes them."""

    async def add(self, *messages: OutboxMessage) -> int:
        """Queue the messages (the only way rows enter the outbox); a message whose
        `dedupe_key` is already queued is ignored. The number new."""
        ...

    async def sent_as(
        self, recipient_id: int, message_ref: str
    ) -> list[tuple[str, dict[str, Any]]]:
        """The (kind, payload) of each message sent to the person as the platform message
        `message_ref` (nudges combined into one message share it), oldest first."""
        ...


class ProcessedEventRepository(Protocol):
    """Inbound events already handled: Slack retries, double submissions, LMS events."""

    async def remember(
        self,
        key: str,
        source: str,
        *,
        at: datetime | None = None,
        result: str | None = None,
    ) -> bool:
        """Record the key; False when it was already recorded (the event was seen)."""
        ...

    async def result_of(self, key: str) -> str | None:
        """The result stored with an event already handled, if any."""
        ...

    async def set_result(self, key: str, result: str) -> None: ...


class PersonalDataRepository(Protocol):
    """Every row about one person, found through every foreign key to the person."""

    async def export(
        self, person_id: int, *, withhold_notes: bool = False
    ) -> dict[str, list[dict[str, Any]]]:
        """The person's row under "person", then one key per table holding rows about them;
        with `withhold_notes`, every column that can hold what was said in a session (key
        points, actions, goals, messages, reasons) reads `WITHHELD` and secrets are left out."""
        ...

    async def sent_xapi_statements(self, person_id: int) -> list[str]:
        """Ids of xAPI statements already sent to the LRS about the person."""
        ...

    async def erase(self, person_id: int) -> dict[str, ErasedRows]:
        """Delete the person and the rows about them; unlink them where others' rows keep
        them as a reference (sessions they held as manager). Counts per table."""
        ...


@dataclass(frozen=True, slots=True)
class ErasedRows:
    """What erasing a person did to one table."""

    deleted: int = 0
    unlinked: int = 0


@dataclass(frozen=True, slots=True)
class OpenAssignment:
    """An assignment not yet completed, as the Moodle poll asks about it."""

    email: str
    course_id: str


@dataclass(frozen=True, slots=True)
class CatalogueChanges:
    """What a catalogue sync did."""

    added: int
    updated: int
    unchanged: int


@dataclass(frozen=True, slots=True)
class LdAdmin:
    """An L&D admin as the weekly digest needs them: their zone and leave."""

    id: int
    email: str
    timezone: str | None
    leave: tuple[LeavePeriod, ...] = ()
    name: str = ""
    country: str | None = None


class DigestRecords(Protocol):
    """Who gets the weekly digest, and which digests have gone."""

    async def ld_admins(self) -> list[LdAdmin]:
        """Active people with the `ld_admin` role."""
        ...

    async def sent(self, keys: Sequence[str]) -> set[str]:
        """The keys among `keys` whose message has been sent."""
        ...


class LmsRecords(Protocol):
    """What the LMS polls and the catalogue sync keep: the polls' cursors, the open
    assignments to ask the LMS about, courses by their activity id, and courses from the LMS
    catalogue."""

    async def cursor(self, name: str) -> str | None:
        """Where the poll `name` got to; None before its first run."""
        ...

    async def set_cursor(self, name: str, value: str) -> None: ...

    async def open_assignments(self) -> list[OpenAssignment]:
        """Open assignments of active people, one per (person, course)."""
        ...

    async def course_by_activity(self, activity_id: str, urn_prefix: str) -> Course | None:
        """The course whose link is `activity_id`, or whose id follows `urn_prefix` in it."""
        ...

    async def upsert_courses(self, courses: Sequence[Course]) -> CatalogueChanges:
        """Add new courses and update the title, link and provider of known ones (their skills
        stay as mapped); the search index follows."""
        ...


class UnitOfWork(Protocol):
    """One transaction over every repository. Use as `async with uow:`; nothing is kept
    unless `commit()` is awaited before leaving the block."""

    people: PeopleRepository
    catalogue: CatalogueRepository
    sessions: SessionRepository
    actions: ActionRepository
    assignments: AssignmentRepository
    goals: GoalRepository
    skill_levels: SkillLevelRepository
    completions: CompletionRepository
    outbox: OutboxRepository
    processed_events: ProcessedEventRepository
    personal_data: PersonalDataRepository
    lms: LmsRecords
    nudges: NudgeRecords
    digest: DigestRecords

    async def __aenter__(self) -> Self: ...

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None: ...

    async def commit(self) -> None: ...

    async def rollback(self) -> None: ...


@dataclass(frozen=True, slots=True)
class OutboxEntry:
    """A stored outbox row as the dispatcher and the operator's tools see it."""

    id: int
    dedupe_key: str
    kind: str
    channel: str
    recipient_id: int | None
    payload: dict[str, Any]
    status: OutboxStatus
    attempts: int
    not_before: datetime | None
    created_at: datetime | None
    sent_at: datetime | None = None
    message_ref: str | None = None
    last_error: str | None = None
    about_id: int | None = None


@dataclass(frozen=True, slots=True)
class ChatAddress:
    """Where a person is reached in chat: the platform and the platform's user id."""

    platform: str  # "slack" or "teams"
    user_id: str
    person_id: int | None = None
    extra: dict[str, Any] = field(default_factory=dict)


class RetryLater(Exception):
    """The platform cannot take the message now (rate limit, 5xx, timeout)."""

    def __init__(self, after_seconds: float, reason: str = "") -> None:
        super().__init__(reason or f"retry after {after_seconds:g} s")
        self.after_seconds = after_seconds
        self.reason = reason


class Undeliverable(Exception):
    """The message can never arrive (user gone, app not installed, channel not found)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class AwaitingReinstall(Undeliverable):
    """The person removed the app: nothing can arrive until they add it again, so their
    messages wait (as `undeliverable: uninstalled`) rather than fail."""


class Messenger(Protocol):
    """Sends a platform-neutral reply to one chat address and returns the platform's message
    id; raises `RetryLater` or `Undeliverable`; the dispatcher decides what to do with each."""

    async def send(self, address: ChatAddress, reply: Reply) -> str: ...


# ---- the scheduler's ports: nudges, in-doubt deliveries, pacing of rate limits ----


class RateLimited(RetryLater):
    """The platform refused the call for its rate limit (HTTP 429 with `Retry-After`): the
    dispatcher pauses every send on that platform for `after_seconds`, then tries again."""


@runtime_checkable
class DeliveryCheck(Protocol):
    """A messenger that can tell, after a crash, whether a message it may have sent arrived:
    the message carries `ref` (the outbox key) and was posted at or after `oldest` (unix s)."""

    async def was_delivered(self, address: ChatAddress, ref: str, oldest: float) -> bool: ...


@dataclass(frozen=True, slots=True)
class InDoubtEntry:
    """A row claimed by a dispatcher that never marked it (it crashed between sending and
    marking); `claimed_at` is when that dispatcher claimed it."""

    entry: OutboxEntry
    claimed_at: datetime


class DispatchQueue(Protocol):
    """The outbox as the dispatcher and the operator's tools use it; each call is its own
    transaction."""

    async def claim_due(self, now: datetime, limit: int) -> list[OutboxEntry]:
        """Mark up to `limit` pending rows due at `now` as sending and return them, with every
        pending nudge of the same recipient and window as a claimed one (they go as one
        message); two dispatchers never claim the same row."""
        ...

    async def mark_failed(self, entry_id: int, error: str) -> None: ...

    async def retry_later(self, entry_id: int, not_before: datetime, error: str) -> None: ...

    async def pending(self) -> list[OutboxEntry]:
        """Rows waiting to go, and rows claimed but not yet marked (in doubt after a crash)."""
        ...

    async def failed(self) -> list[OutboxEntry]: ...

    async def requeue(self, entry_id: int, now: datetime) -> bool:
        """Put a failed (or in-doubt) row back in the queue; False when there is no such row."""
        ...

    async def claim_in_doubt(
        self, now: datetime, claimed_before: datetime, limit: int
    ) -> list[InDoubtEntry]:
        """Take over rows left `sending` since before `claimed_before` (stamping them claimed
        `now`, so that no other dispatcher takes them too)."""
        ...

    async def mark_all_sent(
        self, entry_ids: Sequence[int], message_ref: str | None, now: datetime
    ) -> None:
        """Mark the rows that went as one message sent, in one transaction."""
        ...

    async def drop(self, entry_ids: Sequence[int]) -> None:
        """Delete claimed rows that must not go (a nudge a logged session made pointless, or
        one whose working window has passed: the sweep plans it again for the next one)."""
        ...

    async def last_sessions(self, pairs: Sequence[tuple[int, int]]) -> dict[tuple[int, int], date]:
        """The date of the last session per (manager id, employee id), for those with any."""
        ...

    async def installed(self, platform: str) -> bool:
        """False while the platform's app is uninstalled or its tokens are revoked."""
        ...

    async def wait_for_reinstall(self, entry_ids: Sequence[int], not_before: datetime) -> None:
        """Give claimed rows back to wait for the app to be installed again: due at
        `not_before`, or as soon as their workspace is seen installed; the claim is not counted
        as a try."""
        ...


@dataclass(frozen=True, slots=True)
class SweepSnapshot:
    """Everything the nudge planner needs, read in a few set-based queries."""

    relationships: tuple[RelationshipState, ...]
    zones: dict[int, str]
    leave: dict[int, tuple[LeavePeriod, ...]]
    snoozes: tuple[Snooze, ...]
    module_pending: tuple[int, ...] = ()
    countries: dict[int, str] = field(default_factory=dict)  # people.csv `country`


@dataclass(frozen=True, slots=True)
class NudgeParty:
    """A person as a nudge names them."""

    id: int
    email: str
    name: str
    reachable: bool  # has a chat identity (else delivery records them as undeliverable)


@dataclass(frozen=True, slots=True)
class LeaveEntry:
    """A stored leave period, as `coachbot leave list` shows it."""

    email: str
    name: str
    first_day: date
    last_day: date


class NudgeRecords(Protocol):
    """Nudge records in the unit of work's transaction: one relationship's snapshot, the
    outbox status of nudge keys, snoozes and leave."""

    async def pair_snapshot(self, manager_id: int, employee_id: int, on: date) -> SweepSnapshot:
        """`NudgeStore.snapshot` of one relationship (the manager's and employee's zones,
        leave and snoozes); no relationship when it is not current or its session cannot be
        due yet."""
        ...

    async def keys_with_status(self, keys: Sequence[str]) -> dict[str, OutboxStatus]:
        """The outbox status of those keys already queued."""
        ...

    async def add_snooze(self, snooze: Snooze) -> None: ...

    async def add_leave(self, person_id: int, period: LeavePeriod) -> None: ...

    async def remove_leave(self, person_id: int, first_day: date) -> list[LeavePeriod]:
        """Delete the person's leave starting on `first_day`; the periods deleted."""
        ...

    async def leave_list(self, on_or_after: date | None = None) -> list[LeaveEntry]: ...


class NudgeStore(NudgeRecords, Protocol):
    """What the sweep, the preview and leave read and write, each call its own short
    transaction (the sweep reads set-based snapshots and queues in batches; see
    docs/architecture.md), besides the records a unit of work offers."""

    async def snapshot(self, on: date, module_course: str | None) -> SweepSnapshot:
        """Current relationships on `on` (both people active) with their start, cadence, last
        session and open actions; zones; leave and snoozes not over before `on`; managers who
        have not completed `module_course` (none when it is None)."""
        ...

    async def unsettled_snapshot(
        self,
        at: datetime,
        on: date,
        module_course: str | None,
        settled: Collection[OutboxStatus],
        default_zone: str,
        *,
        until: datetime | None = None,
    ) -> SweepSnapshot:
        """As `snapshot`, leaving out, in the query, the relationships that can have no nudge
        at `at` other than those the outbox already holds with one of the `settled` statuses
        (both people outside their working hours, `default_zone` for those with no zone, or
        every nudge the planner may plan for them queued): the planning comes out the same.
        With `until`, the same for every moment from `at` to `until` (one read for many)."""
        ...

    async def parties(self, person_ids: Sequence[int]) -> dict[int, NudgeParty]: ...

    async def open_actions(self, employee_ids: Sequence[int]) -> dict[int, list[AgreedAction]]:
        """Each employee's open agreed actions, oldest first."""
        ...

    async def course(self, course_id: str) -> Course | None: ...

    async def queue(self, messages: Sequence[OutboxMessage], now: datetime) -> int:
        """Queue the messages in one transaction, created `now` (`OutboxRepository.add`); the
        number new."""
        ...

    async def note_queued(self, nudges: Sequence[PlannedNudge]) -> None:
        """Remember that the outbox holds these nudges (those it does), so that
        `unsettled_snapshot` can leave their relationships out cheaply; a hint that can only
        under-state what is queued, so forgetting it never changes a plan."""
        ...


# ---- the L&D connection's ports: LMS enrolments and xAPI statements out ----


class LmsGateway(Protocol):
    """Delivers one outbox row of an LMS channel ("xapi": a statement to the LRS; "moodle": a
    course enrolment) and returns its reference (the statement id), or None. Raises
    `RetryLater` when the LMS is unreachable or busy (the row waits in the outbox) and
    `Undeliverable` when the LMS refused it for good; the dispatcher decides what to do."""

    async def deliver(self, entry: OutboxEntry) -> str | None: ...


# The chat doors' own records: what a door must remember between requests to check the next one
# (a Slack modal's owner), to know where it may send (the workspace installed, a Teams
# conversation to continue).


class OpenedViews(Protocol):
    """Which modals the bot opened, and for whom: a view id in a payload is the sender's to
    choose, so a submission on a view is taken only from the user it was opened for."""

    async def remember(
        self, view_id: str, workspace_id: str, user_id: str, person_id: int, at: datetime
    ) -> None: ...

    async def opened_for(self, view_id: str, workspace_id: str, user_id: str) -> bool: ...


class Installations(Protocol):
    """Whether the app is installed in a chat workspace (removed, or its tokens revoked)."""

    async def set_installed(
        self, workspace_id: str, platform: str, installed: bool, at: datetime
    ) -> None: ...

    async def seen_installed(self, workspace_id: str, platform: str, at: datetime) -> bool:
        """A request came from the workspace: True when it was recorded removed (the rows that
        waited for it are due now). Raises `TryAgain` when the database cannot say."""
        ...

    async def person_back(self, person_id: int, at: datetime) -> bool:
        """The person added the app again (Teams is installed per person): their rows that
        waited for that are due now. True when there were any."""
        ...

    async def installation_added(self, at: datetime) -> bool:
        """The app was installed in one more workspace (Slack through OAuth): every row that
        waited for its recipient's workspace is due now (those still not covered wait again),
        and a removal recorded in single-token days no longer holds Slack (each installation
        answers for its own people now). True when there were any rows."""
        ...


@dataclass(frozen=True, slots=True)
class StoredConversation:
    """A person's conversation on a platform: the platform's reference (JSON) and tenant."""

    person_id: int
    platform: str
    reference: dict[str, Any]
    tenant_id: str | None
    removed: bool = False  # the person removed the app: nothing may be sent to them


class Conversations(Protocol):
    """Where people are reached proactively on a platform, one conversation per person."""

    async def save(
        self,
        person_id: int,
        platform: str,
        reference: dict[str, Any],
        tenant_id: str | None,
        at: datetime,
    ) -> bool:
        """Remember (or replace) where the person is reached; True when they were not
        reachable before (no conversation, or the app removed)."""
        ...

    async def forget(self, person_id: int, platform: str, at: datetime) -> None:
        """The person removed the app: nothing may be sent to them until they add it again."""
        ...

    async def of(self, person_id: int, platform: str) -> StoredConversation | None: ...

    async def latest(self, platform: str) -> StoredConversation | None:
        """Anyone's latest conversation on the platform (its service URL and tenant)."""
        ...


@dataclass(frozen=True, slots=True)
class ConsoleSession:
    """A signed-in console session: whose it is and the token its forms carry (CSRF)."""

    person_id: int
    csrf_token: str


class ConsoleSignIns(Protocol):
    """The L&D console's one-time sign-in links and the sessions they open, shared by every
    replica. Only hashes of the secrets are given and kept."""

    async def add_link(self, token_hash: str, person_id: int, expires_at: datetime) -> None: ...

    async def spend_link(self, token_hash: str, person_id: int, now: datetime) -> bool:
        """Mark the link used if it is this person's, unused and not expired at `now`; True
        when it was. One statement: two browsers racing with one link cannot both win."""
        ...

    async def link_usable(self, token_hash: str, person_id: int, now: datetime) -> bool:
        """Whether `spend_link` would succeed now (nothing changes)."""
        ...

    async def open_session(
        self, token_hash: str, person_id: int, csrf_token: str, now: datetime, idle_limit: timedelta
    ) -> None:
        """Store a new session (and forget every session idle for `idle_limit`)."""
        ...

    async def session(
        self, token_hash: str, now: datetime, idle_limit: timedelta
    ) -> ConsoleSession | None:
        """The session if it was used within `idle_limit` of `now` (and marks it used now);
        None for an unknown or idle-expired one (which is removed)."""
        ...

    async def end_session(self, token_hash: str) -> None: ...
