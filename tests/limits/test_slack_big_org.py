"""Every Slack surface driven with the large organisation through the real door: each payload
Slack received is within Slack's documented limits, no text is cut inside an entity, every
item not shown is announced, and a combined reminder names exactly the rows marked sent."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import select

from adapters.slack.blocks import escape
from storage.tables import metadata
from tests.support.big_org import GOALS, LD_ADMIN, OPEN_ACTIONS, REPORTS, BigOrg
from tests.support.platform_limits import (
    announced,
    check_slack_message,
    check_slack_view,
    shown,
)
from tests.support.slack_world import SlackWorld, eventually

BOSS = "U0BOSS"


async def rows(world: SlackWorld, name: str) -> list[dict[str, Any]]:
    async with world.coachbot.engine.connect() as connection:
        result = await connection.execute(select(metadata.tables[name]))
        return [dict(row) for row in result.mappings()]


async def sweep(world: SlackWorld) -> None:
    assert world.coachbot.scheduler is not None
    [job] = [job for job in world.coachbot.scheduler.jobs if job.name == "nudge-sweep"]
    await job.run()
    await world.deliver()


async def test_combined_reminders_name_exactly_the_rows_marked_sent(
    big_world: SlackWorld, big_org: BigOrg
) -> None:
    await sweep(big_world)
    messages = big_world.emulator.messages_to(BOSS)
    assert len(messages) > 1  # 25 reminders do not fit one message: several go
    named: list[int] = []
    for message in messages:
        check_slack_message(message)
        texts = " ".join(b["text"]["text"] for b in message["blocks"] if b["type"] == "section")
        buttons = [
            int(e["value"])
            for b in message["blocks"]
            if b["type"] == "actions"
            for e in b["elements"]
            if e["action_id"].startswith("log_session")
        ]
        for employee in buttons:  # each reminder names its report and offers *Log session*
            name = big_org.report_names[big_org.reports.index(employee)]
            assert f"*{escape(name)}*" in texts
        named += buttons
        # each reminder lists what fits of the 60 open actions and announces the rest
        assert shown(message, "• Action ") + announced(message, "open actions") == (
            OPEN_ACTIONS * len(buttons)
        )
    sent = [
        r
        for r in await rows(big_world, "outbox")
        if r["kind"] in {"session_due", "session_overdue"} and r["status"] == "sent"
    ]
    assert sorted(named) == sorted(r["payload"]["employee_id"] for r in sent)
    assert len(set(named)) == REPORTS


async def test_the_form_reviews_every_open_action_and_applies_the_group_choice_exactly(
    big_world: SlackWorld, big_org: BigOrg
) -> None:
    employee = big_org.reports[0]
    response = await big_world.slash(BOSS, f"<@{big_org.slack_ids[employee]}|r>")
    assert response.status == 200
    view = await big_world.opened_view(BOSS)
    check_slack_view(view)
    reviews = [b for b in view["blocks"] if b.get("block_id", "").startswith("review_")]
    one_by_one = [b for b in reviews if b["block_id"][7:].isdigit()]
    [group] = [b for b in reviews if b["block_id"] == "review_group"]
    assert len(one_by_one) == 10
    assert group["label"]["text"] == f"The other {OPEN_ACTIONS - 10} open actions"
    listed = next(b for b in view["blocks"] if b.get("block_id") == "review_group_list")
    assert shown(listed, "• Action ") + announced(listed, "open actions") == OPEN_ACTIONS - 10

    first = one_by_one[0]["block_id"][7:]
    answer = await big_world.submit(
        BOSS,
        view,
        {
            "duration": "30",
            "focus_type": ("Skill development", "skill_development"),
            "skill": ("A skill", "SK-001"),
            "key_points": "Looked at the pipeline\nTalked through options\nPicked one",
            "actions": "Call the client",
            f"review_{first}": ("Done", "done"),
            "review_group": ("Drop", "dropped"),
        },
    )
    assert answer.get("response_action") in (None, "clear"), answer
    actions = [a for a in await rows(big_world, "agreed_action") if a["employee_id"] == employee]
    grouped = {int(i) for i in json.loads(view["private_metadata"])["grouped"]}
    closed = {a["id"]: a["status"] for a in actions if a["id"] in grouped}
    assert set(closed.values()) == {"dropped"} and len(closed) == OPEN_ACTIONS - 10
    assert next(a for a in actions if a["id"] == int(first))["status"] == "done"
    await big_world.deliver()
    for user in (BOSS, big_org.slack_ids[employee]):
        for message in big_world.emulator.messages_to(user):
            check_slack_message(message)


async def test_home_and_records_show_what_fits_and_announce_the_rest(
    big_world: SlackWorld, big_org: BigOrg
) -> None:
    employee = big_org.slack_ids[big_org.reports[3]]
    for n, user in enumerate((BOSS, employee)):
        event = {"type": "app_home_opened", "user": user, "tab": "home"}
        assert (await big_world.event(event, f"EvHome{n}")).status == 200
    boss_home = await eventually(lambda: big_world.emulator.last_view_published(BOSS))
    check_slack_view(boss_home)
    # five open actions a report, the other 55 announced, for every one of the 25
    assert announced(boss_home, "open actions") == REPORTS * (OPEN_ACTIONS - 5)
    home = await eventually(lambda: big_world.emulator.last_view_published(employee))
    check_slack_view(home)
    assert shown(home, "• Action ") + announced(home, "open actions") == OPEN_ACTIONS
    assert shown(home, "• Goal ") + announced(home, "goals") == GOALS

    button = next(
        e
        for b in boss_home["blocks"]
        if b["type"] == "actions"
        for e in b["elements"]
        if e["action_id"].startswith("report_record")
    )
    await big_world.click(BOSS, button["action_id"], button["value"], view=boss_home)
    record = await big_world.opened_view(BOSS)
    check_slack_view(record)
    assert shown(record, "• Action ") + announced(record, "open actions") == OPEN_ACTIONS


async def test_every_dm_kind_and_the_report_stay_within_slack(
    big_world: SlackWorld, big_org: BigOrg
) -> None:
    employee = big_org.reports[2]
    actions = [
        {"id": a["id"], "text": a["text"], "due_on": a["due_on"].isoformat()}
        for a in await rows(big_world, "agreed_action")
        if a["employee_id"] == employee
    ]
    course = next(c for c in await rows(big_world, "course") if c["course_id"] == "C-042")
    manager_name = "Morgan Boss"
    payloads = {
        "action_checkin": {
            "manager_name": manager_name,
            "due_on": "2026-03-20",
            "actions": actions,
        },
        "course_assigned": {
            "manager_name": manager_name,
            "title": course["title"],
            "url": course["url"],
            "why": course["title"],
        },
        "course_completed": {
            "employee_name": big_org.report_names[2],
            "title": course["title"],
            "assigned_on": "2026-02-01",
        },
    }
    async with big_world.coachbot.engine.begin() as db:
        for kind, payload in payloads.items():
            await db.execute(
                metadata.tables["outbox"]
                .insert()
                .values(
                    dedupe_key=f"big:{kind}",
                    kind=kind,
                    recipient_id=employee,
                    payload=payload,
                    status="pending",
                )
            )
    await sweep(big_world)  # the reminders, the coaching-skills module, and these three
    assert big_world.coachbot.scheduler is not None
    [digest] = [job for job in big_world.coachbot.scheduler.jobs if job.name == "ld-digest"]
    await digest.run()
    await big_world.deliver()
    response = await big_world.slash(LD_ADMIN, "30d", command="/coaching-report")
    assert response.status == 200
    await eventually(lambda: big_world.emulator.ephemeral_to(LD_ADMIN))

    kinds = {r["kind"] for r in await rows(big_world, "outbox") if r["status"] == "sent"}
    assert kinds >= {*payloads, "session_overdue", "manager_module", "ld_digest"}
    messages = [
        message
        for user in big_org.slack_ids.values()
        for message in big_world.emulator.messages_to(user)
    ]
    for message in [
        *messages,
        *big_world.emulator.messages_to(LD_ADMIN),
        *big_world.emulator.ephemeral_to(LD_ADMIN),
    ]:
        check_slack_message(message)
    [checkin] = [
        m
        for m in big_world.emulator.messages_to(big_org.slack_ids[employee])
        if "agreed actions" in str(m)
    ]
    assert shown(checkin, "• Action ") + announced(checkin, "agreed actions") == OPEN_ACTIONS
    done = [e for b in checkin["blocks"] if b["type"] == "actions" for e in b["elements"]]
    assert len(done) == OPEN_ACTIONS  # a *Done* for each, in rows of 25
