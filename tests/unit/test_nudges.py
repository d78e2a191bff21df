"""The nudge planner: what goes to whom, in each person's own working window."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import holidays
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.cadence import due_on, relationship_start
from bot.model import Cadence
from bot.nudges import (
    LeavePeriod,
    NudgeKind,
    PlannedNudge,
    RelationshipState,
    Snooze,
    WorkingCalendar,
    first_working_day_on_or_after,
    group_by_recipient,
    planned_nudges,
    working_window,
)

LONDON, AUCKLAND, LOS_ANGELES = "Europe/London", "Pacific/Auckland", "America/Los_Angeles"
MANAGER, EMPLOYEE = 1, 2


def local(zone: str, year: int, month: int, day: int, hour: int, minute: int = 0) -> datetime:
    """An aware UTC datetime for a local wall-clock time in `zone`."""
    return datetime(year, month, day, hour, minute, tzinfo=ZoneInfo(zone)).astimezone(UTC)


def london(**changes: object) -> WorkingCalendar:
    calendar = WorkingCalendar(default_zone=LONDON)
    return replace(calendar, **changes) if changes else calendar  # type: ignore[arg-type]


def monthly(
    last: date | None, *, manager: int = MANAGER, employee: int = EMPLOYEE, open_actions: int = 0
) -> RelationshipState:
    return RelationshipState(
        manager_id=manager,
        employee_id=employee,
        started_on=date(2025, 6, 1),
        cadence=Cadence.MONTHLY,
        last_session_on=last,
        open_actions=open_actions,
    )


def kinds(nudges: Iterable[PlannedNudge]) -> list[tuple[int, str, int | None]]:
    return [(n.recipient_id, n.kind.value, n.about_id) for n in nudges]


def sweep(
    relationships: Callable[[datetime], list[RelationshipState]] | list[RelationshipState],
    calendar: WorkingCalendar,
    start: datetime,
    days: int,
    **options: object,
) -> dict[str, tuple[datetime, PlannedNudge]]:
    """Run the planner every 30 minutes like the sweep job, keeping the first moment each
    dedupe key was planned (the outbox refuses it afterwards)."""
    sent: dict[str, tuple[datetime, PlannedNudge]] = {}
    at = start
    while at < start + timedelta(days=days):
        current = relationships(at) if callable(relationships) else relationships
        for nudge in planned_nudges(at, current, calendar, **options):  # type: ignore[arg-type]
            sent.setdefault(nudge.dedupe_key, (at, nudge))
        at += timedelta(minutes=30)
    return sent


def daily_sweep(
    relationships: list[RelationshipState],
    calendar: WorkingCalendar,
    first_day: date,
    days: int,
    **options: object,
) -> dict[str, tuple[datetime, PlannedNudge]]:
    """The sweep once a day at 09:30 London time: enough for a London-only organisation."""
    sent: dict[str, tuple[datetime, PlannedNudge]] = {}
    for offset in range(days):
        day = first_day + timedelta(days=offset)
        at = local(LONDON, day.year, day.month, day.day, 9, 30)
        for nudge in planned_nudges(at, relationships, calendar, **options):  # type: ignore[arg-type]
            sent.setdefault(nudge.dedupe_key, (at, nudge))
    return sent


# -- working windows -------------------------------------------------------------------------


def test_london_window_follows_both_dst_changes() -> None:
    # Winter (GMT): 09:00-11:00 UTC; from Sunday 29 March 2026 (BST): 08:00-10:00 UTC.
    assert working_window(date(2026, 3, 27), LONDON) == (
        datetime(2026, 3, 27, 9, tzinfo=UTC),
        datetime(2026, 3, 27, 11, tzinfo=UTC),
    )
    assert working_window(date(2026, 3, 30), LONDON) == (
        datetime(2026, 3, 30, 8, tzinfo=UTC),
        datetime(2026, 3, 30, 10, tzinfo=UTC),
    )
    # Back to GMT on Sunday 25 October 2026.
    assert working_window(date(2026, 10, 23), LONDON)[0] == datetime(2026, 10, 23, 8, tzinfo=UTC)
    assert working_window(date(2026, 10, 26), LONDON)[0] == datetime(2026, 10, 26, 9, tzinfo=UTC)


def test_auckland_and_los_angeles_windows() -> None:
    # Auckland: NZDT (+13) until 5 April 2026, then NZST (+12); windows start the day before in UTC.
    assert working_window(date(2026, 4, 3), AUCKLAND)[0] == datetime(2026, 4, 2, 20, tzinfo=UTC)
    assert working_window(date(2026, 4, 6), AUCKLAND)[0] == datetime(2026, 4, 5, 21, tzinfo=UTC)
    # Los Angeles: PST (-8) until 8 March 2026, then PDT (-7).
    assert working_window(date(2026, 3, 6), LOS_ANGELES)[0] == datetime(2026, 3, 6, 17, tzinfo=UTC)
    assert working_window(date(2026, 3, 9), LOS_ANGELES)[0] == datetime(2026, 3, 9, 16, tzinfo=UTC)


def test_session_due_in_the_managers_window_after_the_spring_change() -> None:
    # Last session 28 Feb -> due Saturday 28 March -> first window Monday 30 March, 08:00 UTC (BST).
    relationships = [monthly(date(2026, 2, 28))]
    calendar = london()
    assert planned_nudges(datetime(2026, 3, 30, 7, 59, tzinfo=UTC), relationships, calendar) == []
    [due] = planned_nudges(datetime(2026, 3, 30, 8, 0, tzinfo=UTC), relationships, calendar)
    assert due == PlannedNudge(
        recipient_id=MANAGER,
        kind=NudgeKind.SESSION_DUE,
        about_id=EMPLOYEE,
        due_on=date(2026, 3, 28),
        dedupe_key="nudge:session_due:1:2:2026-03-28",
        first_window_on=date(2026, 3, 30),
    )
    # 10:30 UTC is 11:30 BST: outside the window, although it would be inside in winter.
    assert planned_nudges(datetime(2026, 3, 30, 10, 30, tzinfo=UTC), relationships, calendar) == []
    # Not over the weekend it fell on.
    assert planned_nudges(local(LONDON, 2026, 3, 28, 9, 30), relationships, calendar) == []


def test_session_due_in_the_managers_window_after_the_autumn_change() -> None:
    # Last session 24 Sep -> due Saturday 24 October -> Monday 26 October, 09:00 UTC (GMT).
    relationships = [monthly(date(2026, 9, 24))]
    calendar = london()
    assert planned_nudges(datetime(2026, 10, 26, 8, 30, tzinfo=UTC), relationships, calendar) == []
    assert kinds(
        planned_nudges(datetime(2026, 10, 26, 9, 30, tzinfo=UTC), relationships, calendar)
    ) == [(MANAGER, "session_due", EMPLOYEE)]


def test_auckland_and_los_angeles_managers_in_one_organisation() -> None:
    kiwi, angeleno = 10, 20
    calendar = WorkingCalendar(
        default_zone=LONDON,
        zones={kiwi: AUCKLAND, angeleno: LOS_ANGELES, 11: AUCKLAND, 21: LOS_ANGELES},
    )
    relationships = [
        monthly(date(2026, 5, 1), manager=kiwi, employee=11),
        monthly(date(2026, 5, 1), manager=angeleno, employee=21),
    ]
    # Due Monday 1 June. 09:30 in Auckland is 21:30 UTC on Sunday 31 May: only the Auckland manager.
    assert kinds(planned_nudges(local(AUCKLAND, 2026, 6, 1, 9, 30), relationships, calendar)) == [
        (kiwi, "session_due", 11)
    ]
    assert local(AUCKLAND, 2026, 6, 1, 9, 30) == datetime(2026, 5, 31, 21, 30, tzinfo=UTC)
    # 09:30 in Los Angeles is 16:30 UTC on Monday: only the Los Angeles manager.
    assert kinds(
        planned_nudges(local(LOS_ANGELES, 2026, 6, 1, 9, 30), relationships, calendar)
    ) == [(angeleno, "session_due", 21)]
    # A sweep of the whole week sends each exactly once, in the recipient's own hours.
    sent = sweep(relationships, calendar, datetime(2026, 5, 30, tzinfo=UTC), 7)
    assert sorted(sent) == [
        "nudge:session_due:10:11:2026-06-01",
        "nudge:session_due:20:21:2026-06-01",
    ]
    for at, nudge in sent.values():
        zone = ZoneInfo(AUCKLAND if nudge.recipient_id == kiwi else LOS_ANGELES)
        assert at.astimezone(zone).date() == date(2026, 6, 1)
        assert 9 <= at.astimezone(zone).hour < 11


def test_each_person_gets_nudged_in_their_own_zone() -> None:
    # The manager is in Los Angeles, the employee in Auckland: the check-in follows Auckland.
    calendar = WorkingCalendar(
        default_zone=LONDON, zones={MANAGER: LOS_ANGELES, EMPLOYEE: AUCKLAND}
    )
    relationships = [
        monthly(date(2026, 5, 1), open_actions=1)
    ]  # check-in 16 May (Sat) -> Monday 18 May
    sent = sweep(relationships, calendar, datetime(2026, 5, 15, tzinfo=UTC), 4)
    [(at, checkin)] = sent.values()
    assert checkin.kind is NudgeKind.ACTION_CHECKIN
    assert at == local(AUCKLAND, 2026, 5, 18, 9, 0)


def test_an_unknown_zone_falls_back_to_the_organisations() -> None:
    calendar = WorkingCalendar(default_zone=LONDON, zones={MANAGER: "Mars/Olympus"})
    relationships = [monthly(date(2026, 1, 2))]
    assert kinds(planned_nudges(local(LONDON, 2026, 2, 2, 9, 30), relationships, calendar)) == [
        (MANAGER, "session_due", EMPLOYEE)
    ]


# -- due dates through the calendar ----------------------------------------------------------


def test_31_january_to_february() -> None:
    relationships = [monthly(date(2026, 1, 31), open_actions=1)]
    sent = sweep(relationships, london(), datetime(2026, 2, 1, tzinfo=UTC), 45)
    by_kind = {nudge.kind: (at, nudge) for at, nudge in sent.values()}
    # Check-in: 31 Jan + floor(28 / 2) = Saturday 14 Feb -> Monday 16 Feb.
    at, checkin = by_kind[NudgeKind.ACTION_CHECKIN]
    assert at == local(LONDON, 2026, 2, 16, 9)
    assert (checkin.recipient_id, checkin.about_id, checkin.due_on) == (
        EMPLOYEE,
        MANAGER,
        date(2026, 2, 28),
    )
    assert checkin.dedupe_key == "nudge:action_checkin:2:1:2026-02-28"
    # Due 28 Feb (Saturday) -> Monday 2 March; overdue 7 March (Saturday) -> Monday 9 March.
    at, due = by_kind[NudgeKind.SESSION_DUE]
    assert (at, due.due_on) == (local(LONDON, 2026, 3, 2, 9), date(2026, 2, 28))
    at, overdue = by_kind[NudgeKind.SESSION_OVERDUE]
    assert (at, overdue.due_on) == (local(LONDON, 2026, 3, 9, 9), date(2026, 2, 28))
    assert overdue.dedupe_key == "nudge:session_overdue:1:2:2026-02-28"
    assert len(sent) == 3


def test_a_new_hire_switches_from_fortnightly_to_monthly_at_day_90() -> None:
    hired = date(2026, 1, 7)
    started = relationship_start(date(2026, 1, 1), hired)
    new_hire = RelationshipState(MANAGER, EMPLOYEE, started, None, hired, None, 0)
    # No session yet: due a fortnight after the start date.
    [first] = planned_nudges(local(LONDON, 2026, 1, 21, 9, 30), [new_hire], london())
    assert first.due_on == date(2026, 1, 21)
    # A session on day 89 (Monday 6 April) is still followed fortnightly ...
    day_89 = replace(new_hire, last_session_on=hired + timedelta(days=89))
    assert day_89.last_session_on == date(2026, 4, 6)
    [due] = planned_nudges(local(LONDON, 2026, 4, 20, 9, 30), [day_89], london())
    assert due.due_on == date(2026, 4, 20)
    # ... one on day 90 (Tuesday 7 April) is followed a calendar month later.
    day_90 = replace(new_hire, last_session_on=hired + timedelta(days=90))
    assert planned_nudges(local(LONDON, 2026, 4, 21, 9, 30), [day_90], london()) == []
    [due] = planned_nudges(local(LONDON, 2026, 5, 7, 9, 30), [day_90], london())
    assert due.due_on == date(2026, 5, 7)


def test_before_the_first_session_due_counts_from_the_relationship_start() -> None:
    relationship = RelationshipState(MANAGER, EMPLOYEE, date(2026, 3, 2), Cadence.QUARTERLY)
    sent = sweep([relationship], london(), datetime(2026, 5, 25, tzinfo=UTC), 20)
    assert [nudge.dedupe_key for _, nudge in sent.values()] == [
        "nudge:session_due:1:2:2026-06-02",
        "nudge:session_overdue:1:2:2026-06-02",
    ]


# -- at most two messages, and none once a session is logged ---------------------------------


def test_overdue_supersedes_a_due_nudge_that_never_went_out() -> None:
    # The bot was not running in the week of the due date: only the overdue nudge goes (the
    # check-in, not sent before the due date, is dropped).
    relationships = [monthly(date(2026, 1, 31), open_actions=1)]
    assert kinds(planned_nudges(local(LONDON, 2026, 3, 10, 9, 30), relationships, london())) == [
        (MANAGER, "session_overdue", EMPLOYEE),
    ]


def test_a_missed_window_is_caught_up_in_the_next_one() -> None:
    relationships = [monthly(date(2026, 1, 31))]
    [due] = [
        n
        for n in planned_nudges(local(LONDON, 2026, 3, 4, 10, 0), relationships, london())
        if n.recipient_id == MANAGER
    ]
    assert due.kind is NudgeKind.SESSION_DUE
    assert due.first_window_on == date(2026, 3, 2)


def test_a_session_logged_before_the_nudge_cancels_it() -> None:
    logged_at = local(LONDON, 2026, 3, 2, 8, 45)  # before the 09:00 window on the due day

    def relationships(at: datetime) -> list[RelationshipState]:
        return [monthly(date(2026, 3, 2) if at >= logged_at else date(2026, 1, 31), open_actions=0)]

    sent = sweep(relationships, london(), datetime(2026, 3, 1, tzinfo=UTC), 20)
    assert sent == {}


def test_a_session_logged_after_the_due_nudge_stops_the_overdue_one() -> None:
    logged_at = local(LONDON, 2026, 3, 5, 15, 0)

    def relationships(at: datetime) -> list[RelationshipState]:
        return [monthly(date(2026, 3, 5) if at >= logged_at else date(2026, 1, 31), open_actions=0)]

    sent = sweep(relationships, london(), datetime(2026, 3, 1, tzinfo=UTC), 20)
    assert [nudge.kind for _, nudge in sent.values()] == [NudgeKind.SESSION_DUE]


@settings(max_examples=25, deadline=None)
@given(
    last=st.dates(min_value=date(2025, 11, 1), max_value=date(2026, 2, 28)),
    cadence=st.sampled_from(Cadence),
    leave_start=st.integers(min_value=0, max_value=60),
    leave_days=st.integers(min_value=0, max_value=12),
    snooze=st.booleans(),
)
def test_never_more_than_two_manager_messages_per_period(
    last: date, cadence: Cadence, leave_start: int, leave_days: int, snooze: bool
) -> None:
    relationship = replace(monthly(last), cadence=cadence)
    first_leave_day = last + timedelta(days=leave_start)
    leave = {
        EMPLOYEE: (LeavePeriod(first_leave_day, first_leave_day + timedelta(days=leave_days)),)
    }
    calendar = london(leave=leave)
    due = due_on(last, relationship.started_on, cadence, None)
    snoozes = [Snooze(MANAGER, EMPLOYEE, until=due + timedelta(days=3))] if snooze else []
    sent = daily_sweep([relationship], calendar, last, 130, snoozes=snoozes)
    to_manager = [(at, n) for at, n in sent.values() if n.recipient_id == MANAGER]
    kinds = [n.kind for _, n in to_manager]
    # where leave defers the due nudge to the overdue one's window, only the overdue one goes
    assert kinds in (
        [NudgeKind.SESSION_DUE],
        [NudgeKind.SESSION_DUE, NudgeKind.SESSION_OVERDUE],
        [NudgeKind.SESSION_OVERDUE],
    )
    assert len(to_manager) >= 1  # deferred, never dropped
    for at, nudge in to_manager:
        day = at.astimezone(ZoneInfo(LONDON)).date()
        assert day >= nudge.due_on  # type: ignore[operator]
        assert day.weekday() < 5
        assert not leave[EMPLOYEE][0].covers(day)


# -- snooze, leave, holidays ------------------------------------------------------------------


def test_snooze_moves_the_rest_of_the_period_three_days_later() -> None:
    relationships = [monthly(date(2026, 2, 2), open_actions=0)]  # due Monday 2 March
    snooze = Snooze(MANAGER, EMPLOYEE, until=date(2026, 3, 2) + timedelta(days=3))
    sent = sweep(relationships, london(), datetime(2026, 3, 1, tzinfo=UTC), 20, snoozes=[snooze])
    overdue = [at for at, n in sent.values() if n.kind is NudgeKind.SESSION_OVERDUE]
    # Overdue 9 March + 3 days = Thursday 12 March.
    assert overdue == [local(LONDON, 2026, 3, 12, 9)]
    # A snooze of an earlier period changes nothing.
    stale = Snooze(MANAGER, EMPLOYEE, until=date(2026, 2, 2) + timedelta(days=3))
    sent = sweep(relationships, london(), datetime(2026, 3, 1, tzinfo=UTC), 20, snoozes=[stale])
    assert [at for at, n in sent.values() if n.kind is NudgeKind.SESSION_OVERDUE] == [
        local(LONDON, 2026, 3, 9, 9)
    ]


def test_a_snooze_before_the_due_nudge_defers_it_too() -> None:
    relationships = [monthly(date(2026, 2, 2), open_actions=0)]
    snooze = Snooze(MANAGER, EMPLOYEE, until=date(2026, 3, 2) + timedelta(days=3))
    assert (
        planned_nudges(local(LONDON, 2026, 3, 2, 9, 30), relationships, london(), snoozes=[snooze])
        == []
    )
    assert kinds(
        planned_nudges(local(LONDON, 2026, 3, 5, 9, 30), relationships, london(), snoozes=[snooze])
    ) == [(MANAGER, "session_due", EMPLOYEE)]


def test_the_employees_leave_defers_the_managers_nudges_about_them() -> None:
    leave = {EMPLOYEE: (LeavePeriod(date(2026, 2, 27), date(2026, 3, 4)),)}
    relationships = [monthly(date(2026, 2, 2), open_actions=0)]  # due Monday 2 March
    sent = sweep(relationships, london(leave=leave), datetime(2026, 3, 1, tzinfo=UTC), 5)
    [(at, due)] = sent.values()
    assert at == local(LONDON, 2026, 3, 5, 9)
    assert due.first_window_on == date(2026, 3, 5)


def test_the_managers_leave_defers_their_nudges_but_not_the_employees_checkin() -> None:
    leave = {MANAGER: (LeavePeriod(date(2026, 2, 9), date(2026, 3, 3)),)}
    relationships = [
        monthly(date(2026, 1, 31), open_actions=1)
    ]  # check-in Mon 16 Feb, due Mon 2 March
    sent = sweep(relationships, london(leave=leave), datetime(2026, 2, 1, tzinfo=UTC), 35)
    moments = {n.kind: at for at, n in sent.values()}
    assert moments[NudgeKind.ACTION_CHECKIN] == local(LONDON, 2026, 2, 16, 9)
    assert moments[NudgeKind.SESSION_DUE] == local(LONDON, 2026, 3, 4, 9)


def test_the_employees_own_leave_defers_their_checkin() -> None:
    leave = {EMPLOYEE: (LeavePeriod(date(2026, 2, 14), date(2026, 2, 20)),)}
    relationships = [monthly(date(2026, 1, 31), open_actions=1)]
    sent = sweep(relationships, london(leave=leave), datetime(2026, 2, 1, tzinfo=UTC), 25)
    moments = {n.kind: at for at, n in sent.values()}
    assert moments[NudgeKind.ACTION_CHECKIN] == local(LONDON, 2026, 2, 23, 9)


def test_no_checkin_without_open_actions_or_before_the_first_session() -> None:
    at = local(LONDON, 2026, 2, 16, 9, 30)
    assert planned_nudges(at, [monthly(date(2026, 1, 31), open_actions=0)], london()) == []
    assert (
        planned_nudges(
            at, [RelationshipState(MANAGER, EMPLOYEE, date(2026, 2, 1), open_actions=3)], london()
        )
        == []
    )
    assert kinds(planned_nudges(at, [monthly(date(2026, 1, 31), open_actions=2)], london())) == [
        (EMPLOYEE, "action_checkin", MANAGER)
    ]


def test_holidays_from_the_holidays_library_defer_nudges() -> None:
    # Due Friday 3 April 2026 (Good Friday); Easter Monday 6 April is a holiday too in England.
    calendar = london(holidays=holidays.country_holidays("GB", subdiv="ENG"))
    relationships = [monthly(date(2026, 3, 3), open_actions=0)]
    sent = sweep(relationships, calendar, datetime(2026, 4, 2, tzinfo=UTC), 6)
    [(at, due)] = sent.values()
    assert at == local(LONDON, 2026, 4, 7, 9)
    assert due.due_on == date(2026, 4, 3)


def test_holidays_as_a_set_or_a_function() -> None:
    relationships = [monthly(date(2026, 2, 2), open_actions=0)]  # due Monday 2 March
    at = local(LONDON, 2026, 3, 2, 9, 30)
    assert planned_nudges(at, relationships, london(holidays={date(2026, 3, 2)})) == []
    assert planned_nudges(at, relationships, london(holidays=lambda d: d.day == 2)) == []
    assert len(planned_nudges(at, relationships, london(holidays={date(2026, 3, 3)}))) == 1


def test_first_working_day_skips_weekends_holidays_leave_and_the_employees_leave() -> None:
    calendar = WorkingCalendar(
        holidays={date(2026, 3, 9)},
        leave={
            MANAGER: (LeavePeriod(date(2026, 3, 10), date(2026, 3, 11)),),
            EMPLOYEE: (LeavePeriod(date(2026, 3, 12), date(2026, 3, 12)),),
        },
    )
    saturday = date(2026, 3, 7)
    assert first_working_day_on_or_after(saturday, EMPLOYEE, calendar) == date(2026, 3, 10)
    assert first_working_day_on_or_after(saturday, MANAGER, calendar) == date(2026, 3, 12)
    assert first_working_day_on_or_after(saturday, MANAGER, calendar, about_id=EMPLOYEE) == date(
        2026, 3, 13
    )
    assert first_working_day_on_or_after(
        date(2026, 3, 2), 9, calendar, not_before=date(2026, 3, 4)
    ) == date(2026, 3, 4)
    assert first_working_day_on_or_after(date(2026, 3, 4), 9, calendar) == date(2026, 3, 4)


def test_a_holiday_rule_that_never_ends_is_an_error_not_a_hang() -> None:
    with pytest.raises(ValueError, match="no working day"):
        first_working_day_on_or_after(date(2026, 1, 1), 1, WorkingCalendar(holidays=lambda d: True))


# -- many reports, the module, the digest -----------------------------------------------------


def test_a_manager_with_12_reports_gets_one_message_listing_them_all() -> None:
    reports = list(range(100, 112))
    relationships = [monthly(date(2026, 2, 2), employee=e, open_actions=0) for e in reports]
    nudges = planned_nudges(local(LONDON, 2026, 3, 2, 9, 30), relationships, london())
    assert len(nudges) == 12
    grouped = group_by_recipient(nudges)
    assert list(grouped) == [MANAGER]
    assert [n.about_id for n in grouped[MANAGER]] == reports
    assert len({n.dedupe_key for n in nudges}) == 12


def test_manager_module_in_the_first_working_window_of_each_month() -> None:
    calendar = london(holidays={date(2026, 6, 1)})
    sent = sweep([], calendar, datetime(2026, 5, 1, tzinfo=UTC), 45, module_pending=[MANAGER])
    assert {key: (at, n.kind) for key, (at, n) in sent.items()} == {
        "nudge:manager_module:1:2026-05": (local(LONDON, 2026, 5, 1, 9), NudgeKind.MANAGER_MODULE),
        "nudge:manager_module:1:2026-06": (local(LONDON, 2026, 6, 2, 9), NudgeKind.MANAGER_MODULE),
    }
    assert sweep([], calendar, datetime(2026, 5, 1, tzinfo=UTC), 10) == {}


def test_ld_digest_on_mondays() -> None:
    admin = 50
    sent = sweep([], london(), datetime(2026, 3, 1, tzinfo=UTC), 14, ld_admins=[admin])
    assert [(at, n.dedupe_key) for at, n in sent.values()] == [
        (local(LONDON, 2026, 3, 2, 9), "nudge:ld_digest:50:2026-03-02"),
        (local(LONDON, 2026, 3, 9, 9), "nudge:ld_digest:50:2026-03-09"),
    ]


def test_results_are_sorted_by_recipient_kind_and_about() -> None:
    relationships = [
        monthly(date(2026, 1, 31), manager=3, employee=4, open_actions=1),
        monthly(date(2026, 1, 31), manager=1, employee=9, open_actions=1),
        monthly(date(2026, 1, 31), manager=1, employee=2, open_actions=1),
        monthly(date(2026, 2, 14), manager=1, employee=6, open_actions=1),  # check-in 28 Feb
        monthly(date(2026, 2, 14), manager=3, employee=2, open_actions=1),
    ]
    nudges = planned_nudges(
        local(LONDON, 2026, 3, 2, 9, 30), relationships, london(), module_pending=[3]
    )
    assert kinds(nudges) == [
        (1, "session_due", 2),
        (1, "session_due", 9),
        (2, "action_checkin", 3),
        (3, "manager_module", None),
        (3, "session_due", 4),
        (6, "action_checkin", 1),
    ]


def test_a_naive_moment_is_refused() -> None:
    with pytest.raises(ValueError, match="aware"):
        planned_nudges(datetime(2026, 3, 2, 9, 30), [], london())
