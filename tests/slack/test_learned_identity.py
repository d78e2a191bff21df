"""What the bot learns from chat survives a re-import: a person imported with a blank Slack id
and zone is matched by e-mail through a signed Slack request, and re-importing the same
people.csv changes nothing; the running server follows the database, not its memory."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from adapters.cli import main
from adapters.slack_emulator import WorkspaceUser
from tests.imports.support import PEOPLE_HEADER, query
from tests.support.slack_world import SlackWorld, eventually, start_world

USERS = [
    WorkspaceUser("U0MAYA", "maya@example.org", "Maya Patel", tz="Europe/London"),
    WorkspaceUser("U0ZOE", "zoe@example.org", "Zoe Adams", tz="Asia/Tokyo"),
]
PEOPLE = (
    f"{PEOPLE_HEADER}\n"
    "maya@example.org,Maya Patel,Sales,North,,monthly,,,U0MAYA,,Europe/London\n"
    "zoe@example.org,Zoe Adams,Sales,North,maya@example.org,monthly,,,,,\n"
)


async def coachbot(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], url: str, *argv: str
) -> list[str]:
    monkeypatch.setenv("DATABASE_URL", url)
    monkeypatch.setenv("COACHBOT_TIMEZONE", "UTC")
    capsys.readouterr()
    assert await asyncio.to_thread(main, list(argv)) == 0
    return capsys.readouterr().out.splitlines()


@pytest.fixture
async def imported(
    database_url: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> AsyncIterator[tuple[SlackWorld, str]]:
    people = tmp_path / "people.csv"
    people.write_text(PEOPLE, encoding="utf-8")
    await coachbot(monkeypatch, capsys, database_url, "import", "people", str(people))
    world, close = await start_world(database_url, USERS)
    yield world, str(people)
    await close()


async def zoe(url: str) -> tuple[object, ...]:
    sql = "SELECT slack_user_id, timezone FROM person WHERE email = 'zoe@example.org'"
    [row] = await asyncio.to_thread(query, url, sql)
    return row


async def home_of(world: SlackWorld, user: str, event_id: str) -> None:
    before = len(world.emulator.calls("views.publish"))
    response = await world.event({"type": "app_home_opened", "user": user, "tab": "home"}, event_id)
    assert response.status == 200
    await eventually(lambda: len(world.emulator.calls("views.publish")) > before)


async def test_a_reimport_keeps_the_chat_identity_and_zone_learned_from_slack(
    imported: tuple[SlackWorld, str],
    database_url: str,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    world, people = imported
    await home_of(world, "U0ZOE", "Ev001")  # matched by e-mail; her zone is learned
    assert await zoe(database_url) == ("U0ZOE", "Asia/Tokyo")

    out = await coachbot(monkeypatch, capsys, database_url, "import", "people", people)

    assert out[0].endswith(
        "people.csv: 0 added, 0 updated, 2 unchanged, 0 deactivated; "
        "relationships started: 0, relationships ended: 0"
    )
    assert await zoe(database_url) == ("U0ZOE", "Asia/Tokyo")
    await home_of(world, "U0ZOE", "Ev002")
    assert len(world.emulator.calls("users.info")) == 1  # still known: no second profile look-up


async def test_a_new_value_in_the_file_replaces_what_was_learned_and_the_server_sees_it(
    imported: tuple[SlackWorld, str],
    database_url: str,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
) -> None:
    world, _ = imported
    await home_of(world, "U0ZOE", "Ev001")
    assert await zoe(database_url) == ("U0ZOE", "Asia/Tokyo")
    # Zoe moved to a new Slack account, which the directory now gives; her old one was
    # handed to someone the directory does not list.
    world.emulator.add_user(WorkspaceUser("U0ZOE", "sam@example.org", "Sam Stranger"))
    world.emulator.add_user(WorkspaceUser("U0ZOE2", "zoe@example.org", "Zoe Adams", tz="UTC"))
    moved = tmp_path / "moved.csv"
    moved.write_text(PEOPLE.replace(",monthly,,,,,", ",monthly,,,U0ZOE2,,Europe/Paris"), "utf-8")

    out = await coachbot(monkeypatch, capsys, database_url, "import", "people", str(moved))

    assert "moved.csv: 0 added, 1 updated, 1 unchanged" in out[0]
    assert await zoe(database_url) == ("U0ZOE2", "Europe/Paris")
    # The running server no longer takes the old account for Zoe, and knows the new one.
    await home_of(world, "U0ZOE", "Ev003")
    assert "I don't know you yet" in str(world.emulator.last_view_published("U0ZOE"))
    await home_of(world, "U0ZOE2", "Ev004")
    assert "I don't know you yet" not in str(world.emulator.last_view_published("U0ZOE2"))
    assert await zoe(database_url) == ("U0ZOE2", "Europe/Paris")
