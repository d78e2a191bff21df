"""Moodle web services against a strict fake: catalogue sync, enrolment by e-mail, the
completion poll, and what a bad token does."""

from __future__ import annotations

import argparse
from datetime import UTC, datetime

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from adapters.cli.lms import run_sync
from adapters.config import load_settings
from adapters.lms.catalogue import sync_catalogue
from adapters.lms.moodle import MoodleClient, MoodleError
from adapters.lms.polls import poll_moodle
from bot.clock import FixedClock
from bot.messages import compose
from bot.services.assignments import AssignCourse, LmsTargets, assign_course
from bot.services.completions import Completions
from storage.unit_of_work import SqlUnitOfWork, unit_of_work_factory
from tests.lms.conftest import moodle_outbox
from tests.services.helpers import NOW, rows
from tests.storage.org import build_org
from tests.support.moodle_fake import MoodleFake

MOODLE = LmsTargets(moodle=True)


def completions(engine: AsyncEngine) -> Completions:
    return Completions(unit_of_work_factory(engine), FixedClock(NOW))


async def synced(engine: AsyncEngine, client: MoodleClient) -> None:
    await build_org(engine)
    await sync_catalogue(client, completions(engine))


async def test_sync_adds_the_catalogue_and_search_finds_it(
    engine: AsyncEngine, moodle: MoodleFake, moodle_client: MoodleClient
) -> None:
    await build_org(engine)
    store = completions(engine)
    changes = await sync_catalogue(moodle_client, store)
    assert (changes.added, changes.updated, changes.unchanged) == (2, 0, 0)
    courses = {row["course_id"]: row for row in await rows(engine, "course")}
    assert courses["42"]["title"] == "Negotiation basics"
    assert courses["42"]["url"] == f"{moodle.base_url}/course/view.php?id=42"
    assert "1" not in courses  # the site's front page is no course

    moodle.courses[42] = "Negotiation basics (2027 edition)"
    moodle.courses[44] = "Storytelling with data"
    changes = await sync_catalogue(moodle_client, store)
    assert (changes.added, changes.updated, changes.unchanged) == (1, 1, 1)
    async with SqlUnitOfWork(engine) as uow:
        found = await uow.catalogue.search_courses("negotiation 2027", 10)
    assert [course.course_id for course in found] == ["42"]


async def test_an_assignment_enrols_the_person_found_by_email(
    engine: AsyncEngine, moodle: MoodleFake, moodle_client: MoodleClient
) -> None:
    await synced(engine, moodle_client)
    org = await build_org_ids(engine)
    await assign_course(
        SqlUnitOfWork(engine),
        AssignCourse(org["maya"], org["ed"], "42"),
        FixedClock(NOW),
        "UTC",
        MOODLE,
    )
    await moodle_outbox(engine, moodle_client).deliver()
    assert moodle.enrolments == {(7, 42)}
    assert "enrol_manual_enrol_users" in moodle.functions_called()
    [enrol] = [row for row in await rows(engine, "outbox") if row["channel"] == "moodle"]
    assert (enrol["status"], enrol["message_ref"]) == ("sent", "moodle:7:42")


async def test_someone_without_a_moodle_account_is_reported_not_retried(
    engine: AsyncEngine, moodle: MoodleFake, moodle_client: MoodleClient
) -> None:
    await synced(engine, moodle_client)
    del moodle.users[7]
    org = await build_org_ids(engine)
    await assign_course(
        SqlUnitOfWork(engine),
        AssignCourse(org["maya"], org["ed"], "42"),
        FixedClock(NOW),
        "UTC",
        MOODLE,
    )
    await moodle_outbox(engine, moodle_client).deliver()
    [enrol] = [row for row in await rows(engine, "outbox") if row["channel"] == "moodle"]
    assert enrol["status"] == "failed"
    assert enrol["last_error"] == "undeliverable: no Moodle user has the e-mail ed@example.org"


async def test_the_completion_poll_closes_completed_assignments(
    engine: AsyncEngine, moodle: MoodleFake, moodle_client: MoodleClient
) -> None:
    await synced(engine, moodle_client)
    org = await build_org_ids(engine)
    for course in ("42", "43"):
        await assign_course(
            SqlUnitOfWork(engine),
            AssignCourse(org["maya"], org["ed"], course),
            FixedClock(NOW),
            "UTC",
            MOODLE,
        )
    await moodle_outbox(engine, moodle_client).deliver()
    finished = datetime(2026, 11, 24, 9, 30, tzinfo=UTC)
    moodle.completed[(7, 42)] = int(finished.timestamp())

    found = await poll_moodle(moodle_client, completions(engine))
    assert (found.recorded, found.skipped) == (1, [])
    assignments = {row["course_id"]: row for row in await rows(engine, "course_assignment")}
    assert assignments["42"]["completed_at"] == finished
    assert assignments["43"]["completed_at"] is None
    [told] = [row for row in await rows(engine, "outbox") if row["kind"] == "course_completed"]
    assert compose(told["kind"], told["payload"], today=NOW.date()).summary == (
        "Ed completed Negotiation basics, assigned on 20 November."
    )

    again = await poll_moodle(moodle_client, completions(engine))
    assert again.recorded == 0
    assert len(await rows(engine, "learning_completion")) == 1


async def test_a_bad_token_is_a_clear_error_and_changes_nothing(
    engine: AsyncEngine, moodle: MoodleFake
) -> None:
    await build_org(engine)
    before = await rows(engine, "course")
    with pytest.raises(MoodleError) as refused:
        await sync_catalogue(MoodleClient(moodle.base_url, "wrong"), completions(engine))
    assert refused.value.errorcode == "invalidtoken"
    assert refused.value.access_refused
    assert await rows(engine, "course") == before


async def test_the_sync_command_says_what_went_wrong(
    sqlite_url: str, moodle: MoodleFake, capsys: pytest.CaptureFixture[str]
) -> None:
    settings = load_settings(
        database_url=sqlite_url, moodle_url=moodle.base_url, moodle_token="wrong"
    )
    assert await run_sync(settings, argparse.Namespace()) == 1
    err = capsys.readouterr().err
    assert err.strip() == (
        "coachbot: catalogue sync failed, nothing changed: "
        "Moodle: Invalid token - token not found (invalidtoken)"
    )
    good = load_settings(
        database_url=sqlite_url, moodle_url=moodle.base_url, moodle_token="moodle-test-token"
    )
    assert await run_sync(good, argparse.Namespace()) == 0
    assert capsys.readouterr().out.strip() == "courses from Moodle: 2 added, 0 updated, 0 unchanged"


async def test_the_fake_is_strict_about_parameter_names(moodle_client: MoodleClient) -> None:
    with pytest.raises(MoodleError) as refused:
        await moodle_client.call("core_user_get_users_by_field", field="email", value=["x@y.z"])
    assert refused.value.errorcode == "invalidparameter"


async def build_org_ids(engine: AsyncEngine) -> dict[str, int]:
    async with SqlUnitOfWork(engine) as uow:
        people = {name: await uow.people.by_email(f"{name}@example.org") for name in ("maya", "ed")}
    return {name: person.id for name, person in people.items() if person}
