"""xAPI against a real Ralph LRS started by the test setup: statements land and are valid,
a resend is harmless, completions posted by another client come back, and an LRS that is down
loses nothing."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from adapters.lms.polls import poll_lrs
from adapters.lms.xapi import VERBS, LrsClient, XapiGateway, XapiVoiding, statement_id
from bot.clock import FixedClock
from bot.ports import Undeliverable
from bot.services.assignments import LmsTargets
from bot.services.completions import Completions
from bot.services.privacy import erase_person
from bot.services.sessions import SessionLogged, log_session
from storage.dispatch_queue import entry_from_row
from storage.unit_of_work import SqlUnitOfWork, unit_of_work_factory
from tests.lms.conftest import xapi_outbox
from tests.services.helpers import NOW, command, rows
from tests.storage.org import Org, build_org, insert
from tests.support.ralph import RalphLrs

XAPI = LmsTargets(xapi=True)


async def log_with_statements(engine: AsyncEngine, org: Org, course_id: str) -> SessionLogged:
    cmd = command(org, course_ids=(course_id,), new_goal_title="Lead the Acme renewal")
    result = await log_session(SqlUnitOfWork(engine), cmd, FixedClock(NOW), "UTC", "k", XAPI)
    assert isinstance(result, SessionLogged)
    return result


async def xapi_rows(engine: AsyncEngine) -> list[dict[str, object]]:
    return [row for row in await rows(engine, "outbox") if row["channel"] == "xapi"]


async def a_course(engine: AsyncEngine) -> tuple[str, str]:
    """A course of this test alone (the LRS is shared by the whole session)."""
    course_id = f"C-{uuid.uuid4().hex[:10]}"
    url = f"https://lms.example.org/course/{course_id}"
    await insert(
        engine, "course", course_id=course_id, title="Negotiation basics", url=url, skill_ids=""
    )
    return course_id, url


async def test_statements_land_valid_and_name_no_notes(
    engine: AsyncEngine, ralph: RalphLrs, lrs_client: LrsClient
) -> None:
    org = await build_org(engine)
    course_id, url = await a_course(engine)
    await log_with_statements(engine, org, course_id)
    await xapi_outbox(engine, lrs_client).deliver()

    sent = await xapi_rows(engine)
    assert [(row["status"], row["last_error"]) for row in sent] == [("sent", None)] * 4
    verbs = {}
    for row in sent:
        assert row["message_ref"] == statement_id(str(row["dedupe_key"]))
        stored = ralph.statement(str(row["message_ref"]))
        assert stored is not None, row["dedupe_key"]  # Ralph validated it before storing it
        verbs[stored["verb"]["id"]] = stored  # type: ignore[index]
        assert "Acme" not in str(stored) and "Role-play" not in str(stored)
    assert set(verbs) == {
        VERBS["attended"],
        VERBS["mentored"],
        VERBS["was-assigned"],
        VERBS["planned"],
    }
    assigned = verbs[VERBS["was-assigned"]]
    assert assigned["object"]["id"] == url  # type: ignore[index]
    assert assigned["actor"]["account"] == {"homePage": "https://slack.com", "name": "U_ED"}  # type: ignore[index]
    attended = verbs[VERBS["attended"]]
    assert attended["context"]["instructor"]["mbox"] == "mailto:maya@example.org"  # type: ignore[index]
    assert attended["context"]["contextActivities"]["other"][0]["definition"]["name"] == {  # type: ignore[index]
        "en": "Negotiation"
    }


async def test_sending_a_statement_again_is_harmless(
    engine: AsyncEngine, ralph: RalphLrs, lrs_client: LrsClient
) -> None:
    org = await build_org(engine)
    course_id, _ = await a_course(engine)
    await log_with_statements(engine, org, course_id)
    await xapi_outbox(engine, lrs_client).deliver()
    [row] = [r for r in await xapi_rows(engine) if "was-assigned" in str(r["dedupe_key"])]
    entry = entry_from_row(row)
    gateway = XapiGateway(lrs_client)

    assert await gateway.deliver(entry) == row["message_ref"]  # a retry after a crash
    assert (
        len(
            ralph.statements(
                verb=VERBS["was-assigned"], activity=str(row["payload"]["object"]["url"])
            )
        )
        == 1
    )  # type: ignore[index]

    changed = entry_from_row(
        {**row, "payload": {**row["payload"], "timestamp": "2020-01-01T00:00:00+00:00"}}
    )  # type: ignore[dict-item]
    with pytest.raises(Undeliverable, match="different statement"):
        await gateway.deliver(changed)


async def test_the_poll_finds_completions_another_client_posted(
    engine: AsyncEngine, ralph: RalphLrs, lrs_client: LrsClient
) -> None:
    org = await build_org(engine)
    course_id, url = await a_course(engine)
    await log_with_statements(engine, org, course_id)
    completions = Completions(unit_of_work_factory(engine), FixedClock(NOW))
    await poll_lrs(lrs_client, completions)  # whatever the LRS held before

    completed = {
        "id": str(uuid.uuid4()),
        "actor": {"objectType": "Agent", "name": "Ed Jones", "mbox": "mailto:ed@example.org"},
        "verb": {"id": VERBS["completed"], "display": {"en": "completed"}},
        "object": {"objectType": "Activity", "id": url},
        "timestamp": datetime.now(UTC).isoformat(),
    }
    assert ralph.post(completed).status_code == 200
    found = await poll_lrs(lrs_client, completions)
    assert found.recorded == 1

    [assignment] = [
        a for a in await rows(engine, "course_assignment") if a["course_id"] == course_id
    ]
    assert assignment["completed_at"] is not None
    [completion] = await rows(engine, "learning_completion")
    assert (completion["source"], completion["event_id"]) == ("xapi", f"xapi:{completed['id']}")
    [told] = [row for row in await rows(engine, "outbox") if row["kind"] == "course_completed"]
    assert told["recipient_id"] == org.maya

    again = await poll_lrs(lrs_client, completions)
    assert again.recorded == 0
    assert len(await rows(engine, "learning_completion")) == 1


async def test_with_the_lrs_down_statements_wait_and_nothing_is_lost(
    engine: AsyncEngine, tmp_path: Path
) -> None:
    lrs = RalphLrs(tmp_path / "lrs")
    lrs.start()
    lrs.stop()
    try:
        org = await build_org(engine)
        await log_with_statements(engine, org, "C-NEG-1")
        outbox = xapi_outbox(engine, LrsClient(lrs.endpoint, lrs.username, lrs.password))
        await outbox.deliver()
        waiting = await xapi_rows(engine)
        assert len(waiting) == 4
        assert {row["status"] for row in waiting} == {"pending"}
        assert all("LRS unreachable" in str(row["last_error"]) for row in waiting)

        for _ in range(3):  # down for a while: still waiting, never failed
            await outbox.later(700)
        assert {row["status"] for row in await xapi_rows(engine)} == {"pending"}

        lrs.start()
        await outbox.later(700)
        sent = await xapi_rows(engine)
        assert {row["status"] for row in sent} == {"sent"}
        assert all(lrs.statement(str(row["message_ref"])) for row in sent)
    finally:
        lrs.stop()


async def test_erasing_a_person_voids_the_statements_sent_about_them(
    engine: AsyncEngine, ralph: RalphLrs, lrs_client: LrsClient
) -> None:
    org = await build_org(engine)
    course_id, _ = await a_course(engine)
    await log_with_statements(engine, org, course_id)
    outbox = xapi_outbox(engine, lrs_client)
    await outbox.deliver()
    sent = [str(row["message_ref"]) for row in await xapi_rows(engine)]

    erased = await erase_person(
        SqlUnitOfWork(engine), "ed@example.org", XapiVoiding(FixedClock(NOW))
    )
    assert erased.statements_voided == len(sent) == 4
    await outbox.deliver()
    voiding = await xapi_rows(engine)
    assert {row["status"] for row in voiding} == {"sent"}
    assert all(row["recipient_id"] is None and row["about_id"] is None for row in voiding)
    voided = {
        statement["object"]["id"]  # type: ignore[index]
        for statement in ralph.statements(verb=VERBS["voided"])
    }
    assert set(sent) <= voided


async def test_a_completion_posted_late_with_an_earlier_timestamp_is_not_missed(
    engine: AsyncEngine, ralph: RalphLrs, lrs_client: LrsClient
) -> None:
    await build_org(engine)
    (first, first_url), (second, second_url) = await a_course(engine), await a_course(engine)
    completions = Completions(unit_of_work_factory(engine), FixedClock(NOW))
    now = datetime.now(UTC)

    def completion(url: str, when: datetime) -> dict[str, object]:
        return {
            "id": str(uuid.uuid4()),
            "actor": {"objectType": "Agent", "mbox": "mailto:zoe@example.org"},
            "verb": {"id": VERBS["completed"]},
            "object": {"objectType": "Activity", "id": url},
            "timestamp": when.isoformat(),
        }

    assert ralph.post(completion(first_url, now)).status_code == 200
    await poll_lrs(lrs_client, completions)
    late = completion(second_url, now.replace(microsecond=0) - timedelta(hours=2))
    assert ralph.post(late).status_code == 200
    found = await poll_lrs(lrs_client, completions)
    assert found.recorded == 1
    completed = {row["course_id"] for row in await rows(engine, "learning_completion")}
    assert completed == {first, second}
