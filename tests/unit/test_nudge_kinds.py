"""What each nudge kind is, its dedupe key, and which queued nudges a logged session or a
passed working window cancels."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from bot.nudges import NudgeKind, Party, cancelled, dedupe_key, session_pair

NOW = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)
MANAGER, EMPLOYEE = 1, 2


def relationship_payload(**changes: object) -> dict[str, object]:
    return {
        "window_ends": "2026-03-02T11:00:00+00:00",
        "manager_id": MANAGER,
        "employee_id": EMPLOYEE,
        "due_on": "2026-03-02",
        "last_session_on": "2026-02-02",
    } | changes


def test_each_kind_says_who_receives_it_and_whom_it_is_about() -> None:
    assert [(k.value, k.recipient, k.about, k.cancelled_by_session) for k in NudgeKind] == [
        ("session_due", Party.MANAGER, Party.EMPLOYEE, True),
        ("session_overdue", Party.MANAGER, Party.EMPLOYEE, True),
        ("action_checkin", Party.EMPLOYEE, Party.MANAGER, True),
        ("manager_module", Party.MANAGER, None, False),
        ("ld_digest", Party.LD_ADMIN, None, False),
    ]
    assert NudgeKind.ACTION_CHECKIN.pair(EMPLOYEE, MANAGER) == (MANAGER, EMPLOYEE)
    assert NudgeKind.SESSION_DUE.pair(MANAGER, EMPLOYEE) == (MANAGER, EMPLOYEE)
    assert NudgeKind.of("session_logged") is None


def test_dedupe_keys_name_the_kind_the_people_and_the_period() -> None:
    assert (
        dedupe_key(NudgeKind.SESSION_DUE, 1, 2, date(2026, 3, 2))
        == "nudge:session_due:1:2:2026-03-02"
    )
    assert (
        dedupe_key(NudgeKind.MANAGER_MODULE, 1, None, date(2026, 3, 9))
        == "nudge:manager_module:1:2026-03"
    )
    assert (
        dedupe_key(NudgeKind.LD_DIGEST, 1, None, date(2026, 3, 11))
        == "nudge:ld_digest:1:2026-03-09"
    )
    with pytest.raises(ValueError, match="about someone"):
        dedupe_key(NudgeKind.SESSION_DUE, 1, None, date(2026, 3, 2))
    with pytest.raises(ValueError, match="not about someone"):
        dedupe_key(NudgeKind.LD_DIGEST, 1, 2, date(2026, 3, 2))


@pytest.mark.parametrize("kind", ["session_due", "session_overdue", "action_checkin"])
def test_a_session_logged_since_the_nudge_was_planned_cancels_it(kind: str) -> None:
    payload = relationship_payload()
    assert session_pair(kind, payload) == (MANAGER, EMPLOYEE)
    assert not cancelled(kind, payload, NOW, {})
    assert not cancelled(kind, payload, NOW, {(MANAGER, EMPLOYEE): date(2026, 2, 2)})
    assert cancelled(kind, payload, NOW, {(MANAGER, EMPLOYEE): date(2026, 2, 27)})
    first = relationship_payload(last_session_on=None)
    assert cancelled(kind, first, NOW, {(MANAGER, EMPLOYEE): date(2026, 2, 27)})
    assert not cancelled(kind, first, NOW, {(3, EMPLOYEE): date(2026, 2, 27)})


def test_a_passed_working_window_cancels_any_nudge_but_no_other_message() -> None:
    passed = {"window_ends": "2026-03-02T09:30:00+00:00"}
    assert cancelled("manager_module", passed, NOW, {})
    assert cancelled("session_due", relationship_payload(**passed), NOW, {})
    assert not cancelled("manager_module", {"window_ends": "2026-03-02T11:00:00+00:00"}, NOW, {})
    assert not cancelled("session_logged", passed, NOW, {})
    assert session_pair("session_logged", relationship_payload()) is None
    assert session_pair("manager_module", relationship_payload()) is None
    logged = {(MANAGER, EMPLOYEE): date(2026, 2, 27)}
    assert not cancelled("manager_module", relationship_payload(), NOW, logged)
