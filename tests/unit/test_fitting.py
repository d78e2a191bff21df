"""The one rule for lists: what fits is shown whole, what does not is counted and announced,
and no cut falls inside a word or (once escaped) an entity."""

from __future__ import annotations

from adapters.slack.blocks import escape, escaped_length, section_blocks
from adapters.teams.cards import action_set, reply_card
from adapters.teams.limits import ACTIONS_PER_SET, utf16_bytes
from bot.fitting import fit_lines, more_line, shorten
from bot.replies import Button, Reply, Section
from tests.support.platform_limits import announced, check_mrkdwn, check_teams_card, shown


def test_shorten_keeps_whole_words_and_never_splits_an_entity() -> None:
    text = "R&D " * 2000
    short = shorten(text, 3000, escaped_length)
    assert escaped_length(short) <= 3000 and short.endswith("R&D…")
    check_mrkdwn(escape(short))
    assert shorten("fits", 10) == "fits"


def test_fit_lines_announces_exactly_what_it_leaves_out() -> None:
    lines = [f"line {n}" for n in range(100)]
    shown_lines, left = fit_lines(lines, 100, announce=lambda n: more_line(n, "lines", "see Home"))
    assert shown_lines[-1] == f"and {left} more lines: see Home"
    assert len(shown_lines) - 1 + left == 100
    assert len("\n".join(shown_lines)) <= 100


def test_a_slack_section_of_sixty_long_items_shows_what_fits_and_counts_the_rest() -> None:
    items = tuple(f"Action {n}: " + "R&D <draft> négociation 🚀 " * 12 for n in range(60))
    section = Section(text="Open actions", items=items, noun="open actions", more_hint="Home")
    blocks = [block.to_dict() for block in section_blocks(section, "s")]
    text = blocks[0]["text"]["text"]
    assert len(text) <= 3000
    check_mrkdwn(text)
    assert shown(blocks, "• Action ") + announced(blocks, "open actions") == 60


def test_teams_shows_six_actions_a_set_and_the_rest_behind_show_all() -> None:
    buttons = tuple(Button(f"Done: {n}", "action_done", str(n)) for n in range(20))
    card = reply_card(Reply("x", (Section(text="t", buttons=buttons),)))
    check_teams_card(card)
    [outer] = [e for e in card["body"] if e["type"] == "ActionSet"]
    assert len(outer["actions"]) == ACTIONS_PER_SET
    hidden = outer["actions"][-1]["card"]["body"]
    assert sum(len(s["actions"]) for s in hidden) + ACTIONS_PER_SET - 1 == 20
    assert action_set([{"type": "Action.Submit"}] * 3)["actions"] == [{"type": "Action.Submit"}] * 3


def test_teams_counts_size_in_utf16() -> None:
    assert utf16_bytes("a") == 2 and utf16_bytes("😀") == 4
