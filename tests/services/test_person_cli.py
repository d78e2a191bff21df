"""`coachbot person export|erase EMAIL` as an operator runs it."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import pty
import subprocess
import sys
from pathlib import Path

import pytest

from adapters.cli import main
from storage.db import create_engine
from tests.services.helpers import command, logged
from tests.storage.org import build_org
from tests.support.cli import cli_environment, run_cli


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
    assert main(["person", "erase", "ed@example.org", "--yes"]) == 0
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
    assert main(["person", "erase", "maya@example.org", "--yes"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert "  coaching_session: 1 kept without them (shown as former manager)" in out


def test_an_unknown_email_exits_1_with_a_clear_message(
    organisation: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["person", "erase", "nobody@example.org", "--yes"]) == 1
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.strip() == (
        "coachbot: No one with the e-mail nobody@example.org is in the directory."
    )


def _exported(tmp_path: Path, email: str) -> str:
    done = run_cli("person", "export", email, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_a_dry_run_says_what_would_go_and_changes_nothing(
    organisation: str, tmp_path: Path
) -> None:
    before = _exported(tmp_path, "maya@example.org")
    done = run_cli("person", "erase", "maya@example.org", "--dry-run", cwd=tmp_path)
    assert (done.returncode, done.stderr) == (0, "")
    lines = done.stdout.splitlines()
    assert lines[0] == "would erase maya@example.org (dry run: nothing has changed)"
    assert "  coaching_session: 1 to keep without them (shown as former manager)" in lines
    assert "  person: 1 to delete" in lines
    assert lines[-1] == "  3 reports will have no manager until the next people import"
    assert _exported(tmp_path, "maya@example.org") == before


def test_erasing_without_a_terminal_or_yes_is_refused(organisation: str, tmp_path: Path) -> None:
    before = _exported(tmp_path, "ed@example.org")
    done = run_cli("person", "erase", "ed@example.org", cwd=tmp_path, input_text="y\n")
    assert (done.returncode, done.stdout) == (2, "")
    assert done.stderr == (
        "coachbot: erasing cannot be undone, so person erase asks first; pass --yes to erase "
        "without asking (or --dry-run to see what would go)\n"
    )
    assert _exported(tmp_path, "ed@example.org") == before


def _erase_at_a_terminal(tmp_path: Path, email: str, answer: bytes) -> tuple[int, str]:
    """`person erase EMAIL` typed at a terminal, answering its question with `answer`."""
    leader, follower = pty.openpty()
    process = subprocess.Popen(
        [sys.executable, "-m", "adapters.cli", "person", "erase", email],
        stdin=follower,
        stdout=follower,
        stderr=follower,
        cwd=tmp_path,
        env=cli_environment(),
    )
    os.close(follower)
    seen = b""
    while b"[y/N]" not in seen:
        seen += os.read(leader, 4096)
    os.write(leader, answer)
    code = process.wait(timeout=60)
    with contextlib.suppress(OSError):  # the terminal is gone once the command has ended
        while chunk := os.read(leader, 4096):
            seen += chunk
    os.close(leader)
    return code, seen.decode().replace("\r\n", "\n")


def test_at_a_terminal_it_asks_first(organisation: str, tmp_path: Path) -> None:
    before = _exported(tmp_path, "maya@example.org")
    code, seen = _erase_at_a_terminal(tmp_path, "maya@example.org", b"n\n")
    assert code == 1
    assert "3 reports will have no manager until the next people import\n" in seen
    assert "Erase maya@example.org? This cannot be undone. [y/N] n\nnothing was erased\n" in seen
    assert _exported(tmp_path, "maya@example.org") == before

    code, seen = _erase_at_a_terminal(tmp_path, "maya@example.org", b"y\n")
    assert code == 0
    assert "erased maya@example.org\n" in seen
    assert "  3 reports now have no manager until the next people import\n" in seen
    done = run_cli("person", "export", "maya@example.org", cwd=tmp_path)
    assert done.returncode == 1
