"""What a manager's Home shows about each report (last session, next due date, overdue, open
actions), an employee marking an agreed action done, and a message with *Done* buttons as it
reads once actions in it are closed."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from bot.cadence import CoachingSchedule, is_overdue
from bot.errors import Refusal
from bot.messages import combine, compose
from bot.model import ActionStatus, AgreedAction, Person
from bot.ports import UnitOfWork
from bot.replies import Reply
from bot.services.sessions import coaching_schedule


@dataclass(frozen=True, slots=True)
class ReportOverview:
    """One direct report as their manager sees them on Home."""

    employee: Person
    last_session_on: date | None
    schedule: CoachingSchedule
    overdue: bool
    open_actions: tuple[AgreedAction, ...]


@dataclass(frozen=True, slots=True)
class HomeContents:
    """What a person's Home shows: their reports, soonest due first (empty when they manage no
    one), and whether their own development record shows too (they have a manager, or they
    manage no one)."""

    reports: list[ReportOverview]
    shows_own_record: bool


async def home_contents(uow: UnitOfWork, person_id: int, today: date) -> HomeContents:
    """The person's Home as of their local `today`, read in one transaction."""
    async with uow:
        reports = await _reports_overview(uow, person_id, today)
        has_manager = await uow.people.current_manager(person_id, today) is not None
    return HomeContents(reports, has_manager or not reports)


async def manager_overview(uow: UnitOfWork, manager_id: int, today: date) -> list[ReportOverview]:
    """Each current report of the manager, soonest due first."""
    async with uow:
        return await _reports_overview(uow, manager_id, today)


async def _reports_overview(uow: UnitOfWork, manager_id: int, today: date) -> list[ReportOverview]:
    overview = []
    for employee in await uow.people.current_reports(manager_id, today):
        schedule, last = await coaching_schedule(uow, manager_id, employee, today)
        overview.append(
            ReportOverview(
                employee=employee,
                last_session_on=last.held_on if last else None,
                schedule=schedule,
                overdue=is_overdue(schedule, today),
                open_actions=tuple(await uow.actions.open_for_employee(employee.id)),
            )
        )
    return sorted(overview, key=lambda o: (o.schedule.due_on, o.employee.name))


async def mark_action_done(
    uow: UnitOfWork, person_id: int, action_id: int, today: date
) -> AgreedAction:
    """The employee closes one of their own open actions; anyone else is refused."""
    async with uow:
        await uow.actions.hold_for_employee(person_id)  # a session may be carrying it now
        action = next(
            (a for a in await uow.actions.open_for_employee(person_id) if a.id == action_id), None
        )
        if action is None:
            raise Refusal("That action is already closed, or it is not one of yours.")
        await uow.actions.set_status(action.id, ActionStatus.DONE, today)
        await uow.commit()
    return AgreedAction(
        action.id,
        action.session_id,
        action.employee_id,
        action.text,
        action.due_on,
        ActionStatus.DONE,
        action.carried_from_id,
        today,
    )


async def message_as_it_stands(
    uow: UnitOfWork, person_id: int, message_ref: str, today: date
) -> Reply | None:
    """The chat message `message_ref` sent to the person, composed again on `today` (their
    local date) with the actions it
    lists that are closed now shown closed and without their *Done* buttons; None when no
    sent message of theirs has that reference."""
    async with uow:
        sent = await uow.outbox.sent_as(person_id, message_ref)
        if not sent:
            return None
        closed = {
            action.id: action.status.value
            for action in await uow.actions.for_employee(person_id)
            if action.status is not ActionStatus.OPEN
        }
    replies = [compose(kind, payload, today=today, closed=closed) for kind, payload in sent]
    return combine(replies)
