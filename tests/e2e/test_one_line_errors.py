"""What an operator meets at start-up and in a shell pipeline is one line, never a traceback:
the port already in use, and a reader that stops early (`coachbot ... | head`)."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
from pathlib import Path

from tests.support.cli import cli_environment, run_cli


def test_a_port_in_use_is_one_line_and_nothing_is_written(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        done = run_cli(
            "serve",
            cwd=tmp_path,
            DATABASE_URL=f"sqlite:///{tmp_path / 'coachbot.db'}",
            COACHBOT_HOST="127.0.0.1",
            COACHBOT_PORT=str(port),
        )
    assert (done.returncode, done.stdout) == (1, "")
    assert done.stderr == (
        f"coachbot: port {port} on 127.0.0.1 is already in use (is coachbot already running?); "
        "stop that process or set COACHBOT_PORT to a free port\n"
    )
    assert list(tmp_path.iterdir()) == []  # no database, no sandbox


def test_a_reader_that_stops_early_ends_the_command_quietly(tmp_path: Path) -> None:
    reader, writer = os.pipe()
    os.close(reader)  # as `| head` does once it has what it wants
    done = subprocess.run(
        [sys.executable, "-m", "adapters.cli", "db", "upgrade"],
        cwd=tmp_path,
        env=cli_environment(DATABASE_URL=f"sqlite:///{tmp_path / 'coachbot.db'}"),
        stdout=writer,
        stderr=subprocess.PIPE,
        text=True,
        check=False,
    )
    os.close(writer)
    assert done.stderr == ""
    assert done.returncode == 128 + signal.SIGPIPE  # what a shell shows for a tool SIGPIPE ended
