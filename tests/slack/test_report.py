"""`/coaching-report` through the door: L&D admins get a summary, then the figures, a chart and
the CSV in a DM; anyone else a refusal and nothing else; no note text ever leaves."""

from __future__ import annotations

import json
from datetime import timedelta

from tests.slack.conftest import People
from tests.slack.test_session_flow import GOOD, open_form, table
from tests.storage.org import insert
from tests.support.slack_world import SlackWorld, eventually, today_utc

PLANTED = "ZEBRA-NOTE-7Q"


async def more_reports(world: SlackWorld, people: People) -> None:
    """Four more of Maya's reports, so that Sales/North holds six people."""
    for index in range(4):
        person = await insert(
            world.coachbot.engine,
            "person",
            email=f"extra{index}@example.org",
            name=f"Extra {index}",
            department="Sales",
            team="North",
        )
        await insert(
            world.coachbot.engine,
            "coaching_relationship",
            manager_id=people.maya,
            employee_id=person,
            started_on=today_utc() - timedelta(days=400),
        )


async def test_an_ld_admin_gets_the_summary_the_figures_the_chart_and_the_csv(
    world: SlackWorld, people: People
) -> None:
    await more_reports(world, people)
    view = await open_form(world)
    notes = dict(GOOD, key_points=f"{PLANTED} one\n{PLANTED} two\n{PLANTED} three")
    notes["actions"] = f"{PLANTED} action"
    await world.submit("U0MAYA", view, notes)
    assert len(await table(world, "coaching_session")) == 1

    response = await world.slash("U0DANA", "department Sales 30d", command="/coaching-report")
    assert response.status == 200
    [summary] = await eventually(lambda: world.emulator.ephemeral_to("U0DANA"))
    assert "Coaching programme" in summary["text"]
    assert "7 people · 1 sessions" in summary["text"]
    await eventually(lambda: len(world.emulator.uploaded_files()) == 2)
    uploaded = {f["name"].rsplit(".", 1)[1]: f for f in world.emulator.uploaded_files()}
    assert uploaded["png"]["content"].startswith(b"\x89PNG")
    header = "group_type,department,name,people,expected,held,rate,suppressed"
    assert uploaded["csv"]["content"].decode().startswith(header)
    [figures] = [m for m in world.emulator.messages_to("U0DANA") if "Programme report" in m["text"]]
    assert "Session completion" in json.dumps(figures)
    dana_calls = [c for c in world.emulator.calls() if "U0DANA" in json.dumps(c.args)]
    assert dana_calls
    assert PLANTED not in json.dumps([c.args for c in dana_calls], default=str)
    assert all(PLANTED.encode() not in f["content"] for f in uploaded.values())


async def test_anyone_else_gets_a_polite_refusal_and_nothing_else(
    world: SlackWorld, people: People
) -> None:
    await world.slash("U0MAYA", "", command="/coaching-report")
    [refusal] = await eventually(lambda: world.emulator.ephemeral_to("U0MAYA"))
    assert "for the L&D team only" in refusal["text"]
    methods = {c.method for c in world.emulator.calls()}
    assert methods <= {"auth.test", "users.info", "chat.postEphemeral"}
    assert world.emulator.uploaded_files() == []


async def test_a_bad_period_is_explained(world: SlackWorld, people: People) -> None:
    await world.slash("U0DANA", "45d", command="/coaching-report")
    [answer] = await eventually(lambda: world.emulator.ephemeral_to("U0DANA"))
    assert "is not a report period" in answer["text"]


async def test_a_tiny_scope_is_suppressed_whole(world: SlackWorld, people: People) -> None:
    await world.slash("U0DANA", "team North", command="/coaching-report")
    [answer] = await eventually(lambda: world.emulator.ephemeral_to("U0DANA"))
    assert "fewer than 5 people" in answer["text"]
    assert world.emulator.uploaded_files() == []


async def test_an_unknown_department_is_named_with_the_known_ones(
    world: SlackWorld, people: People
) -> None:
    await world.slash("U0DANA", "department Nope 30d", command="/coaching-report")
    [answer] = await eventually(lambda: world.emulator.ephemeral_to("U0DANA"))
    assert answer["text"] == "no department named 'Nope' (known: People, Sales)"
    assert world.emulator.messages_to("U0DANA") == []
    assert world.emulator.uploaded_files() == []
