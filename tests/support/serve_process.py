"""`coachbot serve` as the operator starts it: a child process of the real entry point, in a
folder of its own, with an environment free of the developer's chat credentials."""

from __future__ import annotations

import asyncio
import os
import re
import signal
import socket
import subprocess
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
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


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def environment(folder: Path, **extra: str) -> dict[str, str]:
    """The test's environment without chat credentials, DATABASE_URL in `folder`, and a free
    port (a coachbot already serving on this machine's 3000 must not change what a test sees)."""
    env = {k: v for k, v in os.environ.items() if k not in CHAT_VARIABLES}
    env.update(
        {
            "DATABASE_URL": f"sqlite:///{folder / 'coachbot.db'}",
            "COACHBOT_PORT": str(free_port()),
            **extra,
        }
    )
    return env


def coachbot(folder: Path, env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    """One `coachbot` command run to its end in `folder`."""
    return subprocess.run(
        [sys.executable, "-m", "adapters.cli", *args],
        env=env,
        cwd=folder,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@dataclass
class Served:
    """A running `serve`: what it printed up to "coachbot listening", and its port; `later`,
    what it printed and logged after that (stdout and stderr), read to the end once it stopped."""

    printed: str
    port: int
    later: str = ""
    _output: asyncio.StreamReader | None = field(default=None, repr=False)

    async def line_with(self, text: str) -> str:
        """The next line printed or logged that contains `text` (kept in `later` too)."""
        assert self._output is not None
        async with asyncio.timeout(60):
            while True:
                line = (await self._output.readline()).decode()
                assert line, "serve stopped: " + self.later
                self.later += line
                if text in line:
                    return line

    @property
    def emulator_origin(self) -> str:
        api = next(word for word in self.printed.split() if word.endswith("/api/"))
        return api.removesuffix("/api/")

    @property
    def signing_secret(self) -> str:
        found = re.search(r"signing secret (\S+?);", self.printed)
        assert found, self.printed
        return found.group(1)


@asynccontextmanager
async def serving(folder: Path, env: dict[str, str], *args: str) -> AsyncIterator[Served]:
    """`coachbot serve` running in `folder` until the block ends (then SIGTERM, exit 0)."""
    port = free_port()
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "adapters.cli",
        "serve",
        *args,
        env={**env, "COACHBOT_PORT": str(port)},
        cwd=folder,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    assert process.stdout is not None
    lines: list[str] = []
    try:
        async with asyncio.timeout(60):
            while not (lines and lines[-1].startswith("coachbot listening")):
                line = (await process.stdout.readline()).decode()
                assert line, "serve stopped: " + "".join(lines)
                lines.append(line)
        served = Served("".join(lines), port, _output=process.stdout)
        yield served
    finally:
        if process.returncode is None:
            process.send_signal(signal.SIGTERM)
        rest = await asyncio.wait_for(process.stdout.read(), 30)
        await asyncio.wait_for(process.wait(), 30)
    served.later += rest.decode()
    assert process.returncode == 0
