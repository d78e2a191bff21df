"""One organisation, two platforms: a manager on Slack and a manager on Teams both get their
nudges from one scheduler and one outbox dispatcher, each on their own platform."""

from __future__ import annotations

from datetime import UTC, datetime

from aiohttp import ClientSession, web

from adapters.bootstrap import build
from adapters.config import load_settings
from adapters.slack_emulator import SlackEmulator
from adapters.teams.app import TeamsWiring
from adapters.teams.auth import TokenCredentialsFactory
from bot.clock import FixedClock
from tests.slack.conftest import USERS as SLACK_USERS
from tests.slack.conftest import People
from tests.support.bot_connector import BotConnector
from tests.support.openid import SigningKey
from tests.teams.conftest import APP_ID, OLU, USERS, TeamsWorld

MONDAY_MORNING = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)


async def test_slack_and_teams_managers_are_nudged_by_one_scheduler(
    sqlite_url: str, people: People, signing_key: SigningKey, metadata_url: str
) -> None:
    slack = SlackEmulator(users=SLACK_USERS, rate_limits=False)
    await slack.start()
    connector = BotConnector(USERS, APP_ID)
    await connector.start()
    settings = load_settings(
        DATABASE_URL=sqlite_url,
        SLACK_BOT_TOKEN=slack.bot_token,
        SLACK_SIGNING_SECRET="test-signing-secret",
        SLACK_API_BASE_URL=slack.base_url,
        MicrosoftAppId=APP_ID,
        MicrosoftAppPassword="test-app-password",
        COACHBOT_TIMEZONE="UTC",
    )
    wiring = TeamsWiring(metadata_url, TokenCredentialsFactory(APP_ID, lambda: connector.token))
    coachbot = build(settings, clock=FixedClock(MONDAY_MORNING), teams=wiring)
    assert set(coachbot.messengers) == {"slack", "teams"}
    runner = web.AppRunner(coachbot.web_app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    host, port = runner.addresses[0][:2]
    http = ClientSession()
    world = TeamsWorld(connector, coachbot, signing_key, http, f"http://{host}:{port}")
    try:
        await world.say(OLU, "help")  # Olu uses Teams: his id and conversation are stored
        assert coachbot.scheduler is not None
        [sweep] = [job for job in coachbot.scheduler.jobs if job.name == "nudge-sweep"]
        await sweep.run()
        await world.deliver()

        [maya_nudge] = slack.messages_to("U0MAYA")
        assert "Ed Jones" in str(maya_nudge) and "Zoe Adams" in str(maya_nudge)
        [olu_nudge] = [s for s in connector.sent_to(OLU) if s.reply_to is None]
        assert "Kim Lee" in str(olu_nudge.cards)
        assert slack.messages_to("U0OLU") == []
    finally:
        await coachbot.stop_background()
        await http.close()
        await runner.cleanup()
        await coachbot.engine.dispose()
        await connector.close()
        await slack.close()
