"""Finishing an ILP goal: achieved or dropped, by the employee whose plan it is or by their
current manager; the change is dated and shows on the development record's timeline."""

from __future__ import annotations

from datetime import date

from bot.errors import Refusal
from bot.model import GoalStatus, IlpGoal
from bot.ports import UnitOfWork
from bot.replies import Actions
from bot.services.development import GOAL_WORDS, OPEN_GOAL_STATUSES

FINISHED = (GoalStatus.ACHIEVED, GoalStatus.DROPPED)
GOAL_BUTTONS = {
    Actions.GOAL_ACHIEVED: GoalStatus.ACHIEVED,
    Actions.GOAL_DROPPED: GoalStatus.DROPPED,
}
"""The record's *Achieved* and *Drop* buttons, in every door, and the status each sets."""


async def finish_goal(
    uow: UnitOfWork, person_id: int, goal_id: int, status: GoalStatus, today: date
) -> IlpGoal:
    """Mark the goal achieved or dropped on `today` (the person's local date). Only the
    employee and their current manager may; a goal already finished stays as it is."""
    if status not in FINISHED:
        raise Refusal("A goal can be marked achieved or dropped.")
    async with uow:
        goal = await uow.goals.get(goal_id)
        manager = await uow.people.current_manager(goal.employee_id, today) if goal else None
        allowed = goal is not None and person_id in (
            goal.employee_id,
            manager.id if manager else None,
        )
        if goal is None or not allowed:
            raise Refusal("That goal is not in your learning plan or one of your reports'.")
        if goal.status not in OPEN_GOAL_STATUSES:
            raise Refusal(f"That goal is already {GOAL_WORDS[goal.status]}.")
        await uow.goals.set_status(goal.id, status, today)
        await uow.commit()
    return IlpGoal(
        goal.id,
        goal.employee_id,
        goal.title,
        goal.skill_id,
        goal.target_date,
        status,
        goal.created_on,
    )
