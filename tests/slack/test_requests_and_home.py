"""Signatures, retried events, uninstall, the Home tab and the Done button, through the door."""

from __future__ import annotations

import asyncio
import time

from adapters.sandbox.slack_actor import (
    FORM,
    filled,
    form_body,
    headers_for,
    interactive_body,
    slash_command,
)
from tests.slack.conftest import People
from tests.slack.test_session_flow import GOOD, open_form, table
from tests.support.slack_world import SlackWorld, eventually


async def test_a_bad_signature_is_refused_and_nothing_happens(
    world: SlackWorld, people: People
) -> None:
    body = form_body(slash_command("/coaching", "U0MAYA", "", world.emulator.new_trigger_id()))
    headers = headers_for(body, "not-the-secret", content_type=FORM)
    response = await world.http.post(f"{world.url}/slack/events", data=body, headers=headers)
    assert response.status == 401
    assert world.emulator.calls() == []


async def test_a_six_minute_old_request_is_refused(world: SlackWorld, people: People) -> None:
    view = await open_form(world)
    payload = {
        "type": "view_submission",
        "team": {"id": "T0001"},
        "user": {"id": "U0MAYA"},
        "view": filled(view, GOOD),
    }
    body = interactive_body(payload)
    headers = headers_for(body, "test-signing-secret", content_type=FORM, at=time.time() - 360)
    response = await world.http.post(f"{world.url}/slack/events", data=body, headers=headers)
    assert response.status == 401
    assert await table(world, "coaching_session") == []


async def test_an_event_retried_three_times_is_handled_once(
    world: SlackWorld, people: People
) -> None:
    event = {"type": "app_home_opened", "user": "U0ED", "tab": "home"}
    first = await world.event(event, "Ev001")
    await eventually(lambda: world.emulator.calls("views.publish"))
    for retry in (1, 2, 3):
        again = await world.event(
            event, "Ev001", **{"X-Slack-Retry-Num": str(retry), "X-Slack-Retry-Reason": "timeout"}
        )
        assert again.status == 200
    assert first.status == 200
    await world.event({"type": "app_home_opened", "user": "U0ZOE", "tab": "home"}, "Ev002")
    await eventually(lambda: len(world.emulator.calls("views.publish")) == 2)
    published = [c.args["user_id"] for c in world.emulator.calls("views.publish")]
    assert published == ["U0ED", "U0ZOE"]


async def test_the_managers_home_lists_each_report(world: SlackWorld, people: People) -> None:
    view = await open_form(world)
    await world.submit("U0MAYA", view, GOOD)
    await world.event({"type": "app_home_opened", "user": "U0MAYA", "tab": "home"}, "Ev010")
    home = await eventually(lambda: world.emulator.last_view_published("U0MAYA"))
    text = str(home)
    assert "Ed Jones" in text and "Zoe Adams" in text
    assert "Role-play the opener with Zoe" in text  # Ed's open action
    assert "overdue" in text  # Zoe has never had a session since January 2025
    buttons = [
        b["accessory"]
        for b in home["blocks"]
        if b.get("accessory", {}).get("action_id", "").startswith("log_session")
    ]
    assert {b["value"] for b in buttons} == {str(people.ed), str(people.zoe)}
    assign = [
        element
        for block in home["blocks"]
        if block["type"] == "actions"
        for element in block["elements"]
        if element["action_id"].startswith("assign_course")
    ]
    assert [a["text"]["text"] for a in assign] == ["Assign a course"] * 2


async def test_the_employees_home_and_the_done_button(world: SlackWorld, people: People) -> None:
    view = await open_form(world)
    await world.submit("U0MAYA", view, GOOD)
    await world.event({"type": "app_home_opened", "user": "U0ED", "tab": "home"}, "Ev020")
    home = await eventually(lambda: world.emulator.last_view_published("U0ED"))
    text = str(home)
    assert "Role-play the opener with Zoe" in text and "Negotiation basics" in text
    done = [
        b["accessory"]
        for b in home["blocks"]
        if b.get("accessory", {}).get("action_id", "").startswith("action_done")
    ]
    assert len(done) == 2

    await world.click("U0ED", done[0]["action_id"], done[0]["value"], view=home)
    await eventually(lambda: len(world.emulator.calls("views.publish")) == 2)
    actions = {a["id"]: a for a in await table(world, "agreed_action")}
    assert actions[int(done[0]["value"])]["status"] == "done"
    refreshed = world.emulator.last_view_published("U0ED")
    assert "Role-play the opener with Zoe" not in str(refreshed)


async def test_someone_else_cannot_close_an_employees_action(
    world: SlackWorld, people: People
) -> None:
    view = await open_form(world)
    await world.submit("U0MAYA", view, GOOD)
    action = (await table(world, "agreed_action"))[0]
    await world.click("U0KIM", "action_done:0", str(action["id"]))
    [refusal] = await eventually(lambda: world.emulator.messages_to("U0KIM"))
    assert "not one of yours" in refusal["text"]
    assert (await table(world, "agreed_action"))[0]["status"] == "open"


async def test_someone_without_reports_sees_their_own_record(
    world: SlackWorld, people: People
) -> None:
    await world.slash("U0KIM")
    modal = await world.opened_view("U0KIM")
    assert modal["title"]["text"] == "Your development"


async def test_help_explains_the_commands(world: SlackWorld, people: People) -> None:
    response = await world.slash("U0ED", "help")
    text = await response.text()
    assert "/coaching @person" in text
    assert "/coaching-report" in text


async def test_uninstalling_the_app_is_recorded(world: SlackWorld, people: People) -> None:
    response = await world.event({"type": "app_uninstalled"}, "Ev030")
    assert response.status == 200
    workspaces = await wait_for_rows(world, "workspace")
    assert workspaces[0]["id"] == "T0001" and workspaces[0]["installed"] is False


async def wait_for_rows(world: SlackWorld, name: str) -> list[dict[str, object]]:
    for _ in range(100):
        rows = await table(world, name)
        if rows:
            return rows
        await asyncio.sleep(0.02)
    raise AssertionError(f"no rows in {name}")


async def test_people_are_matched_by_email_and_their_zone_is_stored(
    world: SlackWorld, people: People
) -> None:
    await world.event({"type": "app_home_opened", "user": "U0ZOE", "tab": "home"}, "Ev040")
    await eventually(lambda: world.emulator.last_view_published("U0ZOE"))
    zoe = next(p for p in await table(world, "person") if p["id"] == people.zoe)
    assert zoe["slack_user_id"] == "U0ZOE"
    assert zoe["timezone"] == "America/New_York"
    await world.event({"type": "app_home_opened", "user": "U0ZOE", "tab": "home"}, "Ev041")
    await eventually(lambda: len(world.emulator.calls("views.publish")) == 2)
    assert len(world.emulator.calls("users.info")) == 1  # remembered after the first match
