"""Carry-over: reviewing the open actions closes them and carries the rest into the new session."""

from __future__ import annotations

from datetime import date

from bot.model import ActionStatus, AgreedAction
from bot.review import (
    CarriedAction,
    ReviewOutcome,
    StatusChange,
    carry_summary,
    prefill_reviews,
    review_open_actions,
)

HELD_ON = date(2026, 4, 2)
READ = AgreedAction(1, session_id=10, employee_id=7, text="Read the book", due_on=date(2026, 3, 20))
DEMO = AgreedAction(2, session_id=10, employee_id=7, text="Run a demo")
SHADOW = AgreedAction(
    3, session_id=10, employee_id=7, text="Shadow Lee", due_on=date(2026, 3, 1), carried_from_id=0
)


def test_the_form_prefills_carried_over_for_each_open_action() -> None:
    assert prefill_reviews([READ, DEMO]) == {
        1: ActionStatus.CARRIED_OVER,
        2: ActionStatus.CARRIED_OVER,
    }
    assert prefill_reviews([]) == {}


def test_done_and_dropped_close_on_the_session_date() -> None:
    outcome = review_open_actions(
        [READ, DEMO], {1: ActionStatus.DONE, 2: ActionStatus.DROPPED}, HELD_ON
    )
    assert outcome == ReviewOutcome(
        changes=(
            StatusChange(1, ActionStatus.DONE, HELD_ON),
            StatusChange(2, ActionStatus.DROPPED, HELD_ON),
        ),
        carried=(),
    )
    assert outcome.count(ActionStatus.DONE) == 1


def test_carried_over_closes_the_old_action_and_copies_it_into_the_new_session() -> None:
    outcome = review_open_actions([READ, SHADOW], {1: ActionStatus.CARRIED_OVER}, HELD_ON)
    assert outcome.changes == (
        StatusChange(1, ActionStatus.CARRIED_OVER, HELD_ON),
        StatusChange(3, ActionStatus.CARRIED_OVER, HELD_ON),
    )
    # The copy keeps text and due date and points at the action it continues (not its origin).
    assert outcome.carried == (
        CarriedAction("Read the book", date(2026, 3, 20), carried_from_id=1),
        CarriedAction("Shadow Lee", date(2026, 3, 1), carried_from_id=3),
    )


def test_an_action_not_reviewed_is_carried_over_not_lost() -> None:
    outcome = review_open_actions([READ, DEMO], {1: ActionStatus.DONE}, HELD_ON)
    assert StatusChange(2, ActionStatus.CARRIED_OVER, HELD_ON) in outcome.changes
    assert outcome.carried == (CarriedAction("Run a demo", None, 2),)


def test_a_review_left_open_means_carried_over() -> None:
    outcome = review_open_actions([DEMO], {2: ActionStatus.OPEN}, HELD_ON)
    assert outcome.changes == (StatusChange(2, ActionStatus.CARRIED_OVER, HELD_ON),)


def test_reviews_as_plain_strings_are_understood() -> None:
    outcome = review_open_actions([DEMO], {2: "done"}, HELD_ON)  # type: ignore[dict-item]
    assert outcome.changes == (StatusChange(2, ActionStatus.DONE, HELD_ON),)


def test_reviews_of_unknown_or_closed_actions_change_nothing() -> None:
    closed = AgreedAction(4, 9, 7, "Old", status=ActionStatus.DONE, closed_on=date(2026, 1, 1))
    outcome = review_open_actions(
        [closed], {4: ActionStatus.DROPPED, 99: ActionStatus.DONE}, HELD_ON
    )
    assert outcome == ReviewOutcome((), ())


def test_after_the_review_no_earlier_action_stays_open() -> None:
    actions = [READ, DEMO, SHADOW]
    reviews = {1: ActionStatus.DONE, 3: ActionStatus.DROPPED}
    outcome = review_open_actions(actions, reviews, HELD_ON)
    assert {change.action_id for change in outcome.changes} == {1, 2, 3}
    assert all(change.closed_on == HELD_ON for change in outcome.changes)
    assert [carried.carried_from_id for carried in outcome.carried] == [2]


def test_the_form_says_what_saving_does_to_the_open_actions() -> None:
    seven = [AgreedAction(n, session_id=10, employee_id=7, text=f"Action {n}") for n in range(7)]
    assert carry_summary(seven, prefill_reviews(seven), shown=10) == (
        "Unless you change them below, all 7 are carried over."
    )
    chosen = {**prefill_reviews(seven), 0: ActionStatus.DONE, 1: ActionStatus.DROPPED}
    assert carry_summary(seven, chosen, shown=10) == (
        "Unless you change them below: 1 marked done, 5 carried over, 1 dropped."
    )
    assert carry_summary(seven, {0: ActionStatus.DONE}, shown=5) == (
        "Unless you change them below: 1 marked done, 6 carried over. "
        "The other 2 are reviewed together at the end of the list."
    )
    assert carry_summary([READ], prefill_reviews([READ]), shown=10) == (
        "Unless you change them below, the one open action is carried over."
    )
