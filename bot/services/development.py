"""The development record of one employee: one dated timeline of sessions, actions closed
(done or dropped, with why when superseded), skill levels, course assignments and completions,
self-directed learning and ILP goal changes, plus what is open now. Key points come with it
only for the two people allowed to read them (Privacy): the employee, and the manager who
wrote them."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import date

from bot.clock import local_date
from bot.errors import Refusal
from bot.model import (
    SKILL_LEVEL_NAMES,
    ActionStatus,
    AgreedAction,
    CourseAssignment,
    GoalStatus,
    IlpGoal,
    Person,
)
from bot.ports import UnitOfWork


class EventKind(enum.StrEnum):
    """What happened on a day of the development record, in the order a day lists them."""

    SESSION = "session"
    ACTION_CLOSED = "action_closed"
    SKILL_LEVEL = "skill_level"
    GOAL_CHANGE = "goal_change"
    COURSE_ASSIGNED = "course_assigned"
    COURSE_COMPLETED = "course_completed"
    SELF_DIRECTED = "self_directed"


@dataclass(frozen=True, slots=True)
class TimelineEvent:
    """One entry of the timeline; `text` is a one-line description for any door to show."""

    on: date
    kind: EventKind
    text: str
    skill_id: str | None = None
    session_id: int | None = None
    course_id: str | None = None
    goal_id: int | None = None


@dataclass(frozen=True, slots=True)
class SkillEvidence:
    """A skill the employee worked on: how many sessions focused on it, when last, and the
    latest assessed level (0-4) if any."""

    skill_id: str
    name: str
    sessions: int
    last_on: date | None
    level: int | None


@dataclass(frozen=True, slots=True)
class CourseStatus:
    """An assigned course and where it stands; `session_held_on` is the session it came from."""

    assignment: CourseAssignment
    title: str
    url: str
    session_held_on: date | None

    @property
    def completed(self) -> bool:
        return self.assignment.completed_at is not None


@dataclass(frozen=True, slots=True)
class SessionNotes:
    """A session's key points, for a viewer allowed to read them; `about` says what the
    session focused on."""

    session_id: int
    held_on: date
    about: str
    key_points: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class GoalShown:
    """An ILP goal with its skill's name, and whether it can still be achieved or dropped."""

    goal: IlpGoal
    skill_name: str | None

    @property
    def is_open(self) -> bool:
        return self.goal.status in OPEN_GOAL_STATUSES

    @property
    def line(self) -> str:
        """`Lead the Q1 renewals (Negotiation, by 2027-03-31): in progress`."""
        details = [part for part in (self.skill_name,) if part]
        if self.goal.target_date:
            details.append(f"by {self.goal.target_date.isoformat()}")
        said = f" ({', '.join(details)})" if details else ""
        return f"{self.goal.title}{said}: {GOAL_WORDS[self.goal.status]}"


@dataclass(frozen=True, slots=True)
class DevelopmentRecord:
    """Everything the employee (and their current manager) sees of their development;
    `notes` holds the key points the viewer may read (none for anyone else)."""

    employee: Person
    timeline: tuple[TimelineEvent, ...]
    open_actions: tuple[AgreedAction, ...]
    courses: tuple[CourseStatus, ...]
    goals: tuple[IlpGoal, ...]
    skills: tuple[SkillEvidence, ...]
    goals_shown: tuple[GoalShown, ...] = ()
    notes: tuple[SessionNotes, ...] = ()


OPEN_GOAL_STATUSES = (GoalStatus.PLANNED, GoalStatus.IN_PROGRESS)

_CLOSED = (ActionStatus.DONE, ActionStatus.DROPPED)
"""Actions closed for good (a carried-over one lives on in the next session)."""

GOAL_WORDS = {
    GoalStatus.PLANNED: "set",
    GoalStatus.IN_PROGRESS: "in progress",
    GoalStatus.ACHIEVED: "achieved",
    GoalStatus.DROPPED: "dropped",
}


async def report_record(
    uow: UnitOfWork, manager_id: int, employee_id: int, today: date, *, timezone: str = "UTC"
) -> DevelopmentRecord:
    """A report's record as their current manager sees it, with the key points of the
    sessions this manager wrote; anyone who is not their current manager is refused."""
    async with uow:
        manager = await uow.people.current_manager(employee_id, today)
    if manager is None or manager.id != manager_id:
        raise Refusal("You can open the records of your current direct reports only.")
    return await development_record(uow, employee_id, viewer_id=manager_id, timezone=timezone)


async def development_record(
    uow: UnitOfWork, employee_id: int, *, viewer_id: int | None = None, timezone: str = "UTC"
) -> DevelopmentRecord:
    """The employee's record; completion times become dates in `timezone` (the employee's
    zone, or the organisation's). Key points come with it for `viewer_id` only where they may
    read them: every session when the viewer is the employee, the sessions the viewer held
    when they are a manager; the caller has checked that the viewer may see the record."""
    async with uow:
        employee = await uow.people.get(employee_id)
        if employee is None:
            raise Refusal("There is no such person in the directory.")
        zone = employee.timezone or timezone
        sessions = await uow.sessions.for_employee(employee_id)
        levels = await uow.skill_levels.for_employee(employee_id)
        assignments = await uow.assignments.for_employee(employee_id)
        completions = await uow.completions.for_employee(employee_id)
        goals = await uow.goals.for_employee(employee_id)
        changes = await uow.goals.changes_for_employee(employee_id)
        actions = await uow.actions.for_employee(employee_id)
        skill_ids = {s.skill_id for s in sessions} | {level.skill_id for level in levels}
        skill_ids |= {goal.skill_id for goal in goals if goal.skill_id}
        skills = await uow.catalogue.skills(sorted(skill_ids))
        course_ids = {a.course_id for a in assignments} | {c.course_id for c in completions}
        courses = await uow.catalogue.courses(sorted(course_ids))

    def skill_name(skill_id: str) -> str:
        skill = skills.get(skill_id)
        return skill.name if skill else skill_id

    def title(course_id: str) -> str:
        course = courses.get(course_id)
        return course.title if course else course_id

    held_on = {s.id: s.held_on for s in sessions}
    goal_titles = {goal.id: goal.title for goal in goals}
    events = [
        TimelineEvent(
            s.held_on,
            EventKind.SESSION,
            f"Coaching session: {s.focus_type.label}, {skill_name(s.skill_id)}",
            skill_id=s.skill_id,
            session_id=s.id,
        )
        for s in sessions
    ]
    events += [
        TimelineEvent(
            a.closed_on,
            EventKind.ACTION_CLOSED,
            f"Action {a.status.value}"
            + (f", {a.closed_reason}" if a.closed_reason else "")
            + f": {a.text}",
            session_id=a.session_id,
        )
        for a in actions
        if a.status in _CLOSED and a.closed_on is not None
    ]
    events += [
        TimelineEvent(
            level.assessed_on,
            EventKind.SKILL_LEVEL,
            f"{skill_name(level.skill_id)}: level {level.level} "
            f"({SKILL_LEVEL_NAMES[level.level]}), from {level.source}",
            skill_id=level.skill_id,
        )
        for level in levels
    ]
    events += [
        TimelineEvent(
            change.changed_on,
            EventKind.GOAL_CHANGE,
            f"ILP goal {GOAL_WORDS[change.status]}: {goal_titles.get(change.goal_id, '')}",
            goal_id=change.goal_id,
        )
        for change in changes
    ]
    events += [
        TimelineEvent(
            a.assigned_on,
            EventKind.COURSE_ASSIGNED,
            f"Course assigned: {title(a.course_id)}",
            session_id=a.session_id,
            course_id=a.course_id,
        )
        for a in assignments
    ]
    assignment_sessions = {a.id: a.session_id for a in assignments}
    for completion in completions:
        if completion.assignment_id is None:
            kind, what, session_id = EventKind.SELF_DIRECTED, "Self-directed learning", None
        else:
            kind, what = EventKind.COURSE_COMPLETED, "Course completed"
            session_id = assignment_sessions.get(completion.assignment_id)
        events.append(
            TimelineEvent(
                local_date(completion.completed_at, zone),
                kind,
                f"{what}: {title(completion.course_id)}",
                session_id=session_id,
                course_id=completion.course_id,
            )
        )
    order = list(EventKind)
    events.sort(key=lambda event: (event.on, order.index(event.kind)))

    latest_level: dict[str, int] = {}
    for level in levels:  # oldest first: the last one wins
        latest_level[level.skill_id] = level.level
    evidence = []
    for skill_id in sorted(skill_ids, key=skill_name):
        focused = [s.held_on for s in sessions if s.skill_id == skill_id]
        evidence.append(
            SkillEvidence(
                skill_id,
                skill_name(skill_id),
                len(focused),
                max(focused, default=None),
                latest_level.get(skill_id),
            )
        )
    statuses = tuple(
        CourseStatus(
            assignment=a,
            title=title(a.course_id),
            url=courses[a.course_id].url if a.course_id in courses else "",
            session_held_on=held_on.get(a.session_id) if a.session_id else None,
        )
        for a in assignments
    )
    readable = [
        s for s in sessions if viewer_id is not None and viewer_id in (employee_id, s.manager_id)
    ]
    notes = tuple(
        SessionNotes(
            s.id, s.held_on, f"{s.focus_type.label}, {skill_name(s.skill_id)}", s.key_points
        )
        for s in readable
    )
    return DevelopmentRecord(
        employee=employee,
        timeline=tuple(events),
        open_actions=tuple(a for a in actions if a.status is ActionStatus.OPEN),
        courses=statuses,
        goals=tuple(goals),
        skills=tuple(evidence),
        goals_shown=tuple(
            GoalShown(g, skill_name(g.skill_id) if g.skill_id else None) for g in goals
        ),
        notes=notes,
    )
