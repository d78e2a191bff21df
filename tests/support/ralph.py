"""A real Ralph LRS (`ralph-malph[cli,lrs]==5.1.0`, fs backend) on loopback for tests, started in
a subprocess with the two fs-backend bugs of 5.1.0 patched first: only the
first write succeeded, and `verb=`/`activity=` filters compared an IRI object with a str."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import bcrypt
import requests

USERNAME = "coachbot"
PASSWORD = "lrs-test-secret"

LAUNCHER = """
import sys
import uvicorn
from ralph.backends.data.base import BaseOperationType
from ralph.backends.lrs.fs import FSLRSBackend

FSLRSBackend.default_operation_type = BaseOperationType.APPEND
_by_verb = FSLRSBackend._add_filter_by_verb
_by_activity = FSLRSBackend._add_filter_by_activity
FSLRSBackend._add_filter_by_verb = staticmethod(
    lambda filters, verb_id: _by_verb(filters, str(verb_id) if verb_id else None)
)
FSLRSBackend._add_filter_by_activity = staticmethod(
    lambda filters, object_id, related: _by_activity(
        filters, str(object_id) if object_id else None, related
    )
)
uvicorn.run("ralph.api:app", host="127.0.0.1", port=int(sys.argv[1]), log_level="warning")
"""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class RalphLrs:
    """One Ralph server over a data directory; `stop()` and `start()` again keep its data."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.port = free_port()
        self.endpoint = f"http://127.0.0.1:{self.port}"
        self.username, self.password = USERNAME, PASSWORD
        self._process: subprocess.Popen[bytes] | None = None
        (folder / "data").mkdir(parents=True, exist_ok=True)
        hashed = bcrypt.hashpw(PASSWORD.encode(), bcrypt.gensalt(rounds=4)).decode()
        credentials = [
            {
                "agent": {"mbox": "mailto:lrs@example.org", "objectType": "Agent", "name": "lrs"},
                "scopes": ["statements/write", "statements/read"],
                "hash": hashed,
                "username": USERNAME,
            }
        ]
        (folder / "auth.json").write_text(json.dumps(credentials))

    def start(self) -> None:
        env = {
            **os.environ,
            "RALPH_RUNSERVER_BACKEND": "fs",
            "RALPH_BACKENDS__LRS__FS__DEFAULT_DIRECTORY_PATH": str(self.folder / "data"),
            "RALPH_AUTH_FILE": str(self.folder / "auth.json"),
            "RALPH_APP_DIR": str(self.folder),
        }
        self._process = subprocess.Popen(
            [sys.executable, "-c", LAUNCHER, str(self.port)],
            env=env,
            cwd=self.folder,
            stdout=subprocess.DEVNULL,
            stderr=(self.folder / "ralph.log").open("ab"),
        )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self._process.poll() is not None:
                raise RuntimeError((self.folder / "ralph.log").read_text()[-2000:])
            try:
                if requests.get(f"{self.endpoint}/__heartbeat__", timeout=1).status_code == 200:
                    return
            except requests.ConnectionError:
                pass
            time.sleep(0.1)
        self.stop()
        raise RuntimeError("Ralph did not start within 30 s")

    def stop(self) -> None:
        if self._process is not None:
            self._process.terminate()
            try:
                self._process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait()
            self._process = None

    # ---- another xAPI client (the LMS) talking to the same LRS ----

    def _auth(self) -> tuple[str, str]:
        return (self.username, self.password)

    def post(self, statement: dict[str, object]) -> requests.Response:
        return requests.post(
            f"{self.endpoint}/xAPI/statements",
            json=statement,
            auth=self._auth(),
            headers={"X-Experience-API-Version": "1.0.3"},
            timeout=10,
        )

    def statements(self, **params: str) -> list[dict[str, object]]:
        response = requests.get(
            f"{self.endpoint}/xAPI/statements",
            params=params,
            auth=self._auth(),
            headers={"X-Experience-API-Version": "1.0.3"},
            timeout=10,
        )
        response.raise_for_status()
        found: list[dict[str, object]] = response.json()["statements"]
        return found

    def statement(self, statement_id: str) -> dict[str, object] | None:
        response = requests.get(
            f"{self.endpoint}/xAPI/statements",
            params={"statementId": statement_id},
            auth=self._auth(),
            headers={"X-Experience-API-Version": "1.0.3"},
            timeout=10,
        )
        if response.status_code == 404:
            return None
        response.raise_for_status()
        body = response.json()
        if "statements" in body:  # Ralph 5.1 answers a single-statement query with a list
            listed: list[dict[str, object]] = body["statements"]
            return listed[0] if listed else None
        found: dict[str, object] = body
        return found
