"""Reading Adaptive Cards the bot sent, as a Teams client would show them."""

from __future__ import annotations

from typing import Any


def elements(card: dict[str, Any]) -> list[dict[str, Any]]:
    """Every element of the card's body, containers flattened, in order."""
    found: list[dict[str, Any]] = []

    def walk(items: list[dict[str, Any]]) -> None:
        for item in items:
            found.append(item)
            walk(item.get("items") or [])

    walk(card.get("body") or [])
    return found


def input_(card: dict[str, Any], input_id: str) -> dict[str, Any]:
    return next(e for e in elements(card) if e.get("id") == input_id)


def error_beside(card: dict[str, Any], input_id: str) -> str:
    """The attention-coloured text right after the input (empty when none)."""
    items = elements(card)
    index = next(i for i, e in enumerate(items) if e.get("id") == input_id)
    messages = []
    for item in items[index + 1 :]:
        if item.get("type") != "TextBlock" or item.get("color") != "Attention":
            break
        messages.append(item["text"])
    return " ".join(messages)


def submit_data(card: dict[str, Any]) -> dict[str, Any]:
    [action] = [a for a in card.get("actions") or [] if a["type"] == "Action.Submit"]
    return dict(action["data"])


def text_of(card: dict[str, Any]) -> str:
    return " ".join(str(e.get("text", "")) for e in elements(card))
