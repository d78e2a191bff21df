"""The development record of one employee: one dated timeline of sessions, actions closed
(done or dropped, with why when superseded), skill levels, course assignments and completions,
self-directed learning and ILP goal changes, plus what is open now. It never carries key
points: those belong to the session's manager and employee."""

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
class DevelopmentRecord:
    """Everything the employee (and their current manager) sees of their development."""

    employee: Person
    timeline: tuple[TimelineEvent, ...]
    open_actions: tuple[AgreedAction, ...]
    courses: tuple[CourseStatus, ...]
    goals: tuple[IlpGoal, ...]
    skills: tuple[SkillEvidence, ...]


_CLOSED = (ActionStatus.DONE, ActionStatus.DROPPED)
"""Actions closed for good (a carried-over one lives on in the next session)."""

_GOAL_WORDS = {
    GoalStatus.PLANNED: "set",
    GoalStatus.IN_PROGRESS: "in progress",
    GoalStatus.ACHIEVED: "achieved",
    GoalStatus.DROPPED: "dropped",
}


async def development_record(
    uow: UnitOfWork, employee_id: int, *, timezone: str = "UTC"
) -> DevelopmentRecord:
    """The employee's record; completion times become dates in `timezone` (the employee's
    zone, or the organisation's)."""
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
            f"ILP goal {_GOAL_WORDS[change.status]}: {goal_titles.get(change.goal_id, '')}",
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
    return DevelopmentRecord(
        employee=employee,
        timeline=tuple(events),
        open_actions=tuple(a for a in actions if a.status is ActionStatus.OPEN),
        courses=statuses,
        goals=tuple(goals),
        skills=tuple(evidence),
    )
