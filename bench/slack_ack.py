"""Time to Slack's HTTP ack, to `views.open` and to the filled form for 200 concurrent signed
`/coaching` requests: coachbot (a loading modal opened at once, then the identity lookup, the
form's queries and the form's Block Kit replacing it with views.update) against a bare Bolt
AsyncApp that acks and opens a static modal, in the same run, each served by its own process
with the bundled Slack emulator in another (rate limits off). Targets: ack p99 at most 1.2x
the bare app's; the filled form's p99 at most 3x the bare app's modal; views.open p99 under
300 ms. Exits 1 when one is missed. Run: `.venv/bin/python bench/slack_ack.py [--requests N]`."""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path
from typing import Any

import aiohttp

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from adapters.sandbox.slack_actor import SlackActor

MANAGERS = ("U0MGR0001", "U0MGR0002", "U0MGR0003")
ACK_TARGET = 1.2
FORM_TARGET = 3.0
VIEWS_OPEN_TARGET_MS = 300.0
BENCH_SECRET = "bench-signing-secret"


async def serve_emulator(trigger_lifetime: float | None = None) -> None:
    """The bundled Slack emulator with the sample people, rate limits off (a child process);
    triggers live `trigger_lifetime` seconds (Slack's 3 s unless given)."""
    from adapters.sandbox.organisation import sample_users
    from adapters.slack_emulator import SlackEmulator
    from adapters.slack_emulator.triggers import TRIGGER_LIFETIME_SECONDS

    emulator = SlackEmulator(
        users=sample_users(),
        rate_limits=False,
        trigger_lifetime=trigger_lifetime or TRIGGER_LIFETIME_SECONDS,
    )
    await emulator.start()
    print(json.dumps({"emulator": emulator.base_url}), flush=True)
    await asyncio.Event().wait()


async def serve(kind: str, database: str, emulator_url: str) -> None:
    """The server under test (a child process of its own): prints its URL."""
    from aiohttp import web
    from slack_bolt.async_app import AsyncApp

    from adapters.bootstrap import build
    from adapters.config import load_settings
    from adapters.sandbox.organisation import load_sample_organisation
    from adapters.server import build_app, settle_heap
    from adapters.slack.app import build_client, mount
    from adapters.slack_emulator.server import DEFAULT_BOT_TOKEN
    from storage.db import upgrade

    settings = load_settings().model_copy(
        update={
            "database_url": database,
            "slack_bot_token": DEFAULT_BOT_TOKEN,
            "slack_signing_secret": BENCH_SECRET,
            "slack_api_base_url": emulator_url,
        }
    )
    if kind == "coachbot":
        coachbot = build(settings)
        await upgrade(coachbot.engine)
        await load_sample_organisation(coachbot.engine, coachbot.clock, "UTC")
        web_app = coachbot.web_app
    else:
        from storage.db import create_engine

        bare = AsyncApp(client=build_client(settings), signing_secret=BENCH_SECRET)

        @bare.command("/coaching")
        async def coaching(ack: Any, body: dict[str, Any], client: Any) -> None:
            await ack()
            await client.views_open(trigger_id=body["trigger_id"], view=STATIC_MODAL)

        web_app = build_app(create_engine(database))
        mount(web_app, bare, BENCH_SECRET)
    runner = web.AppRunner(web_app, access_log=None)
    await runner.setup()
    settle_heap()  # as `coachbot serve` does
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    host, port = runner.addresses[0][:2]
    print(json.dumps({"bot": f"http://{host}:{port}"}), flush=True)
    await asyncio.Event().wait()


STATIC_MODAL = {
    "type": "modal",
    "callback_id": "static",
    "title": {"type": "plain_text", "text": "Log a coaching session"},
    "close": {"type": "plain_text", "text": "Cancel"},
    "blocks": [{"type": "section", "text": {"type": "mrkdwn", "text": "Hello"}}],
}


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def _child(*args: str) -> tuple[subprocess.Popen[str], dict[str, str]]:
    child = subprocess.Popen([sys.executable, __file__, *args], stdout=subprocess.PIPE, text=True)
    assert child.stdout is not None
    return child, json.loads(child.stdout.readline())


async def measure(kind: str, requests: int) -> dict[str, float]:
    with tempfile.TemporaryDirectory() as folder:
        emulator, urls = _child("--serve-emulator")
        server, bot = _child(
            "--serve",
            kind,
            "--database",
            f"sqlite:///{folder}/b.db",
            "--emulator",
            urls["emulator"],
        )
        try:
            used = [cpu_seconds(server.pid), cpu_seconds(emulator.pid)]
            figures = await _load(bot["bot"], urls["emulator"].removesuffix("/api/"), requests)
            figures["server_cpu"] = cpu_seconds(server.pid) - used[0]
            figures["emulator_cpu"] = cpu_seconds(emulator.pid) - used[1]
            return figures
        finally:
            for child in (server, emulator):
                child.terminate()
                child.wait()


async def _load(bot: str, emulator: str, requests: int) -> dict[str, float]:
    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=0)) as http:
        actor = SlackActor(http, bot, BENCH_SECRET)
        for warm in range(3):  # connections, caches and first queries warmed, as in service
            await _one(http, actor, emulator, MANAGERS[warm % 3])
        await http.post(f"{emulator}/_emulator/reset")

        async def mint(user: str) -> tuple[str, str]:
            minted = await http.post(f"{emulator}/_emulator/trigger_ids", json={"user_id": user})
            return user, (await minted.json())["trigger_id"]

        users = [MANAGERS[index % len(MANAGERS)] for index in range(requests)]
        triggers = await asyncio.gather(*(mint(user) for user in users))

        async def one(user: str, trigger: str) -> tuple[str, float, float]:
            sent = time.time()
            response = await actor.slash(
                user, trigger, "<@U0EMP0001|sam>" if user == MANAGERS[0] else ""
            )
            assert response.status == 200, response.status
            return trigger, sent, time.time() - sent

        results = await asyncio.gather(*(one(u, t) for u, t in triggers))
        await asyncio.sleep(2.0)  # the listeners finish after the ack
        calls = (await (await http.get(f"{emulator}/_emulator/calls")).json())["calls"]
    opened = {
        c["args"]["trigger_id"]: (_at(c), c["response"]["view"]["id"])
        for c in calls
        if c["method"] == "views.open" and c["response"].get("ok")
    }
    filled: dict[str, float] = {}
    for call in calls:
        if call["method"] == "views.update" and call["response"].get("ok"):
            filled.setdefault(call["args"]["view_id"], _at(call))
    acks = [elapsed * 1000 for _, _, elapsed in results]
    views = [(opened[t][0] - sent) * 1000 for t, sent, _ in results if t in opened]
    forms = [
        (filled.get(opened[t][1], opened[t][0]) - sent) * 1000
        for t, sent, _ in results
        if t in opened
    ]
    return {
        "form_p50": statistics.median(forms) if forms else float("nan"),
        "form_p99": percentile(forms, 0.99) if forms else float("nan"),
        "ack_p50": statistics.median(acks),
        "ack_p99": percentile(acks, 0.99),
        "open_p50": statistics.median(views) if views else float("nan"),
        "open_p99": percentile(views, 0.99) if views else float("nan"),
        "opened": float(len(views)),
    }


def cpu_seconds(pid: int) -> float:
    """CPU time (user and system) a live process has used so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _at(call: dict[str, Any]) -> float:
    return datetime.fromisoformat(call["at"]).timestamp()


async def _one(http: aiohttp.ClientSession, actor: SlackActor, emulator: str, user: str) -> None:
    minted = await http.post(f"{emulator}/_emulator/trigger_ids", json={"user_id": user})
    await actor.slash(user, (await minted.json())["trigger_id"])
    await asyncio.sleep(0.3)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--serve", choices=["coachbot", "bare"], help=argparse.SUPPRESS)
    parser.add_argument("--database", help=argparse.SUPPRESS)
    parser.add_argument("--emulator", help=argparse.SUPPRESS)
    parser.add_argument("--serve-emulator", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--trigger-lifetime", type=float, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve_emulator:
        asyncio.run(serve_emulator(args.trigger_lifetime))
        return 0
    if args.serve:
        asyncio.run(serve(args.serve, args.database, args.emulator))
        return 0
    bare = asyncio.run(measure("bare", args.requests))
    bot = asyncio.run(measure("coachbot", args.requests))
    print(f"{args.requests} concurrent /coaching requests (times in ms)")
    print(
        f"{'':10}{'ack p50':>10}{'ack p99':>10}{'open p50':>10}{'open p99':>10}"
        f"{'form p50':>10}{'form p99':>10}{'opened':>8}"
    )
    for name, figures in (("bare Bolt", bare), ("coachbot", bot)):
        print(
            f"{name:10}{figures['ack_p50']:10.1f}{figures['ack_p99']:10.1f}"
            f"{figures['open_p50']:10.1f}{figures['open_p99']:10.1f}"
            f"{figures['form_p50']:10.1f}{figures['form_p99']:10.1f}{figures['opened']:8.0f}"
        )
    print("(form: the filled-in form replacing the loading view; for the bare app, its modal)")
    print(
        "CPU during the run (warm-up included): "
        + "; ".join(
            f"{name} server {figures['server_cpu']:.2f} s, emulator {figures['emulator_cpu']:.2f} s"
            for name, figures in (("bare Bolt", bare), ("coachbot", bot))
        )
    )
    ack = bot["ack_p99"] / bare["ack_p99"]
    form = bot["form_p99"] / bare["form_p99"]
    print(f"ack p99 ratio coachbot/bare: {ack:.2f}x")
    print(f"form p99 ratio coachbot/bare: {form:.2f}x")
    print(f"coachbot views.open p99: {bot['open_p99']:.0f} ms")
    print(
        f"targets: ack ratio <= {ACK_TARGET}x, form ratio <= {FORM_TARGET}x, "
        f"views.open p99 < {VIEWS_OPEN_TARGET_MS:.0f} ms"
    )
    met = ack <= ACK_TARGET and form <= FORM_TARGET and bot["open_p99"] < VIEWS_OPEN_TARGET_MS
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main())
