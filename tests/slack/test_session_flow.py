"""A manager logs a coaching session through Slack, end to end: signed requests in, what the
emulator received out, what the database holds."""

from __future__ import annotations

import json
from datetime import date, timedelta
from typing import Any

from sqlalchemy import select

from storage.tables import metadata
from tests.slack.conftest import People
from tests.support.slack_world import SlackWorld, eventually, today_utc

GOOD = {
    "duration": "45",
    "focus_type": ("Skill development", "skill_development"),
    "skill": ("Negotiation", "SK-NEGO"),
    "key_points": "Prepared for the Acme renewal\nOpened with questions\nHeld the price",
    "actions": "Role-play the opener with Zoe\nDraft the proposal by 2099-01-15",
    "courses": ["C-101"],
}


async def table(world: SlackWorld, name: str) -> list[dict[str, Any]]:
    async with world.coachbot.engine.connect() as connection:
        result = await connection.execute(select(metadata.tables[name]))
        return [dict(row) for row in result.mappings()]


async def open_form(world: SlackWorld, text: str = "<@U0ED|ed>") -> dict[str, Any]:
    response = await world.slash("U0MAYA", text)
    assert response.status == 200
    return await world.opened_view("U0MAYA")


async def test_a_manager_logs_a_session_with_a_course(world: SlackWorld, people: People) -> None:
    view = await open_form(world)
    assert view["title"]["text"] == "Log a coaching session"
    employee = next(b for b in view["blocks"] if b.get("block_id") == "employee")
    assert employee["element"]["initial_option"]["value"] == str(people.ed)
    assert {o["value"] for o in employee["element"]["options"]} == {
        str(people.ed),
        str(people.zoe),
    }

    answer = await world.submit("U0MAYA", view, GOOD)
    assert answer == {"response_action": "clear"}

    [session] = await table(world, "coaching_session")
    assert session["employee_id"] == people.ed and session["manager_id"] == people.maya
    assert session["held_on"] == today_utc() and session["duration_minutes"] == 45
    assert session["skill_id"] == "SK-NEGO" and session["flagged"] is False
    actions = await table(world, "agreed_action")
    assert [a["text"] for a in actions] == ["Role-play the opener with Zoe", "Draft the proposal"]
    assert str(actions[1]["due_on"]) == "2099-01-15"
    [assignment] = await table(world, "course_assignment")
    assert assignment["course_id"] == "C-101" and assignment["session_id"] == session["id"]

    await world.deliver()
    [dm] = world.emulator.messages_to("U0ED")
    text = json_text(dm)
    assert "Maya Patel logged your coaching session" in dm["text"]
    assert "Negotiation basics" in text
    assert "https://lms.example.org/course/view.php?id=101" in text
    assert "Role-play the opener with Zoe" in text
    [confirmation] = world.emulator.messages_to("U0MAYA")
    assert "Saved your session with Ed Jones" in confirmation["text"]
    assert "Next session due by" in json_text(confirmation)


def json_text(message: dict[str, Any]) -> str:
    return json.dumps(message)


async def test_the_dispatcher_delivers_without_being_asked(
    world: SlackWorld, people: People
) -> None:
    await world.coachbot.start_background()
    view = await open_form(world)
    await world.submit("U0MAYA", view, GOOD)
    [dm] = await eventually(lambda: world.emulator.messages_to("U0ED"))
    assert "logged your coaching session" in dm["text"]


async def test_every_field_error_goes_back_to_its_field(world: SlackWorld, people: People) -> None:
    view = await open_form(world)
    answer = await world.submit(
        "U0MAYA",
        view,
        {
            "held_on": "2099-01-01",
            "duration": "5",
            "focus_type": None,
            "skill": None,
            "key_points": "Only one point\nand two",
            "actions": "",
        },
    )
    assert answer["response_action"] == "errors"
    errors = answer["errors"]
    assert set(errors) >= {"held_on", "duration", "focus_type", "skill", "key_points", "actions"}
    assert "future" in errors["held_on"]
    assert "2" in errors["key_points"]
    assert await table(world, "coaching_session") == []
    assert world.emulator.messages_to("U0ED") == []


async def test_appraisal_language_is_shown_before_saving(world: SlackWorld, people: People) -> None:
    view = await open_form(world)
    wording = dict(GOOD, key_points="Ed is underperforming on renewals\nOpened well\nHeld price")
    answer = await world.submit("U0MAYA", view, wording)
    assert answer["response_action"] == "update"
    warned = answer["view"]
    warning = next(b for b in warned["blocks"] if b.get("block_id") == "appraisal_warning")
    assert "underperforming" in warning["text"]["text"] and "Try:" in warning["text"]["text"]
    assert await table(world, "coaching_session") == []

    warned["id"] = view["id"]
    confirmed = dict(wording, appraisal_confirm=["yes"])
    answer = await world.submit("U0MAYA", warned, confirmed)
    assert answer == {"response_action": "clear"}
    [session] = await table(world, "coaching_session")
    assert session["flagged"] is True


async def test_a_report_that_is_not_theirs_is_refused(world: SlackWorld, people: People) -> None:
    await world.slash("U0MAYA", "<@U0KIM|kim>")
    shown = await world.opened_view("U0MAYA")
    assert "own direct reports" in json.dumps(shown)
    assert not any(b.get("type") == "input" for b in shown["blocks"])


async def test_an_unknown_user_is_told_to_ask_ld(world: SlackWorld, people: People) -> None:
    await world.slash("U0SAM")
    shown = await world.opened_view("U0SAM")
    assert "Ask your L&amp;D team to add you" in json.dumps(shown)
    assert not any(b.get("type") == "input" for b in shown["blocks"])


async def test_a_form_submitted_twice_makes_one_session(world: SlackWorld, people: People) -> None:
    view = await open_form(world)
    first = await world.submit("U0MAYA", view, GOOD)
    second = await world.submit("U0MAYA", view, GOOD)
    assert first == second == {"response_action": "clear"}
    assert len(await table(world, "coaching_session")) == 1
    await world.deliver()
    assert len(world.emulator.messages_to("U0ED")) == 1


async def test_the_employee_marks_an_action_done_from_the_dm(
    world: SlackWorld, people: People
) -> None:
    view = await open_form(world)
    await world.submit("U0MAYA", view, GOOD)
    await world.deliver()
    [dm] = world.emulator.messages_to("U0ED")
    buttons = [
        element
        for block in dm["blocks"]
        if block["type"] == "actions"
        for element in block["elements"]
    ]
    assert [b["text"]["text"] for b in buttons] == [
        "Done: Role-play the opener with Zoe",
        "Done: Draft the proposal",
    ]
    await world.click("U0ED", buttons[0]["action_id"], buttons[0]["value"], message=dm)
    await eventually(lambda: world.emulator.calls("chat.update"))
    statuses = {a["text"]: a["status"] for a in await table(world, "agreed_action")}
    assert statuses == {"Role-play the opener with Zoe": "done", "Draft the proposal": "open"}
    [updated] = world.emulator.messages_to("U0ED")  # the same message, now showing it done
    assert updated["ts"] == dm["ts"]
    left = [e for b in updated["blocks"] if b["type"] == "actions" for e in b["elements"]]
    assert [b["text"]["text"] for b in left] == ["Done: Draft the proposal"]
    lines = [
        line
        for block in updated["blocks"]
        if block["type"] == "section"
        for line in block["text"]["text"].splitlines()
    ]
    assert "• Role-play the opener with Zoe ✅ _done_" in lines
    assert "• Draft the proposal (by 15 January 2099)" in lines


async def test_what_a_manager_types_cannot_link_or_mention_in_the_dm(
    world: SlackWorld, people: People
) -> None:
    view = await open_form(world)
    typed = dict(GOOD, actions="Read <https://evil.example|this> & tell <!channel>")
    await world.submit("U0MAYA", view, typed)
    await world.deliver()
    [dm] = world.emulator.messages_to("U0ED")
    mrkdwn = [b["text"]["text"] for b in dm["blocks"] if b.get("text", {}).get("type") == "mrkdwn"]
    assert any("&lt;https://evil.example|this&gt; &amp; tell &lt;!channel&gt;" in t for t in mrkdwn)
    assert not any("<https://evil.example|this>" in t or "<!channel>" in t for t in mrkdwn)


async def test_marked_done_dm_escapes_action_text(world: SlackWorld, people: People) -> None:
    view = await open_form(world)
    await world.submit("U0MAYA", view, dict(GOOD, actions="<!channel> <https://evil|Click>"))
    await world.deliver()
    [dm] = world.emulator.messages_to("U0ED")
    [done] = [
        element
        for block in dm["blocks"]
        if block["type"] == "actions"
        for element in block["elements"]
    ]

    await world.click("U0ED", done["action_id"], done["value"])

    [confirmation] = await eventually(lambda: world.emulator.messages_to("U0ED")[1:])
    assert confirmation["text"] == (
        "Marked done: &lt;!channel&gt; &lt;https://evil|Click&gt;. Well done!"
    )
    [action] = await table(world, "agreed_action")
    assert (action["text"], action["status"]) == ("<!channel> <https://evil|Click>", "done")


async def test_the_review_says_what_saving_does_to_the_open_actions(
    world: SlackWorld, people: People
) -> None:
    view = await open_form(world)
    yesterday = (today_utc() - timedelta(days=1)).isoformat()
    await world.submit("U0MAYA", view, {**GOOD, "held_on": yesterday})
    opened = {a["text"]: a["id"] for a in await table(world, "agreed_action")}

    view = await open_form(world)
    [preview] = [b for b in view["blocks"] if b.get("block_id") == "carry_summary"]
    assert "_Unless you change them below, both are carried over._" in preview["text"]["text"]
    radios = [b for b in view["blocks"] if b.get("block_id", "").startswith("review_")]
    assert {b["element"]["initial_option"]["value"] for b in radios[1:]} == {"carried_over"}

    done = opened["Role-play the opener with Zoe"]
    appraisal = {**GOOD, "key_points": "Talked about his rating\nOpened up\nHeld the price"}
    answer = await world.submit("U0MAYA", view, {**appraisal, f"review_{done}": ("Done", "done")})
    assert answer["response_action"] == "update"  # the form comes back with what was chosen
    [preview] = [b for b in answer["view"]["blocks"] if b.get("block_id") == "carry_summary"]
    assert "Unless you change them below: 1 marked done, 1 carried over." in json_text(preview)


def _this_year(day: date) -> str:
    return f"{day.day} {day:%B}"


async def test_a_date_carries_its_year_only_when_it_is_not_this_year(
    world: SlackWorld, people: People
) -> None:
    await world.submit("U0MAYA", await open_form(world), GOOD)
    await world.deliver()
    [dm] = world.emulator.messages_to("U0ED")
    assert f"Maya Patel logged your coaching session of {_this_year(today_utc())}." in str(dm)
    assert "Draft the proposal (by 15 January 2099)" in str(dm)

    await world.event({"type": "app_home_opened", "user": "U0ED", "tab": "home"}, "EvYear")
    home = str(await eventually(lambda: world.emulator.last_view_published("U0ED")))
    assert "Draft the proposal _(by 15 January 2099)_" in home
    assert f"*{_this_year(today_utc())}*: Coaching session" in home
