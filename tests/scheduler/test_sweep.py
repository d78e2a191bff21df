"""The sweep end to end: what each person receives in Slack, from what is stored (cadence,
sessions, actions, leave, snoozes, holidays), with the dispatcher doing the sending."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import holidays

from adapters.holidays import read_holiday_file
from bot.nudges import LeavePeriod
from bot.services.nudges import preview, snooze
from storage.unit_of_work import SqlUnitOfWork
from tests.scheduler.conftest import World, at, make_world


async def test_a_new_hire_is_fortnightly_until_day_90_then_monthly(both_world: World) -> None:
    world = both_world
    manager = await world.person("Maya Patel")
    early = await world.person("Nia New", start_date=date(2026, 1, 5))
    late = await world.person("Lee Later", start_date=date(2026, 1, 5))
    for employee in (early, late):
        await world.coaches(manager, employee, date(2026, 1, 5))
    await world.session(manager, early, date(2026, 3, 30))  # day 84: fortnightly, due 13 April
    await world.session(manager, late, date(2026, 4, 6))  # day 91: monthly, due 6 May
    entries = await preview(world.store, at("2026-04-13T09:30+01:00"), world.policy)
    assert [(e.about, e.kind, e.due_on) for e in entries] == [
        ("nia2@example.org", "session_due", date(2026, 4, 13))
    ]
    entries = await preview(world.store, at("2026-05-06T09:30+01:00"), world.policy)
    assert [(e.about, e.kind, e.due_on) for e in entries] == [
        ("lee3@example.org", "session_due", date(2026, 5, 6)),
        ("nia2@example.org", "session_overdue", date(2026, 4, 13)),
    ]


async def test_a_manager_with_12_reports_gets_one_message_listing_them_all(world: World) -> None:
    manager = await world.person("Maya Patel")
    for number in range(12):
        employee = await world.person(f"Report{number:02d} Person", cadence="monthly")
        await world.coaches(manager, employee, date(2025, 6, 2))
        await world.session(manager, employee, date(2026, 2, 9), actions=[f"Action {number}"])
    await world.run_at("2026-03-09T09:15+00:00")
    [message] = world.messages_to(manager)
    blocks = str(message["blocks"])
    assert all(f"Report{number:02d}" in blocks for number in range(12))
    assert "Action 11" in blocks
    rows = [row for row in await world.outbox() if row["recipient_id"] == manager]
    assert len(rows) == 12 and {row["status"] for row in rows} == {"sent"}
    assert len({row["message_ref"] for row in rows}) == 1
    await world.run_at("2026-03-09T10:45+00:00")
    await world.run_at("2026-03-10T09:15+00:00")
    assert len(world.messages_to(manager)) == 1


async def test_at_most_two_manager_messages_per_period(world: World) -> None:
    manager = await world.person("Maya Patel")
    employee = await world.person("Ed Jones", cadence="monthly")
    await world.coaches(manager, employee, date(2025, 6, 2))
    await world.session(manager, employee, date(2026, 2, 9))  # due Monday 9 March
    for day in range(9, 32):
        for hour in ("09:05", "10:55"):
            await world.run_at(f"2026-03-{day:02d}T{hour}+00:00")
    texts = [m["text"] for m in world.messages_to(manager)]
    assert texts == [
        "Coaching session with Ed Jones is due",
        "Coaching session with Ed Jones is overdue",
    ]
    overdue = world.messages_to(manager)[1]
    assert float(overdue["ts"]) >= at("2026-03-16T09:00+00:00").timestamp()


async def test_a_session_logged_just_before_the_nudge_goes_out_cancels_it(world: World) -> None:
    manager = await world.person("Maya Patel")
    employee = await world.person("Ed Jones", cadence="monthly")
    await world.coaches(manager, employee, date(2025, 6, 2))
    await world.session(manager, employee, date(2026, 2, 9))
    outcome = await world.sweep_at(at("2026-03-09T09:00+00:00"))
    assert outcome.queued == 1
    await world.session(manager, employee, date(2026, 3, 9))  # logged before delivery
    await world.deliver()
    assert world.messages_to(manager) == []
    assert await world.outbox() == []
    await world.run_at("2026-03-09T09:30+00:00")
    await world.run_at("2026-03-16T09:30+00:00")
    assert world.messages_to(manager) == []


async def test_the_checkin_lists_open_actions_with_done_buttons(world: World) -> None:
    manager = await world.person("Maya Patel")
    employee = await world.person("Ed Jones", cadence="monthly")
    await world.coaches(manager, employee, date(2025, 6, 2))
    await world.session(manager, employee, date(2026, 2, 2), actions=["Draft the plan"])
    await world.run_at("2026-02-13T09:30+00:00")  # Friday: before the midpoint
    assert world.messages_to(employee) == []
    await world.run_at("2026-02-16T09:30+00:00")  # 2 Feb + 26 // 2 = 15 Feb (Sunday) -> Monday
    [message] = world.messages_to(employee)
    buttons = [
        element
        for block in message["blocks"]
        if block["type"] == "actions"
        for element in block["elements"]
    ]
    assert [(b["action_id"].split(":")[0], b["text"]["text"]) for b in buttons] == [
        ("action_done", "Done: Draft the plan")
    ]


async def test_a_checkin_not_sent_before_the_due_date_is_dropped(both_world: World) -> None:
    world = both_world
    manager = await world.person("Maya Patel")
    employee = await world.person("Ed Jones", cadence="monthly")
    await world.coaches(manager, employee, date(2025, 6, 2))
    await world.session(manager, employee, date(2026, 2, 2), actions=["Draft the plan"])
    # Ed is away from before his check-in (16 February) until after the due date (2 March).
    await world.store.add_leave(employee, LeavePeriod(date(2026, 2, 13), date(2026, 3, 3)))
    for day in range(date(2026, 2, 12).toordinal(), date(2026, 3, 20).toordinal()):
        await world.run_at(f"{date.fromordinal(day).isoformat()}T09:30+00:00")
    assert world.messages_to(employee) == []
    assert "action_checkin" not in {row["kind"] for row in await world.outbox()}
    assert [m["text"] for m in world.messages_to(manager)] == [
        "Coaching session with Ed Jones is due",
        "Coaching session with Ed Jones is overdue",
    ]


async def test_session_due_offers_log_session_and_snooze(world: World) -> None:
    manager = await world.person("Maya Patel")
    employee = await world.person("Ed Jones", cadence="monthly")
    await world.coaches(manager, employee, date(2025, 6, 2))
    await world.session(manager, employee, date(2026, 2, 9), actions=["Read the book"])
    await world.run_at("2026-03-09T09:30+00:00")
    [message] = world.messages_to(manager)
    elements = [e for b in message["blocks"] if b["type"] == "actions" for e in b["elements"]]
    assert [(e["action_id"].split(":")[0], e["value"]) for e in elements] == [
        ("log_session", str(employee)),
        ("snooze_nudge", f"{employee}:2026-03-09"),
    ]
    assert "Read the book" in str(message["blocks"])
    assert "last session 9 February" in str(message["blocks"])


async def test_snooze_moves_the_overdue_reminder_three_days_later(world: World) -> None:
    manager = await world.person("Maya Patel")
    employee = await world.person("Ed Jones", cadence="monthly")
    await world.coaches(manager, employee, date(2025, 6, 2))
    await world.session(manager, employee, date(2026, 2, 9))
    await world.run_at("2026-03-09T09:30+00:00")
    snoozed = await snooze(
        SqlUnitOfWork(world.engine),
        world.policy,
        manager,
        employee,
        date(2026, 3, 9),
        date(2026, 3, 9),
    )
    assert snoozed.next_on == date(2026, 3, 19)
    await world.run_at("2026-03-16T09:30+00:00")  # overdue would have come today
    await world.run_at("2026-03-18T09:30+00:00")
    assert len(world.messages_to(manager)) == 1
    await world.run_at("2026-03-19T09:30+00:00")  # 16 March + 3 days
    assert [m["text"] for m in world.messages_to(manager)][-1].endswith("is overdue")


async def test_leave_of_the_employee_defers_the_managers_nudge(world: World) -> None:
    manager = await world.person("Maya Patel")
    employee = await world.person("Ed Jones", cadence="monthly")
    await world.coaches(manager, employee, date(2025, 6, 2))
    await world.session(manager, employee, date(2026, 2, 9))
    await insert_leave(world, employee, date(2026, 3, 6), date(2026, 3, 13))
    await world.run_at("2026-03-09T09:30+00:00")
    await world.run_at("2026-03-13T09:30+00:00")
    assert world.messages_to(manager) == []
    await world.run_at("2026-03-16T09:30+00:00")  # first working day after the leave
    assert [m["text"] for m in world.messages_to(manager)] == [
        "Coaching session with Ed Jones is overdue"
    ]


async def insert_leave(world: World, person: int, first: date, last: date) -> None:
    from bot.nudges import LeavePeriod

    await world.store.add_leave(person, LeavePeriod(first, last))


async def test_holidays_from_a_file_defer_to_the_next_working_day(
    sqlite_url: str, tmp_path: Path
) -> None:
    file = tmp_path / "holidays.txt"
    file.write_text("# company days\n2026-03-09  # founders' day\n\n2026-03-10\n")
    assert read_holiday_file(file) == {date(2026, 3, 9), date(2026, 3, 10)}
    world, close = await make_world(sqlite_url, holidays=read_holiday_file(file))
    try:
        manager = await world.person("Maya Patel")
        employee = await world.person("Ed Jones", cadence="monthly")
        await world.coaches(manager, employee, date(2025, 6, 2))
        await world.session(manager, employee, date(2026, 2, 9))
        await world.run_at("2026-03-09T09:30+00:00")
        await world.run_at("2026-03-10T09:30+00:00")
        assert world.messages_to(manager) == []
        await world.run_at("2026-03-11T09:30+00:00")
        assert len(world.messages_to(manager)) == 1
    finally:
        await close()


async def test_a_countrys_public_holidays_defer_nudges(sqlite_url: str) -> None:
    world, close = await make_world(sqlite_url, holidays=holidays.country_holidays("GB"))
    try:
        manager = await world.person("Maya Patel")
        employee = await world.person("Ed Jones", cadence="monthly")
        await world.coaches(manager, employee, date(2025, 6, 2))
        await world.session(manager, employee, date(2026, 11, 25))  # due Friday 25 December
        await world.run_at("2026-12-25T09:30+00:00")  # Christmas Day
        await world.run_at("2026-12-28T09:30+00:00")  # Boxing Day (substitute)
        assert world.messages_to(manager) == []
        await world.run_at("2026-12-29T09:30+00:00")
        assert len(world.messages_to(manager)) == 1
    finally:
        await close()


async def test_the_manager_module_is_offered_once_a_month(sqlite_url: str) -> None:
    world, close = await make_world(sqlite_url, module_course="C-COACH")
    try:
        from tests.storage.org import insert

        await insert(world.engine, "course", course_id="C-COACH", title="Coaching skills")
        manager = await world.person("Maya Patel")
        trained = await world.person("Olu Bello")
        for boss in (manager, trained):
            employee = await world.person("Ed Jones", cadence="monthly")
            await world.coaches(boss, employee, date(2025, 6, 2))
            await world.session(boss, employee, date(2026, 3, 20))
        await insert(
            world.engine,
            "learning_completion",
            employee_id=trained,
            course_id="C-COACH",
            completed_at=at("2026-01-10T12:00+00:00"),
            source="xapi",
            event_id="e-1",
        )
        await world.run_at("2026-04-01T09:30+01:00")
        await world.run_at("2026-04-02T09:30+01:00")
        assert [m["text"] for m in world.messages_to(manager)] == [
            "Coaching skills module: Coaching skills"
        ]
        assert world.messages_to(trained) == []
        await world.run_at("2026-05-01T09:30+01:00")
        assert len(world.messages_to(manager)) == 2
    finally:
        await close()


async def test_a_person_without_chat_identity_is_recorded_undeliverable(world: World) -> None:
    manager = await world.person("Maya Patel", slack=False)
    employee = await world.person("Ed Jones", cadence="monthly")
    await world.coaches(manager, employee, date(2025, 6, 2))
    await world.session(manager, employee, date(2026, 2, 9))
    entries = await preview(world.store, at("2026-03-09T09:30+00:00"), world.policy)
    assert [e.recipient for e in entries] == ["maya1@example.org"]
    await world.run_at("2026-03-09T09:30+00:00")
    [row] = await world.outbox()
    assert row["status"] == "failed"
    assert row["last_error"] == "undeliverable: users_not_found"


async def test_a_nudge_not_sent_in_its_window_waits_for_the_next_one(world: World) -> None:
    manager = await world.person("Maya Patel")
    employee = await world.person("Ed Jones", cadence="monthly")
    await world.coaches(manager, employee, date(2025, 6, 2))
    await world.session(manager, employee, date(2026, 2, 9))
    assert (await world.sweep_at(at("2026-03-09T09:00+00:00"))).queued == 1
    world.clock.set(at("2026-03-09T11:30+00:00"))  # the dispatcher was down all morning
    await world.deliver()
    assert world.messages_to(manager) == []  # not at 11:30, out of working hours
    await world.run_at("2026-03-10T09:10+00:00")
    [message] = world.messages_to(manager)
    assert float(message["ts"]) >= at("2026-03-10T09:00+00:00").timestamp()
