"""The form path's throughput with `coachbot serve --workers 2` against `--workers 1`, on one
PostgreSQL, in the same run: signed `/coaching` requests (at most `--concurrency` in flight)
through the real `coachbot serve`, each counted done when its filled form has replaced the
loading view in the bundled Slack emulator (its own process, rate limits off). Target: 2
workers at least 1.6x the filled forms per second of 1 on this 2-core machine (where the
emulator, PostgreSQL and this load generator share the same cores). Run:
`.venv/bin/python bench/workers.py [--requests N] [--concurrency C]`."""

from __future__ import annotations

import argparse
import asyncio
import os
import subprocess
import sys
import time
from datetime import datetime
from pathlib import Path
from typing import Any

import aiohttp

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from slack_ack import BENCH_SECRET, MANAGERS, _child  # noqa: E402

from adapters.sandbox.slack_actor import SlackActor  # noqa: E402
from tests.support.databases import PostgresFactory  # noqa: E402
from tests.support.pgcluster import throwaway_cluster  # noqa: E402
from tests.support.serve_process import free_port  # noqa: E402

TARGET = 1.6


async def prepare(database: str) -> None:
    """The sample organisation in a migrated PostgreSQL database."""
    from adapters.sandbox.organisation import load_sample_organisation
    from bot.clock import SystemClock
    from storage.db import create_engine, upgrade

    engine = create_engine(database)
    try:
        await upgrade(engine)
        await load_sample_organisation(engine, SystemClock(), "UTC")
    finally:
        await engine.dispose()


def start_serving(
    workers: int, database: str, emulator_api: str
) -> tuple[subprocess.Popen[str], str, list[int]]:
    """`coachbot serve --workers N` on `database`; the process, its URL and the pids that serve."""
    from adapters.slack_emulator.server import DEFAULT_BOT_TOKEN

    port = free_port()
    env = {
        **os.environ,
        "DATABASE_URL": database,
        "SLACK_BOT_TOKEN": DEFAULT_BOT_TOKEN,
        "SLACK_SIGNING_SECRET": BENCH_SECRET,
        "SLACK_API_BASE_URL": emulator_api,
        "COACHBOT_HOST": "127.0.0.1",
        "COACHBOT_PORT": str(port),
        "COACHBOT_SCHEDULER": "off",
    }
    env.pop("SLACK_APP_TOKEN", None)
    server = subprocess.Popen(
        [sys.executable, "-m", "adapters.cli", "serve", "--workers", str(workers)],
        env=env,
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert server.stdout is not None
    pids = [server.pid]
    for line in server.stdout:
        if " workers (pids " in line:
            pids = [int(pid) for pid in line.split("(pids ")[1].rstrip(")\n").split(", ")]
        if line.startswith("coachbot listening"):
            return server, f"http://127.0.0.1:{port}", pids
    raise RuntimeError(f"coachbot serve --workers {workers} did not start")


async def burst(bot: str, emulator: str, requests: int, concurrency: int) -> float:
    """Filled forms per second for `requests` /coaching requests, `concurrency` in flight."""
    limit = asyncio.Semaphore(concurrency)
    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=0)) as http:
        actor = SlackActor(http, bot, BENCH_SECRET)

        async def one(index: int) -> None:
            user = MANAGERS[index % len(MANAGERS)]
            async with limit:
                minted = await http.post(
                    f"{emulator}/_emulator/trigger_ids", json={"user_id": user}
                )
                trigger = (await minted.json())["trigger_id"]
                text = "<@U0EMP0001|sam>" if user == MANAGERS[0] else ""
                response = await actor.slash(user, trigger, text)
                assert response.status == 200, response.status

        await asyncio.gather(*(one(index) for index in range(4 * concurrency // 10 + 4)))
        await asyncio.sleep(1.0)  # warmed: connections, caches, each worker's first queries
        await http.post(f"{emulator}/_emulator/reset")
        started = time.time()
        await asyncio.gather(*(one(index) for index in range(requests)))
        finished: list[float] = []
        while True:  # the forms go on after the acks: wait until the last one has come
            calls = (await (await http.get(f"{emulator}/_emulator/calls")).json())["calls"]
            done = [_at(c) for c in calls if c["method"] in ("views.open", "views.update")]
            if finished and len(done) == len(finished):
                break
            finished = done
            await asyncio.sleep(1.0)
        opened = sum(1 for c in calls if c["method"] == "views.open" and c["response"].get("ok"))
        assert opened == requests, f"{opened} of {requests} forms opened"
    return requests / (max(finished) - started)


def _at(call: dict[str, Any]) -> float:
    return datetime.fromisoformat(call["at"]).timestamp()


def cpu_seconds(pid: int) -> float:
    """CPU time (user and system) a live process has used so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def postgres_seconds() -> float:
    """CPU time the PostgreSQL server's live processes have used so far."""
    total = 0.0
    for proc in Path("/proc").iterdir():
        try:
            if proc.name.isdigit() and (proc / "comm").read_text().strip() == "postgres":
                total += cpu_seconds(int(proc.name))
        except OSError:  # gone meanwhile
            continue
    return total


def machine_busy_seconds() -> float:
    """CPU time every core of the machine has spent working so far."""
    ticks = [int(n) for n in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    return (sum(ticks) - ticks[3] - ticks[4]) / os.sysconf("SC_CLK_TCK")


async def measure(
    database: str,
    emulator: subprocess.Popen[str],
    emulator_api: str,
    requests: int,
    concurrency: int,
) -> dict[int, tuple[float, dict[str, float]]]:
    """Per worker count: forms per second, and the CPU seconds spent during the burst (warm-up
    included) by the server, the emulator, this load generator, PostgreSQL and the rest of the
    machine (other work on a shared machine)."""
    await prepare(database)
    rates: dict[int, tuple[float, dict[str, float]]] = {}
    for workers in (1, 2):
        server, bot, pids = start_serving(workers, database, emulator_api)
        try:
            before = (
                sum(cpu_seconds(pid) for pid in pids),
                cpu_seconds(emulator.pid),
                time.process_time(),
                postgres_seconds(),
                machine_busy_seconds(),
            )
            rate = await burst(bot, emulator_api.removesuffix("/api/"), requests, concurrency)
            used = {
                "server": sum(cpu_seconds(pid) for pid in pids) - before[0],
                "emulator": cpu_seconds(emulator.pid) - before[1],
                "load generator": time.process_time() - before[2],
                "PostgreSQL": postgres_seconds() - before[3],
            }
            used["rest of the machine"] = machine_busy_seconds() - before[4] - sum(used.values())
            rates[workers] = (rate, used)
        finally:
            server.terminate()
            server.wait(30)
    return rates


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--requests", type=int, default=600)
    parser.add_argument("--concurrency", type=int, default=50)
    args = parser.parse_args()
    emulator, urls = _child("--serve-emulator")
    try:
        with throwaway_cluster() as admin_url:
            database = PostgresFactory(admin_url).fresh()
            rates = asyncio.run(
                measure(database, emulator, urls["emulator"], args.requests, args.concurrency)
            )
    finally:
        emulator.terminate()
        emulator.wait()
    print(
        f"{args.requests} /coaching requests, {args.concurrency} in flight, on PostgreSQL "
        "(filled forms per second)"
    )
    for workers, (rate, used) in rates.items():
        spent = ", ".join(f"{name} {seconds:.1f} s" for name, seconds in used.items())
        print(f"  --workers {workers}: {rate:7.1f} forms/s (CPU during the burst: {spent})")
    ratio = rates[2][0] / rates[1][0]
    print(f"form throughput ratio 2 workers/1: {ratio:.2f}x (target >= {TARGET}x)")
    return 0 if ratio >= TARGET else 1


if __name__ == "__main__":
    sys.exit(main())
