"""The development record: one timeline of everything that developed the employee."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.clock import FixedClock
from bot.commands import NewAction
from bot.errors import Refusal
from bot.model import GoalStatus
from bot.services.development import EventKind, development_record, report_record
from bot.services.goals import finish_goal
from bot.services.home import mark_action_done, message_as_it_stands
from bot.services.sessions import NeedsAttention, log_session
from storage.tables import metadata
from storage.unit_of_work import SqlUnitOfWork
from tests.services.helpers import NOW, TODAY, command, logged, rows
from tests.storage.org import build_org, insert


async def test_the_timeline_joins_sessions_levels_courses_completions_and_goals(
    engine: AsyncEngine,
) -> None:
    org = await build_org(engine)
    first = await logged(
        engine,
        command(org, held_on=date(2026, 11, 2), course_ids=("C-NEG-1",), level_now=1),
        "k1",
    )
    await logged(engine, command(org, new_goal_title="Lead the Q1 renewals"), "k2")
    [assigned] = first.assigned
    completed_at = datetime(2026, 11, 10, 23, 30, tzinfo=UTC)  # 11 November in Auckland
    await insert(
        engine,
        "learning_completion",
        employee_id=org.ed,
        course_id="C-NEG-1",
        completed_at=completed_at,
        source="webhook",
        event_id="ev-1",
        assignment_id=assigned.assignment.id,
    )
    async with engine.begin() as connection:
        table = metadata.tables["course_assignment"]
        await connection.execute(
            update(table)
            .where(table.c.id == assigned.assignment.id)
            .values(completed_at=completed_at)
        )
    await insert(
        engine,
        "learning_completion",
        employee_id=org.ed,
        course_id="C-TALK",
        completed_at=datetime(2026, 11, 12, 9, tzinfo=UTC),
        source="xapi",
        event_id="ev-2",
    )
    async with SqlUnitOfWork(engine) as uow:
        await uow.people.set_timezone(org.ed, "Pacific/Auckland")
        await uow.commit()

    record = await development_record(SqlUnitOfWork(engine), org.ed)

    assert [(event.on, event.kind) for event in record.timeline] == [
        (date(2026, 11, 2), EventKind.SESSION),
        (date(2026, 11, 2), EventKind.SKILL_LEVEL),
        (date(2026, 11, 2), EventKind.COURSE_ASSIGNED),
        (date(2026, 11, 11), EventKind.COURSE_COMPLETED),
        (date(2026, 11, 12), EventKind.SELF_DIRECTED),
        (date(2026, 11, 20), EventKind.SESSION),
        (date(2026, 11, 20), EventKind.GOAL_CHANGE),
    ]
    texts = [event.text for event in record.timeline]
    assert texts[0] == "Coaching session: Skill development, Negotiation"
    assert texts[1] == "Negotiation: level 1 (aware), from session"
    assert texts[3] == "Course completed: Negotiation fundamentals"
    assert texts[4] == "Self-directed learning: Speaking with confidence"
    assert texts[6] == "ILP goal in progress: Lead the Q1 renewals"
    completed = record.timeline[3]
    assert completed.session_id == first.session.id  # shown with the session that assigned it
    assert not any("Acme" in text for text in texts)  # key points stay out of the record

    [course] = record.courses
    assert course.completed
    assert course.session_held_on == date(2026, 11, 2)
    assert [a.text for a in record.open_actions] == [
        "Role-play the opener with Zoe",  # carried over from the first session
        "Role-play the opener with Zoe",
    ]
    [goal] = record.goals
    assert goal.status is GoalStatus.IN_PROGRESS
    [skill] = record.skills
    assert (skill.name, skill.sessions, skill.last_on, skill.level) == (
        "Negotiation",
        2,
        date(2026, 11, 20),
        1,
    )


async def _hand_over(engine: AsyncEngine, employee: int, old: int, new: int) -> None:
    """A later import names a new manager: the old relationship ends today."""
    table = metadata.tables["coaching_relationship"]
    async with engine.begin() as connection:
        await connection.execute(
            update(table)
            .where(table.c.employee_id == employee, table.c.manager_id == old)
            .values(ended_on=TODAY)
        )
    await insert(
        engine, "coaching_relationship", manager_id=new, employee_id=employee, started_on=TODAY
    )


async def test_key_points_reach_the_employee_and_the_manager_who_wrote_them_only(
    engine: AsyncEngine,
) -> None:
    org = await build_org(engine)
    await logged(engine, command(org))
    acme = ("Prepared for the Acme renewal", "Opened with questions", "Held the price")

    own = await development_record(SqlUnitOfWork(engine), org.ed, viewer_id=org.ed)
    assert [note.key_points for note in own.notes] == [acme]
    assert own.notes[0].about == "Skill development, Negotiation"
    mayas = await report_record(SqlUnitOfWork(engine), org.maya, org.ed, TODAY)
    assert [note.key_points for note in mayas.notes] == [acme]
    nobodys = await development_record(SqlUnitOfWork(engine), org.ed)
    assert nobodys.notes == ()

    with pytest.raises(Refusal):  # not Ed's manager (L&D, a colleague): not even the record
        await report_record(SqlUnitOfWork(engine), org.zoe, org.ed, TODAY)

    await _hand_over(engine, org.ed, org.maya, org.olu)
    olus = await report_record(SqlUnitOfWork(engine), org.olu, org.ed, TODAY)
    assert olus.notes == ()  # the new manager carries the actions on, not Maya's notes
    assert [a.text for a in olus.open_actions] == ["Role-play the opener with Zoe"]
    with pytest.raises(Refusal):
        await report_record(SqlUnitOfWork(engine), org.maya, org.ed, TODAY)
    own = await development_record(SqlUnitOfWork(engine), org.ed, viewer_id=org.ed)
    assert [note.key_points for note in own.notes] == [acme]


async def test_goals_are_achieved_or_dropped_by_the_employee_or_their_manager(
    engine: AsyncEngine,
) -> None:
    org = await build_org(engine)
    await logged(engine, command(org, new_goal_title="Lead the Q1 renewals by 2027-03-31"), "k1")
    second = command(org, held_on=date(2026, 11, 19), new_goal_title="Present at the all-hands")
    await logged(engine, second, "k2")
    goals = {g.title: g for g in (await development_record(SqlUnitOfWork(engine), org.ed)).goals}
    lead, present = goals["Lead the Q1 renewals"], goals["Present at the all-hands"]
    assert lead.target_date == date(2027, 3, 31) and lead.skill_id == "negotiation"

    with pytest.raises(Refusal, match="not in your learning plan"):
        await finish_goal(SqlUnitOfWork(engine), org.zoe, lead.id, GoalStatus.ACHIEVED, TODAY)
    with pytest.raises(Refusal, match="not in your learning plan"):  # Ed's former manager
        await finish_goal(SqlUnitOfWork(engine), org.olu, lead.id, GoalStatus.ACHIEVED, TODAY)
    done = await finish_goal(SqlUnitOfWork(engine), org.ed, lead.id, GoalStatus.ACHIEVED, TODAY)
    assert done.status is GoalStatus.ACHIEVED
    await finish_goal(SqlUnitOfWork(engine), org.maya, present.id, GoalStatus.DROPPED, TODAY)
    with pytest.raises(Refusal, match="already achieved"):
        await finish_goal(SqlUnitOfWork(engine), org.maya, lead.id, GoalStatus.DROPPED, TODAY)

    stored = {g["title"]: g["status"] for g in await rows(engine, "ilp_goal")}
    assert stored == {"Lead the Q1 renewals": "achieved", "Present at the all-hands": "dropped"}
    record = await development_record(SqlUnitOfWork(engine), org.ed)
    changes = [e.text for e in record.timeline if e.kind is EventKind.GOAL_CHANGE]
    assert changes[-2:] == [
        "ILP goal achieved: Lead the Q1 renewals",
        "ILP goal dropped: Present at the all-hands",
    ]
    lines = [shown.line for shown in record.goals_shown]
    assert "Lead the Q1 renewals (Negotiation, by 2027-03-31): achieved" in lines


async def test_an_action_done_shows_on_the_timeline(engine: AsyncEngine) -> None:
    org = await build_org(engine)
    result = await logged(engine, command(org))
    [action] = result.actions
    await mark_action_done(SqlUnitOfWork(engine), org.ed, action.id, TODAY)
    record = await development_record(SqlUnitOfWork(engine), org.ed)
    [done] = [e for e in record.timeline if e.kind is EventKind.ACTION_CLOSED]
    assert (done.on, done.text) == (TODAY, "Action done: Role-play the opener with Zoe")


async def test_a_goal_target_date_before_the_session_is_refused(engine: AsyncEngine) -> None:
    org = await build_org(engine)
    result = await log_session(
        SqlUnitOfWork(engine),
        command(org, new_goal_title="Lead the renewals by 2026-01-31"),
        FixedClock(NOW),
        "UTC",
        "k1",
    )
    assert isinstance(result, NeedsAttention)
    [error] = result.errors
    assert error.field == "ilp_goal" and "before the session" in error.message
    assert await rows(engine, "ilp_goal") == []


async def test_a_sent_message_is_composed_again_with_its_closed_actions(
    engine: AsyncEngine,
) -> None:
    org = await build_org(engine)
    result = await logged(engine, command(org, actions=(NewAction("Call Acme"), NewAction("Demo"))))
    outbox = metadata.tables["outbox"]
    async with engine.begin() as connection:
        await connection.execute(
            update(outbox)
            .where(outbox.c.recipient_id == org.ed)
            .values(status="sent", message_ref="D0ED:1700000000.000100")
        )
    call, _ = result.actions
    await mark_action_done(SqlUnitOfWork(engine), org.ed, call.id, TODAY)

    reply = await message_as_it_stands(
        SqlUnitOfWork(engine), org.ed, "D0ED:1700000000.000100", TODAY
    )
    assert reply is not None
    [agreed] = [section for section in reply.sections if section.text == "*What you agreed*"]
    assert agreed.items == ("Call Acme ✅ _done_", "Demo")
    assert [button.label for button in agreed.buttons] == ["Done: Demo"]
    assert (
        await message_as_it_stands(SqlUnitOfWork(engine), org.maya, "D0ED:1700000000.000100", TODAY)
        is None
    )
