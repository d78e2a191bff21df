"""Carry-over (the first step of a session): the review of the employee's open actions.

Done and dropped actions close; a carried-over action closes as carried over and is re-created
open in the new session, so that every open action belongs to the employee's latest session.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date

from bot.model import ActionStatus, AgreedAction

REVIEW_CHOICES: tuple[ActionStatus, ...] = (
    ActionStatus.DONE,
    ActionStatus.CARRIED_OVER,
    ActionStatus.DROPPED,
)
"""What the manager may choose for each open action, in the form's order."""

GROUP_CHOICES: tuple[ActionStatus, ...] = (ActionStatus.CARRIED_OVER, ActionStatus.DROPPED)
"""What the manager may choose, in one go, for the open actions the form lists as a group."""

REVIEWED_ONE_BY_ONE = 10
"""Open actions the form reviews one by one (both doors); the others are reviewed as a group."""

DEFAULT_REVIEW = ActionStatus.CARRIED_OVER
"""An open action the manager did not review is carried over: nothing is lost."""


@dataclass(frozen=True, slots=True)
class StatusChange:
    """Close the open action `action_id` with `status` on `closed_on` (the new session's date)."""

    action_id: int
    status: ActionStatus
    closed_on: date


@dataclass(frozen=True, slots=True)
class CarriedAction:
    """An open action carried into the new session: re-create it there, open, with this text
    and due date, pointing back to the action it continues."""

    text: str
    due_on: date | None
    carried_from_id: int


@dataclass(frozen=True, slots=True)
class ReviewOutcome:
    """What the review of the open actions changes: `changes` close every reviewed open action;
    `carried` are the copies the new session re-creates as open actions."""

    changes: tuple[StatusChange, ...]
    carried: tuple[CarriedAction, ...]

    def count(self, status: ActionStatus) -> int:
        """How many open actions the review closed with `status`."""
        return sum(1 for change in self.changes if change.status is status)


def prefill_reviews(open_actions: Sequence[AgreedAction]) -> dict[int, ActionStatus]:
    """The form's default choice for each open action (carried over)."""
    return {action.id: DEFAULT_REVIEW for action in open_actions}


def review_open_actions(
    open_actions: Sequence[AgreedAction],
    reviews: Mapping[int, ActionStatus],
    held_on: date,
) -> ReviewOutcome:
    """Apply the manager's `reviews` (action id -> done / carried over / dropped) to the
    employee's `open_actions` at a session held on `held_on`.

    An open action without a review, or reviewed as still open, is carried over. Reviews of
    actions that are not in `open_actions` are ignored (validation reports them); actions that
    are no longer open are left alone.
    """
    changes: list[StatusChange] = []
    carried: list[CarriedAction] = []
    for action in open_actions:
        if action.status is not ActionStatus.OPEN:
            continue
        status = ActionStatus(reviews.get(action.id, DEFAULT_REVIEW))
        if status is ActionStatus.OPEN:
            status = DEFAULT_REVIEW
        changes.append(StatusChange(action.id, status, held_on))
        if status is ActionStatus.CARRIED_OVER:
            carried.append(CarriedAction(action.text, action.due_on, action.id))
    return ReviewOutcome(tuple(changes), tuple(carried))


_REVIEW_WORDS = {
    ActionStatus.DONE: "marked done",
    ActionStatus.CARRIED_OVER: "carried over",
    ActionStatus.DROPPED: "dropped",
}


def split_for_review(
    open_actions: Sequence[AgreedAction],
) -> tuple[tuple[AgreedAction, ...], tuple[AgreedAction, ...]]:
    """The open actions the form reviews one by one, and those it reviews as one group."""
    return (
        tuple(open_actions[:REVIEWED_ONE_BY_ONE]),
        tuple(open_actions[REVIEWED_ONE_BY_ONE:]),
    )


REVIEW_LABELS = {
    ActionStatus.DONE: "Done",
    ActionStatus.CARRIED_OVER: "Carry over",
    ActionStatus.DROPPED: "Drop",
}
"""Each review choice as the form's buttons name it, in both doors."""


@dataclass(frozen=True, slots=True)
class ReviewShown:
    """What the form's review shows: the actions reviewed one by one with the choice each
    shows, the others with the one choice they share, and the line saying what saving does."""

    one_by_one: tuple[AgreedAction, ...]
    grouped: tuple[AgreedAction, ...]
    chosen: Mapping[int, ActionStatus]
    group_choice: ActionStatus
    summary: str


def review_shown(
    open_actions: Sequence[AgreedAction],
    prefilled: Mapping[int, ActionStatus],
    reviews: Mapping[int, ActionStatus] | None = None,
    grouped_review: ActionStatus | None = None,
) -> ReviewShown:
    """The review as the form shows it: what the manager chose (`reviews`, `grouped_review`,
    when the form comes back with errors), else what is `prefilled`."""
    one_by_one, grouped = split_for_review(open_actions)
    group_choice = grouped_review or DEFAULT_REVIEW
    chosen = {a.id: (reviews or {}).get(a.id) or prefilled[a.id] for a in one_by_one}
    chosen.update({a.id: group_choice for a in grouped})
    summary = carry_summary(open_actions, chosen, len(one_by_one))
    return ReviewShown(one_by_one, grouped, chosen, group_choice, summary)


def group_label(count: int) -> str:
    """The group choice's question: "The other 50 open actions"."""
    return f"The other {count} open {'action' if count == 1 else 'actions'}"


def carry_summary(
    open_actions: Sequence[AgreedAction], reviews: Mapping[int, ActionStatus], shown: int
) -> str:
    """What saving the form as it stands does to the open actions, said above the choices so
    that nothing is carried over unseen: "Unless you change them below, all 7 are carried
    over." `reviews` holds the group's choice for each grouped action too.
    `shown` is how many of them the form lists one by one (the others are the group)."""
    outcome = review_open_actions(open_actions, reviews, date.min)
    total = len(outcome.changes)
    counts = {status: outcome.count(status) for status in REVIEW_CHOICES}
    if counts[DEFAULT_REVIEW] == total:
        which = {1: "the one open action is", 2: "both are"}.get(total, f"all {total} are")
        text = f"Unless you change them below, {which} carried over."
    else:
        chosen = (f"{n} {_REVIEW_WORDS[status]}" for status, n in counts.items() if n)
        text = f"Unless you change them below: {', '.join(chosen)}."
    if total > shown:
        text += f" The other {total - shown} are reviewed together at the end of the list."
    return text
