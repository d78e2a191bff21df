"""Outbox rows stored in the JSON shape rows have today still compose, and a typed payload
written today is stored byte for byte as before."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

import pytest

from bot.messages import COMPOSERS, compose
from bot.payloads import PAYLOADS, from_json, message_kind, to_json

TODAY = date(2026, 3, 9)

ACTION = {"id": 7, "text": "Draft the pitch", "due_on": "2026-03-20"}
STORED: dict[str, tuple[dict[str, Any], str]] = {
    "session_logged": (
        {
            "session_id": 3,
            "held_on": "2026-03-02",
            "manager_name": "Maya Patel",
            "focus_type": "skill",
            "focus": "Skill",
            "skill_id": "SK-NEGO",
            "skill_name": "Negotiation",
            "actions": [ACTION, {"id": 8, "text": "Read a book", "due_on": None}],
            "courses": [
                {"course_id": "C1", "title": "Negotiation basics", "url": "", "why": "Focus"}
            ],
        },
        "Maya Patel logged your coaching session; course: Negotiation basics",
    ),
    "session_saved": (
        {
            "session_id": 3,
            "employee_name": "Ed Jones",
            "held_on": "2026-03-02",
            "next_due_on": "2026-04-02",
            "flagged": False,
            "assigned": ["Negotiation basics"],
            "already_open": [{"course_id": "C2", "title": "Listening"}],
        },
        "Saved your session with Ed Jones of 2 March.",
    ),
    "course_assigned": (
        {
            "assignment_id": 4,
            "manager_name": "Maya Patel",
            "course_id": "C1",
            "title": "Negotiation basics",
            "url": "https://lms.example.org/c1",
            "why": "Assigned by Maya Patel on 2 March 2026",
        },
        "Maya Patel assigned you Negotiation basics",
    ),
    "course_completed": (
        {
            "employee_name": "Ed Jones",
            "title": "Negotiation basics",
            "course_id": "C1",
            "session_held_on": None,
            "assigned_on": "2026-03-02",
        },
        "Ed completed Negotiation basics, assigned on 2 March.",
    ),
    "session_due": (
        {
            "window_ends": "2026-03-09T11:00:00+00:00",
            "manager_id": 1,
            "employee_id": 2,
            "due_on": "2026-03-09",
            "last_session_on": "2026-02-09",
            "employee_name": "Ed Jones",
            "open_actions": [ACTION],
        },
        "Coaching session with Ed Jones is due",
    ),
    "session_overdue": (
        {
            "window_ends": "2026-03-09T11:00:00+00:00",
            "manager_id": 1,
            "employee_id": 2,
            "due_on": "2026-03-02",
            "last_session_on": None,
            "employee_name": "Ed Jones",
            "open_actions": [],
        },
        "Coaching session with Ed Jones is overdue",
    ),
    "action_checkin": (
        {
            "window_ends": "2026-03-09T11:00:00+00:00",
            "manager_id": 1,
            "employee_id": 2,
            "due_on": "2026-03-20",
            "last_session_on": "2026-02-20",
            "manager_name": "Maya Patel",
            "actions": [ACTION],
        },
        "How are your agreed actions going?",
    ),
    "manager_module": (
        {
            "window_ends": "2026-03-09T11:00:00+00:00",
            "course_id": "COACH-101",
            "title": "Coaching skills",
            "url": "",
        },
        "Coaching skills module: Coaching skills",
    ),
    "ld_digest": (
        {
            "suppressed": False,
            "period_days": 30,
            "from": "2026-02-08",
            "to": "2026-03-09",
            "people": 9,
            "people_coached": 6,
            "sessions": 12,
            "sessions_week_ago": None,
            "completion_rate": 0.5,
            "completion_rate_week_ago": None,
            "course_assignment_rate": None,
            "alerts": 1,
            "new_alerts": [
                {
                    "department": "Sales",
                    "skill_id": "SK-NEGO",
                    "share": 0.6,
                    "sessions": 12,
                    "catalogue_has_course": True,
                }
            ],
            "window_ends": "2026-03-09T11:00:00+00:00",
        },
        "Coaching this week: 12 sessions in the last 30 days",
    ),
}


def test_every_chat_kind_has_a_payload_a_composer_and_a_stored_example() -> None:
    assert set(PAYLOADS) == set(COMPOSERS) == {message_kind(kind) for kind in STORED}


@pytest.mark.parametrize("kind", sorted(STORED))
def test_a_row_stored_in_todays_shape_composes(kind: str) -> None:
    row, summary = STORED[kind]
    stored = json.loads(json.dumps(row))  # as read back from the database
    assert compose(kind, stored, "ref", today=TODAY).summary == summary


@pytest.mark.parametrize("kind", sorted(STORED))
def test_a_typed_payload_is_stored_byte_for_byte_as_before(kind: str) -> None:
    row, _ = STORED[kind]
    payload = from_json(PAYLOADS[message_kind(kind)], row)
    assert json.dumps(to_json(payload)) == json.dumps(row)


def test_a_suppressed_digest_and_an_action_without_id_keep_their_shape() -> None:
    suppressed = {"suppressed": True, "min_group_size": 5}
    digest = from_json(PAYLOADS[message_kind("ld_digest")], suppressed)
    assert json.dumps(to_json(digest)) == json.dumps(suppressed)
    assert "Fewer than 5 people" in compose("ld_digest", suppressed, today=TODAY).sections[0].text
    old_checkin = dict(STORED["action_checkin"][0], actions=[{"text": "Call", "due_on": None}])
    reply = compose("action_checkin", old_checkin, today=TODAY)
    assert reply.sections[0].items == ("Call",)
    assert reply.sections[0].buttons == ()


def test_actions_closed_since_the_message_show_closed_without_done() -> None:
    row, _ = STORED["session_due"]
    reply = compose("session_due", row, today=TODAY, closed={7: "done"})
    assert reply.sections[0].items == ("Draft the pitch (by 20 March) ✅ _done_",)


def test_an_unknown_kind_or_a_payload_missing_what_it_needs_is_a_key_error() -> None:
    with pytest.raises(KeyError):
        compose("xapi_statement", {}, today=TODAY)
    with pytest.raises(KeyError):
        compose("no_such_kind", {}, today=TODAY)
    with pytest.raises(KeyError):
        compose("session_due", {"employee_id": 2}, today=TODAY)
