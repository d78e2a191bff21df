"""Holidays per person: people.csv's optional `country` (ISO 3166, a subdivision as `US-NY`)
gives each person their own country's holidays, falling back to `COACHBOT_HOLIDAYS`; so the
organisation's GB holidays no longer silence New York. And `coachbot leave remove`."""

from __future__ import annotations

import asyncio
import json
from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest

from adapters.cli import main
from adapters.holidays import country_holidays, holiday_rule
from tests.imports.support import PEOPLE_HEADER, query
from tests.scheduler.conftest import World

HEADER = PEOPLE_HEADER + ",country"


async def coachbot(
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    world: World,
    *argv: str,
) -> tuple[int, str, str]:
    monkeypatch.setenv("DATABASE_URL", world.engine.url.render_as_string(hide_password=False))
    monkeypatch.setenv("COACHBOT_TIMEZONE", "Europe/London")
    monkeypatch.setenv("COACHBOT_HOLIDAYS", "GB")
    monkeypatch.delenv("COACHBOT_MANAGER_MODULE_COURSE", raising=False)
    capsys.readouterr()
    code = await asyncio.to_thread(main, list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def people_file(tmp_path: Path, *rows: str) -> str:
    path = tmp_path / "people.csv"
    path.write_text("\n".join((HEADER, *rows)) + "\n", encoding="utf-8")
    return str(path)


async def test_the_country_column_is_imported_and_checked(
    both_world: World,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    world = both_world
    bad = people_file(
        tmp_path,
        "ann@example.org,Ann,Ops,,,,,,,,,XX",
        "bob@example.org,Bob,Ops,,,,,,,,,US-ZZ",
        "cat@example.org,Cat,Ops,,,,,,,,,gb",
    )
    code, _, err = await coachbot(monkeypatch, capsys, world, "import", "people", bad)
    assert code == 1
    assert err.splitlines()[:2] == [
        f"{bad}:2: country: 'XX' is not an ISO 3166 country code (e.g. GB, US-NY)",
        f"{bad}:3: country: 'US-ZZ': US has no subdivision 'ZZ' (e.g. US-AK)",
    ]
    url = world.engine.url.render_as_string(hide_password=False)
    assert await asyncio.to_thread(query, url, "SELECT email FROM person") == []

    good = people_file(
        tmp_path,
        "ann@example.org,Ann,Ops,,,,,,,,,us-ny",
        "bob@example.org,Bob,Ops,,ann@example.org,,,,,,,",
        "cat@example.org,Cat,Ops,,ann@example.org,,,,,,,GB",
    )
    code, out, _ = await coachbot(monkeypatch, capsys, world, "import", "people", good)
    assert code == 0, out
    rows = await asyncio.to_thread(query, url, "SELECT email, country FROM person ORDER BY email")
    assert rows == [
        ("ann@example.org", "US-NY"),
        ("bob@example.org", None),
        ("cat@example.org", "GB"),
    ]


async def test_each_person_follows_their_own_countrys_holidays(both_world: World) -> None:
    world = both_world
    world.policy = replace(
        world.policy, holidays=holiday_rule("GB"), country_holidays=country_holidays
    )
    london = await world.person("Lena London", country="GB")
    new_york = await world.person("Nico York", tz="America/New_York", country="US-NY")
    nowhere = await world.person("Noor Nocountry")  # follows COACHBOT_HOLIDAYS (GB)
    for manager in (london, new_york, nowhere):
        employee = await world.person(f"Report of {manager}", cadence="monthly")
        await world.coaches(manager, employee, date(2025, 6, 2))
        await world.session(manager, employee, date(2026, 3, 3))  # due Friday 3 April

    # Good Friday is a GB holiday, not a New York one.
    await world.run_at("2026-04-03T09:30+01:00")
    await world.run_at("2026-04-03T09:30-04:00")
    assert [len(world.messages_to(p)) for p in (london, new_york, nowhere)] == [0, 1, 0]
    await world.run_at("2026-04-06T09:30+01:00")
    assert [len(world.messages_to(p)) for p in (london, new_york, nowhere)] == [1, 1, 1]


async def test_the_preview_applies_each_persons_holidays(
    both_world: World, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    world = both_world
    manager = await world.person("Nico York", tz="America/New_York", country="US-NY")
    employee = await world.person("Ed Jones", cadence="monthly", country="US-NY")
    await world.coaches(manager, employee, date(2025, 6, 2))
    await world.session(manager, employee, date(2026, 6, 3))  # due Friday 3 July

    argv = ("nudges", "preview", "--format", "json", "--at")
    # 3 July is Independence Day (observed) in New York, a working day under GB holidays.
    code, out, _ = await coachbot(monkeypatch, capsys, world, *argv, "2026-07-03T09:30-04:00")
    assert (code, json.loads(out)) == (0, [])
    code, out, _ = await coachbot(monkeypatch, capsys, world, *argv, "2026-07-06T09:30-04:00")
    assert [entry["kind"] for entry in json.loads(out)] == ["session_due"]


async def test_leave_can_be_removed(
    both_world: World, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    world = both_world
    manager = await world.person("Maya Patel")
    employee = await world.person("Ed Jones", cadence="monthly")
    await world.coaches(manager, employee, date(2025, 6, 2))
    await world.session(manager, employee, date(2026, 2, 9))
    email = "ed2@example.org"
    for first, last in (("2026-03-06", "2026-03-13"), ("2026-04-01", "2026-04-02")):
        assert (await coachbot(monkeypatch, capsys, world, "leave", "add", email, first, last))[
            0
        ] == 0

    code, out, _ = await coachbot(
        monkeypatch, capsys, world, "leave", "remove", email, "2026-03-06"
    )
    assert (code, out.strip()) == (0, f"leave removed: {email} from 2026-03-06 to 2026-03-13")
    code, out, _ = await coachbot(monkeypatch, capsys, world, "leave", "list")
    assert out.split() == [email, "2026-04-01", "2026-04-02"]
    code, _, err = await coachbot(
        monkeypatch, capsys, world, "leave", "remove", email, "2026-03-06"
    )
    assert code == 1
    assert f"{email} has no leave starting 2026-03-06" in err
    code, _, err = await coachbot(
        monkeypatch, capsys, world, "leave", "remove", "nobody@example.org", "2026-03-06"
    )
    assert (code, "no person with e-mail nobody@example.org" in err) == (1, True)

    await world.run_at("2026-03-09T09:30+00:00")  # Ed's leave is gone: Maya hears about him
    assert "Ed Jones" in world.messages_to(manager)[0]["text"]
