"""The one place that wires coachbot together: settings -> engine -> the one application
(`adapters/assemble.py`) -> every door, each mounted as `mount_X(web_app, application)` ->
dispatcher and scheduler. `serve` runs it; tests, the sandbox and the demo build the same thing."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
from dataclasses import dataclass, field
from datetime import timedelta

from aiohttp import web
from slack_bolt.adapter.socket_mode.aiohttp import AsyncSocketModeHandler
from sqlalchemy.ext.asyncio import AsyncEngine

from adapters.application import Application
from adapters.assemble import application_for
from adapters.config import Settings, incomplete_platform
from adapters.console import mount_console
from adapters.listening import listening_socket
from adapters.lms.polls import CompletionPolls
from adapters.lms.wiring import lms_gateways, mount_lms
from adapters.policy_pages import mount_policy_pages
from adapters.sandbox.gate import (
    LOOPBACK,
    console_link,
    refuse_an_organisation,
    sandbox_for,
    sandbox_lines,
)
from adapters.sandbox.organisation import is_empty, load_sample_organisation, sample_users
from adapters.server import build_app, settle_heap
from adapters.slack.app import SLACK_APP_KEY
from adapters.slack.wiring import mount_slack
from adapters.slack_emulator import SlackEmulator
from adapters.startup import StartupRefused, database_problems
from adapters.teams.app import TeamsWiring, mount_teams
from adapters.workers import WorkerPipes
from bot.clock import Clock, SystemClock
from bot.ports import Messenger
from scheduler.jobs import digest_job, sweep_job
from scheduler.leadership import LEASE_NAME, Leadership, this_process
from scheduler.outbox import OutboxDispatcher
from scheduler.runner import SchedulerRunner
from storage.db import create_engine, upgrade
from storage.dispatch_queue import SqlDispatchQueue
from storage.leases import SqlLease
from storage.unit_of_work import unit_of_work_factory

log = logging.getLogger(__name__)


@dataclass
class Coachbot:
    """Everything one process runs: the HTTP app and the outbox dispatcher."""

    settings: Settings
    engine: AsyncEngine
    clock: Clock
    web_app: web.Application
    dispatcher: OutboxDispatcher
    application: Application
    messengers: dict[str, Messenger] = field(default_factory=dict)
    scheduler: SchedulerRunner | None = None  # None when COACHBOT_SCHEDULER=off
    lms_polls: CompletionPolls | None = None  # None without an LMS to poll or a scheduler
    leadership: Leadership | None = None  # None when COACHBOT_SCHEDULER=off
    _tasks: list[asyncio.Task[None]] = field(default_factory=list)
    _stop: asyncio.Event = field(default_factory=asyncio.Event)
    _polls_stop: asyncio.Event = field(default_factory=asyncio.Event)

    async def start_background(self) -> None:
        """Start the dispatcher (in every process: its claims never overlap), and unless
        COACHBOT_SCHEDULER=off ask for the periodic jobs, which run in the one process of all
        those sharing the database that holds their lease (this one, when it is alone)."""
        self._stop.clear()
        self._tasks.append(asyncio.create_task(self.dispatcher.run(self._stop)))
        if self.leadership is not None:
            await self.leadership.turn()
            self._tasks.append(asyncio.create_task(self.leadership.run(self._stop)))

    def _lead(self) -> None:
        """This process has taken the periodic jobs' lease: start them."""
        if self.scheduler is not None:
            self.scheduler.start()
        if self.lms_polls is not None:
            self._polls_stop = asyncio.Event()
            self._tasks.append(asyncio.create_task(self.lms_polls.run(self._polls_stop)))

    def _follow(self) -> None:
        """Another process runs the periodic jobs (or this one stops): stop ours."""
        if self.scheduler is not None:
            self.scheduler.stop()
        self._polls_stop.set()

    async def stop_background(self) -> None:
        self._stop.set()
        self._polls_stop.set()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        self._tasks.clear()


def build(
    settings: Settings, *, clock: Clock | None = None, teams: TeamsWiring | None = None
) -> Coachbot:
    """Wire the process from its settings; nothing is started yet. `teams` changes where the
    Teams door finds signing keys and outbound credentials (tests)."""
    clock = clock or SystemClock()
    engine = create_engine(settings.database_url)
    unit_of_work = unit_of_work_factory(engine)
    web_app = build_app(engine, metrics_token=settings.metrics_token)
    mount_policy_pages(web_app, settings)
    messengers: dict[str, Messenger] = {}
    dispatcher = OutboxDispatcher(
        SqlDispatchQueue(engine),
        unit_of_work,
        messengers,
        clock,
        lms_gateways=lms_gateways(settings),
    )
    application = application_for(
        settings, engine, clock, unit_of_work=unit_of_work, outbox_written=dispatcher.notify
    )
    lms_polls = mount_lms(web_app, application)
    mount_console(web_app, application)
    jobs = [
        sweep_job(application.nudge_store, clock, application.nudge_policy, dispatcher.notify),
        digest_job(
            application.unit_of_work,
            application.reports,
            clock,
            application.nudge_policy,
            dispatcher.notify,
        ),
    ]
    scheduler = SchedulerRunner(jobs) if settings.scheduler else None
    if settings.slack_enabled:
        messengers["slack"] = mount_slack(web_app, application)
    if settings.teams_enabled:
        messengers["teams"] = mount_teams(web_app, application, teams)
    coachbot = Coachbot(
        settings,
        engine,
        clock,
        web_app,
        dispatcher,
        application,
        messengers,
        scheduler,
        lms_polls=lms_polls if settings.scheduler else None,
    )
    if settings.scheduler:
        period = timedelta(seconds=settings.lease_seconds)
        lease = SqlLease(engine, LEASE_NAME, this_process())
        coachbot.leadership = Leadership(lease, coachbot._lead, coachbot._follow, period)
    return coachbot


def describe_doors(settings: Settings) -> list[str]:
    """Lines telling the operator which doors are open and what would open the others."""
    lines = []
    if settings.slack_enabled and settings.slack_oauth:
        where = (settings.public_url or f"http://{settings.host}:{settings.port}").rstrip("/")
        lines.append(
            f"Slack: enabled, installed through OAuth: add it to a workspace (or a Grid org) "
            f"at {where}/slack/install (Web API at {settings.slack_api_base_url})"
        )
    elif settings.slack_enabled:
        lines.append(f"Slack: enabled (Web API at {settings.slack_api_base_url})")
    else:
        lines.append(
            "Slack: off (set SLACK_BOT_TOKEN and SLACK_SIGNING_SECRET, or SLACK_BOT_TOKEN and"
            " SLACK_APP_TOKEN for Socket Mode, or SLACK_CLIENT_ID, SLACK_CLIENT_SECRET and"
            " SLACK_SIGNING_SECRET to install through OAuth)"
        )
    if settings.teams_enabled:
        lines.append("Teams: enabled")
    else:
        lines.append("Teams: off (set MicrosoftAppId, MicrosoftAppPassword, MicrosoftAppTenantId)")
    return lines


async def serve(
    settings: Settings, *, sandbox: bool = False, worker: WorkerPipes | None = None
) -> None:
    """Migrate, then serve HTTP and deliver the outbox until SIGINT or SIGTERM. With no chat
    credentials (or `sandbox`), serve the sandbox instead (adapters/sandbox/gate.py says when).
    As one of `serve --workers N`'s workers, accept on the parent's socket (the parent has
    migrated and speaks for all) and stop when the parent is gone.
    Raises `StartupRefused` with the operator's one line when it cannot start."""
    problem = incomplete_platform(settings)
    if problem is not None:
        raise StartupRefused(problem)
    in_sandbox = sandbox or not (settings.slack_enabled or settings.teams_enabled)
    async with contextlib.AsyncExitStack() as running:
        if worker is not None:
            listening = worker.listening
        else:
            # bound first: a port in use stops start-up before anything is started or written
            listening = listening_socket(LOOPBACK if in_sandbox else settings.host, settings.port)
        running.callback(listening.close)
        emulator = None
        if in_sandbox:
            if not sandbox:
                await refuse_an_organisation(settings)
            emulator = SlackEmulator(users=sample_users())
            await emulator.start(LOOPBACK)
            running.push_async_callback(emulator.close)
            settings = sandbox_for(settings, emulator, listening.getsockname()[1])
        coachbot = build(settings)
        running.push_async_callback(coachbot.engine.dispose)
        hint = "check DATABASE_URL" if emulator is None else "run the sandbox in a writable folder"
        async with database_problems(settings.database_url, hint):
            if worker is None:
                await upgrade(coachbot.engine)
            if emulator is not None and await is_empty(coachbot.engine):
                await load_sample_organisation(coachbot.engine, coachbot.clock, settings.timezone)
        runner = web.AppRunner(coachbot.web_app)
        await runner.setup()
        running.push_async_callback(runner.cleanup)
        settle_heap()
        site = web.SockSite(runner, listening)
        await site.start()
        await coachbot.start_background()
        running.push_async_callback(coachbot.stop_background)
        socket_mode = await connect_socket_mode(coachbot)
        if socket_mode is not None:
            running.push_async_callback(socket_mode.close_async)
        stopped = stop_on_signals()  # before saying so, lest a prompt SIGTERM kill it
        if worker is not None:
            worker.watch_parent(stopped)
            worker.say_ready()
            await stopped.wait()
            return
        if emulator is None:
            lines = describe_doors(settings)
        else:
            link = await console_link(coachbot.application)
            lines = sandbox_lines(settings, emulator, link)
        for line in lines:
            print(line, flush=True)
        log.info(
            "started: listening on %s:%d; Slack %s, Teams %s, scheduler %s%s",
            settings.host,
            settings.port,
            "on" if settings.slack_enabled else "off",
            "on" if settings.teams_enabled else "off",
            "on" if coachbot.scheduler is not None else "off",
            " (sandbox)" if emulator is not None else "",
        )
        print(f"coachbot listening on http://{settings.host}:{settings.port}", flush=True)
        await stopped.wait()


def stop_on_signals() -> asyncio.Event:
    """An event set by SIGINT or SIGTERM."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError):
            loop.add_signal_handler(sig, stop.set)
    return stop


async def connect_socket_mode(coachbot: Coachbot) -> AsyncSocketModeHandler | None:
    """With SLACK_APP_TOKEN set, Slack's requests arrive over Socket Mode (no public URL)."""
    token = coachbot.settings.slack_app_token
    if not token or SLACK_APP_KEY not in coachbot.web_app:
        return None
    handler = AsyncSocketModeHandler(coachbot.web_app[SLACK_APP_KEY], token)
    await handler.connect_async()
    print("Slack: connected over Socket Mode", flush=True)
    return handler
