"""Fixtures for the import tests."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.imports.support import Cli


@pytest.fixture
def cli(
    database_url: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> Cli:
    monkeypatch.setenv("DATABASE_URL", database_url)
    monkeypatch.setenv("COACHBOT_TIMEZONE", "UTC")
    monkeypatch.chdir(tmp_path)
    return Cli(database_url, tmp_path, capsys)
