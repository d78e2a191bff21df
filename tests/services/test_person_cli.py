"""`coachbot person export|erase EMAIL` as an operator runs it."""

from __future__ import annotations

import asyncio
import json

import pytest

from adapters.cli import main
from storage.db import create_engine
from tests.services.helpers import command, logged
from tests.storage.org import build_org


def seed(database_url: str) -> None:
    async def run() -> None:
        engine = create_engine(database_url)
        try:
            org = await build_org(engine)
            await logged(engine, command(org, course_ids=("C-NEG-1",)))
        finally:
            await engine.dispose()

    asyncio.run(run())


@pytest.fixture
def organisation(database_url: str, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv("DATABASE_URL", database_url)
    seed(database_url)
    return database_url


def test_export_prints_the_whole_record_as_json(
    organisation: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["person", "export", "ed@example.org"]) == 0
    record = json.loads(capsys.readouterr().out)
    assert record["person"]["name"] == "Ed Jones"
    [session] = record["coaching_session"]
    assert session["held_on"] == "2026-11-20"
    assert session["key_points"][0] == "Prepared for the Acme renewal"
    assert [a["course_id"] for a in record["course_assignment"]] == ["C-NEG-1"]
    assert record["coaching_relationship"][0]["started_on"] == "2025-01-01"


def test_erase_says_what_went_per_table(
    organisation: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["person", "erase", "ed@example.org"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0] == "erased ed@example.org"
    assert "  coaching_session: 1 deleted" in out
    assert "  agreed_action: 1 deleted" in out
    assert "  course_assignment: 1 deleted" in out
    assert "  outbox: 2 deleted" in out
    assert "  person: 1 deleted" in out
    assert main(["person", "export", "ed@example.org"]) == 1


def test_erasing_a_manager_says_their_sessions_stay_without_them(
    organisation: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["person", "erase", "maya@example.org"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert "  coaching_session: 1 kept without them (shown as former manager)" in out


def test_an_unknown_email_exits_1_with_a_clear_message(
    organisation: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["person", "erase", "nobody@example.org"]) == 1
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.strip() == (
        "coachbot: No one with the e-mail nobody@example.org is in the directory."
    )
