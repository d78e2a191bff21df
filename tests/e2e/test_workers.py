"""`coachbot serve --workers N` as operators run it: two replicas of two workers each on one
PostgreSQL all answer; the periodic jobs run in one process of the four, chosen through the
database's lease; a kill -9 of that process hands them to another within a minute, and every
nudge waiting in the outbox is delivered once, none twice, none lost."""

from __future__ import annotations

import asyncio
import os
import signal
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TypeVar

import aiohttp
import pytest
from sqlalchemy import select

from adapters.slack_emulator import SlackEmulator, WorkspaceUser
from storage.db import create_engine
from storage.tables import metadata
from tests.support.databases import PostgresFactory
from tests.support.serve_process import coachbot, environment, serving

LEASE = metadata.tables["lease"]
OUTBOX = metadata.tables["outbox"]
MANAGERS = 40
T = TypeVar("T")


async def until(check: Callable[[], Awaitable[T | None]], seconds: float) -> T:
    """The first truthy answer of `check`, asked every tenth of a second for `seconds`."""
    async with asyncio.timeout(seconds):
        while True:
            answer = await check()
            if answer:
                return answer
            await asyncio.sleep(0.1)


def pids_in(printed: str) -> set[int]:
    line = next(line for line in printed.splitlines() if " workers (pids " in line)
    return {int(pid) for pid in line.split("(pids ")[1].rstrip(")").split(", ")}


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def test_sqlite_refuses_more_than_one_worker_with_one_line(tmp_path: Path) -> None:
    env = environment(tmp_path, SLACK_BOT_TOKEN="xoxb-1", SLACK_SIGNING_SECRET="s")
    run = coachbot(tmp_path, env, "serve", "--workers", "2")
    assert run.returncode == 2
    assert run.stderr.splitlines() == [
        "coachbot: --workers 2 needs PostgreSQL: SQLite takes one writer at a time, so more "
        "processes would only wait for each other; set DATABASE_URL to a postgresql:// URL or "
        "serve with --workers 1"
    ]
    assert not (tmp_path / "coachbot.db").exists()


@pytest.mark.parametrize("workers", ["0", "two"])
def test_a_count_of_workers_that_is_not_one_or_more_is_refused(
    tmp_path: Path, workers: str
) -> None:
    run = coachbot(tmp_path, environment(tmp_path), "serve", "--workers", workers)
    assert run.returncode == 2
    assert f"must be a number of processes from 1 to 64, not {workers!r}" in run.stderr


@pytest.fixture
def postgres_url(postgres_factory: PostgresFactory) -> str:
    return postgres_factory.fresh()


async def test_the_periodic_jobs_run_in_one_process_and_pass_on_when_it_dies(
    tmp_path: Path, postgres_url: str
) -> None:
    url = postgres_url
    users = [
        WorkspaceUser(f"U{n:04d}M", f"m{n}@example.org", f"Manager {n}") for n in range(MANAGERS)
    ]
    emulator = SlackEmulator(users=users, rate_limits=False)
    await emulator.start()
    engine = create_engine(url)
    env = environment(
        tmp_path,
        DATABASE_URL=url,
        SLACK_BOT_TOKEN=emulator.bot_token,
        SLACK_SIGNING_SECRET="replica-secret",
        SLACK_API_BASE_URL=emulator.base_url,
        COACHBOT_LEASE_SECONDS="2",
    )

    async def holder() -> str | None:
        async with engine.connect() as db:
            row = (
                await db.execute(select(LEASE).where(LEASE.c.expires_at > datetime.now(UTC)))
            ).first()
        return None if row is None else str(row.holder)

    try:
        async with (
            serving(tmp_path, env, "--workers", "2") as first,
            serving(tmp_path, env, "--workers", "2") as second,
            aiohttp.ClientSession() as http,
        ):
            workers = pids_in(first.printed) | pids_in(second.printed)
            assert len(workers) == 4
            for served in (first, second):
                for _ in range(8):
                    answer = await http.get(f"http://127.0.0.1:{served.port}/healthz")
                    assert answer.status == 200
            # one process of the four holds the lease, and keeps it while it lives
            leader = int((await until(holder, 10)).split(":")[1])
            assert leader in workers
            for _ in range(20):
                assert int((await until(holder, 5)).split(":")[1]) == leader
                await asyncio.sleep(0.2)
            # nudges waiting to go out as the leader is killed mid-flight
            now = datetime.now(UTC)
            async with engine.begin() as db:
                people = metadata.tables["person"]
                await db.execute(
                    people.insert(),
                    [
                        {"id": n + 1, "email": u.email, "name": u.name, "slack_user_id": u.id}
                        for n, u in enumerate(users)
                    ]
                    + [
                        {
                            "id": MANAGERS + 1,
                            "email": "ed@example.org",
                            "name": "Ed Jones",
                            "slack_user_id": None,
                        }
                    ],
                )
                await db.execute(
                    OUTBOX.insert(),
                    [
                        {
                            "dedupe_key": f"nudge:session_due:{n + 1}:2026-12",
                            "kind": "session_due",
                            "recipient_id": n + 1,
                            "payload": {
                                "manager_id": n + 1,
                                "employee_id": MANAGERS + 1,
                                "employee_name": "Ed Jones",
                                "due_on": now.date().isoformat(),
                                "window_ends": (now + timedelta(hours=2)).isoformat(),
                            },
                            "not_before": now,
                            "created_at": now,
                        }
                        for n in range(MANAGERS)
                    ],
                )
            os.kill(leader, signal.SIGKILL)

            async def successor() -> int | None:
                held = await holder()
                pid = int(held.split(":")[1]) if held else None
                return pid if pid is not None and pid != leader and alive(pid) else None

            assert await until(successor, 60)

            async def all_sent() -> bool:
                async with engine.connect() as db:
                    statuses = (await db.execute(select(OUTBOX.c.status))).scalars().all()
                return set(statuses) == {"sent"} and len(statuses) == MANAGERS

            assert await until(all_sent, 90)
            assert [len(emulator.messages_to(user.id)) for user in users] == [1] * MANAGERS
    finally:
        await engine.dispose()
        await emulator.close()
