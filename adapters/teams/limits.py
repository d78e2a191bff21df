"""Teams' limits for bot messages and Adaptive Cards, in one place, counted as Teams counts
them: a message's size is its JSON in UTF-16 bytes.
Sources: https://learn.microsoft.com/microsoftteams/platform/bots/how-to/format-your-bot-messages
and .../resources/teams-bot-limits ("about 100 KB" per message, UTF-16; Microsoft advises
staying near 80 KB), the Teams host config for Adaptive Cards (`actions.maxActions: 6`,
https://github.com/microsoft/AdaptiveCards/blob/main/samples/HostConfig/microsoft-teams-light.json)
and https://learn.microsoft.com/adaptive-cards/ (Teams renders up to version 1.5)."""

from __future__ import annotations

import json
from typing import Any

MESSAGE_BYTES = 80 * 1024
"""Advised ceiling for a whole message (card included), in UTF-16 bytes; ~100 KB is refused."""
ACTIONS_PER_SET = 6
"""Actions one ActionSet (or a card's `actions`) shows in Teams; the rest are not rendered."""
BUTTON_TITLE = 80
CHOICES = 100


def utf16_bytes(value: str) -> int:
    """Bytes of `value` in UTF-16, as Teams counts a message (a character beyond the basic
    plane, such as most emoji, is four)."""
    return len(value.encode("utf-16-le"))


def message_bytes(card: Any) -> int:
    """A card's size as Teams counts it: its JSON in UTF-16."""
    return utf16_bytes(json.dumps(card, ensure_ascii=False, separators=(",", ":")))
