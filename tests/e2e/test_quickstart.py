"""The newcomer's path: `coachbot serve` with no chat credentials serves a sandbox on the bundled
Slack emulator with the sample organisation, and `coachbot demo` shows one coaching cycle."""

from __future__ import annotations

import asyncio
import os
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
        help_text = await (await actor.slash("U0MGR0001", "1.help.trigger", "help")).text()
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
    assert text.startswith(
        "coachbot demo starts its own throwaway copy of everything: a coachbot server on a free\n"
        "loopback port, the bundled Slack emulator, and a database in a temporary folder holding\n"
        "the sample organisation. It does not use a running `coachbot serve`, its emulator or "
        "your\ndatabase, and it deletes everything it made when it ends."
    )
    assert os.listdir(tmp_path) == []  # not the configured database, nor anything else
    assert "   The form closes: the session is saved.\n" in text
    assert "(clear)" not in text
    assert ":warning:" not in text  # Slack's emoji codes are shown as the pictures
    sam_dm = text[text.index("3. Sam Patel gets a DM:") : text.index("Maya gets her confirmation")]
    assert (
        "   She leaves the 2 actions still open from their last session on 'Carry over'.\n" in text
    )
    assert sam_dm.count("[Done: ") == 4  # two carried over, two new
    assert (
        "   The first 2 actions carried over from their last session; the last two are new.\n"
        in (sam_dm)
    )
    assert "Draft the renewal proposal (by 15 January 2099)" in sam_dm
    sam_home = text[text.index("4. Sam opens") : text.index("5. Maya opens")]
    recent = sam_home[sam_home.index("*Recent sessions (newest first)*") :].splitlines()[1:6]
    assert recent[0].endswith("Coaching session: Skill development, Negotiation")  # today's
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
