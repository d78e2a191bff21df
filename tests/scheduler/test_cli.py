"""The operator's commands: `coachbot nudges preview`, `coachbot outbox [--failed]`,
`coachbot outbox retry ID`, `coachbot leave add|list`."""

from __future__ import annotations

import asyncio
import json
from datetime import date

import pytest

from adapters.cli import main
from bot.model import OutboxMessage
from storage.repositories import SqlOutbox
from storage.tables import metadata
from tests.scheduler.conftest import World


async def coachbot(
    monkeypatch: pytest.MonkeyPatch, world: World, *argv: str, timezone: str = "Europe/London"
) -> int:
    monkeypatch.setenv("DATABASE_URL", world.engine.url.render_as_string(hide_password=False))
    monkeypatch.setenv("COACHBOT_TIMEZONE", timezone)
    monkeypatch.delenv("COACHBOT_HOLIDAYS", raising=False)
    monkeypatch.delenv("COACHBOT_MANAGER_MODULE_COURSE", raising=False)
    return await asyncio.to_thread(main, list(argv))


async def small_org(world: World) -> dict[str, int]:
    maya = await world.person("Maya Patel")
    olu = await world.person("Olu Bello", slack=False)  # no chat identity
    ed = await world.person("Ed Jones", cadence="monthly")
    zoe = await world.person("Zoe Adams", cadence="monthly")
    kim = await world.person("Kim Lee", cadence="monthly")
    for manager, employee in ((maya, ed), (maya, zoe), (olu, kim)):
        await world.coaches(manager, employee, date(2025, 6, 2))
        await world.session(manager, employee, date(2026, 2, 9), actions=["Practise"])
    return {"maya": maya, "olu": olu, "ed": ed, "zoe": zoe, "kim": kim}


async def test_preview_lists_each_recipient_kind_and_about_sorted(
    world: World, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    await small_org(world)
    code = await coachbot(
        monkeypatch,
        world,
        "nudges",
        "preview",
        "--at",
        "2026-03-09T09:30:00+00:00",
        "--format",
        "json",
    )
    assert code == 0
    rows = [  # the check-ins, never sent before the due date, are dropped on it
        ("maya1", "session_due", "ed3"),
        ("maya1", "session_due", "zoe4"),
        ("olu2", "session_due", "kim5"),
    ]
    assert json.loads(capsys.readouterr().out) == [
        {
            "recipient": f"{recipient}@example.org",
            "kind": kind,
            "about": f"{about}@example.org",
            "due_on": "2026-03-09",
        }
        for recipient, kind, about in rows
    ]
    assert world.posts() == 0  # a dry run sends nothing


async def test_preview_lists_no_checkin_on_or_after_its_due_date(
    both_world: World, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    world = both_world
    await small_org(world)  # sessions on 9 February: check-ins from 23 February, due 9 March

    async def listed(moment: str) -> list[tuple[str, str]]:
        code = await coachbot(
            monkeypatch, world, "nudges", "preview", "--at", moment, "--format", "json"
        )
        assert code == 0
        return [(e["recipient"], e["kind"]) for e in json.loads(capsys.readouterr().out)]

    before = await listed("2026-03-06T09:30:00+00:00")  # Friday before the due date
    assert ("ed3@example.org", "action_checkin") in before
    for moment in ("2026-03-09T09:30:00+00:00", "2026-03-10T09:30:00+00:00"):
        kinds = {kind for _, kind in await listed(moment)}
        assert kinds == {"session_due"}, moment


async def test_preview_leaves_out_what_was_sent_and_reads_naive_times_locally(
    world: World, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    people = await small_org(world)
    await world.run_at("2026-03-09T09:30+00:00")
    assert len(world.messages_to(people["maya"])) == 1
    code = await coachbot(monkeypatch, world, "nudges", "preview", "--at", "2026-03-09T09:45")
    assert code == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0].split() == ["local", "time", "recipient", "e-mail", "message"]
    # Olu has no chat identity: never sent, so still listed; the rest went.
    assert len(out) == 2 and "olu2@example.org" in out[1]
    assert out[1].endswith("reminder to Olu Bello: session with Kim Lee due 9 Mar")


async def test_the_preview_table_speaks_to_ld_in_local_times_names_and_plain_words(
    both_world: World, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    world = both_world
    people = await small_org(world)
    raj = await world.person("Raj Kumar", tz="Asia/Kolkata")
    nia = await world.person("Nia Shah", tz="Asia/Kolkata", cadence="monthly")
    await world.coaches(raj, nia, date(2025, 6, 2))
    await world.session(raj, nia, date(2026, 2, 9), actions=["Practise"])
    async with world.engine.begin() as db:  # Maya's report Zoe is due a week earlier
        await db.execute(
            metadata.tables["coaching_session"]
            .update()
            .where(metadata.tables["coaching_session"].c.employee_id == people["zoe"])
            .values(held_on=date(2026, 2, 2))
        )

    assert await coachbot(monkeypatch, world, "nudges", "preview", "--at", "2026-03-09T04:30Z") == 0
    kolkata = capsys.readouterr().out.splitlines()
    assert len(kolkata) == 2  # only Raj is in his working hours
    assert kolkata[1].startswith("Mon 9 Mar 10:00 Asia/Kolkata")
    assert "Raj Kumar" in kolkata[1] and "raj6@example.org" in kolkata[1]
    assert kolkata[1].endswith("reminder to Raj Kumar: session with Nia Shah due 9 Mar")

    assert await coachbot(monkeypatch, world, "nudges", "preview", "--at", "2026-03-09T09:30Z") == 0
    london = [
        line.split("  ")[0] + " | " + line.rsplit("  ", 1)[1]
        for line in capsys.readouterr().out.splitlines()[1:]
    ]
    assert london == [
        "Mon 9 Mar 09:30 Europe/London | reminder to Maya Patel: session with Ed Jones due 9 Mar",
        "Mon 9 Mar 09:30 Europe/London | last reminder to Maya Patel: session with Zoe Adams "
        "overdue (due 2 Mar)",
        "Mon 9 Mar 09:30 Europe/London | reminder to Olu Bello: session with Kim Lee due 9 Mar",
    ]

    assert await coachbot(monkeypatch, world, "nudges", "preview", "--at", "2026-03-06T09:30Z") == 0
    assert (
        capsys.readouterr()
        .out.splitlines()[1]
        .endswith("check-in to Ed Jones: actions agreed with Maya Patel, next session due 9 Mar")
    )
    assert (
        await coachbot(
            monkeypatch, world, "nudges", "preview", "--at", "2026-03-06T09:30Z", "--format", "json"
        )
        == 0
    )
    assert {
        "recipient": "ed3@example.org",
        "kind": "action_checkin",
        "about": "maya1@example.org",
        "due_on": "2026-03-09",
    } in json.loads(capsys.readouterr().out)  # the contract's JSON


async def test_preview_refuses_a_malformed_moment(
    world: World, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    assert await coachbot(monkeypatch, world, "nudges", "preview", "--at", "next monday") == 2
    assert "is not an ISO date-time" in capsys.readouterr().err


async def test_outbox_lists_kinds_recipients_and_errors_never_text(
    world: World, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    people = await small_org(world)
    await world.run_at("2026-03-09T09:30+00:00")
    async with world.engine.begin() as db:
        await SqlOutbox(db, world.clock.now()).add(
            OutboxMessage(
                "later:1",
                "session_saved",
                "chat",
                {
                    "employee_name": "Secret Name",
                    "held_on": "2026-03-09",
                    "next_due_on": "2026-04-09",
                },
                people["maya"],
                not_before=world.clock.now().replace(year=2027),
            )
        )
    assert await coachbot(monkeypatch, world, "outbox", "--failed") == 0
    failed = capsys.readouterr().out
    assert "session_due" in failed and "olu2@example.org" in failed
    assert "undeliverable: users_not_found" in failed
    assert "Practise" not in failed and "Kim Lee" not in failed
    assert await coachbot(monkeypatch, world, "outbox") == 0
    pending = capsys.readouterr().out
    assert "session_saved" in pending and "maya1@example.org" in pending
    assert "Secret Name" not in pending


async def test_outbox_retry_requeues_a_failed_row(
    world: World, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    people = await small_org(world)
    await world.run_at("2026-03-09T09:30+00:00")
    [failed] = [row for row in await world.outbox() if row["status"] == "failed"]
    assert await coachbot(monkeypatch, world, "outbox", "retry", str(failed["id"])) == 0
    assert capsys.readouterr().out.strip() == f"re-queued outbox row {failed['id']}"
    [row] = [row for row in await world.outbox() if row["id"] == failed["id"]]
    assert row["status"] == "pending"
    assert await coachbot(monkeypatch, world, "outbox", "retry", "9999") == 1
    assert "no failed or in-doubt outbox row 9999" in capsys.readouterr().err
    assert people


async def test_leave_add_and_list(
    world: World, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    people = await small_org(world)
    assert (
        await coachbot(
            monkeypatch, world, "leave", "add", "ED3@example.org", "2026-03-06", "2026-03-13"
        )
        == 0
    )
    assert capsys.readouterr().out.strip() == (
        "leave recorded: ed3@example.org from 2026-03-06 to 2026-03-13"
    )
    assert await coachbot(monkeypatch, world, "leave", "list") == 0
    assert capsys.readouterr().out.split() == ["ed3@example.org", "2026-03-06", "2026-03-13"]
    assert (
        await coachbot(
            monkeypatch, world, "leave", "add", "nobody@example.org", "2026-03-06", "2026-03-13"
        )
        == 1
    )
    assert "no person with e-mail nobody@example.org" in capsys.readouterr().err
    assert (
        await coachbot(
            monkeypatch, world, "leave", "add", "ed3@example.org", "2026-03-13", "2026-03-06"
        )
        == 1
    )
    assert "ends (2026-03-06) before it starts (2026-03-13)" in capsys.readouterr().err
    assert (
        await coachbot(
            monkeypatch, world, "leave", "add", "ed3@example.org", "6/3/2026", "2026-03-06"
        )
        == 1
    )
    assert "FROM: '6/3/2026' is not a YYYY-MM-DD date" in capsys.readouterr().err
    await world.run_at("2026-03-09T09:30+00:00")  # Ed on leave: Maya hears only about Zoe
    [message] = world.messages_to(people["maya"])
    assert "Zoe Adams" in message["text"] and "Ed Jones" not in str(message["blocks"])
    assert world.messages_to(people["ed"]) == []
