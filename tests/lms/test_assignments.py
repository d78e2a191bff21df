"""Assigning courses: from the session form and from App Home, with the LMS rows each causes."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.clock import FixedClock
from bot.errors import Refusal
from bot.messages import compose
from bot.services.assignments import AssignCourse, LmsTargets, assign_course
from bot.services.sessions import SessionLogged, log_session
from storage.unit_of_work import SqlUnitOfWork
from tests.services.helpers import NOW, command, rows
from tests.storage.org import build_org

BOTH = LmsTargets(moodle=True, xapi=True)


async def test_a_session_tells_the_lms_about_each_course_and_the_session(
    engine: AsyncEngine,
) -> None:
    org = await build_org(engine)
    cmd = command(org, course_ids=("C-NEG-1",), new_goal_title="Lead the Acme renewal")
    result = await log_session(SqlUnitOfWork(engine), cmd, FixedClock(NOW), "UTC", "k", BOTH)
    assert isinstance(result, SessionLogged)

    lms = [row for row in await rows(engine, "outbox") if row["channel"] != "chat"]
    by_key = {row["dedupe_key"]: row for row in lms}
    day = NOW.date().isoformat()
    pair = f"maya@example.org:ed@example.org:{day}"
    assert sorted(by_key) == sorted(
        [
            f"moodle:enrol:ed@example.org:C-NEG-1:{day}",
            f"xapi:was-assigned:ed@example.org:C-NEG-1:{day}",
            f"xapi:attended:{pair}",
            f"xapi:mentored:{pair}",
            f"xapi:planned:ed@example.org:goal:{result.session.ilp_goal_id}",
        ]
    )
    enrol = by_key[f"moodle:enrol:ed@example.org:C-NEG-1:{day}"]
    assert (enrol["channel"], enrol["payload"]) == (
        "moodle",
        {"email": "ed@example.org", "course_id": "C-NEG-1"},
    )
    attended = by_key[f"xapi:attended:{pair}"]
    assert attended["payload"]["context"]["skill_name"] == "Negotiation"
    assert attended["payload"]["context"]["focus_type"] == "skill_development"
    text = str([row["payload"] for row in lms])
    for note in (*cmd.key_points, "Role-play the opener"):
        assert note not in text, "no note text leaves for the LMS"


async def test_without_an_lms_configured_a_session_queues_only_the_chat_messages(
    engine: AsyncEngine,
) -> None:
    org = await build_org(engine)
    cmd = command(org, course_ids=("C-NEG-1",))
    await log_session(SqlUnitOfWork(engine), cmd, FixedClock(NOW), "UTC", "k")
    assert {row["channel"] for row in await rows(engine, "outbox")} == {"chat"}


async def test_assigning_from_app_home_dms_the_employee_and_tells_the_lms(
    engine: AsyncEngine,
) -> None:
    org = await build_org(engine)
    done = await assign_course(
        SqlUnitOfWork(engine),
        AssignCourse(org.maya, org.ed, "C-TALK", reason="For the quarterly all-hands"),
        FixedClock(NOW),
        "UTC",
        BOTH,
    )
    assert not done.already_open
    [assignment] = await rows(engine, "course_assignment")
    assert (assignment["course_id"], assignment["assigned_by_id"], assignment["session_id"]) == (
        "C-TALK",
        org.maya,
        None,
    )
    outbox = await rows(engine, "outbox")
    assert sorted(row["kind"] for row in outbox) == [
        "course_assigned",
        "moodle_enrol",
        "xapi_statement",
    ]
    [dm] = [row for row in outbox if row["kind"] == "course_assigned"]
    assert dm["recipient_id"] == org.ed
    reply = compose(dm["kind"], dm["payload"], today=NOW.date())
    assert "Maya Patel assigned you *Speaking with confidence*" in reply.sections[0].text
    assert "For the quarterly all-hands" in reply.sections[0].text
    assert reply.sections[0].links[0].url == "https://lms.example.org/C-TALK"


async def test_a_course_already_open_is_not_assigned_again(engine: AsyncEngine) -> None:
    org = await build_org(engine)
    for _ in range(2):
        outcome = await assign_course(
            SqlUnitOfWork(engine),
            AssignCourse(org.maya, org.ed, "C-TALK"),
            FixedClock(NOW),
            "UTC",
            BOTH,
        )
    assert outcome.already_open
    assert outcome.assignment.assigned_on == date(2026, 11, 20)
    assert len(await rows(engine, "course_assignment")) == 1
    assert len(await rows(engine, "outbox")) == 3


async def test_only_the_people_you_coach_get_courses_from_you(engine: AsyncEngine) -> None:
    org = await build_org(engine)
    with pytest.raises(Refusal, match="only to the people you coach"):
        await assign_course(
            SqlUnitOfWork(engine), AssignCourse(org.olu, org.ed, "C-TALK"), FixedClock(NOW), "UTC"
        )
    with pytest.raises(Refusal, match="no course 'NOPE'"):
        await assign_course(
            SqlUnitOfWork(engine), AssignCourse(org.maya, org.ed, "NOPE"), FixedClock(NOW), "UTC"
        )
    assert await rows(engine, "course_assignment") == []
