"""Neutral replies rendered as Block Kit, built with `slack_sdk.models` so Slack's limits are
checked when the blocks are serialised."""

from __future__ import annotations

import re
from dataclasses import replace
from typing import Any

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
    ContextBlock,
    HeaderBlock,
    MarkdownTextObject,
    SectionBlock,
)

from adapters.slack import limits
from bot.fitting import fit_lines, more_line, shorten
from bot.replies import Reply, Section

MAX_MESSAGE_BLOCKS = limits.MESSAGE_BLOCKS
ITEM_CHARS = 1000
"""An item longer than this (escaped) is shortened word-wise, so a list shows several."""


def button_actions(action: str) -> re.Pattern[str]:
    """Matches the action ids of `action`'s buttons: `action` or `action:<n>` (a view may hold
    several buttons of one kind, and Slack wants their action ids unique)."""
    return re.compile(rf"^{re.escape(action)}(:\d+)?$")


def mrkdwn(text: str) -> MarkdownTextObject:
    """Block Kit markdown; text over Slack's limit loses whole lines (never part of an entity,
    a word or a link), and says so."""
    if len(text) > limits.SECTION_TEXT:
        lines, _ = fit_lines(text.split("\n"), limits.SECTION_TEXT, announce=lambda n: "…")
        text = "\n".join(lines)
    return MarkdownTextObject(text=text)


def escape(text: str) -> str:
    """Slack's three control characters, escaped so user text cannot mention or link."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def slack_link(url: str, title: str) -> str:
    """A titled link; the URL's `&` (query strings) escaped too, as Slack's own messages do."""
    return f"<{escape(url)}|{escape(title)}>"


def escaped_length(text: str) -> int:
    """Characters `text` takes once escaped: what Slack counts against its limits."""
    return len(escape(text))


def plain(text: str, limit: int) -> str:
    """User text for a plain-text field (a label, a button) of `limit` characters, shortened
    word-wise."""
    return shorten(text, limit)


def fitted_mrkdwn(lines: list[str], noun: str, hint: str = "", *, keep: int = 0) -> tuple[str, int]:
    """Rendered (escaped) lines joined within a section's text limit; the ones that do not fit
    are announced ("_and 43 more open actions: open your Home tab_"). The first `keep` lines
    are always shown. Returns the text and how many lines were left out."""
    shown, left = fit_lines(
        lines,
        limits.SECTION_TEXT,
        announce=lambda n: f"_{more_line(n, noun, hint)}_",
        keep=keep,
    )
    return "\n".join(shown), left


def section_blocks(section: Section, block_prefix: str, *, compact: bool = False) -> list[Block]:
    """The section's blocks; `compact` puts the heading in bold above the text instead of in a
    header block of its own (one block fewer, for a message combining many)."""
    blocks: list[Block] = []
    if section.heading and compact:
        section = replace(section, heading="", text=f"*{section.heading}*\n{section.text}")
    if section.heading:
        blocks.append(HeaderBlock(text=plain(section.heading, limits.HEADER_TEXT)))
    # the text carries what people typed (agreed actions, names): escaped, so it cannot
    # mention, link or format beyond the *bold* and _italic_ the composers use; shortened
    # before escaping, so that no cut falls inside an entity
    room = limits.SECTION_TEXT // 2
    lines = [escape(shorten(section.text, room, escaped_length))] if section.text else []
    lines += [
        f"• {slack_link(link.url, shorten(link.title, 200, escaped_length))}"
        for link in section.links
        if link.url
    ]
    lines += [f"• {escape(link.title)}" for link in section.links if not link.url]
    kept = len(lines)
    lines += [f"• {escape(shorten(item, ITEM_CHARS, escaped_length))}" for item in section.items]
    if lines:
        text, _ = fitted_mrkdwn(lines, section.noun, section.more_hint, keep=kept)
        blocks.append(SectionBlock(text=MarkdownTextObject(text=text)))
    size = limits.ACTIONS_ELEMENTS
    for start in range(0, len(section.buttons), size):
        elements = [
            ButtonElement(
                text=plain(button.label, limits.BUTTON_TEXT),
                action_id=f"{button.action}:{index}",
                value=button.value[: limits.BUTTON_VALUE],
                style="primary" if button.primary else None,
            )
            for index, button in enumerate(section.buttons[start : start + size], start)
        ]
        suffix = f"-{start // size}" if start else ""
        blocks.append(ActionsBlock(block_id=f"{block_prefix}-actions{suffix}", elements=elements))
    return blocks


def reply_blocks(reply: Reply) -> list[dict[str, Any]]:
    """The message's blocks as dicts, within Slack's 50-block limit: sections that do not fit
    are left out whole and announced (the dispatcher combines few enough that all fit)."""
    per_section = [
        section_blocks(section, f"s{index}") for index, section in enumerate(reply.sections)
    ]
    if sum(len(blocks) for blocks in per_section) > MAX_MESSAGE_BLOCKS:
        per_section = [
            section_blocks(section, f"s{index}", compact=True)
            for index, section in enumerate(reply.sections)
        ]
    blocks: list[Block] = []
    for index, section in enumerate(per_section):
        last = index == len(per_section) - 1
        if len(blocks) + len(section) > MAX_MESSAGE_BLOCKS - (0 if last else 1):
            left = len(per_section) - index
            blocks.append(
                ContextBlock(
                    elements=[mrkdwn(f"_{more_line(left, 'parts')}: open the app's Home tab._")]
                )
            )
            break
        blocks.extend(section)
    return [block.to_dict() for block in blocks[:MAX_MESSAGE_BLOCKS]]
