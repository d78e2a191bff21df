"""`/coaching-report` through the door: L&D admins get a summary, then the figures, a chart and
the CSV in a DM; anyone else a refusal and nothing else; no note text ever leaves."""

from __future__ import annotations

import csv
import io
import json
from datetime import timedelta
from typing import Any

from tests.slack.conftest import People
from tests.slack.test_session_flow import GOOD, open_form, table
from tests.storage.org import insert
from tests.support.slack_world import SlackWorld, eventually, today_utc

PLANTED = "ZEBRA-NOTE-7Q"


def uploads_done(world: SlackWorld) -> list[dict[str, Any]]:
    """The files whose bytes have arrived (a file is listed from the moment its upload URL is
    handed out)."""
    return [f for f in world.emulator.uploaded_files() if f["content"] is not None]


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
    assert "7 people · 1 session held" in summary["text"]
    assert "counted towards completion" in summary["text"]
    await eventually(lambda: len(uploads_done(world)) == 2)
    uploaded = {f["name"].rsplit(".", 1)[1]: f for f in uploads_done(world)}
    assert uploaded["png"]["content"].startswith(b"\x89PNG")
    header = "group_type,department,name,people,expected,held,rate,suppressed"
    assert uploaded["csv"]["content"].decode().startswith(header)
    [figures] = [m for m in world.emulator.messages_to("U0DANA") if "Programme report" in m["text"]]
    shown = json.dumps(figures)
    assert "Session completion" in shown
    assert "Negotiation: 1 session (100.0%)" in shown
    assert "Skill development: 1 session (100.0%)" in shown
    for internal in ("SK-NEGO", "skill_development", "released", "suppressed"):
        assert internal not in shown + summary["text"]
    dana_calls = [c for c in world.emulator.calls() if "U0DANA" in json.dumps(c.args)]
    assert dana_calls
    assert PLANTED not in json.dumps([c.args for c in dana_calls], default=str)
    assert all(PLANTED.encode() not in f["content"] for f in uploaded.values())


async def test_anyone_else_gets_a_polite_refusal_and_nothing_else(
    world: SlackWorld, people: People
) -> None:
    await world.slash("U0MAYA", "", command="/coaching-report")
    [refusal] = await eventually(lambda: world.emulator.ephemeral_to("U0MAYA"))
    assert "for the L&amp;D team only" in refusal["text"]  # Slack shows &amp; as &
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


async def reports_in(world: SlackWorld, people: People, department: str, teams: list[str]) -> None:
    """Maya's reports in `department`, one in each of `teams`."""
    for index, team in enumerate(teams):
        person = await insert(
            world.coachbot.engine,
            "person",
            email=f"{team.encode().hex()}{index}@example.org",
            name=f"Report {index}",
            department=department,
            team=team,
        )
        await insert(
            world.coachbot.engine,
            "coaching_relationship",
            manager_id=people.maya,
            employee_id=person,
            started_on=today_utc() - timedelta(days=400),
        )


async def test_report_csv_file_neutralises_formula_cells(world: SlackWorld, people: People) -> None:
    formula = '=HYPERLINK("https://evil.example","Open")'
    await reports_in(world, people, formula, ["+1", "@SUM(1)", "+1", "@SUM(1)"])

    await world.slash("U0DANA", "", command="/coaching-report")

    await eventually(lambda: len(uploads_done(world)) == 2)
    [uploaded] = [f for f in uploads_done(world) if f["name"].endswith(".csv")]
    rows = list(csv.reader(io.StringIO(uploaded["content"].decode())))
    names = {(row[1], row[2]) for row in rows[1:]}
    assert names == {
        (f"'{formula}", f"'{formula}"),
        (f"'{formula}", "'+1"),
        (f"'{formula}", "'@SUM(1)"),
        ("Sales", "Sales"),
        ("Sales", "North"),
    }


async def test_report_dm_escapes_department_and_team_names(
    world: SlackWorld, people: People
) -> None:
    await reports_in(world, people, "<!channel> & co", ["<https://evil.example|Click>"] * 4)

    await world.slash("U0DANA", "", command="/coaching-report")

    [figures] = await eventually(
        lambda: [m for m in world.emulator.messages_to("U0DANA") if "Programme report" in m["text"]]
    )
    table = "".join(block["text"]["text"] for block in figures["blocks"])
    assert "&lt;!channel&gt; &amp; co" in table
    assert "&lt;https://evil.example|Click&gt;" in table
    assert "<!channel>" not in table and "<https://" not in table


async def test_an_unknown_department_is_named_with_the_known_ones(
    world: SlackWorld, people: People
) -> None:
    await world.slash("U0DANA", "department Nope 30d", command="/coaching-report")
    [answer] = await eventually(lambda: world.emulator.ephemeral_to("U0DANA"))
    assert answer["text"] == "no department named 'Nope' (known: People, Sales)"
    assert world.emulator.messages_to("U0DANA") == []
    assert world.emulator.uploaded_files() == []
