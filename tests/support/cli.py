"""`coachbot` run as an operator runs it: a separate process (`python -m adapters.cli`), with
only the environment given, no chat credentials, and no terminal on its standard input."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

CHAT_VARIABLES = (
    "SLACK_BOT_TOKEN",
    "SLACK_SIGNING_SECRET",
    "SLACK_APP_TOKEN",
    "MicrosoftAppId",
    "MicrosoftAppPassword",
    "MicrosoftAppTenantId",
    "MicrosoftAppType",
)
ROOT = Path(__file__).resolve().parents[2]


def cli_environment(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in CHAT_VARIABLES}
    env["PYTHONPATH"] = str(ROOT)
    return env | extra


def run_cli(
    *args: str, cwd: Path, input_text: str = "", timeout: float = 120, **env: str
) -> subprocess.CompletedProcess[str]:
    """The finished command: exit status, standard output and standard error as text."""
    return subprocess.run(
        [sys.executable, "-m", "adapters.cli", *args],
        cwd=cwd,
        env=cli_environment(**env),
        input=input_text,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
