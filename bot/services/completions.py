"""Completions coming back from the LMS (`docs/architecture.md`, the LMS): an xAPI `completed`
statement, the signed webhook or Moodle's completion status all end here. A completion marks the
open assignment done, joins the development record and tells the manager who assigned it; with no
open assignment it is self-directed learning. The same completion twice changes nothing."""

from __future__ import annotations

import enum
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.clock import Clock
from bot.model import Course, CourseAssignment, LearningCompletion, OutboxMessage
from bot.payloads import CourseCompletedPayload, OutboxKind, to_json
from bot.ports import (
    NOT_STORED,
    CatalogueChanges,
    CompletionAlreadyRecorded,
    OpenAssignment,
    UnitOfWork,
)

SAME_COMPLETION_WITHIN = timedelta(days=1)
"""Two sources reporting one course done by one person this close together report one
completion (the LRS poll and the webhook may both see it)."""


@dataclass(frozen=True, slots=True)
class CompletionReport:
    """What an LMS says: who (e-mail) completed which catalogue course, when; `event_id` is
    the source's own id for the event (a statement id, a webhook `event_id`)."""

    email: str
    course_id: str
    completed_at: datetime
    source: str  # "xapi", "webhook", "moodle"
    event_id: str


class CompletionOutcome(enum.StrEnum):
    RECORDED = "recorded"
    DUPLICATE = "duplicate"
    UNKNOWN_PERSON = "unknown_person"
    UNKNOWN_COURSE = "unknown_course"


@dataclass(frozen=True, slots=True)
class CompletionResult:
    """What became of a report; `problem` names an unknown person or course."""

    outcome: CompletionOutcome
    completion: LearningCompletion | None = None
    assignment: CourseAssignment | None = None
    problem: str = ""

    @property
    def self_directed(self) -> bool:
        return self.completion is not None and self.completion.assignment_id is None


async def record_completion(
    uow: UnitOfWork, report: CompletionReport, clock: Clock
) -> CompletionResult:
    """Store the completion in one transaction with the assignment it closes and the
    manager's message."""
    async with uow:
        if await uow.completions.by_event_id(report.event_id) is not None:
            return CompletionResult(CompletionOutcome.DUPLICATE)
        person = await uow.people.by_email(report.email)
        if person is None:
            return CompletionResult(
                CompletionOutcome.UNKNOWN_PERSON, problem=f"unknown person {report.email.strip()}"
            )
        course = await uow.catalogue.course(report.course_id)
        if course is None:
            return CompletionResult(
                CompletionOutcome.UNKNOWN_COURSE, problem=f"unknown course {report.course_id}"
            )
        for earlier in await uow.completions.for_employee(person.id):
            if (
                earlier.course_id == course.course_id
                and abs(earlier.completed_at - report.completed_at) < SAME_COMPLETION_WITHIN
            ):
                return CompletionResult(CompletionOutcome.DUPLICATE, completion=earlier)
        assignment = await uow.assignments.open_assignment(person.id, course.course_id)
        if assignment is not None:
            await uow.assignments.complete(assignment.id, report.completed_at)
        try:
            completion = await uow.completions.add(
                LearningCompletion(
                    NOT_STORED,
                    person.id,
                    course.course_id,
                    report.completed_at,
                    report.source,
                    report.event_id,
                    assignment_id=assignment.id if assignment else None,
                )
            )
        except CompletionAlreadyRecorded:  # stored by a concurrent delivery of the same event
            return CompletionResult(CompletionOutcome.DUPLICATE)
        if assignment is not None:
            await _tell_manager(uow, assignment, person.name, course.title, clock.now())
        await uow.commit()
    return CompletionResult(CompletionOutcome.RECORDED, completion, assignment)


async def _tell_manager(
    uow: UnitOfWork, assignment: CourseAssignment, employee_name: str, title: str, now: datetime
) -> None:
    """The manager who assigned the course (or the employee's manager now) is DM'd, with the
    session the course came from."""
    manager_id = assignment.assigned_by_id
    if manager_id is None:
        current = await uow.people.current_manager(assignment.employee_id, now.date())
        manager_id = current.id if current else None
    if manager_id is None:
        return
    session = await uow.sessions.get(assignment.session_id) if assignment.session_id else None
    await uow.outbox.add(
        OutboxMessage(
            dedupe_key=f"{OutboxKind.COURSE_COMPLETED}:{assignment.id}",
            kind=OutboxKind.COURSE_COMPLETED,
            channel="chat",
            recipient_id=manager_id,
            payload=to_json(
                CourseCompletedPayload(
                    employee_name=employee_name,
                    title=title,
                    course_id=assignment.course_id,
                    session_held_on=session.held_on if session else None,
                    assigned_on=assignment.assigned_on,
                )
            ),
            about_id=assignment.employee_id,
        ),
    )


class Completions:
    """What the LMS door calls (the webhook, the polls, the catalogue sync): each call one
    transaction of its own."""

    def __init__(self, unit_of_work: Callable[[], UnitOfWork], clock: Clock) -> None:
        self.unit_of_work = unit_of_work
        self.clock = clock

    async def record(self, report: CompletionReport) -> CompletionResult:
        return await record_completion(self.unit_of_work(), report, self.clock)

    async def cursor(self, name: str) -> str | None:
        """Where the poll `name` got to; None before its first run."""
        async with self.unit_of_work() as uow:
            return await uow.lms.cursor(name)

    async def move_cursor(self, name: str, value: str) -> None:
        async with self.unit_of_work() as uow:
            await uow.lms.set_cursor(name, value)
            await uow.commit()

    async def open_assignments(self) -> list[OpenAssignment]:
        """Open assignments of active people, one per (person, course)."""
        async with self.unit_of_work() as uow:
            return await uow.lms.open_assignments()

    async def course_by_activity(self, activity_id: str, urn_prefix: str) -> Course | None:
        """The catalogue course an LMS activity id names (its link, or its id after
        `urn_prefix`)."""
        async with self.unit_of_work() as uow:
            return await uow.lms.course_by_activity(activity_id, urn_prefix)

    async def email_of(self, name: str, platform: str | None) -> str | None:
        """The e-mail of the person an LMS account names: a Slack or Teams user id on that
        `platform`, else an e-mail address; None when no one is known by it."""
        async with self.unit_of_work() as uow:
            if platform == "slack":
                person = await uow.people.by_slack_id(name)
            elif platform == "teams":
                person = await uow.people.by_teams_id(name)
            else:
                person = await uow.people.by_email(name) if "@" in name else None
        return person.email if person else None

    async def upsert_courses(self, courses: Sequence[Course]) -> CatalogueChanges:
        """The LMS catalogue's courses added or updated (skill mappings stay), in one
        transaction with the search index."""
        async with self.unit_of_work() as uow:
            changes = await uow.lms.upsert_courses(courses)
            await uow.commit()
        return changes
