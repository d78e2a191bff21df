"""The repositories on real SQLite and PostgreSQL: what is stored is what comes back."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.model import (
    ActionStatus,
    AgreedAction,
    CoachingSession,
    CourseAssignment,
    FocusType,
    GoalStatus,
    IlpGoal,
    OutboxMessage,
    SkillLevel,
)
from bot.ports import NOT_STORED, SessionAlreadyLogged
from storage.tables import metadata
from storage.unit_of_work import SqlUnitOfWork
from tests.storage.org import build_org, insert

DAY = date(2026, 11, 20)


def a_session(manager: int, employee: int, held_on: date = DAY) -> CoachingSession:
    return CoachingSession(
        id=NOT_STORED,
        manager_id=manager,
        employee_id=employee,
        held_on=held_on,
        duration_minutes=30,
        focus_type=FocusType.SKILL_DEVELOPMENT,
        skill_id="negotiation",
        key_points=("one", "two", "three"),
        created_at=datetime(2026, 11, 20, 10, tzinfo=UTC),
    )


async def count(engine: AsyncEngine, table: str) -> int:
    async with engine.connect() as connection:
        return int(
            (
                await connection.execute(select(func.count()).select_from(metadata.tables[table]))
            ).scalar_one()
        )


async def test_people_are_found_by_email_and_chat_identity(engine: AsyncEngine) -> None:
    org = await build_org(engine)
    async with SqlUnitOfWork(engine) as uow:
        ed = await uow.people.by_email("  ED@Example.org ")
        assert ed is not None
        assert ed.id == org.ed
        assert ed.name == "Ed Jones"
        assert (await uow.people.by_slack_id("U_ED")) == ed
        await uow.people.set_chat_identity(org.zoe, teams_user_id="29:zoe")
        await uow.people.set_timezone(org.zoe, "Europe/London")
        await uow.commit()
    async with SqlUnitOfWork(engine) as uow:
        zoe = await uow.people.by_teams_id("29:zoe")
        assert zoe is not None
        assert zoe.timezone == "Europe/London"
        assert zoe.slack_user_id is None


async def test_current_reports_leave_out_ended_relationships_and_future_starters(
    engine: AsyncEngine,
) -> None:
    org = await build_org(engine)
    async with SqlUnitOfWork(engine) as uow:
        reports = await uow.people.current_reports(org.maya, DAY)
        assert [person.name for person in reports] == ["Ed Jones", "Zoe Adams"]
        later = await uow.people.current_reports(org.maya, date(2026, 12, 1))
        assert [person.name for person in later] == ["Ed Jones", "Nia New", "Zoe Adams"]
        assert await uow.people.current_reports(org.olu, DAY) == []
        assert [p.id for p in await uow.people.current_reports(org.olu, date(2025, 6, 1))] == [
            org.ed
        ]
        manager = await uow.people.current_manager(org.ed, DAY)
        assert manager is not None
        assert manager.id == org.maya
        old = await uow.people.current_manager(org.ed, date(2025, 6, 1))
        assert old is not None
        assert old.id == org.olu
        assert await uow.people.relationship(org.olu, org.ed, DAY) is None
        assert await uow.people.first_relationship_start(org.maya, org.zoe) == date(2026, 3, 1)


async def test_course_search_matches_every_word_in_title_or_id(engine: AsyncEngine) -> None:
    await build_org(engine)
    async with SqlUnitOfWork(engine) as uow:
        found = await uow.catalogue.search_courses("negotiation", 10)
        assert [course.course_id for course in found] == ["C-NEG-2", "C-NEG-1"]
        assert [c.course_id for c in await uow.catalogue.search_courses("NEG fund", 10)] == [
            "C-NEG-1"
        ]
        assert await uow.catalogue.search_courses("negotiation", 1) == found[:1]
        assert await uow.catalogue.search_courses("100%", 10) == []
        course = await uow.catalogue.course("C-TALK")
        assert course is not None
        assert course.skill_ids == ("public-speaking",)
        assert [s.skill_id for s in await uow.catalogue.search_skills("speak", 5)] == [
            "public-speaking"
        ]


async def test_sessions_actions_and_assignments_round_trip(engine: AsyncEngine) -> None:
    org = await build_org(engine)
    async with SqlUnitOfWork(engine) as uow:
        earlier = await uow.sessions.add(a_session(org.maya, org.ed, date(2026, 10, 20)))
        session = await uow.sessions.add(a_session(org.maya, org.ed))
        action = await uow.actions.add(
            AgreedAction(NOT_STORED, session.id, org.ed, "Practise the opener", DAY)
        )
        await uow.assignments.add(
            CourseAssignment(NOT_STORED, org.ed, "C-NEG-1", DAY, session.id, org.maya, "why")
        )
        await uow.commit()
    async with SqlUnitOfWork(engine) as uow:
        assert await uow.sessions.get(session.id) == session
        assert await uow.sessions.exists_on_day(org.maya, org.ed, DAY)
        assert not await uow.sessions.exists_on_day(org.maya, org.zoe, DAY)
        assert await uow.sessions.last_for_employee(org.ed) == session
        assert await uow.sessions.last_for_employee(org.ed, before=DAY) == earlier
        assert await uow.sessions.recent_for_employee(org.ed, 5) == [session, earlier]
        assert await uow.actions.open_for_employee(org.ed) == [action]
        await uow.actions.set_status(action.id, ActionStatus.DONE, DAY)
        assert await uow.actions.open_for_employee(org.ed) == []
        open_one = await uow.assignments.open_assignment(org.ed, "C-NEG-1")
        assert open_one is not None
        assert open_one.reason == "why"
        assert await uow.assignments.open_assignment(org.ed, "C-NEG-2") is None


async def test_leaving_without_commit_keeps_nothing(engine: AsyncEngine) -> None:
    org = await build_org(engine)
    async with SqlUnitOfWork(engine) as uow:
        await uow.sessions.add(a_session(org.maya, org.ed))
    assert await count(engine, "coaching_session") == 0


async def test_one_skill_level_per_person_skill_and_day(engine: AsyncEngine) -> None:
    org = await build_org(engine)
    async with SqlUnitOfWork(engine) as uow:
        await uow.skill_levels.record(SkillLevel(org.ed, "negotiation", 1, DAY))
        await uow.skill_levels.record(SkillLevel(org.ed, "negotiation", 2, DAY, "session"))
        await uow.commit()
    async with SqlUnitOfWork(engine) as uow:
        assert await uow.skill_levels.for_employee(org.ed) == [
            SkillLevel(org.ed, "negotiation", 2, DAY, "session")
        ]


async def test_goal_changes_are_dated(engine: AsyncEngine) -> None:
    org = await build_org(engine)
    async with SqlUnitOfWork(engine) as uow:
        goal = await uow.goals.add(
            IlpGoal(NOT_STORED, org.ed, "Lead a negotiation", "negotiation", created_on=DAY)
        )
        await uow.goals.set_status(goal.id, GoalStatus.ACHIEVED, date(2026, 12, 1))
        await uow.commit()
    async with SqlUnitOfWork(engine) as uow:
        changes = await uow.goals.changes_for_employee(org.ed)
        assert [(c.status, c.changed_on) for c in changes] == [
            (GoalStatus.PLANNED, DAY),
            (GoalStatus.ACHIEVED, date(2026, 12, 1)),
        ]
        stored = await uow.goals.get(goal.id)
        assert stored is not None
        assert stored.status is GoalStatus.ACHIEVED


async def test_outbox_ignores_a_second_message_with_the_same_dedupe_key(
    engine: AsyncEngine,
) -> None:
    org = await build_org(engine)
    message = OutboxMessage("session_logged:1", "session_logged", "chat", {"a": 1}, org.ed)
    async with SqlUnitOfWork(engine) as uow:
        assert await uow.outbox.add(message) == 1  # new
        assert await uow.outbox.add(message) == 0
        await uow.commit()
    async with SqlUnitOfWork(engine) as uow:
        assert await uow.outbox.add(message) == 0
        await uow.commit()
    assert await count(engine, "outbox") == 1


async def test_processed_events_are_remembered_once(engine: AsyncEngine) -> None:
    async with SqlUnitOfWork(engine) as uow:
        assert await uow.processed_events.remember("Ev1", "slack") is True
        assert await uow.processed_events.remember("Ev1", "slack") is False
        await uow.processed_events.set_result("Ev1", "done")
        await uow.commit()
    async with SqlUnitOfWork(engine) as uow:
        assert await uow.processed_events.remember("Ev1", "slack") is False
        assert await uow.processed_events.result_of("Ev1") == "done"
        assert await uow.processed_events.result_of("Ev2") is None


async def test_inserted_rows_keep_aware_utc_datetimes(engine: AsyncEngine) -> None:
    org = await build_org(engine)
    await insert(
        engine,
        "learning_completion",
        employee_id=org.ed,
        course_id="C-TALK",
        completed_at=datetime(2026, 11, 2, 9, tzinfo=UTC),
        source="xapi",
        event_id="e1",
    )
    async with SqlUnitOfWork(engine) as uow:
        [completion] = await uow.completions.for_employee(org.ed)
        assert completion.completed_at == datetime(2026, 11, 2, 9, tzinfo=UTC)
        assert completion.assignment_id is None


async def test_a_second_session_on_one_day_is_refused_by_the_database(
    engine: AsyncEngine,
) -> None:
    org = await build_org(engine)
    async with SqlUnitOfWork(engine) as uow:
        await uow.sessions.add(a_session(org.maya, org.ed))
        with pytest.raises(SessionAlreadyLogged):
            await uow.sessions.add(a_session(org.maya, org.ed))
