"""Logging a coaching session (the path of `docs/architecture.md`): the form a manager fills in, and
the one transaction that stores a session with its actions, carry-over, course assignments, skill
level and the messages it causes."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime

from bot.appraisal import COACHING_PROMPTS, find_appraisal_language
from bot.cadence import CoachingSchedule, relationship_start, schedule_for
from bot.clock import Clock, local_date
from bot.commands import LogSession, goal_from_line
from bot.errors import AppraisalFinding, FieldError, Refusal
from bot.model import (
    ActionStatus,
    AgreedAction,
    CoachingSession,
    Course,
    CourseAssignment,
    FocusType,
    GoalStatus,
    IlpGoal,
    OutboxMessage,
    Person,
    Skill,
    SkillLevel,
)
from bot.payloads import (
    ActionLine,
    CourseLine,
    CourseRef,
    OutboxKind,
    SessionLoggedPayload,
    SessionSavedPayload,
    to_json,
)
from bot.ports import NOT_STORED, SessionAlreadyLogged, UnitOfWork
from bot.record import RecordContext, clean_actions, clean_course_ids, clean_lines, validate_session
from bot.review import (
    REVIEW_CHOICES,
    ReviewShown,
    prefill_reviews,
    review_open_actions,
    review_shown,
)
from bot.services.assignments import (
    NO_LMS,
    LmsTargets,
    queue_assignment_effects,
    queue_goal_planned,
    queue_session_statements,
)

SUBMISSION_SOURCE = "session_form"


@dataclass(frozen=True, slots=True)
class SessionForm:
    """What the session form shows a manager: their current reports; for the chosen report
    (preselected, or the only one) the open actions with prefilled reviews, their open ILP
    goals and last session (its key points only when this manager wrote them); the GROW
    prompts."""

    manager: Person
    today: date
    reports: tuple[Person, ...]
    employee: Person | None
    open_actions: tuple[AgreedAction, ...] = ()
    reviews: dict[int, ActionStatus] = field(default_factory=dict)
    review_choices: tuple[ActionStatus, ...] = REVIEW_CHOICES
    goals: tuple[IlpGoal, ...] = ()
    last_session: CoachingSession | None = None
    skills_by_id: dict[str, Skill] = field(default_factory=dict)
    prompts: tuple[str, ...] = tuple(
        f"{step}: {question}" for step, question in COACHING_PROMPTS.items()
    )

    def review(self, values: LogSession | None = None) -> ReviewShown:
        """The review of open actions as the form shows it, with what the manager chose when
        the form comes back (`values`), else the prefilled choices."""
        return review_shown(
            self.open_actions,
            self.reviews,
            values.reviews if values else None,
            values.grouped_review if values else None,
        )


@dataclass(frozen=True, slots=True)
class AssignedCourse:
    """A course assigned by the session, with the reason the employee is told."""

    course: Course
    assignment: CourseAssignment


@dataclass(frozen=True, slots=True)
class SessionLogged:
    """The session is stored. `already_open` are linked courses the employee already had open
    (no new assignment; the manager is told). `duplicate` is set when this was a repeated
    submission answered with the first one's result."""

    session: CoachingSession
    employee: Person
    actions: tuple[AgreedAction, ...]
    assigned: tuple[AssignedCourse, ...]
    already_open: tuple[Course, ...]
    next_due_on: date
    duplicate: bool = False

    @property
    def flagged(self) -> bool:
        return self.session.flagged


@dataclass(frozen=True, slots=True)
class NeedsAttention:
    """Nothing was stored: the form goes back with field errors, or with the key points that
    read as appraisal (until the manager rephrases them or confirms)."""

    errors: list[FieldError] = field(default_factory=list)
    findings: list[AppraisalFinding] = field(default_factory=list)


async def session_form(
    uow: UnitOfWork,
    manager_id: int,
    today: date,
    preselect_employee_id: int | None = None,
    *,
    include_skill_ids: Sequence[str] = (),
) -> SessionForm:
    """The form for `manager_id` on `today` (their local date). `include_skill_ids` adds skills
    the door needs to show by name (a re-rendered form's chosen skill)."""
    async with uow:
        manager, current = await uow.people.with_current_reports(manager_id, today)
        if manager is None:
            raise Refusal("You are not in the organisation's directory.")
        reports = tuple(current)
        employee = next((p for p in reports if p.id == preselect_employee_id), None)
        if employee is None and preselect_employee_id is None and len(reports) == 1:
            employee = reports[0]
        if employee is None:
            skills = await uow.catalogue.skills(list(include_skill_ids))
            return SessionForm(manager, today, reports, None, skills_by_id=skills)
        open_actions = tuple(await uow.actions.open_for_employee(employee.id))
        goals = tuple(
            goal
            for goal in await uow.goals.for_employee(employee.id)
            if goal.status in (GoalStatus.PLANNED, GoalStatus.IN_PROGRESS)
        )
        last = await uow.sessions.last_for_employee(employee.id)
        if last is not None and last.manager_id != manager_id:
            last = replace(last, key_points=())  # notes stay with the manager who wrote them
        wanted = {*include_skill_ids, *(g.skill_id for g in goals if g.skill_id)}
        if last is not None:
            wanted.add(last.skill_id)
        return SessionForm(
            manager=manager,
            today=today,
            reports=reports,
            employee=employee,
            open_actions=open_actions,
            reviews=prefill_reviews(open_actions),
            goals=goals,
            last_session=last,
            skills_by_id=await uow.catalogue.skills(sorted(wanted)),
        )


async def log_session(
    uow: UnitOfWork,
    cmd: LogSession,
    clock: Clock,
    timezone: str,
    submission_key: str,
    lms: LmsTargets = NO_LMS,
) -> SessionLogged | NeedsAttention:
    """Validate and store one session in one transaction. `timezone` is the organisation's
    default, used when the manager has none; `submission_key` identifies the submission, so
    that a double submission returns the first result and writes nothing new. `lms` says
    which LMS effects (Moodle enrolments, xAPI statements) to queue with it."""
    async with uow:
        earlier = await uow.processed_events.result_of(submission_key)
        if earlier is not None:
            return await _replay(uow, earlier)
        checked = await _check(uow, cmd, clock.now(), timezone)
        if isinstance(checked, NeedsAttention):
            # while this one waited for the employee, the same submission may have been stored
            stored = await uow.processed_events.result_of(submission_key)
            return checked if stored is None else await _replay(uow, stored)
        if not await uow.processed_events.remember(
            submission_key, SUBMISSION_SOURCE, at=checked.now
        ):
            # the same submission was stored meanwhile by another request: answer with its result
            await uow.rollback()
            stored = await uow.processed_events.result_of(submission_key)
            if stored is None:
                raise Refusal("This form was sent twice at once; check your sessions.")
            return await _replay(uow, stored)
        try:
            result = await _store(uow, cmd, checked, lms)
        except SessionAlreadyLogged:  # another submission stored one since validation
            context = replace(checked.context, session_exists_on_day=True)
            return NeedsAttention(errors=validate_session(cmd, context))
        await uow.processed_events.set_result(submission_key, _result_json(result))
        await uow.commit()
        return result


@dataclass(frozen=True, slots=True)
class _Checked:
    """A command that passed validation, with what storing it needs."""

    now: datetime
    today: date
    context: RecordContext
    manager: Person
    employee: Person
    held_on: date
    duration_minutes: int
    focus_type: FocusType
    skill: Skill
    key_points: tuple[str, ...]
    flagged: bool
    courses: tuple[Course, ...]
    open_actions: tuple[AgreedAction, ...]


async def _check(
    uow: UnitOfWork, cmd: LogSession, now: datetime, timezone: str
) -> _Checked | NeedsAttention:
    """Load what the record's rules need, apply them and the appraisal-language check."""
    manager = await uow.people.get(cmd.manager_id)
    if manager is None:
        raise Refusal("You are not in the organisation's directory.")
    today = local_date(now, manager.timezone or timezone)
    reports = await uow.people.current_reports(manager.id, today)
    # someone who is not a current report stays unnamed: the id came from the payload
    employee = next((p for p in reports if p.id == cmd.employee_id), None)
    if employee is not None:
        # before reading their open actions: two sessions at once would both carry them
        await uow.actions.hold_for_employee(employee.id)
    course_ids = clean_course_ids(cmd.course_ids)
    skill_id = (cmd.skill_id or "").strip()
    skills = await uow.catalogue.skills([skill_id] if skill_id else [])
    courses = await uow.catalogue.courses(course_ids)
    open_actions = await uow.actions.open_for_employee(employee.id) if employee else []
    # a back-dated session reviews only what was agreed before it
    reviewable = (
        await uow.actions.open_for_employee(employee.id, agreed_before=cmd.held_on)
        if employee and cmd.held_on
        else []
    )
    goals = await uow.goals.for_employee(employee.id) if employee else []
    exists = (
        employee is not None
        and cmd.held_on is not None
        and await uow.sessions.exists_on_day(manager.id, employee.id, cmd.held_on)
    )
    context = RecordContext(
        today=today,
        reports=frozenset(p.id for p in reports),
        skill_ids=frozenset(skills),
        course_ids=frozenset(courses),
        open_action_ids=frozenset(a.id for a in open_actions),
        later_action_ids=frozenset(a.id for a in open_actions) - {a.id for a in reviewable},
        goal_ids=frozenset(g.id for g in goals),
        session_exists_on_day=exists,
        employee_name=employee.name if employee else None,
    )
    errors = validate_session(cmd, context)
    if (
        errors
        or employee is None
        or cmd.held_on is None
        or cmd.duration_minutes is None
        or cmd.focus_type is None
    ):  # without errors the last four cannot happen: they only tell the type checker
        return NeedsAttention(errors=errors)
    key_points = clean_lines(cmd.key_points)
    findings = find_appraisal_language(key_points)
    if findings and not cmd.confirm_appraisal:
        return NeedsAttention(findings=findings)
    return _Checked(
        now=now,
        today=today,
        context=context,
        manager=manager,
        employee=employee,
        held_on=cmd.held_on,
        duration_minutes=cmd.duration_minutes,
        focus_type=FocusType(cmd.focus_type.strip()),
        skill=skills[skill_id],
        key_points=key_points,
        flagged=bool(findings),
        courses=tuple(courses[c] for c in course_ids),
        open_actions=tuple(reviewable),
    )


async def _store(
    uow: UnitOfWork, cmd: LogSession, checked: _Checked, lms: LmsTargets = NO_LMS
) -> SessionLogged:
    """Write the session and everything it causes; the caller commits."""
    goal_id = cmd.ilp_goal_id
    new_goal, target_date, _ = goal_from_line(cmd.new_goal_title or "")
    planned: IlpGoal | None = None
    if new_goal:
        goal = await uow.goals.add(
            IlpGoal(
                NOT_STORED,
                checked.employee.id,
                new_goal,
                skill_id=checked.skill.skill_id,
                target_date=target_date,
                status=GoalStatus.IN_PROGRESS,
                created_on=checked.held_on,
            )
        )
        goal_id = goal.id
        planned = goal
    session = await uow.sessions.add(
        CoachingSession(
            id=NOT_STORED,
            manager_id=checked.manager.id,
            employee_id=checked.employee.id,
            held_on=checked.held_on,
            duration_minutes=checked.duration_minutes,
            focus_type=checked.focus_type,
            skill_id=checked.skill.skill_id,
            key_points=checked.key_points,
            flagged=checked.flagged,
            ilp_goal_id=goal_id,
            created_at=checked.now,
        )
    )
    actions = await _record_actions(uow, cmd, session, checked.open_actions)
    assigned, already_open = await _assign_courses(
        uow, session, checked.manager, checked.skill, checked.courses
    )
    if cmd.level_now is not None:
        await uow.skill_levels.record(
            SkillLevel(
                checked.employee.id,
                checked.skill.skill_id,
                cmd.level_now,
                checked.held_on,
                source="session",
            )
        )
    schedule, _ = await coaching_schedule(uow, checked.manager.id, checked.employee, checked.today)
    next_due = schedule.due_on
    result = SessionLogged(session, checked.employee, actions, assigned, already_open, next_due)
    await _queue_messages(uow, result, checked.manager, checked.skill)
    await _queue_lms_effects(uow, result, checked, planned, lms)
    return result


async def _record_actions(
    uow: UnitOfWork,
    cmd: LogSession,
    session: CoachingSession,
    open_actions: Sequence[AgreedAction],
) -> tuple[AgreedAction, ...]:
    """Close the reviewed actions, carry the others into this session, add the new ones."""
    outcome = review_open_actions(open_actions, cmd.all_reviews(), session.held_on)
    for change in outcome.changes:
        await uow.actions.set_status(change.action_id, change.status, change.closed_on)
    stored = []
    for carried in outcome.carried:
        stored.append(
            await uow.actions.add(
                AgreedAction(
                    NOT_STORED,
                    session.id,
                    session.employee_id,
                    carried.text,
                    carried.due_on,
                    carried_from_id=carried.carried_from_id,
                )
            )
        )
    for new in clean_actions(cmd.actions):
        stored.append(
            await uow.actions.add(
                AgreedAction(NOT_STORED, session.id, session.employee_id, new.text, new.due_on)
            )
        )
    return tuple(stored)


def _reason(session: CoachingSession, skill: Skill) -> str:
    return (
        f"Agreed in your coaching session on {session.held_on.isoformat()} "
        f"({session.focus_type.label.lower()}: {skill.name})"
    )


async def _assign_courses(
    uow: UnitOfWork,
    session: CoachingSession,
    manager: Person,
    skill: Skill,
    courses: Sequence[Course],
) -> tuple[tuple[AssignedCourse, ...], tuple[Course, ...]]:
    """Assign each linked course, dated the session's date, unless the employee already has it
    open."""
    assigned: list[AssignedCourse] = []
    already_open: list[Course] = []
    for course in courses:
        if await uow.assignments.open_assignment(session.employee_id, course.course_id):
            already_open.append(course)
            continue
        assignment = await uow.assignments.add(
            CourseAssignment(
                NOT_STORED,
                session.employee_id,
                course.course_id,
                session.held_on,
                session_id=session.id,
                assigned_by_id=manager.id,
                reason=_reason(session, skill),
            )
        )
        assigned.append(AssignedCourse(course, assignment))
    return tuple(assigned), tuple(already_open)


async def coaching_schedule(
    uow: UnitOfWork, manager_id: int, employee: Person, today: date
) -> tuple[CoachingSchedule, CoachingSession | None]:
    """When the employee's next session with this manager is due (and overdue, and their
    check-in), from their last session or the start of the relationship; and that session."""
    last = await uow.sessions.last_for_employee(employee.id)
    first_named = await uow.people.first_relationship_start(manager_id, employee.id)
    started = relationship_start(first_named or today, employee.start_date)
    schedule = schedule_for(
        last.held_on if last else None, started, employee.cadence, employee.start_date
    )
    return schedule, last


async def _queue_messages(
    uow: UnitOfWork, result: SessionLogged, manager: Person, skill: Skill
) -> None:
    """The employee's DM (what was agreed and assigned) and the manager's confirmation."""
    session = result.session
    logged = SessionLoggedPayload(
        session_id=session.id,
        held_on=session.held_on,
        manager_name=manager.name,
        focus_type=session.focus_type.value,
        focus=session.focus_type.label,
        skill_id=skill.skill_id,
        skill_name=skill.name,
        actions=tuple(ActionLine(id=a.id, text=a.text, due_on=a.due_on) for a in result.actions),
        courses=tuple(
            CourseLine(
                course_id=a.course.course_id,
                title=a.course.title,
                url=a.course.url,
                why=a.assignment.reason,
            )
            for a in result.assigned
        ),
    )
    saved = SessionSavedPayload(
        session_id=session.id,
        employee_name=result.employee.name,
        held_on=session.held_on,
        next_due_on=result.next_due_on,
        flagged=session.flagged,
        assigned=tuple(a.course.title for a in result.assigned),
        already_open=tuple(
            CourseRef(course_id=c.course_id, title=c.title) for c in result.already_open
        ),
    )
    await uow.outbox.add(
        OutboxMessage(
            dedupe_key=f"{OutboxKind.SESSION_LOGGED}:{session.id}",
            kind=OutboxKind.SESSION_LOGGED,
            channel="chat",
            recipient_id=session.employee_id,
            payload=to_json(logged),
        ),
        OutboxMessage(
            dedupe_key=f"{OutboxKind.SESSION_SAVED}:{session.id}",
            kind=OutboxKind.SESSION_SAVED,
            channel="chat",
            recipient_id=manager.id,
            payload=to_json(saved),
            about_id=session.employee_id,
        ),
    )


async def _queue_lms_effects(
    uow: UnitOfWork,
    result: SessionLogged,
    checked: _Checked,
    planned: IlpGoal | None,
    lms: LmsTargets,
) -> None:
    """The LMS's share: enrolments and statements per assignment, the session's statements,
    and the ILP goal planned in the form, if any."""
    for item in result.assigned:
        await queue_assignment_effects(
            uow, item.assignment, item.course, result.employee, checked.manager, lms, checked.now
        )
    await queue_session_statements(
        uow, result.session, checked.manager, result.employee, checked.skill, lms, checked.now
    )
    if planned is not None:
        await queue_goal_planned(uow, planned, result.employee, checked.skill, lms, checked.now)


def _result_json(result: SessionLogged) -> str:
    return json.dumps(
        {
            "session_id": result.session.id,
            "already_open": [course.course_id for course in result.already_open],
            "next_due_on": result.next_due_on.isoformat(),
        }
    )


async def _replay(uow: UnitOfWork, stored: str) -> SessionLogged:
    """The first submission's result, rebuilt from what it stored."""
    first = json.loads(stored)
    session = await uow.sessions.get(int(first["session_id"]))
    employee = await uow.people.get(session.employee_id) if session else None
    if session is None or employee is None:
        raise Refusal("This session was submitted before and has since been erased.")
    assignments = await uow.assignments.for_session(session.id)
    courses = await uow.catalogue.courses(
        [a.course_id for a in assignments] + list(first["already_open"])
    )
    return SessionLogged(
        session=session,
        employee=employee,
        actions=tuple(await uow.actions.for_session(session.id)),
        assigned=tuple(AssignedCourse(courses[a.course_id], a) for a in assignments),
        already_open=tuple(courses[c] for c in first["already_open"] if c in courses),
        next_due_on=date.fromisoformat(first["next_due_on"]),
        duplicate=True,
    )
