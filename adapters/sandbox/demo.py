"""`coachbot demo`: one coaching cycle through a throwaway server of its own (the real app, the
Slack door and the bundled Slack emulator, on a temporary database), printing what each person
sees. It never touches a running `coachbot serve` or the configured database.

Maya (a manager) types `/coaching @Sam`, fills in the form with a course and saves; Sam gets the
DM with the course link; Maya gets her confirmation; both open their Home tabs.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from aiohttp import ClientSession, web

from adapters.bootstrap import build
from adapters.config import Settings
from adapters.sandbox.organisation import load_sample_organisation, sample_users
from adapters.sandbox.screen import message_text, view_text
from adapters.sandbox.settings import new_signing_secret, sandbox_settings
from adapters.sandbox.slack_actor import SlackActor, eventually
from adapters.slack.session_modal import REVIEW_PREFIX
from adapters.slack_emulator import SlackEmulator
from bot.model import ActionStatus
from storage.db import upgrade

MAYA, SAM, DANA = "U0MGR0001", "U0EMP0001", "U0LD00001"
ANSWERS: dict[str, Any] = {
    "duration": "45",
    "focus_type": ("Skill development", "skill_development"),
    "skill": ("Negotiation", "SK-NEGO"),
    "key_points": (
        "Sam wants to lead the Acme renewal call\n"
        "Explored what worked in the last two negotiations\n"
        "Options: shadow Maya, role-play, or take the course first"
    ),
    "actions": "Role-play the opening with Lee\nDraft the renewal proposal by 2099-01-15",
    "courses": ["C-101"],
}


INTRODUCTION = (
    "coachbot demo starts its own throwaway copy of everything: a coachbot server on a free",
    "loopback port, the bundled Slack emulator, and a database in a temporary folder holding",
    "the sample organisation. It does not use a running `coachbot serve`, its emulator or your",
    "database, and it deletes everything it made when it ends. Here is what each person sees.",
    "",
)


async def run_demo(settings: Settings, say: Callable[[str], None] = print) -> int:
    for line in INTRODUCTION:
        say(line)
    with tempfile.TemporaryDirectory(prefix="coachbot-demo-") as folder:
        emulator = SlackEmulator(users=sample_users(), rate_limits=False)
        await emulator.start()
        database = f"sqlite:///{Path(folder) / 'demo.db'}"
        secret = new_signing_secret()
        coachbot = build(sandbox_settings(settings, emulator, secret, database_url=database))
        await upgrade(coachbot.engine)
        await load_sample_organisation(coachbot.engine, coachbot.clock, settings.timezone)
        runner = web.AppRunner(coachbot.web_app)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        host, port = runner.addresses[0][:2]
        await coachbot.start_background()
        try:
            async with ClientSession() as http:
                actor = SlackActor(http, f"http://{host}:{port}", secret)
                await _cycle(actor, emulator, say)
        finally:
            await coachbot.stop_background()
            await runner.cleanup()
            await coachbot.engine.dispose()
            await emulator.close()
    return 0


def _carried_over(form: dict[str, Any]) -> int:
    """How many of last session's open actions the form offers to carry over (its default)."""
    return sum(
        1
        for block in form.get("blocks", [])
        if str(block.get("block_id", "")).startswith(REVIEW_PREFIX)
        and block["element"].get("initial_option", {}).get("value")
        == ActionStatus.CARRIED_OVER.value
    )


def _loaded(stack: list[dict[str, Any]]) -> dict[str, Any] | None:
    """The modal on top once the form has replaced the loading view."""
    return stack[-1] if stack and stack[-1].get("callback_id") != "coachbot_notice" else None


async def _cycle(actor: SlackActor, slack: SlackEmulator, say: Callable[[str], None]) -> None:
    say("1. Maya Chen (manager) types `/coaching @Sam Patel` in Slack. She sees the form:")
    await actor.slash(MAYA, slack.new_trigger_id(MAYA), f"<@{SAM}|sam.patel>")
    form = await eventually(lambda: _loaded(slack.view_stack(MAYA)))
    say(view_text(form))
    carried = _carried_over(form)
    earlier = f"{carried} action{'' if carried == 1 else 's'}"
    say("\n2. She fills it in (45 minutes, Negotiation, three key points, two new actions, the")
    say("   course 'Negotiation basics') and presses Save session.")
    if carried:
        say(f"   She leaves the {earlier} still open from their last session on 'Carry over'.")
    await actor.submit(MAYA, form, ANSWERS, slack.new_trigger_id(MAYA))
    say("   The form closes: the session is saved.")
    say("\n3. Sam Patel gets a DM:")
    sam_dm = (await eventually(lambda: slack.messages_to(SAM)))[0]
    say(message_text(sam_dm))
    if carried:
        say(f"   The first {earlier} carried over from their last session; the last two are new.")
    say("\n   Maya gets her confirmation:")
    confirmation = (await eventually(lambda: slack.messages_to(MAYA)))[0]
    say(message_text(confirmation))
    for number, (user, who) in enumerate(((SAM, "Sam"), (MAYA, "Maya")), start=4):
        await actor.event({"type": "app_home_opened", "user": user, "tab": "home"}, f"Ev{user}")
        home = await eventually(lambda user=user: slack.last_view_published(user))  # type: ignore[misc]
        say(f"\n{number}. {who} opens the coachbot Home tab:")
        say(view_text(home))
    await _ld_view(actor, slack, say)


async def _ld_view(actor: SlackActor, slack: SlackEmulator, say: Callable[[str], None]) -> None:
    say("\n6. Dana Okafor (L&D) types `/coaching-report 180d`. She sees, just for her:")
    await actor.slash(DANA, slack.new_trigger_id(DANA), "180d", command="/coaching-report")
    summary = (await eventually(lambda: slack.ephemeral_to(DANA)))[0]
    say(message_text(summary))
    files = await eventually(
        lambda: slack.uploaded_files() if len(slack.uploaded_files()) >= 2 else None
    )
    figures = next(m for m in slack.messages_to(DANA) if m.get("blocks"))
    say("\n   and in her DM the full figures (no names, no notes; groups under 5 are hidden):")
    say(message_text(figures).replace("```", ""))
    say("   with the files " + ", ".join(f["name"] for f in files) + ".")
