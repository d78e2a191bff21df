"""What `coachbot serve` logs, through the real entry point: one line per event (UTC time, level,
logger, message) at COACHBOT_LOG_LEVEL: its start-up, each sweep and each delivery batch, and
never a message's text or a person's details, even when a session is logged and its DM
delivered."""

from __future__ import annotations

import asyncio
import re
from pathlib import Path
from typing import Any

import aiohttp

from adapters.sandbox.demo import ANSWERS, MAYA, SAM
from adapters.sandbox.slack_actor import SlackActor
from tests.support.serve_process import environment, serving

LOG_LINE = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ (DEBUG|INFO|WARNING|ERROR) [\w.]+: .+")
KEY_POINT = "Sam wants to lead the Quokka renewal call"
ACTION = "Rehearse the Quokka pitch with Lee"


async def _poll(http: aiohttp.ClientSession, url: str, key: str) -> list[Any]:
    """What the emulator records under `key` at `url`, once there is any."""
    async with asyncio.timeout(30):
        while True:
            found: list[Any] = (await (await http.get(url)).json())[key]
            if found:
                return found
            await asyncio.sleep(0.05)


async def test_serve_logs_its_start_up_one_line_each_and_no_message_text(tmp_path: Path) -> None:
    async with serving(tmp_path, environment(tmp_path)) as served, aiohttp.ClientSession() as http:
        origin = served.emulator_origin
        actor = SlackActor(http, f"http://127.0.0.1:{served.port}", served.signing_secret)

        async def trigger() -> str:
            minted = await http.post(f"{origin}/_emulator/trigger_ids", json={"user_id": MAYA})
            return str((await minted.json())["trigger_id"])

        await actor.slash(MAYA, await trigger(), f"<@{SAM}|sam.patel>")
        updates = await _poll(http, f"{origin}/_emulator/calls?method=views.update", "calls")
        form = {**updates[-1]["args"]["view"], "id": updates[-1]["args"]["view_id"]}
        key_points = KEY_POINT + "\nExplored what worked before\nOptions: shadow, role-play"
        answers = {**ANSWERS, "key_points": key_points, "actions": ACTION}
        await actor.submit(MAYA, form, answers, await trigger())
        [dm] = await _poll(http, f"{origin}/_emulator/messages/{SAM}", "messages")
        assert ACTION in str(dm)  # the DM went, with the manager's words in it
        await served.line_with("INFO scheduler.outbox: outbox batch:")
        if "sweep queued" not in served.later:  # the first sweep runs 5 s after start-up
            await served.line_with("INFO scheduler.jobs: sweep queued")

    assert "INFO adapters.bootstrap: started: listening on 127.0.0.1:" in served.printed
    assert "INFO scheduler.runner: scheduler started: nudge-sweep, ld-digest" in served.printed
    after_listening = served.later.splitlines()
    batches = [line for line in after_listening if "outbox batch:" in line]
    assert any(re.search(r" [1-9]\d* sent, 0 failed", line) for line in batches), batches
    logged = [line for line in served.printed.splitlines() if LOG_LINE.fullmatch(line)]
    logged += after_listening
    assert all(LOG_LINE.fullmatch(line) for line in after_listening), after_listening
    everything = "\n".join(logged)
    for private in (KEY_POINT, ACTION, "Quokka", "Sam Patel", "Maya Chen", "@example"):
        assert private not in everything
