"""The development record: one timeline of everything that developed the employee."""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.model import GoalStatus
from bot.services.development import EventKind, development_record
from storage.tables import metadata
from storage.unit_of_work import SqlUnitOfWork
from tests.services.helpers import command, logged
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
