"""Fan-out: 3,000 due nudges, each to its own Slack user id, delivered by a real `coachbot serve`
process through the Slack emulator limited to 50 messages a second (`chat.postMessage`). Prints
the delivery time against the rate-limit bound (3,000 / 50 = 60 s), duplicates and losses, for a
clean run and for a run where the server is killed with SIGKILL halfway and restarted at once
(the rows it left in doubt are resolved through `conversations.history` before any resend).
Target: at most 1.1x the bound, 0 duplicates, 0 lost.
Run: `.venv/bin/python bench/fanout.py [--messages N] [--rate 50] [--runs clean,kill]`."""

from __future__ import annotations

import argparse
import asyncio
import collections
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import func, select

from adapters.slack_emulator import RateLimits, SlackEmulator, WorkspaceUser
from storage.db import create_engine, upgrade
from storage.tables import metadata

TARGET = 1.1
T = metadata.tables
COACHBOT = Path(sys.executable).with_name("coachbot")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def seed(url: str, messages: int) -> None:
    """One manager per message, each due a session with the same report: `messages` pending
    `session_due` rows in their working window (which ends tomorrow)."""
    engine = create_engine(url)
    now = datetime.now(UTC)
    try:
        await upgrade(engine)
        async with engine.begin() as db:
            await db.execute(
                T["person"].insert(),
                [
                    {
                        "id": 1,
                        "email": "ed@example.org",
                        "name": "Ed Jones",
                        "slack_user_id": None,
                        "timezone": None,
                    }
                ]
                + [
                    {
                        "id": n + 2,
                        "email": f"m{n}@example.org",
                        "name": f"Manager {n}",
                        "slack_user_id": f"U{n:05d}",
                        "timezone": "Europe/London",
                    }
                    for n in range(messages)
                ],
            )
            await db.execute(
                T["outbox"].insert(),
                [
                    {
                        "dedupe_key": f"nudge:session_due:{n + 2}:1:2026-03-02",
                        "kind": "session_due",
                        "channel": "chat",
                        "recipient_id": n + 2,
                        "about_id": 1,
                        "payload": {
                            "window_ends": (now + timedelta(days=1)).isoformat(),
                            "manager_id": n + 2,
                            "employee_id": 1,
                            "employee_name": "Ed Jones",
                            "due_on": "2026-03-02",
                            "last_session_on": "2026-02-02",
                            "open_actions": [{"id": 1, "text": "Draft the plan", "due_on": None}],
                        },
                        "status": "pending",
                        "attempts": 0,
                        "not_before": now - timedelta(minutes=1),
                        "created_at": now,
                    }
                    for n in range(messages)
                ],
            )
    finally:
        await engine.dispose()


def start_server(url: str, slack: SlackEmulator, log: Path) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "SLACK_BOT_TOKEN": slack.bot_token,
        "SLACK_SIGNING_SECRET": "bench-secret",
        "SLACK_API_BASE_URL": slack.base_url,
        "COACHBOT_HOST": "127.0.0.1",
        "COACHBOT_PORT": str(free_port()),
        "COACHBOT_SCHEDULER": "off",
    }
    with log.open("ab") as out:
        return subprocess.Popen([str(COACHBOT), "serve"], env=env, stdout=out, stderr=out)


def delivered(slack: SlackEmulator) -> list[tuple[str, datetime]]:
    """(outbox key, when) of every message Slack accepted."""
    return [
        (call.args["metadata"]["event_payload"]["key"], call.at)
        for call in slack.calls("chat.postMessage")
        if call.ok and call.args.get("metadata")
    ]


async def unsent_rows(url: str) -> int:
    engine = create_engine(url)
    try:
        async with engine.connect() as db:
            query = select(func.count()).where(T["outbox"].c.status != "sent")
            return int((await db.execute(query.select_from(T["outbox"]))).scalar_one())
    finally:
        await engine.dispose()


async def run(name: str, messages: int, rate: float, kill: bool, folder: Path) -> dict[str, Any]:
    database = folder / f"{name}.db"
    database.unlink(missing_ok=True)
    url = f"sqlite:///{database}"
    await seed(url, messages)
    users = [
        WorkspaceUser(f"U{n:05d}", f"m{n}@example.org", f"Manager {n}") for n in range(messages)
    ]
    slack = SlackEmulator(users=users, rate_limits=RateLimits(chat_post_per_second=rate))
    await slack.start()
    log = folder / f"{name}.log"
    server = start_server(url, slack, log)
    killed_at: float | None = None
    deadline = time.monotonic() + 10 * messages / rate + 120
    try:
        while time.monotonic() < deadline:
            await asyncio.sleep(0.2)
            count = len(delivered(slack))
            if kill and killed_at is None and count >= messages // 2:
                server.send_signal(signal.SIGKILL)
                server.wait()
                killed_at = time.monotonic()
                server = start_server(url, slack, log)
            everything = len({key for key, _ in delivered(slack)}) >= messages
            if everything and await unsent_rows(url) == 0:
                break
        left = await unsent_rows(url)
    finally:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            server.kill()
        sent = delivered(slack)
        rate_limited = sum(1 for c in slack.calls("chat.postMessage") if c.status == 429)
        history = len(slack.calls("conversations.history"))
        await slack.close()
    counts = collections.Counter(key for key, _ in sent)
    times = sorted(at for _, at in sent)
    seconds = (times[-1] - times[0]).total_seconds() + 1 / rate if times else float("nan")
    return {
        "run": name,
        "seconds": seconds,
        "bound": messages / rate,
        "duplicates": sum(n - 1 for n in counts.values()),
        "lost": messages - len(counts),
        "rows_not_sent": left,
        "rate_limited": rate_limited,
        "in_doubt_checks": history,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--messages", type=int, default=3000)
    parser.add_argument("--rate", type=float, default=50.0)
    parser.add_argument("--runs", default="clean,kill")
    parser.add_argument("--keep", type=Path, help="keep the databases and server logs here")
    args = parser.parse_args()
    results = []
    with tempfile.TemporaryDirectory() as temporary:
        folder = args.keep or Path(temporary)
        folder.mkdir(parents=True, exist_ok=True)
        for name in args.runs.split(","):
            result = asyncio.run(run(name, args.messages, args.rate, name == "kill", folder))
            results.append(result)
            ratio = result["seconds"] / result["bound"]
            print(
                f"{name:<6} {args.messages} nudges at {args.rate:g}/s: {result['seconds']:.1f} s "
                f"against the {result['bound']:.0f} s bound = {ratio:.3f}x (target <= {TARGET}x); "
                f"duplicates {result['duplicates']}, lost {result['lost']}, rows not marked "
                f"sent {result['rows_not_sent']}; 429s {result['rate_limited']}; in-doubt "
                f"checks {result['in_doubt_checks']}",
                flush=True,
            )
    ok = all(r["duplicates"] == 0 and r["lost"] == 0 and r["rows_not_sent"] == 0 for r in results)
    clean = [r for r in results if r["run"] == "clean"]
    ok = ok and all(r["seconds"] / r["bound"] <= TARGET for r in clean)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
