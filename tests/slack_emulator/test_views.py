"""Modals and Home tabs: Slack's view rules, single-use trigger ids, stacks, hashes, publishing."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from typing import Any

import aiohttp
import pytest
from slack_sdk.models.blocks import InputBlock, PlainTextInputElement, SectionBlock
from slack_sdk.models.views import View
from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack_emulator import SlackEmulator
from bot.clock import FixedClock
from tests.slack_emulator.conftest import EMPLOYEE, MANAGER, refusal, tick

View_ = dict[str, Any]


def plain(text: str) -> dict[str, Any]:
    return {"type": "plain_text", "text": text}


def text_input(block_id: str = "key_points", **element: Any) -> dict[str, Any]:
    return {
        "type": "input",
        "block_id": block_id,
        "label": plain("Key points"),
        "element": {"type": "plain_text_input", "action_id": "value", **element},
    }


def select(options: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "type": "input",
        "block_id": "focus",
        "label": plain("Focus"),
        "element": {"type": "static_select", "action_id": "value", "options": options},
    }


def option(text: str = "Delegation", value: str = "delegation") -> dict[str, Any]:
    return {"text": plain(text), "value": value}


def session_form() -> View_:
    """A modal Slack accepts; each rule below breaks it in exactly one way."""
    return {
        "type": "modal",
        "callback_id": "log_session",
        "title": plain("Log a session"),
        "submit": plain("Save"),
        "close": plain("Cancel"),
        "private_metadata": "{}",
        "blocks": [
            {"type": "section", "text": {"type": "mrkdwn", "text": "What did you explore?"}},
            text_input(),
            select([option()]),
            {
                "type": "input",
                "block_id": "date",
                "label": plain("Date"),
                "element": {
                    "type": "datepicker",
                    "action_id": "value",
                    "initial_date": "2026-03-02",
                },
            },
        ],
    }


def breaking(change: Callable[[View_], object]) -> View_:
    view = session_form()
    change(view)
    return view


BROKEN_MODALS: dict[str, tuple[View_, str]] = {
    "no title": (breaking(lambda v: v.pop("title")), "/view/title"),
    "a mrkdwn title": (
        breaking(lambda v: v.update(title={"type": "mrkdwn", "text": "Log"})),
        "/view/title",
    ),
    "a title over 24": (breaking(lambda v: v.update(title=plain("L" * 25))), "/view/title/text"),
    "a submit over 24": (
        breaking(lambda v: v.update(submit=plain("S" * 25))),
        "/view/submit/text",
    ),
    "a close over 24": (breaking(lambda v: v.update(close=plain("C" * 25))), "/view/close/text"),
    "inputs without submit": (breaking(lambda v: v.pop("submit")), "/view/submit"),
    "private_metadata over 3000": (
        breaking(lambda v: v.update(private_metadata="m" * 3001)),
        "/view/private_metadata",
    ),
    "an unknown block type": (
        breaking(lambda v: v["blocks"].append({"type": "inputt"})),
        "/view/blocks/4/type",
    ),
    "an unknown element type": (
        breaking(lambda v: v["blocks"][1]["element"].update(type="plain_text_area")),
        "/view/blocks/1/element/type",
    ),
    "duplicate block_ids": (
        breaking(lambda v: v["blocks"].append(text_input("key_points"))),
        "/view/blocks/4/block_id",
    ),
    "a text input max_length over 3000": (
        breaking(lambda v: v["blocks"].__setitem__(1, text_input(max_length=3001))),
        "/view/blocks/1/element/max_length",
    ),
    "more than 100 blocks": (
        breaking(lambda v: v["blocks"].extend({"type": "divider"} for _ in range(97))),
        "/view/blocks",
    ),
    "option text over 75": (
        breaking(lambda v: v["blocks"].__setitem__(2, select([option(text="o" * 76)]))),
        "/view/blocks/2/element/options/0/text/text",
    ),
    "option value over 150": (
        breaking(lambda v: v["blocks"].__setitem__(2, select([option(value="v" * 151)]))),
        "/view/blocks/2/element/options/0/value",
    ),
    "more than 100 options": (
        breaking(
            lambda v: v["blocks"].__setitem__(2, select([option(value=str(i)) for i in range(101)]))
        ),
        "/view/blocks/2/element/options",
    ),
    "a date not as YYYY-MM-DD": (
        breaking(lambda v: v["blocks"][3]["element"].update(initial_date="02/03/2026")),
        "/view/blocks/3/element/initial_date",
    ),
    "a label over 2000 (a models limit)": (
        breaking(lambda v: v["blocks"][1].update(label=plain("l" * 2001))),
        "/view/blocks/1",
    ),
}


async def test_the_session_form_as_built_is_accepted(
    client: AsyncWebClient, slack: SlackEmulator
) -> None:
    answer = await client.views_open(
        trigger_id=slack.new_trigger_id(MANAGER.id), view=session_form()
    )

    assert answer["view"]["id"]
    assert answer["view"]["hash"]
    assert slack.opened_views(MANAGER.id)[0]["callback_id"] == "log_session"


@pytest.mark.parametrize("broken", list(BROKEN_MODALS), ids=list(BROKEN_MODALS))
async def test_views_open_refuses_a_modal_with(
    broken: str, client: AsyncWebClient, slack: SlackEmulator
) -> None:
    view, pointer = BROKEN_MODALS[broken]

    answer = await refusal(
        client.views_open(trigger_id=slack.new_trigger_id(MANAGER.id), view=copy.deepcopy(view))
    )

    assert answer["error"] == "invalid_arguments"
    assert any(f"[json-pointer:{pointer}]" in m for m in answer["response_metadata"]["messages"])
    assert slack.opened_views() == []


async def test_a_view_built_with_slack_sdk_models_is_accepted(
    client: AsyncWebClient, slack: SlackEmulator
) -> None:
    view = View(
        type="modal",
        title="Log a session",
        submit="Save",
        blocks=[
            SectionBlock(text="Hello"),
            InputBlock(
                block_id="notes",
                label="Notes",
                element=PlainTextInputElement(action_id="v", multiline=True),
            ),
        ],
    )

    answer = await client.views_open(trigger_id=slack.new_trigger_id(MANAGER.id), view=view)

    assert answer["view"]["blocks"][1]["block_id"] == "notes"


async def test_a_trigger_id_opens_one_view_only(
    client: AsyncWebClient, slack: SlackEmulator
) -> None:
    trigger_id = slack.new_trigger_id(MANAGER.id)
    await client.views_open(trigger_id=trigger_id, view=session_form())

    answer = await refusal(client.views_open(trigger_id=trigger_id, view=session_form()))

    assert answer["error"] == "exchanged_trigger_id"
    assert len(slack.opened_views()) == 1


async def test_a_trigger_id_expires_three_seconds_after_it_is_minted(
    client: AsyncWebClient, slack: SlackEmulator, clock: FixedClock
) -> None:
    in_time = slack.new_trigger_id(MANAGER.id)
    too_late = slack.new_trigger_id(MANAGER.id)
    tick(clock, 2.9)
    await client.views_open(trigger_id=in_time, view=session_form())
    tick(clock, 0.2)

    answer = await refusal(client.views_open(trigger_id=too_late, view=session_form()))

    assert answer["error"] == "expired_trigger_id"


async def test_a_made_up_trigger_id_is_invalid(client: AsyncWebClient) -> None:
    answer = await refusal(client.views_open(trigger_id="123.456.abc", view=session_form()))

    assert answer["error"] == "invalid_trigger_id"


async def test_a_refused_view_leaves_the_trigger_usable(
    client: AsyncWebClient, slack: SlackEmulator
) -> None:
    trigger_id = slack.new_trigger_id(MANAGER.id)
    await refusal(client.views_open(trigger_id=trigger_id, view=BROKEN_MODALS["no title"][0]))

    answer = await client.views_open(trigger_id=trigger_id, view=session_form())

    assert answer["ok"] is True


async def test_views_update_replaces_the_modal_and_checks_the_hash(
    client: AsyncWebClient, slack: SlackEmulator
) -> None:
    opened = await client.views_open(
        trigger_id=slack.new_trigger_id(MANAGER.id), view=session_form()
    )
    view_id, first_hash = opened["view"]["id"], opened["view"]["hash"]
    loaded = breaking(lambda v: v.update(title=plain("Ben's session")))

    await client.views_update(view_id=view_id, hash=first_hash, view=loaded)
    stale = await refusal(client.views_update(view_id=view_id, hash=first_hash, view=loaded))

    assert stale["error"] == "hash_conflict"
    assert slack.view_stack(MANAGER.id)[0]["title"]["text"] == "Ben's session"


async def test_views_update_of_an_unknown_view_is_not_found(client: AsyncWebClient) -> None:
    answer = await refusal(client.views_update(view_id="V0NOPE", view=session_form()))

    assert answer["error"] == "not_found"


async def test_views_update_validates_the_new_view(
    client: AsyncWebClient, slack: SlackEmulator
) -> None:
    opened = await client.views_open(
        trigger_id=slack.new_trigger_id(MANAGER.id), view=session_form()
    )

    answer = await refusal(
        client.views_update(view_id=opened["view"]["id"], view=BROKEN_MODALS["no title"][0])
    )

    assert answer["error"] == "invalid_arguments"


async def test_at_most_three_views_stack_up(client: AsyncWebClient, slack: SlackEmulator) -> None:
    await client.views_open(trigger_id=slack.new_trigger_id(MANAGER.id), view=session_form())
    for _ in range(2):
        await client.views_push(trigger_id=slack.new_trigger_id(MANAGER.id), view=session_form())

    answer = await refusal(
        client.views_push(trigger_id=slack.new_trigger_id(MANAGER.id), view=session_form())
    )

    assert answer["error"] == "push_limit_reached"
    stack = slack.view_stack(MANAGER.id)
    assert len(stack) == 3
    assert stack[2]["previous_view_id"] == stack[1]["id"]
    assert {v["root_view_id"] for v in stack} == {stack[0]["id"]}


async def test_closed_modals_leave_nothing_to_push_onto(
    client: AsyncWebClient, slack: SlackEmulator
) -> None:
    await client.views_open(trigger_id=slack.new_trigger_id(MANAGER.id), view=session_form())
    slack.close_views(MANAGER.id)

    answer = await refusal(
        client.views_push(trigger_id=slack.new_trigger_id(MANAGER.id), view=session_form())
    )

    assert answer["error"] == "invalid_arguments"


def home(*blocks: dict[str, Any]) -> View_:
    return {"type": "home", "blocks": list(blocks) or [{"type": "divider"}]}


async def test_views_publish_sets_the_persons_home_tab(
    client: AsyncWebClient, slack: SlackEmulator, clock: FixedClock
) -> None:
    first = await client.views_publish(user_id=EMPLOYEE.id, view=home())
    tick(clock)
    header = {"type": "header", "text": plain("Your actions")}
    second = await client.views_publish(user_id=EMPLOYEE.id, view=home(header))

    shown = slack.last_view_published(EMPLOYEE.id)
    assert shown is not None
    assert shown["blocks"] == [header]
    assert second["view"]["id"] == first["view"]["id"]
    assert slack.last_view_published(MANAGER.id) is None


@pytest.mark.parametrize(
    ("view", "error"),
    [
        (session_form(), "invalid_arguments"),
        ({**home(), "submit": plain("Save")}, "invalid_arguments"),
        (home(*[{"type": "divider"}] * 101), "invalid_arguments"),
    ],
    ids=["a modal", "a submit button", "more than 100 blocks"],
)
async def test_views_publish_refuses_a_home_tab_with(
    view: View_, error: str, client: AsyncWebClient, slack: SlackEmulator
) -> None:
    answer = await refusal(client.views_publish(user_id=EMPLOYEE.id, view=view))

    assert answer["error"] == error
    assert slack.last_view_published(EMPLOYEE.id) is None


async def test_views_publish_to_strangers_and_leavers_is_refused(client: AsyncWebClient) -> None:
    stranger = await refusal(client.views_publish(user_id="U0NOBODY", view=home()))
    leaver = await refusal(client.views_publish(user_id="U0GONE", view=home()))

    assert (stranger["error"], leaver["error"]) == ("user_not_found", "account_inactive")


async def test_a_closed_modal_can_no_longer_be_updated(
    client: AsyncWebClient, slack: SlackEmulator
) -> None:
    opened = await client.views_open(
        trigger_id=slack.new_trigger_id(MANAGER.id), view=session_form()
    )
    slack.close_views(MANAGER.id)

    answer = await refusal(client.views_update(view_id=opened["view"]["id"], view=session_form()))

    assert answer["error"] == "not_found"


async def test_a_form_encoded_view_is_taken_like_a_json_one(slack: SlackEmulator) -> None:
    form = {"trigger_id": slack.new_trigger_id(MANAGER.id), "view": json.dumps(session_form())}
    headers = {"Authorization": f"Bearer {slack.bot_token}"}
    async with (
        aiohttp.ClientSession() as http,
        http.post(f"{slack.base_url}views.open", data=form, headers=headers) as response,
    ):
        body = await response.json()

    assert body["ok"] is True
    assert slack.opened_views()[0]["title"]["text"] == "Log a session"
