"""What coachbot says on every door when it will not serve a request (someone the directory
lacks, a programme report for someone outside L&D, a session with someone not one's report), and
the short answers both doors give beside them."""

from __future__ import annotations

UNKNOWN_PERSON = (
    "I don't know you yet: coachbot only works for people in the organisation's directory. "
    "Ask your L&D team to add you (they import the people list), then try again."
)
NOT_LD = (
    "Sorry, the programme report is for the L&D team only. If you need coaching figures for "
    "your area, ask your L&D partner."
)
NOT_YOUR_REPORT = (
    "You can only log sessions with your own direct reports, and that person is not one of them."
)
NO_LONGER_YOUR_REPORT = "That person is no longer one of your reports."
UNKNOWN_REMINDER = "Unknown reminder."
"""A snooze button whose value names no reminder (it is the sender's to choose)."""


def marked_done(action_text: str) -> str:
    """The answer to an action marked done (not a refusal: said beside them, on every door)."""
    return f"Marked done: {action_text}. Well done!"
