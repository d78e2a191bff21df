"""The one checker of chat payloads against the platforms' documented limits (not only the
emulator's): Slack messages and views, Teams cards; no text cut inside an entity or a link;
every list that leaves items out says so.

The limits are the adapters' own modules (`adapters/slack/limits.py`, `adapters/teams/limits.py`),
which cite the platforms' documentation."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from adapters.slack import limits as slack
from adapters.teams import limits as teams

ENTITY = re.compile(r"&(?!(amp|lt|gt);)")
MORE = re.compile(r"and (\d+) more ([^:_\n]+)")


def _texts(node: Any) -> Iterator[str]:
    """Every `text` string in a Block Kit or Adaptive Card tree."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key in {"text", "label", "title"} and isinstance(value, str):
                yield value
            else:
                yield from _texts(value)
    elif isinstance(node, list):
        for item in node:
            yield from _texts(item)


def check_mrkdwn(text: str) -> None:
    """Slack markdown with no entity cut (`&am`) and no link cut (`<https://…` unclosed)."""
    assert not ENTITY.search(text), f"an entity is cut: {text[:200]!r}"
    for line in text.splitlines():
        assert line.count("<") == line.count(">"), f"a link is cut: {line[:200]!r}"


def _check_block(block: dict[str, Any]) -> None:
    kind = block["type"]
    if kind == "section" and "text" in block:
        text = block["text"]["text"]
        assert len(text) <= slack.SECTION_TEXT, f"section text of {len(text)} characters"
        check_mrkdwn(text)
    if kind == "header":
        assert len(block["text"]["text"]) <= slack.HEADER_TEXT
    if kind == "context":
        assert len(block["elements"]) <= slack.CONTEXT_ELEMENTS
        for element in block["elements"]:
            assert len(element.get("text", "")) <= slack.CONTEXT_TEXT
            check_mrkdwn(element.get("text", ""))
    if kind == "actions":
        assert len(block["elements"]) <= slack.ACTIONS_ELEMENTS
        for element in block["elements"]:
            if element["type"] == "button":
                assert len(element["text"]["text"]) <= slack.BUTTON_TEXT
                assert len(element.get("value", "")) <= slack.BUTTON_VALUE
    if kind == "input":
        assert len(block["label"]["text"]) <= slack.INPUT_LABEL
        element = block["element"]
        options = element.get("options", [])
        limit = slack.RADIO_OPTIONS if element["type"] == "radio_buttons" else slack.SELECT_OPTIONS
        assert len(options) <= limit
        for option in options:
            assert len(option["text"]["text"]) <= slack.OPTION_TEXT
            assert len(option["value"]) <= slack.OPTION_VALUE


def check_slack_message(message: dict[str, Any]) -> None:
    """A `chat.postMessage` / `chat.update` payload as Slack received it."""
    blocks = message.get("blocks") or []
    assert len(blocks) <= slack.MESSAGE_BLOCKS, f"{len(blocks)} blocks in a message"
    assert len(message.get("text") or "") <= slack.MESSAGE_TEXT
    check_mrkdwn(message.get("text") or "")
    for block in blocks:
        _check_block(block)


def check_slack_view(view: dict[str, Any]) -> None:
    """A modal or Home tab as Slack received it."""
    blocks = view.get("blocks") or []
    assert len(blocks) <= slack.VIEW_BLOCKS, f"{len(blocks)} blocks in a view"
    assert len(view.get("private_metadata") or "") <= slack.PRIVATE_METADATA
    for block in blocks:
        _check_block(block)


def _action_sets(node: Any) -> Iterator[list[Any]]:
    if isinstance(node, dict):
        if node.get("type") in {"ActionSet", "AdaptiveCard"} and "actions" in node:
            yield node["actions"]
        for value in node.values():
            yield from _action_sets(value)
    elif isinstance(node, list):
        for item in node:
            yield from _action_sets(item)


def check_teams_card(card: dict[str, Any]) -> None:
    """An Adaptive Card as the Bot Connector received it: within the advised message size in
    UTF-16 and at most six actions in each set (a `Show all` card's included)."""
    size = teams.message_bytes(card)
    assert size <= teams.MESSAGE_BYTES, f"card of {size} UTF-16 bytes"
    for actions in _action_sets(card):
        assert len(actions) <= teams.ACTIONS_PER_SET, f"{len(actions)} actions in one set"
    for text in _texts(card):
        assert "\ufffd" not in text  # no character split in two


def announced(payload: Any, noun: str) -> int:
    """How many `noun` the payload says it left out ("and 43 more open actions"), summed."""
    total = 0
    for text in _texts(payload):
        for count, what in MORE.findall(text):
            if what.strip().startswith(noun):
                total += int(count)
    return total


def shown(payload: Any, marker: str) -> int:
    """How many list lines containing `marker` the payload shows."""
    return sum(1 for text in _texts(payload) for line in text.splitlines() if marker in line)
