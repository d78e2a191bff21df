"""Acting as Slack towards the bot: signed slash commands, modal submissions (with `state.values`
filled as Slack fills them), button clicks and events, sent over real HTTP. Used by the demo,
the benchmarks and the end-to-end tests."""

from __future__ import annotations

import asyncio
import copy
import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar
from urllib.parse import urlencode

from aiohttp import ClientResponse, ClientSession

from adapters.slack.signing import signed_headers

FORM = "application/x-www-form-urlencoded"
JSON = "application/json"
TEAM_ID = "T0001"
T = TypeVar("T")


async def eventually(probe: Callable[[], T | None], seconds: float = 5.0) -> T:
    """Wait until `probe()` returns something truthy: Slack work continues after the ack."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + seconds
    while True:
        value = probe()
        if value:
            return value
        if loop.time() > deadline:
            raise TimeoutError("nothing arrived in time")
        await asyncio.sleep(0.02)


@dataclass(frozen=True)
class Where:
    """The workspace a request comes from (and its Enterprise Grid enterprise, and whether the
    app is installed org-wide there), as Slack puts it in every request."""

    team_id: str = TEAM_ID
    enterprise_id: str | None = None
    is_enterprise_install: bool = False

    def fields(self) -> dict[str, str]:
        """A slash command's form fields saying where it comes from."""
        if self.enterprise_id is None:
            return {}
        return {
            "enterprise_id": self.enterprise_id,
            "is_enterprise_install": "true" if self.is_enterprise_install else "false",
        }

    def payload(self) -> dict[str, Any]:
        """An interaction payload's `team` (and `enterprise`)."""
        if self.enterprise_id is None:
            return {"team": {"id": self.team_id}}
        return {
            "team": {"id": self.team_id, "enterprise_id": self.enterprise_id},
            "enterprise": {"id": self.enterprise_id},
            "is_enterprise_install": self.is_enterprise_install,
        }

    def event(self) -> dict[str, Any]:
        """An event callback's fields saying where it comes from (and for which install)."""
        if self.enterprise_id is None:
            return {"team_id": self.team_id}
        return {
            "team_id": self.team_id,
            "enterprise_id": self.enterprise_id,
            "authorizations": [
                {
                    "enterprise_id": self.enterprise_id,
                    "team_id": None if self.is_enterprise_install else self.team_id,
                    "user_id": "U0EMULATEDBOT",
                    "is_bot": True,
                    "is_enterprise_install": self.is_enterprise_install,
                }
            ],
            "is_ext_shared_channel": False,
        }


HERE = Where()


def slash_command(
    command: str,
    user_id: str,
    text: str,
    trigger_id: str,
    where: Where = HERE,
    response_url: str = "https://hooks.invalid/commands/1",
) -> dict[str, str]:
    return {
        **where.fields(),
        "team_id": where.team_id,
        "channel_id": "D" + user_id[1:],
        "user_id": user_id,
        "command": command,
        "text": text,
        "response_url": response_url,
        "trigger_id": trigger_id,
    }


def form_body(fields: dict[str, str]) -> str:
    return urlencode(fields)


def interactive_body(payload: dict[str, Any]) -> str:
    return urlencode({"payload": json.dumps(payload)})


def event_body(event: dict[str, Any], event_id: str, where: Where = HERE) -> str:
    return json.dumps(
        {
            **where.event(),
            "api_app_id": "A0001",
            "type": "event_callback",
            "event_id": event_id,
            "event_time": int(time.time()),
            "event": event,
        }
    )


def headers_for(
    body: str, secret: str, *, content_type: str, at: float | None = None
) -> dict[str, str]:
    headers = signed_headers(body, secret, at=at)
    headers["Content-Type"] = content_type
    return headers


def _state_for(element: dict[str, Any], answer: Any) -> dict[str, Any]:
    kind = element["type"]
    if kind == "datepicker":
        return {"type": kind, "selected_date": str(answer)}
    if kind in {"plain_text_input", "number_input"}:
        return {"type": kind, "value": str(answer)}
    if kind in {"static_select", "external_select", "radio_buttons"}:
        text, value = answer if isinstance(answer, tuple) else (str(answer), str(answer))
        option = {"text": {"type": "plain_text", "text": text}, "value": value}
        return {"type": kind, "selected_option": option}
    if kind in {"multi_external_select", "checkboxes", "multi_static_select"}:
        options = [{"text": {"type": "plain_text", "text": v}, "value": v} for v in answer]
        return {"type": kind, "selected_options": options}
    raise ValueError(f"no state for {kind} elements")


def filled(view: dict[str, Any], answers: dict[str, Any]) -> dict[str, Any]:
    """The view as Slack sends it on submit: `state.values` from `answers` by block id (None
    leaves a field empty), and initial values where the person changed nothing."""
    submitted = copy.deepcopy(view)
    values: dict[str, dict[str, Any]] = {}
    for block in view["blocks"]:
        if block["type"] != "input":
            continue
        element = block["element"]
        if block["block_id"] in answers:
            if answers[block["block_id"]] is None:
                continue
            state = _state_for(element, answers[block["block_id"]])
        elif "initial_option" in element:
            state = {"type": element["type"], "selected_option": element["initial_option"]}
        elif "initial_date" in element:
            state = {"type": element["type"], "selected_date": element["initial_date"]}
        elif "initial_value" in element:
            state = {"type": element["type"], "value": element["initial_value"]}
        else:
            continue
        values[block["block_id"]] = {element["action_id"]: state}
    submitted["state"] = {"values": values}
    return submitted


class SlackActor:
    """Sends what Slack would send to the bot's `/slack/events`, signed with its secret."""

    def __init__(
        self, http: ClientSession, bot_url: str, signing_secret: str, where: Where = HERE
    ) -> None:
        self.http = http
        self.url = f"{bot_url.rstrip('/')}/slack/events"
        self.secret = signing_secret
        self.where = where

    async def post(self, body: str, content_type: str, **headers: str) -> ClientResponse:
        signed = headers_for(body, self.secret, content_type=content_type)
        signed.update(headers)
        response = await self.http.post(self.url, data=body, headers=signed)
        await response.read()
        return response

    async def slash(
        self,
        user_id: str,
        trigger_id: str,
        text: str = "",
        command: str = "/coaching",
        *,
        response_url: str = "https://hooks.invalid/commands/1",
    ) -> ClientResponse:
        fields = slash_command(command, user_id, text, trigger_id, self.where, response_url)
        return await self.post(form_body(fields), FORM)

    async def submit(
        self, user_id: str, view: dict[str, Any], answers: dict[str, Any], trigger_id: str = ""
    ) -> dict[str, Any]:
        """Submit a modal; the bot's answer (`response_action` ...), {} for a plain ack."""
        payload = {
            "type": "view_submission",
            **self.where.payload(),
            "user": {"id": user_id},
            "api_app_id": "A0001",
            "trigger_id": trigger_id,
            "view": filled(view, answers),
        }
        response = await self.post(interactive_body(payload), FORM)
        text = await response.text()
        if response.status != 200:
            raise RuntimeError(f"the bot answered {response.status}: {text}")
        return dict(json.loads(text)) if text else {}

    async def click(
        self,
        user_id: str,
        action_id: str,
        value: str,
        trigger_id: str = "",
        *,
        view: dict[str, Any] | None = None,
        message: dict[str, Any] | None = None,
    ) -> ClientResponse:
        """A button click: in a view (Home, a modal), in a posted `message` (Slack then sends
        the message and where it is), or, with neither, in the app's DM."""
        payload: dict[str, Any] = {
            "type": "block_actions",
            **self.where.payload(),
            "user": {"id": user_id},
            "api_app_id": "A0001",
            "trigger_id": trigger_id,
            "actions": [
                {"action_id": action_id, "block_id": "b", "value": value, "type": "button"}
            ],
        }
        if view is not None:
            payload["view"] = view
        else:
            payload["channel"] = {"id": "D" + user_id[1:]}  # the app's DM with the person
        if message is not None:
            payload["message"] = message
            payload["container"] = {
                "type": "message",
                "message_ts": message["ts"],
                "channel_id": payload["channel"]["id"],
                "is_ephemeral": False,
            }
        return await self.post(interactive_body(payload), FORM)

    async def event(self, event: dict[str, Any], event_id: str, **headers: str) -> ClientResponse:
        return await self.post(event_body(event, event_id, self.where), JSON, **headers)
