"""Logging a session: what the form shows, what one submission stores and what it sends."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.clock import FixedClock
from bot.commands import Field, NewAction
from bot.model import ActionStatus, Cadence
from bot.services.sessions import NeedsAttention, SessionLogged, log_session, session_form
from storage.tables import metadata
from storage.unit_of_work import SqlUnitOfWork
from tests.services.helpers import NOW, TODAY, command, logged, rows
from tests.storage.org import build_org, insert


async def test_a_session_stores_its_record_and_queues_both_messages(engine: AsyncEngine) -> None:
    org = await build_org(engine)
    result = await logged(engine, command(org, course_ids=("C-NEG-1",)))

    [session] = await rows(engine, "coaching_session")
    assert session["employee_id"] == org.ed
    assert session["manager_id"] == org.maya
    assert session["key_points"] == [
        "Prepared for the Acme renewal",
        "Opened with questions",
        "Held the price",
    ]
    assert session["flagged"] is False
    [action] = await rows(engine, "agreed_action")
    assert (action["text"], action["due_on"], action["status"]) == (
        "Role-play the opener with Zoe",
        date(2026, 11, 27),
        "open",
    )
    [assignment] = await rows(engine, "course_assignment")
    assert (assignment["course_id"], assignment["assigned_on"], assignment["session_id"]) == (
        "C-NEG-1",
        TODAY,
        session["id"],
    )

    dm, saved = await rows(engine, "outbox")
    assert (dm["kind"], dm["recipient_id"], dm["status"]) == ("session_logged", org.ed, "pending")
    assert dm["dedupe_key"] == f"session_logged:{session['id']}"
    assert dm["payload"]["manager_name"] == "Maya Patel"
    assert dm["payload"]["skill_name"] == "Negotiation"
    assert dm["payload"]["focus"] == "Skill development"
    [action] = await rows(engine, "agreed_action")
    assert dm["payload"]["actions"] == [
        {"id": action["id"], "text": "Role-play the opener with Zoe", "due_on": "2026-11-27"}
    ]
    [course] = dm["payload"]["courses"]
    assert course["title"] == "Negotiation fundamentals"
    assert course["url"] == "https://lms.example.org/C-NEG-1"
    assert "2026-11-20" in course["why"]
    assert (saved["kind"], saved["recipient_id"], saved["about_id"]) == (
        "session_saved",
        org.maya,
        org.ed,
    )
    assert saved["payload"]["next_due_on"] == "2026-12-20"  # monthly: one calendar month
    assert result.next_due_on == date(2026, 12, 20)


async def test_field_errors_come_back_all_at_once_and_nothing_is_stored(
    engine: AsyncEngine,
) -> None:
    org = await build_org(engine)
    result = await log_session(
        SqlUnitOfWork(engine),
        command(org, employee_id=org.olu, key_points=("only", "two"), duration_minutes=5),
        FixedClock(NOW),
        "UTC",
        "k1",
    )
    assert isinstance(result, NeedsAttention)
    assert {error.field for error in result.errors} == {
        Field.EMPLOYEE,
        Field.DURATION,
        Field.KEY_POINTS,
    }
    for table in ("coaching_session", "agreed_action", "outbox", "processed_event"):
        assert await rows(engine, table) == []


async def test_appraisal_language_asks_first_and_is_flagged_once_confirmed(
    engine: AsyncEngine,
) -> None:
    org = await build_org(engine)
    points = ("Ed is underperforming on renewals", "Talked through the Acme call", "Next steps")
    cmd = command(org, key_points=points)
    first = await log_session(SqlUnitOfWork(engine), cmd, FixedClock(NOW), "UTC", "k1")
    assert isinstance(first, NeedsAttention)
    assert first.errors == []
    [finding] = first.findings
    assert finding.index == 0
    assert finding.phrases == ("underperforming",)
    assert await rows(engine, "coaching_session") == []

    result = await logged(engine, replace(cmd, confirm_appraisal=True), "k1")
    assert result.flagged
    [session] = await rows(engine, "coaching_session")
    assert session["flagged"] is True


async def test_a_double_submission_returns_the_first_result_and_writes_nothing(
    engine: AsyncEngine,
) -> None:
    org = await build_org(engine)
    first = await logged(engine, command(org, course_ids=("C-NEG-1",)), "same")
    before = {t: await rows(engine, t) for t in ("coaching_session", "agreed_action", "outbox")}
    again = await logged(engine, command(org, course_ids=("C-NEG-1",)), "same")
    assert again.duplicate
    assert not first.duplicate
    assert again.session == first.session
    assert again.actions == first.actions
    assert again.assigned == first.assigned
    assert again.next_due_on == first.next_due_on
    after = {t: await rows(engine, t) for t in before}
    assert after == before


async def test_a_second_session_on_the_same_day_is_an_error(engine: AsyncEngine) -> None:
    org = await build_org(engine)
    await logged(engine, command(org), "k1")
    result = await log_session(SqlUnitOfWork(engine), command(org), FixedClock(NOW), "UTC", "k2")
    assert isinstance(result, NeedsAttention)
    assert [error.field for error in result.errors] == [Field.HELD_ON]
    assert len(await rows(engine, "coaching_session")) == 1


async def test_a_course_already_open_is_not_assigned_again_and_the_manager_is_told(
    engine: AsyncEngine,
) -> None:
    org = await build_org(engine)
    await logged(engine, command(org, held_on=date(2026, 11, 2), course_ids=("C-NEG-1",)), "k1")
    result = await logged(engine, command(org, course_ids=("C-NEG-1", "C-NEG-2")), "k2")
    assert [course.course_id for course in result.already_open] == ["C-NEG-1"]
    assert [a.course.course_id for a in result.assigned] == ["C-NEG-2"]
    assignments = await rows(engine, "course_assignment")
    assert [(a["course_id"], a["assigned_on"]) for a in assignments] == [
        ("C-NEG-1", date(2026, 11, 2)),
        ("C-NEG-2", TODAY),
    ]
    saved = [row for row in await rows(engine, "outbox") if row["kind"] == "session_saved"][-1]
    assert saved["payload"]["already_open"] == [
        {"course_id": "C-NEG-1", "title": "Negotiation fundamentals"}
    ]
    dm = [row for row in await rows(engine, "outbox") if row["kind"] == "session_logged"][-1]
    assert [course["course_id"] for course in dm["payload"]["courses"]] == ["C-NEG-2"]


async def test_reviewed_actions_close_and_the_rest_carry_over(engine: AsyncEngine) -> None:
    org = await build_org(engine)
    first = await logged(
        engine,
        command(
            org,
            held_on=date(2026, 11, 2),
            actions=(NewAction("Read the pricing guide"), NewAction("Shadow a renewal")),
        ),
        "k1",
    )
    read, shadow = first.actions
    form = await session_form(SqlUnitOfWork(engine), org.maya, TODAY, org.ed)
    assert form.employee is not None
    assert form.employee.id == org.ed
    assert [a.id for a in form.open_actions] == [read.id, shadow.id]
    assert form.reviews == {
        read.id: ActionStatus.CARRIED_OVER,
        shadow.id: ActionStatus.CARRIED_OVER,
    }

    second = await logged(engine, command(org, reviews={read.id: ActionStatus.DONE}), "k2")
    stored = {row["id"]: row for row in await rows(engine, "agreed_action")}
    assert (stored[read.id]["status"], stored[read.id]["closed_on"]) == ("done", TODAY)
    assert stored[shadow.id]["status"] == "carried_over"
    carried, new = second.actions
    assert (carried.text, carried.carried_from_id, carried.status) == (
        "Shadow a renewal",
        shadow.id,
        ActionStatus.OPEN,
    )
    assert new.text == "Role-play the opener with Zoe"
    assert stored[carried.id]["session_id"] == second.session.id


async def test_level_now_records_one_skill_level_on_the_session_date(engine: AsyncEngine) -> None:
    org = await build_org(engine)
    await insert(
        engine,
        "skill_level",
        employee_id=org.ed,
        skill_id="negotiation",
        level=1,
        assessed_on=TODAY,
        source="import",
    )
    await logged(engine, command(org, level_now=2))
    [level] = await rows(engine, "skill_level")
    assert (level["level"], level["assessed_on"], level["source"]) == (2, TODAY, "session")


async def test_a_new_goal_is_added_to_the_plan_and_linked(engine: AsyncEngine) -> None:
    org = await build_org(engine)
    result = await logged(engine, command(org, new_goal_title="Lead the Q1 renewals"))
    [goal] = await rows(engine, "ilp_goal")
    assert (goal["title"], goal["skill_id"], goal["created_on"]) == (
        "Lead the Q1 renewals",
        "negotiation",
        TODAY,
    )
    assert result.session.ilp_goal_id == goal["id"]


async def test_today_is_the_managers_local_date(engine: AsyncEngine) -> None:
    org = await build_org(engine)
    late = datetime(2026, 11, 20, 23, 30, tzinfo=UTC)  # already 21 November in Auckland
    cmd = command(org, held_on=date(2026, 11, 21))
    refused = await log_session(SqlUnitOfWork(engine), cmd, FixedClock(late), "UTC", "k1")
    assert isinstance(refused, NeedsAttention)
    assert [error.field for error in refused.errors] == [Field.HELD_ON]
    async with SqlUnitOfWork(engine) as uow:
        await uow.people.set_timezone(org.maya, "Pacific/Auckland")
        await uow.commit()
    result = await logged(engine, cmd, "k2", now=late)
    assert result.session.held_on == date(2026, 11, 21)


@pytest.mark.parametrize(
    ("cadence", "start_date", "due"),
    [
        (Cadence.FORTNIGHTLY.value, None, date(2026, 12, 4)),
        (Cadence.QUARTERLY.value, None, date(2027, 2, 20)),
        (None, date(2026, 10, 1), date(2026, 12, 4)),  # a new hire: fortnightly
    ],
)
async def test_the_next_due_date_follows_the_employees_cadence(
    engine: AsyncEngine, cadence: str | None, start_date: date | None, due: date
) -> None:
    org = await build_org(engine)
    async with engine.begin() as connection:
        person = metadata.tables["person"]
        await connection.execute(
            update(person)
            .where(person.c.id == org.ed)
            .values(cadence=cadence, start_date=start_date)
        )
    result = await logged(engine, command(org))
    assert result.next_due_on == due


async def test_the_form_lists_current_reports_and_goals_with_grow_prompts(
    engine: AsyncEngine,
) -> None:
    org = await build_org(engine)
    await insert(
        engine, "ilp_goal", employee_id=org.ed, title="Close bigger deals", status="planned"
    )
    await insert(engine, "ilp_goal", employee_id=org.ed, title="Old goal", status="achieved")
    form = await session_form(SqlUnitOfWork(engine), org.maya, TODAY)
    assert [p.name for p in form.reports] == ["Ed Jones", "Zoe Adams"]
    assert form.employee is None  # two reports: the manager chooses
    assert [prompt.split(":")[0] for prompt in form.prompts] == [
        "Goal",
        "Reality",
        "Options",
        "Way forward",
    ]
    chosen = await session_form(SqlUnitOfWork(engine), org.maya, TODAY, org.ed)
    assert [goal.title for goal in chosen.goals] == ["Close bigger deals"]
    assert chosen.open_actions == ()
    olu = await session_form(SqlUnitOfWork(engine), org.olu, TODAY, org.ed)
    assert olu.reports == ()
    assert olu.employee is None


async def test_two_simultaneous_submissions_of_one_form_store_one_session(
    engine: AsyncEngine,
) -> None:
    org = await build_org(engine)
    cmd = command(org, course_ids=("C-NEG-1",))
    results = await asyncio.gather(
        *(
            log_session(SqlUnitOfWork(engine), cmd, FixedClock(NOW), "UTC", "twice")
            for _ in range(2)
        )
    )
    assert all(isinstance(result, SessionLogged) for result in results)
    assert sorted(result.duplicate for result in results if isinstance(result, SessionLogged)) == [
        False,
        True,
    ]
    assert len(await rows(engine, "coaching_session")) == 1
    assert len(await rows(engine, "course_assignment")) == 1
    assert len(await rows(engine, "outbox")) == 2


async def test_two_simultaneous_forms_for_one_day_store_one_session_and_report_the_other(
    engine: AsyncEngine,
) -> None:
    org = await build_org(engine)
    results = await asyncio.gather(
        *(
            log_session(SqlUnitOfWork(engine), command(org), FixedClock(NOW), "UTC", key)
            for key in ("first", "second")
        )
    )
    logged_ones = [r for r in results if isinstance(r, SessionLogged)]
    refused = [r for r in results if isinstance(r, NeedsAttention)]
    assert len(logged_ones) == 1
    [attention] = refused
    [error] = attention.errors
    assert error.field == Field.HELD_ON
    assert "already logged" in error.message
    assert len(await rows(engine, "coaching_session")) == 1
    assert len(await rows(engine, "outbox")) == 2


async def test_the_form_shows_last_key_points_only_to_the_manager_who_wrote_them(
    engine: AsyncEngine,
) -> None:
    org = await build_org(engine)
    await logged(engine, command(org, held_on=date(2026, 11, 2)))
    mine = await session_form(SqlUnitOfWork(engine), org.maya, TODAY, org.ed)
    assert mine.last_session is not None
    assert mine.last_session.key_points[0] == "Prepared for the Acme renewal"
    async with engine.begin() as connection:  # Ed moves to Olu
        relationship = metadata.tables["coaching_relationship"]
        await connection.execute(
            update(relationship)
            .where(relationship.c.employee_id == org.ed, relationship.c.ended_on.is_(None))
            .values(ended_on=date(2026, 11, 10))
        )
    await insert(
        engine,
        "coaching_relationship",
        manager_id=org.olu,
        employee_id=org.ed,
        started_on=date(2026, 11, 10),
    )
    theirs = await session_form(SqlUnitOfWork(engine), org.olu, TODAY, org.ed)
    assert theirs.last_session is not None
    assert theirs.last_session.key_points == ()
    assert [a.text for a in theirs.open_actions] == ["Role-play the opener with Zoe"]
