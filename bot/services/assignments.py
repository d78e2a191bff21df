"""Course assignment outside a session (App Home's *Assign a course*), and the LMS effects of
the L&D connection: a Moodle enrolment and an xAPI statement per assignment, xAPI statements per
session (attended / mentored) and per ILP goal planned. Each is an outbox row written in the
transaction that causes it; statements carry no note text."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bot.clock import Clock, local_date
from bot.dates import day_text
from bot.errors import Refusal
from bot.model import (
    CoachingSession,
    Course,
    CourseAssignment,
    IlpGoal,
    OutboxMessage,
    Person,
    Skill,
)
from bot.payloads import (
    CourseAssignedPayload,
    LmsParty,
    MoodleEnrolPayload,
    OutboxKind,
    XapiFacts,
    XapiObject,
    XapiPayload,
    to_json,
)
from bot.ports import NOT_STORED, UnitOfWork
from bot.record import MAX_LINE

XAPI = "xapi"
MOODLE = "moodle"
XAPI_STATEMENT = OutboxKind.XAPI_STATEMENT
MOODLE_ENROL = OutboxKind.MOODLE_ENROL
REASON = "reason"
"""The field of `AssignCourse` that a refusal about the reason names."""


@dataclass(frozen=True, slots=True)
class LmsTargets:
    """Which LMS effects to queue: Moodle enrolments (Moodle configured) and xAPI statements
    (an LRS configured)."""

    moodle: bool = False
    xapi: bool = False


NO_LMS = LmsTargets()


def party(person: Person) -> LmsParty:
    """A person as a statement or enrolment needs them (no more)."""
    return LmsParty(
        email=person.email,
        name=person.name,
        slack_user_id=person.slack_user_id,
        teams_user_id=person.teams_user_id,
    )


def _statement(
    key: str,
    verb: str,
    actor: Person,
    obj: XapiObject,
    timestamp: datetime,
    *,
    instructor: Person | None = None,
    context: XapiFacts | None = None,
    about: Person | None = None,
) -> OutboxMessage:
    payload = XapiPayload(
        verb=verb,
        actor=party(actor),
        instructor=party(instructor) if instructor else None,
        object=obj,
        context=context or XapiFacts(),
        timestamp=timestamp,
    )
    return OutboxMessage(
        dedupe_key=key,
        kind=XAPI_STATEMENT,
        channel=XAPI,
        recipient_id=actor.id,
        about_id=about.id if about else None,
        payload=to_json(payload),
    )


async def queue_assignment_effects(
    uow: UnitOfWork,
    assignment: CourseAssignment,
    course: Course,
    employee: Person,
    assigned_by: Person | None,
    lms: LmsTargets,
    now: datetime,
) -> None:
    """The Moodle enrolment and the `was-assigned` statement of one new assignment."""
    business_key = f"{employee.email}:{course.course_id}:{assignment.assigned_on.isoformat()}"
    if lms.moodle:
        await uow.outbox.add(
            OutboxMessage(
                dedupe_key=f"moodle:enrol:{business_key}",
                kind=MOODLE_ENROL,
                channel=MOODLE,
                recipient_id=employee.id,
                payload=to_json(
                    MoodleEnrolPayload(email=employee.email, course_id=course.course_id)
                ),
            )
        )
    if lms.xapi:
        await uow.outbox.add(
            _statement(
                f"xapi:was-assigned:{business_key}",
                "was-assigned",
                employee,
                XapiObject(kind="course", id=course.course_id, name=course.title, url=course.url),
                now,
                instructor=assigned_by,
                context=XapiFacts(session_id=assignment.session_id),
                about=assigned_by,
            )
        )


async def queue_session_statements(
    uow: UnitOfWork,
    session: CoachingSession,
    manager: Person,
    employee: Person,
    skill: Skill,
    lms: LmsTargets,
    now: datetime,
) -> None:
    """`attended` (the employee, with the manager as instructor) and `mentored` (the manager)
    on one session activity: its focus and skill, never its notes."""
    if not lms.xapi:
        return
    pair = f"{manager.email}:{employee.email}:{session.held_on.isoformat()}"
    obj = XapiObject(kind="session", id=pair, name=f"Coaching session {session.held_on}")
    context = XapiFacts(
        focus_type=session.focus_type.value,
        skill_id=skill.skill_id,
        skill_name=skill.name,
        duration_minutes=session.duration_minutes,
    )
    timestamp = session.created_at or now
    await uow.outbox.add(
        _statement(
            f"xapi:attended:{pair}",
            "attended",
            employee,
            obj,
            timestamp,
            instructor=manager,
            context=context,
            about=manager,
        )
    )
    await uow.outbox.add(
        _statement(
            f"xapi:mentored:{pair}",
            "mentored",
            manager,
            obj,
            timestamp,
            context=context,
            about=employee,
        )
    )


async def queue_goal_planned(
    uow: UnitOfWork,
    goal: IlpGoal,
    employee: Person,
    skill: Skill | None,
    lms: LmsTargets,
    now: datetime,
) -> None:
    """`planned` for a new ILP goal: its skill and target date (not its wording)."""
    if not lms.xapi:
        return
    await uow.outbox.add(
        _statement(
            f"xapi:planned:{employee.email}:goal:{goal.id}",
            "planned",
            employee,
            XapiObject(
                kind="goal",
                id=f"{employee.email}:goal:{goal.id}",
                name=f"Skill goal: {skill.name if skill else goal.skill_id or 'development'}",
            ),
            now,
            context=XapiFacts(
                skill_id=goal.skill_id,
                skill_name=skill.name if skill else None,
                target_date=goal.target_date,
            ),
        )
    )


@dataclass(frozen=True, slots=True)
class AssignCourse:
    """A manager assigns a course to one of their reports, outside a session."""

    manager_id: int
    employee_id: int
    course_id: str
    reason: str = ""


@dataclass(frozen=True, slots=True)
class CourseAssigned:
    """The outcome: a new assignment, or (`already_open`) the open one the employee has."""

    employee: Person
    course: Course
    assignment: CourseAssignment
    already_open: bool = False


async def assign_course(
    uow: UnitOfWork,
    cmd: AssignCourse,
    clock: Clock,
    timezone: str,
    lms: LmsTargets = NO_LMS,
) -> CourseAssigned:
    """Assign the course (dated the manager's local today), DM the employee and tell the LMS;
    a course the employee already has open is not assigned again."""
    reason = cmd.reason.strip()
    if len(reason) > MAX_LINE:
        raise Refusal(
            f"The reason is {len(reason)} characters long; keep it to {MAX_LINE}.", field=REASON
        )
    now = clock.now()
    async with uow:
        manager = await uow.people.get(cmd.manager_id)
        if manager is None:
            raise Refusal("You are not in the organisation's directory.")
        today = local_date(now, manager.timezone or timezone)
        reports = await uow.people.current_reports(manager.id, today)
        employee = next((p for p in reports if p.id == cmd.employee_id), None)
        if employee is None:
            raise Refusal("You can assign courses only to the people you coach.")
        course = await uow.catalogue.course(cmd.course_id.strip())
        if course is None:
            raise Refusal(f"There is no course {cmd.course_id.strip()!r} in the catalogue.")
        open_one = await uow.assignments.open_assignment(employee.id, course.course_id)
        if open_one is not None:
            return CourseAssigned(employee, course, open_one, already_open=True)
        # stored and read later, so the day carries its year
        reason = reason or f"Assigned by {manager.name} on {day_text(today, None)}"
        assignment = await uow.assignments.add(
            CourseAssignment(
                NOT_STORED,
                employee.id,
                course.course_id,
                today,
                assigned_by_id=manager.id,
                reason=reason,
            )
        )
        await uow.outbox.add(
            OutboxMessage(
                dedupe_key=f"{OutboxKind.COURSE_ASSIGNED}:{assignment.id}",
                kind=OutboxKind.COURSE_ASSIGNED,
                channel="chat",
                recipient_id=employee.id,
                payload=to_json(
                    CourseAssignedPayload(
                        assignment_id=assignment.id,
                        manager_name=manager.name,
                        course_id=course.course_id,
                        title=course.title,
                        url=course.url,
                        why=reason,
                    )
                ),
            )
        )
        await queue_assignment_effects(uow, assignment, course, employee, manager, lms, now)
        await uow.commit()
    return CourseAssigned(employee, course, assignment)
