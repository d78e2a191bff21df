"""Block Kit as plain text, so the demo can print what each person sees in Slack."""

from __future__ import annotations

import re
from typing import Any

LINK = re.compile(r"<([^|>]+)\|([^>]+)>")
# Slack shows these codes as pictures; a terminal shows the pictures' characters
EMOJI = {
    ":red_circle:": "🔴",
    ":large_orange_circle:": "🟠",
    ":white_circle:": "⚪",
    ":white_check_mark:": "✅",
    ":warning:": "⚠️",
    ":tada:": "🎉",
    ":hourglass_flowing_sand:": "⏳",
}
EMOJI_CODE = re.compile("|".join(map(re.escape, EMOJI)))


def _plain(text: Any) -> str:
    if isinstance(text, dict):
        text = text.get("text", "")
    unescaped = str(text).replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")
    linked = LINK.sub(lambda m: f"{m.group(2)} ({m.group(1)})", unescaped)
    return EMOJI_CODE.sub(lambda m: EMOJI[m.group(0)], linked)


def _element(element: dict[str, Any]) -> str:
    kind = element.get("type", "")
    if kind == "button":
        return f"[{_plain(element['text'])}]"
    if "initial_option" in element:
        return f"<{_plain(element['initial_option']['text'])}>"
    if "initial_value" in element:
        return f"<{element['initial_value']}>"
    if "initial_date" in element:
        return f"<{element['initial_date']}>"
    if kind == "radio_buttons":
        return " / ".join(f"( ) {_plain(o['text'])}" for o in element.get("options", []))
    return "<...>"


def blocks_text(blocks: list[dict[str, Any]], indent: str = "  ") -> str:
    """One or more lines per block, as a person reads the message or view."""
    lines: list[str] = []
    for block in blocks:
        kind = block.get("type")
        if kind == "header":
            lines.append(f"== {_plain(block['text'])} ==")
        elif kind == "section":
            if "text" in block:
                lines += _plain(block["text"]).splitlines()
            if "accessory" in block:
                lines.append(_element(block["accessory"]))
        elif kind == "context":
            lines.append(" ".join(_plain(e) for e in block.get("elements", [])))
        elif kind == "actions":
            lines.append(" ".join(_element(e) for e in block.get("elements", [])))
        elif kind == "input":
            optional = " (optional)" if block.get("optional") else ""
            lines.append(f"{_plain(block['label'])}{optional}: {_element(block['element'])}")
        elif kind == "divider":
            lines.append("-" * 40)
    return "\n".join(indent + line for line in lines)


def message_text(message: dict[str, Any]) -> str:
    if message.get("blocks"):
        return blocks_text(message["blocks"])
    return "\n".join("  " + line for line in _plain(message.get("text", "")).splitlines())


def view_text(view: dict[str, Any]) -> str:
    title = _plain(view.get("title", "")) if view.get("type") == "modal" else "Home"
    return f"  [{title}]\n" + blocks_text(view.get("blocks", []))
