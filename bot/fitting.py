"""The one rule for every surface that lists things: show what fits, say what did not, and
never cut text inside a word (so never inside an entity or a link either).

Each door measures with its platform's own count (see `adapters/slack/limits.py` and
`adapters/teams/limits.py`); this module only decides what fits a budget in that count.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

Measure = Callable[[str], int]
ELLIPSIS = "…"


def shorten(text: str, limit: int, measure: Measure = len) -> str:
    """`text` if it fits `limit`, else as many whole words as fit followed by "…". A single
    word longer than the limit is cut between characters (it holds no entity: the doors
    escape after shortening)."""
    if measure(text) <= limit:
        return text
    words = text.split(" ")
    kept = ""
    for word in words:
        candidate = f"{kept} {word}" if kept else word
        if measure(candidate + ELLIPSIS) > limit:
            break
        kept = candidate
    if not kept:
        kept = text
        while kept and measure(kept + ELLIPSIS) > limit:
            kept = kept[:-1]
    return kept.rstrip() + ELLIPSIS


def more_line(count: int, noun: str, hint: str = "") -> str:
    """What a list says about the items it could not show: "and 43 more open actions: open
    your Home tab"."""
    line = f"and {count} more {noun}"
    return f"{line}: {hint}" if hint else line


def fit_lines(
    lines: Sequence[str],
    budget: int,
    measure: Measure = len,
    *,
    separator: str = "\n",
    announce: Callable[[int], str] | None = None,
    keep: int = 0,
) -> tuple[list[str], int]:
    """The leading `lines` that fit `budget` joined by `separator`, and how many did not.
    When some do not fit, room is kept for `announce(left_out)`, which is appended. The first
    `keep` lines (a message's own text) are always shown, shortened word-wise if need be."""
    shown: list[str] = []
    for index, line in enumerate(lines):
        left = len(lines) - index - 1
        tail = separator + announce(left) if announce and left else ""
        candidate = separator.join([*shown, line])
        if measure(candidate + tail) <= budget:
            shown.append(line)
            continue
        if index < keep:
            room = budget - measure(separator.join(shown) + separator) - measure(tail)
            shown.append(shorten(line, max(room, 1), measure))
            continue
        break
    left_out = len(lines) - len(shown)
    if left_out and announce:
        while shown and measure(separator.join([*shown, announce(left_out)])) > budget:
            if len(shown) <= keep:
                break
            shown.pop()
            left_out += 1
        shown.append(announce(left_out))
    return shown, left_out
