"""Neutral replies rendered as Block Kit, built with `slack_sdk.models` so Slack's limits are
checked when the blocks are serialised."""

from __future__ import annotations

import re
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

from bot.replies import Reply, Section

MAX_MESSAGE_BLOCKS = 50


def button_actions(action: str) -> re.Pattern[str]:
    """Matches the action ids of `action`'s buttons: `action` or `action:<n>` (a view may hold
    several buttons of one kind, and Slack wants their action ids unique)."""
    return re.compile(rf"^{re.escape(action)}(:\d+)?$")


def mrkdwn(text: str) -> MarkdownTextObject:
    return MarkdownTextObject(text=text[:3000])


def escape(text: str) -> str:
    """Slack's three control characters, escaped so user text cannot mention or link."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def section_blocks(section: Section, block_prefix: str) -> list[Block]:
    blocks: list[Block] = []
    if section.heading:
        blocks.append(HeaderBlock(text=section.heading[:150]))
    # the text carries what people typed (agreed actions, names): escaped, so it cannot
    # mention, link or format beyond the *bold* and _italic_ the composers use
    lines = [escape(section.text)] if section.text else []
    lines += [f"• {escape(item)}" for item in section.items]
    lines += [f"• <{link.url}|{escape(link.title)}>" for link in section.links if link.url]
    lines += [f"• {escape(link.title)}" for link in section.links if not link.url]
    if lines:
        blocks.append(SectionBlock(text=mrkdwn("\n".join(lines))))
    if section.buttons:
        elements = [
            ButtonElement(
                text=button.label[:75],
                action_id=f"{button.action}:{index}",
                value=button.value[:2000],
                style="primary" if button.primary else None,
            )
            for index, button in enumerate(section.buttons[:25])
        ]
        blocks.append(ActionsBlock(block_id=f"{block_prefix}-actions", elements=elements))
    return blocks


def reply_blocks(reply: Reply) -> list[dict[str, Any]]:
    """The message's blocks as dicts, within Slack's 50-block limit."""
    blocks: list[Block] = []
    for index, section in enumerate(reply.sections):
        blocks.extend(section_blocks(section, f"s{index}"))
    if len(blocks) > MAX_MESSAGE_BLOCKS:
        blocks = blocks[: MAX_MESSAGE_BLOCKS - 1]
        blocks.append(ContextBlock(elements=[mrkdwn("_More in the app's Home tab._")]))
    return [block.to_dict() for block in blocks]
