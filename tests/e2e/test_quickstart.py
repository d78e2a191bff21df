"""The newcomer's path: `coachbot serve` with no chat credentials serves a sandbox on the bundled
Slack emulator with the sample organisation, and `coachbot demo` shows one coaching cycle."""

from __future__ import annotations

import asyncio
from pathlib import Path

import aiohttp

from adapters.sandbox.slack_actor import SlackActor
from tests.support.serve_process import coachbot, environment, serving


async def test_serve_without_credentials_runs_the_sandbox(tmp_path: Path) -> None:
    async with serving(tmp_path, environment(tmp_path)) as served, aiohttp.ClientSession() as http:
        assert "Sandbox mode" in served.printed
        url = f"http://127.0.0.1:{served.port}"
        health = await http.get(f"{url}/healthz")
        assert health.status == 200
        actor = SlackActor(http, url, served.signing_secret)
        origin = served.emulator_origin
        help_text = await (await actor.slash("U0MGR0001", "", "help")).text()
        assert "/coaching @person" in help_text
        minted = await http.post(f"{origin}/_emulator/trigger_ids", json={"user_id": "U0MGR0001"})
        trigger = (await minted.json())["trigger_id"]
        response = await actor.slash("U0MGR0001", trigger, "<@U0EMP0001|sam>")
        assert response.status == 200
        for _ in range(100):
            calls = await http.get(f"{origin}/_emulator/calls?method=views.update")
            updates = (await calls.json())["calls"]
            if updates:
                break
            await asyncio.sleep(0.05)
        form = updates[0]["args"]["view"]
        assert form["title"]["text"] == "Log a coaching session"
        assert "Sam Patel" in str(form)  # the sample organisation is loaded


def test_the_demo_plays_one_coaching_cycle(tmp_path: Path) -> None:
    run = coachbot(tmp_path, environment(tmp_path), "demo")
    text = run.stdout + run.stderr
    assert run.returncode == 0, text
    assert "Maya Chen logged your coaching session" in text
    assert "Negotiation basics (https://lms.example.org/course/view.php?id=101)" in text
    assert "Saved your session with Sam Patel" in text
    assert "Your coaching" in text
    assert "Your development" in text
    ld_view = text[text.index("6. Dana Okafor (L&D)") :]
    assert "Session completion" in ld_view
    assert "Theme alerts" in ld_view
    assert ".png" in ld_view
    assert ".csv" in ld_view
    assert "Sam Patel" not in ld_view  # the report never names a person
    assert "Acme" not in ld_view  # nor quotes anyone's notes
