"""Agreed actions typed one a line in a chat form."""

from __future__ import annotations

from datetime import date

from bot.commands import Field, NewAction, actions_from_lines


def test_each_line_is_an_action_with_an_optional_due_date_at_its_end() -> None:
    actions, errors = actions_from_lines(
        "Role-play the opener\nDraft the proposal by 2026-12-18\nRead the brief (due 2027-01-04)"
    )
    assert errors == []
    assert actions == (
        NewAction("Role-play the opener"),
        NewAction("Draft the proposal", date(2026, 12, 18)),
        NewAction("Read the brief", date(2027, 1, 4)),
    )


def test_an_impossible_due_date_is_an_error_on_the_actions_field() -> None:
    actions, errors = actions_from_lines("Draft the proposal by 2026-02-30")
    assert [(e.field, e.message) for e in errors] == [
        (Field.ACTIONS, "2026-02-30 is not a real date.")
    ]
    assert actions == (NewAction("Draft the proposal"),)


def test_words_like_by_inside_a_line_are_kept() -> None:
    actions, _ = actions_from_lines("Stand by the client on the call")
    assert actions == (NewAction("Stand by the client on the call"),)
