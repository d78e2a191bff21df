"""The weekly L&D digest: Monday's first working window in each admin's own zone, once a week,
this week's figures against last week's, new theme alerts only, and never a note."""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncEngine

from adapters.bootstrap import build
from adapters.cli import main
from adapters.config import load_settings
from adapters.nudge_overview import forecast, sends_at
from bot.clock import FixedClock
from bot.messages import compose
from bot.nudges import LeavePeriod
from bot.services.digest import LdAdmin, due_digests, queue_weekly_digests
from bot.services.reports import ProgrammeReports
from storage.reports import SqlReportSource
from storage.tables import metadata
from storage.unit_of_work import unit_of_work_factory
from tests.reports.org import Org

MONDAY = date(2026, 11, 23)


def at_utc(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=UTC)


def test_the_digest_waits_for_each_admins_own_monday_morning() -> None:
    london = LdAdmin(1, "a@example.org", "Europe/London")
    auckland = LdAdmin(2, "b@example.org", "Pacific/Auckland")
    # Monday 09:30 in Auckland is Sunday 20:30 UTC
    due, _ = due_digests([london, auckland], at_utc(MONDAY - timedelta(days=1), 20, 30), "UTC", ())
    assert [n.recipient_id for n in due] == [2]
    due, _ = due_digests([london, auckland], at_utc(MONDAY, 9, 30), "UTC", ())
    assert [n.recipient_id for n in due] == [1]
    due, _ = due_digests([london, auckland], at_utc(MONDAY, 12, 0), "UTC", ())
    assert due == []  # outside the 09:00-11:00 window


def test_a_holiday_or_leave_on_monday_moves_it_to_the_next_working_window() -> None:
    admin = LdAdmin(1, "a@example.org", "Europe/London")
    due, _ = due_digests([admin], at_utc(MONDAY, 9, 30), "UTC", {MONDAY})
    assert due == []
    due, _ = due_digests([admin], at_utc(MONDAY + timedelta(days=1), 9, 30), "UTC", {MONDAY})
    assert [n.dedupe_key for n in due] == [f"nudge:ld_digest:1:{MONDAY.isoformat()}"]
    on_leave = LdAdmin(
        1, "a@example.org", "Europe/London", (LeavePeriod(MONDAY, MONDAY + timedelta(days=1)),)
    )
    due, _ = due_digests([on_leave], at_utc(MONDAY + timedelta(days=1), 9, 30), "UTC", ())
    assert due == []


def organisation() -> Org:
    org = Org()
    org.skill("SK-NEGO", "Negotiation")
    org.skill("SK-COMM", "Communication")
    org.course("C-1", "SK-NEGO")
    org.person("boss", "Sales")
    for index in range(6):
        org.person(f"e{index}", "Sales", "North", manager="boss")
    org.person("dana", "People")
    # last week: 6 sessions spread over two skills; this week: 6 more, all on negotiation
    for index in range(6):
        org.session(
            f"e{index}", MONDAY - timedelta(days=12 + index % 2), ("SK-NEGO", "SK-COMM")[index % 2]
        )
        org.session(f"e{index}", MONDAY - timedelta(days=3), "SK-NEGO")
    return org


async def save_with_admins(engine: AsyncEngine, org: Org, zones: dict[str, str | None]) -> None:
    """Save `org`, its people named in `zones` made L&D admins in those zones (None: unchanged)."""
    await org.save(engine)
    person = metadata.tables["person"]
    async with engine.begin() as connection:
        for name, zone in zones.items():
            values = {"roles": "ld_admin"} | ({"timezone": zone} if zone else {})
            await connection.execute(
                update(person).where(person.c.id == org.ids[name]).values(**values)
            )


async def test_each_admin_gets_one_digest_a_week_with_new_alerts_and_no_notes(
    engine: AsyncEngine,
) -> None:
    org = organisation()
    await save_with_admins(engine, org, {"dana": "Europe/London"})
    monday_morning = at_utc(MONDAY, 9, 15)
    clock = FixedClock(monday_morning)
    reports = ProgrammeReports(SqlReportSource(engine), clock, timezone="UTC", min_group_size=5)
    unit_of_work = unit_of_work_factory(engine)

    assert await queue_weekly_digests(unit_of_work, reports, monday_morning, "UTC") == 1
    assert await queue_weekly_digests(unit_of_work, reports, at_utc(MONDAY, 10, 15), "UTC") == 0
    outbox = metadata.tables["outbox"]
    async with engine.connect() as connection:
        [row] = (await connection.execute(select(outbox))).mappings().all()
    assert row["kind"] == "ld_digest"
    assert row["recipient_id"] == org.ids["dana"]
    payload = row["payload"]
    assert payload["sessions"] == 12
    assert payload["sessions_week_ago"] == 6
    assert payload["people"] == 6
    assert [a["skill_id"] for a in payload["new_alerts"]] == ["SK-NEGO"]
    assert "NOTE-SECRET" not in json.dumps(payload)

    reply = compose("ld_digest", payload, today=clock.now().date())
    text = json.dumps(
        [reply.summary, [s.text for s in reply.sections], [s.items for s in reply.sections]]
    )
    assert "12 sessions" in text
    assert "+6 on last week" in text
    assert "New theme alerts" in text
    assert "Sales: SK-NEGO is the focus of" in text
    assert "Person E" not in text  # never names anyone


async def test_the_digest_says_how_many_people_the_sessions_were_with(
    engine: AsyncEngine,
) -> None:
    org = organisation()  # 12 sessions with the 6 people of Sales North
    for index in range(6, 9):  # three more reports, not coached in the period
        org.person(f"e{index}", "Sales", "South", manager="boss")
    await save_with_admins(engine, org, {"dana": None})
    clock = FixedClock(at_utc(MONDAY, 9, 15))
    reports = ProgrammeReports(SqlReportSource(engine), clock, timezone="UTC", min_group_size=5)
    assert (
        await queue_weekly_digests(unit_of_work_factory(engine), reports, clock.now(), "UTC") == 1
    )
    async with engine.connect() as connection:
        [row] = (await connection.execute(select(metadata.tables["outbox"]))).mappings().all()
    text = compose("ld_digest", row["payload"], today=MONDAY).sections[0].text

    assert text.splitlines()[:2] == [
        "*12 sessions* with 6 people in the last 30 days (+6 on last week)",
        "People in the programme: 9",
    ]


async def test_a_programme_under_the_minimum_size_sends_no_figures(engine: AsyncEngine) -> None:
    org = Org()
    org.skill("SK-NEGO", "Negotiation")
    org.person("boss", "Sales")
    org.person("e0", "Sales", manager="boss")
    org.person("dana", "People")
    org.session("e0", MONDAY - timedelta(days=3), "SK-NEGO")
    await save_with_admins(engine, org, {"dana": None})
    clock = FixedClock(at_utc(MONDAY, 9, 15))
    reports = ProgrammeReports(SqlReportSource(engine), clock, timezone="UTC", min_group_size=5)
    assert (
        await queue_weekly_digests(unit_of_work_factory(engine), reports, clock.now(), "UTC") == 1
    )
    outbox = metadata.tables["outbox"]
    async with engine.connect() as connection:
        [row] = (await connection.execute(select(outbox))).mappings().all()
    assert row["payload"]["suppressed"] is True
    reply = compose("ld_digest", row["payload"], today=clock.now().date())
    assert "no figures to show" in reply.sections[0].text


async def test_the_preview_lists_the_digest_until_it_is_sent(
    engine: AsyncEngine, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    org = organisation()
    await save_with_admins(engine, org, {"dana": None})
    monkeypatch.setenv("DATABASE_URL", engine.url.render_as_string(hide_password=False))
    monkeypatch.setenv("COACHBOT_TIMEZONE", "UTC")
    argv = ["nudges", "preview", "--at", "2026-11-23T09:30:00+00:00", "--format", "json"]
    assert await asyncio.to_thread(main, argv) == 0
    listed = json.loads(capsys.readouterr().out)
    digest = [entry for entry in listed if entry["kind"] == "ld_digest"]
    assert digest == [
        {"recipient": "dana@example.org", "kind": "ld_digest", "about": None, "due_on": None}
    ]
    assert listed == sorted(listed, key=lambda e: (e["recipient"], e["kind"], e["about"] or ""))
    assert await asyncio.to_thread(main, argv[:-2]) == 0
    [line] = [line for line in capsys.readouterr().out.splitlines() if "dana@" in line]
    assert line.startswith("Mon 23 Nov 09:30 UTC")
    assert line.endswith("weekly coaching digest to Person DANA")

    outbox = metadata.tables["outbox"]
    clock = FixedClock(at_utc(MONDAY, 9, 30))
    reports = ProgrammeReports(SqlReportSource(engine), clock, timezone="UTC", min_group_size=5)
    await queue_weekly_digests(unit_of_work_factory(engine), reports, clock.now(), "UTC")
    async with engine.begin() as connection:
        await connection.execute(update(outbox).values(status="sent"))
    assert await asyncio.to_thread(main, argv) == 0
    listed = json.loads(capsys.readouterr().out)
    assert [entry for entry in listed if entry["kind"] == "ld_digest"] == []


async def test_the_nudges_page_lists_each_admins_digest_once_on_their_own_monday(
    engine: AsyncEngine,
) -> None:
    org = organisation()
    await save_with_admins(engine, org, {"dana": "Europe/London", "boss": "Pacific/Auckland"})
    url = engine.url.render_as_string(hide_password=False)
    settings = load_settings().model_copy(update={"database_url": url, "timezone": "UTC"})
    saturday = at_utc(MONDAY - timedelta(days=2), 6)
    coachbot = build(settings, clock=FixedClock(saturday))
    try:
        plans = await forecast(coachbot.application, 6)
        digests = [
            (plan.day, entry.recipient)
            for plan in plans
            for entry in plan.entries
            if entry.kind == "ld_digest"
        ]
        # Monday 09:00-11:00 in Auckland is Sunday 20:00-22:00 UTC
        assert digests == [
            (MONDAY - timedelta(days=1), "boss@example.org"),
            (MONDAY, "dana@example.org"),
        ]
        sunday_evening = at_utc(MONDAY - timedelta(days=1), 20)
        assert [
            e.recipient
            for e in await sends_at(coachbot.application, sunday_evening)
            if e.kind == "ld_digest"
        ] == ["boss@example.org"]
    finally:
        await coachbot.engine.dispose()
