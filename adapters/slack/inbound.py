"""What reaches Bolt on `POST /slack/events`: a request signed by Slack (checked before any of
the body is read), whose body parses the way Bolt parses it into an object of the shape the
listeners read. Anything else is refused with 401 (unsigned) or 400 (unreadable), naming the
problem in one line, so that no listener ever meets a value of the wrong type."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import parse_qsl

from adapters.request_body import body_problem

# Where listeners read a value, the type it must have when present and not null (Slack sends
# null for an empty input). A path step "*" stands for every key of an object or every item of
# a list.
_TYPES: dict[tuple[str, ...], type] = {
    ("type",): str,
    ("user",): dict,
    ("user", "id"): str,
    ("user_id",): str,
    ("channel_id",): str,
    ("team_id",): str,
    ("trigger_id",): str,
    ("text",): str,
    ("value",): str,
    ("event_id",): str,
    ("team",): dict,
    ("team", "id"): str,
    ("container",): dict,
    ("container", "channel_id"): str,
    ("message",): dict,
    ("message", "ts"): str,
    ("channel",): dict,
    ("channel", "id"): str,
    ("event",): dict,
    ("event", "channel_type"): str,
    ("event", "subtype"): str,
    ("event", "bot_id"): str,
    ("event", "type"): str,
    ("event", "user"): str,
    ("event", "tab"): str,
    ("actions",): list,
    ("actions", "*"): dict,
    ("actions", "*", "action_id"): str,
    ("actions", "*", "block_id"): str,
    ("actions", "*", "value"): str,
    ("view",): dict,
    ("view", "id"): str,
    ("view", "hash"): str,
    ("view", "type"): str,
    ("view", "callback_id"): str,
    ("view", "private_metadata"): str,
    ("view", "blocks"): list,
    ("view", "blocks", "*"): dict,
    ("view", "blocks", "*", "block_id"): str,
    ("view", "state"): dict,
    ("view", "state", "values"): dict,
    ("view", "state", "values", "*"): dict,
    ("view", "state", "values", "*", "*"): dict,
    ("view", "state", "values", "*", "*", "value"): str,
    ("view", "state", "values", "*", "*", "selected_date"): str,
    ("view", "state", "values", "*", "*", "selected_option"): dict,
    ("view", "state", "values", "*", "*", "selected_option", "value"): str,
    ("view", "state", "values", "*", "*", "selected_options"): list,
    ("view", "state", "values", "*", "*", "selected_options", "*"): dict,
    ("view", "state", "values", "*", "*", "selected_options", "*", "value"): str,
}
# Objects read as `body.get(key, {})` (by Bolt's middleware, too): present, they may not be null.
_OBJECTS = (("team",), ("user",), ("event",), ("view",), ("container",), ("message",))
# What each kind of request must carry: who sent it, the view it is about (its id is how a
# submission is recognised) and the trigger a listener opens a modal with.
_USER = ("user", "id")
_REQUIRED: dict[str, tuple[tuple[str, ...], ...]] = {
    "block_actions": (_USER, ("trigger_id",), ("actions",)),
    "view_submission": (_USER, ("view", "id")),
    "view_closed": (_USER, ("view", "id")),
    "block_suggestion": (_USER,),
    "command": (("user_id",), ("trigger_id",)),
}


def parse_body(raw: bytes, content_type: str) -> dict[str, Any] | str:
    """The request's content as Bolt will see it, or why it cannot be read."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        return "the body is not UTF-8"
    try:
        body = _parsed(text, content_type)
    except (ValueError, RecursionError):
        return "the body is not a form or JSON Slack sends"
    if not isinstance(body, dict):
        return "the body is not an object"
    return _shape_problem(body) or body


def _parsed(text: str, content_type: str) -> Any:
    # The same rules as Bolt's own parser, which reads the body again after these checks.
    if not text:
        return {}
    if content_type == "application/json" or text.startswith("{"):
        return json.loads(text)
    if "payload" in text:
        payload = dict(parse_qsl(text, keep_blank_values=True)).get("payload")
        return {} if payload is None else json.loads(payload)
    return dict(parse_qsl(text, keep_blank_values=True))


def _shape_problem(body: dict[str, Any]) -> str | None:
    problem = body_problem(body)
    if problem:
        return problem
    for path, expected in _TYPES.items():
        for found_path, value in _at(body, path):
            if value is None and path in _OBJECTS:
                return f"{'.'.join(found_path)} must be an object, not null"
            if value is not None and not isinstance(value, expected):
                return f"{'.'.join(found_path)} must be a {expected.__name__}"
    kind = "command" if "command" in body else body.get("type")
    for path in _REQUIRED.get(kind, ()) if isinstance(kind, str) else ():
        if not any(value for _, value in _at(body, path)):
            return f"{'.'.join(path)} is missing"
    return None


Found = list[tuple[tuple[str, ...], Any]]


def _at(value: Any, path: tuple[str, ...], seen: tuple[str, ...] = ()) -> Found:
    """Every value found at `path` (with `*` expanded), with the path it was found at."""
    if not path:
        return [(seen, value)]
    step, rest = path[0], path[1:]
    if step == "*":
        items: Any = ()
        if isinstance(value, dict):
            items = value.items()
        elif isinstance(value, list):
            items = enumerate(value)
        return [found for key, item in items for found in _at(item, rest, (*seen, str(key)))]
    if isinstance(value, dict) and step in value:
        return _at(value[step], rest, (*seen, step))
    return []
