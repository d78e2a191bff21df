"""The form path's throughput with `coachbot serve --workers 2` against `--workers 1`, on one
PostgreSQL, in the same run: signed `/coaching` requests (at most `--concurrency` in flight)
through the real `coachbot serve`, each counted done when its filled form has replaced the
loading view at the Slack stand-in (its own process): `bench/_lean_slack.py`, which only
answers and times the calls, and then the bundled emulator, which checks them as Slack does.
Target: 2 workers at least 1.6x the filled forms per second of 1 on this 2-core machine, with
the lean stand-in (PostgreSQL, the stand-in and this load generator share the same cores; the
CPU each spent is printed, and the server's share of it). Run:
`.venv/bin/python bench/workers.py [--requests N] [--concurrency C] [--slack lean|emulator]`."""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
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

from adapters.sandbox.slack_actor import (  # noqa: E402
    FORM,
    form_body,
    headers_for,
    slash_command,
)
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


class SlackSide:
    """What the load generator asks of the Slack stand-in: the bundled emulator (which checks
    triggers and views as Slack does) or `bench/_lean_slack.py` (which only answers and times)."""

    def __init__(self, http: aiohttp.ClientSession, origin: str, lean: bool) -> None:
        self.http, self.origin, self.lean = http, origin, lean
        self._triggers = itertools.count(1)

    async def trigger(self, user: str) -> str:
        if self.lean:
            return f"{next(self._triggers)}.{int(time.time())}.bench"
        minted = await self.http.post(
            f"{self.origin}/_emulator/trigger_ids", json={"user_id": user}
        )
        return str((await minted.json())["trigger_id"])

    async def reset(self) -> None:
        await self.http.post(f"{self.origin}/{'_lean' if self.lean else '_emulator'}/reset")

    async def count(self, method: str) -> int:
        path = "_lean/count?" if self.lean else "_emulator/calls?count=1&"
        asked = await self.http.get(f"{self.origin}/{path}method={method}")
        return int((await asked.json())["count"])

    async def times(self, method: str) -> list[float]:
        if self.lean:
            asked = await self.http.get(f"{self.origin}/_lean/times?method={method}")
            return [float(t) for t in (await asked.json())["times"]]
        asked = await self.http.get(f"{self.origin}/_emulator/calls?method={method}")
        calls = (await asked.json())["calls"]
        return [_at(c) for c in calls if c["response"].get("ok")]


async def burst(bot: str, slack_origin: str, lean: bool, requests: int, concurrency: int) -> float:
    """Filled forms per second for `requests` /coaching requests, `concurrency` in flight.
    What Slack's side does (minting the triggers, signing the requests) is done before the
    clock starts, and each request is sent as raw bytes on a connection of its own (as the
    workers share the listening socket, each connection goes to whichever accepts it): this
    process and the Slack stand-in share the two cores with the server, so their work per form
    is kept as small as it can be."""
    host, port = bot.removeprefix("http://").split(":")
    async with aiohttp.ClientSession() as http:
        slack = SlackSide(http, slack_origin, lean)

        async def signed(index: int) -> bytes:
            user = MANAGERS[index % len(MANAGERS)]
            text = "<@U0EMP0001|sam>" if user == MANAGERS[0] else ""
            body = form_body(slash_command("/coaching", user, text, await slack.trigger(user)))
            headers = headers_for(body, BENCH_SECRET, content_type=FORM)
            lines = ["POST /slack/events HTTP/1.1", f"Host: {host}:{port}", "Connection: close"]
            lines += [f"{name}: {value}" for name, value in headers.items()]
            lines.append(f"Content-Length: {len(body.encode())}")
            return ("\r\n".join(lines) + "\r\n\r\n" + body).encode()

        async def send(requests_: list[bytes]) -> None:
            limit = asyncio.Semaphore(concurrency)

            async def one(request: bytes) -> None:
                async with limit:
                    reader, writer = await asyncio.open_connection(host, int(port))
                    writer.write(request)
                    status = await reader.readline()
                    rest = await reader.read()  # until the server closes
                    writer.close()
                    assert status.split()[1] == b"200", (status, rest[-300:])

            await asyncio.gather(*(one(request) for request in requests_))

        warm = warm_up(concurrency)
        await send(await asyncio.gather(*(signed(index) for index in range(warm))))
        await asyncio.sleep(1.0)  # warmed: connections, caches, each worker's first queries
        await slack.reset()  # forgets the calls and the triggers
        prepared = await asyncio.gather(*(signed(index) for index in range(requests)))
        started = time.time()
        await send(prepared)
        # the forms follow the acks; the stand-in is another process, polled
        while await slack.count("views.update") < requests:  # noqa: ASYNC110
            await asyncio.sleep(0.05)
        opened = len(await slack.times("views.open"))
        assert opened == requests, f"{opened} of {requests} forms opened"
        finished = max(await slack.times("views.update"))
    return requests / (finished - started)


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
    lean: bool,
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
            origin = emulator_api.removesuffix("/api/")
            rate = await burst(bot, origin, lean, requests, concurrency)
            used = {
                "server": sum(cpu_seconds(pid) for pid in pids) - before[0],
                "Slack stand-in": cpu_seconds(emulator.pid) - before[1],
                "load generator": time.process_time() - before[2],
                "PostgreSQL": postgres_seconds() - before[3],
            }
            used["rest of the machine"] = machine_busy_seconds() - before[4] - sum(used.values())
            rates[workers] = (rate, used)
        finally:
            server.terminate()
            server.wait(30)
    return rates


def warm_up(concurrency: int) -> int:
    """How many requests warm a server up before a burst."""
    return 4 * concurrency // 10 + 4


def per_form(used: dict[str, float], forms: int) -> tuple[float, float]:
    """Milliseconds of CPU per form: the server's, and everything else's on the machine."""
    server = used["server"] * 1000 / forms
    return server, sum(used.values()) * 1000 / forms - server


def lean_slack() -> tuple[subprocess.Popen[str], dict[str, str]]:
    """`bench/_lean_slack.py` in a child process, and its URL."""
    child = subprocess.Popen(
        [sys.executable, str(ROOT / "bench" / "_lean_slack.py")], stdout=subprocess.PIPE, text=True
    )
    assert child.stdout is not None
    return child, json.loads(child.stdout.readline())


STAND_INS = {
    "lean": "the lean stand-in (bench/_lean_slack.py: answers and times Slack's calls)",
    "emulator": "the bundled Slack emulator (checks triggers and views as Slack does)",
}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--requests", type=int, default=600)
    parser.add_argument("--concurrency", type=int, default=50)
    parser.add_argument(
        "--slack",
        choices=["lean", "emulator", "both"],
        default="both",
        help="the Slack stand-in (the target is judged with the lean one)",
    )
    args = parser.parse_args()
    kinds = ["lean", "emulator"] if args.slack == "both" else [args.slack]
    results: dict[str, dict[int, tuple[float, dict[str, float]]]] = {}
    with throwaway_cluster() as admin_url:
        databases = PostgresFactory(admin_url)
        for kind in kinds:
            slack, urls = (
                lean_slack()
                if kind == "lean"
                else _child("--serve-emulator", "--trigger-lifetime", "600")
            )
            try:
                database = databases.fresh()
                results[kind] = asyncio.run(
                    measure(
                        database,
                        slack,
                        urls["emulator"],
                        kind == "lean",
                        args.requests,
                        args.concurrency,
                    )
                )
            finally:
                slack.terminate()
                slack.wait()
    print(
        f"{args.requests} /coaching requests, {args.concurrency} in flight, on PostgreSQL "
        "(filled forms per second)"
    )
    ratios: dict[str, float] = {}
    for kind, rates in results.items():
        print(f"with {STAND_INS[kind]}:")
        for workers, (rate, used) in rates.items():
            spent = ", ".join(f"{name} {seconds:.1f} s" for name, seconds in used.items())
            print(f"  --workers {workers}: {rate:7.1f} forms/s (CPU during the burst: {spent})")
        ratios[kind] = rates[2][0] / rates[1][0]
        print(f"  ratio 2 workers/1: {ratios[kind]:.2f}x")
        server, others = per_form(rates[2][1], args.requests + warm_up(args.concurrency))
        print(
            f"  CPU per form with 2 workers (warm-up included): server {server:.2f} ms, "
            f"everything else on the machine {others:.2f} ms: the server had "
            f"{server / (server + others):.0%} of what the two cores gave"
        )
    judged = ratios.get("lean", ratios.get("emulator", 0.0))
    print(f"form throughput ratio 2 workers/1: {judged:.2f}x (target >= {TARGET}x)")
    return 0 if judged >= TARGET else 1


if __name__ == "__main__":
    sys.exit(main())
