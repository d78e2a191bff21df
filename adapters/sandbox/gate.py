"""When `serve` runs the sandbox, and where the sandbox keeps its data.

With no chat credentials, `serve` runs the sandbox only while `DATABASE_URL`'s database holds no
organisation (a fresh install), or when asked with `serve --sandbox`: an organisation's data is
never served to whoever can reach the port. The sandbox keeps its own data in `sandbox.db` in the
working directory, never in `DATABASE_URL`, and listens on loopback only.
"""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import func, inspect, select
from sqlalchemy.engine import Connection, make_url

from adapters.application import Application
from adapters.config import Settings
from adapters.sandbox.settings import new_signing_secret, sandbox_settings
from adapters.slack_emulator import SlackEmulator
from adapters.startup import StartupRefused, database_problems
from bot.errors import Refusal
from bot.services.console import SignInLink
from storage.db import create_engine
from storage.tables import PersonRow

SANDBOX_FILE = "sandbox.db"
LOOPBACK = "127.0.0.1"
SAMPLE_LD_ADMIN = "dana.okafor@example.org"
NEEDS_CREDENTIALS = (
    "no chat credentials are set and DATABASE_URL's database holds an organisation: set "
    "SLACK_BOT_TOKEN and SLACK_SIGNING_SECRET (or MicrosoftAppId and MicrosoftAppPassword) to "
    "serve it, or run `coachbot serve --sandbox` to try coachbot on sample data"
)


def sandbox_database() -> Path:
    """The sandbox's own SQLite file (delete it to start the sandbox afresh)."""
    return Path.cwd() / SANDBOX_FILE


async def refuse_an_organisation(settings: Settings) -> None:
    """Stop unless `DATABASE_URL`'s database is absent, empty, or the sandbox's own."""
    if not _may_hold_an_organisation(settings.database_url):
        return
    engine = create_engine(settings.database_url)
    try:
        async with (
            database_problems(settings.database_url, "check DATABASE_URL"),
            engine.connect() as connection,
        ):
            holds = await connection.run_sync(_holds_people)
    finally:
        await engine.dispose()
    if holds:
        raise StartupRefused(NEEDS_CREDENTIALS)


def _may_hold_an_organisation(database_url: str) -> bool:
    """False for a SQLite file that does not exist (looking must not create it) or that is the
    sandbox's own."""
    url = make_url(database_url)
    if url.get_backend_name() != "sqlite":
        return True
    if not url.database or url.database == ":memory:":
        return False
    path = Path(url.database)
    return path.is_file() and path.resolve() != sandbox_database().resolve()


def _holds_people(connection: Connection) -> bool:
    if not inspect(connection).has_table(PersonRow.__tablename__):
        return False
    return bool(connection.scalar(select(func.count()).select_from(PersonRow)))


def sandbox_for(settings: Settings, emulator: SlackEmulator, port: int) -> Settings:
    """The settings the sandbox serves with: the emulator, a secret for this run, its own
    database, and loopback whatever COACHBOT_HOST says (the console's links too: `port` is
    the one it listens on)."""
    return sandbox_settings(
        settings,
        emulator,
        new_signing_secret(),
        database_url=f"sqlite:///{sandbox_database()}",
        host=LOOPBACK,
        public_url=f"http://{LOOPBACK}:{port}",
    )


async def console_link(application: Application) -> SignInLink | None:
    """A sign-in link to the console for the sample organisation's L&D admin (None once they
    are no longer in the sandbox's database, or no longer an admin)."""
    async with application.unit_of_work() as uow:
        admin = await uow.people.by_email(SAMPLE_LD_ADMIN)
    if admin is None:
        return None
    try:
        return await application.console.sign_in_link(admin)
    except Refusal:
        return None


def sandbox_lines(
    settings: Settings, emulator: SlackEmulator, console: SignInLink | None = None
) -> list[str]:
    """What the sandbox prints: how to drive it, with this run's signing secret, and a link
    into the L&D console as the sample organisation's L&D admin."""
    lines = [
        f"Sandbox mode: the Slack door talks to the bundled Slack emulator at {emulator.base_url}",
        f"and serves the sample organisation kept in {sandbox_database()}",
        "(stop coachbot and delete that file to start afresh).",
        "  - Watch a whole coaching cycle on a throwaway copy of its own:  .venv/bin/coachbot demo",
        f"  - Send your own signed requests to http://{LOOPBACK}:{settings.port}/slack/events",
        f"    with this run's signing secret {settings.slack_signing_secret}; read what people",
        f"    received at {emulator.base_url.removesuffix('/api/')}/_emulator/calls",
        "  - Serve a real workspace: set SLACK_BOT_TOKEN and SLACK_SIGNING_SECRET (README).",
    ]
    if console is not None:
        lines += [
            "  - Open the L&D console as Dana Okafor, the sample L&D admin (the link works once,",
            f"    within {console.minutes} minutes; restart for another): {console.url}",
        ]
    return lines
