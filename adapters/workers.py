"""`coachbot serve --workers N`: one parent that binds the port and migrates the database, then
N worker processes (each a `coachbot serve` with its own event loop) accepting on the parent's
socket. The parent restarts a worker that dies, and stops them all on SIGINT or SIGTERM; a
worker stops by itself when the parent is gone (its lifeline pipe closes), even after a kill -9.
Only PostgreSQL takes writes from several processes at once, so SQLite refuses N > 1."""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import socket
import sys
import time
from dataclasses import dataclass

from sqlalchemy.engine import make_url

from adapters.config import Settings, incomplete_platform
from adapters.listening import listening_socket
from adapters.startup import StartupRefused, database_problems
from storage.db import create_engine, upgrade

STOP_GRACE_SECONDS = 30.0
"""How long a worker may take to finish its requests after SIGTERM before it is killed."""
READY_TIMEOUT_SECONDS = 120.0


def workers_problem(settings: Settings, workers: int, *, sandbox: bool) -> str | None:
    """The one line refusing `--workers N` where it cannot work, else None."""
    if workers <= 1:
        return None
    if sandbox or not (settings.slack_enabled or settings.teams_enabled):
        return (
            f"--workers {workers} needs PostgreSQL, and the sandbox keeps its data in SQLite "
            "(one writer at a time); serve the sandbox with --workers 1"
        )
    if make_url(settings.database_url).get_backend_name() != "postgresql":
        return (
            f"--workers {workers} needs PostgreSQL: SQLite takes one writer at a time, so more "
            "processes would only wait for each other; set DATABASE_URL to a postgresql:// URL "
            "or serve with --workers 1"
        )
    return None


@dataclass
class WorkerPipes:
    """What a worker inherits from its parent: the listening socket, the pipe on which it says
    it is ready, and the lifeline that reads end-of-file once the parent is gone."""

    listening: socket.socket
    ready: int
    lifeline: int

    @classmethod
    def parse(cls, fds: str) -> WorkerPipes:
        listening, ready, lifeline = (int(fd) for fd in fds.split(","))
        return cls(socket.socket(fileno=listening), ready, lifeline)

    def say_ready(self) -> None:
        os.write(self.ready, b"r")
        os.close(self.ready)

    def watch_parent(self, stop: asyncio.Event) -> None:
        """Set `stop` when the parent is gone (or closes the lifeline to stop this worker)."""
        loop = asyncio.get_running_loop()

        def parent_gone() -> None:
            loop.remove_reader(self.lifeline)
            stop.set()

        loop.add_reader(self.lifeline, parent_gone)


@dataclass
class Worker:
    process: asyncio.subprocess.Process
    lifeline: int  # the parent's end: closing it stops the worker
    started: float


class Workers:
    """N worker processes sharing one listening socket."""

    def __init__(self, listening: socket.socket, count: int) -> None:
        self.listening = listening
        self.count = count
        self.running: list[Worker] = []

    async def spawn(self) -> Worker:
        """Start one worker and wait until it accepts requests; refuse when it cannot start
        (it has said why on standard error)."""
        ready_read, ready_write = os.pipe()
        life_read, life_write = os.pipe()
        fds = (self.listening.fileno(), ready_write, life_read)
        try:
            process = await asyncio.create_subprocess_exec(
                sys.executable,
                "-m",
                "adapters.cli",
                "serve",
                "--worker-fds",
                ",".join(str(fd) for fd in fds),
                pass_fds=fds,
            )
        except OSError:
            os.close(ready_read)
            os.close(life_write)
            raise
        finally:
            os.close(ready_write)
            os.close(life_read)
        try:
            said = await asyncio.wait_for(
                asyncio.to_thread(os.read, ready_read, 1), READY_TIMEOUT_SECONDS
            )
        except TimeoutError:
            said = b""
        finally:
            os.close(ready_read)
        worker = Worker(process, life_write, time.monotonic())
        if said != b"r":
            await self._stop([worker])
            raise StartupRefused(
                f"a worker could not start (exit status {process.returncode})", exit_status=1
            )
        return worker

    async def start(self) -> None:
        try:
            for _ in range(self.count):
                self.running.append(await self.spawn())
        except StartupRefused:
            await self.stop()
            raise

    async def supervise(self, stopped: asyncio.Event) -> None:
        """Until `stopped`, replace each worker that dies; then stop them all."""
        try:
            while not stopped.is_set():
                exits = {
                    asyncio.create_task(worker.process.wait()): worker for worker in self.running
                }
                stop = asyncio.create_task(stopped.wait())
                done, pending = await asyncio.wait(
                    [*exits, stop], return_when=asyncio.FIRST_COMPLETED
                )
                for task in pending:
                    task.cancel()
                if stop not in done:
                    # Ctrl-C reaches the workers too: one may stop before our own handler runs
                    with contextlib.suppress(TimeoutError):
                        await asyncio.wait_for(stopped.wait(), 0.5)
                for task in done:
                    worker = exits.get(task)
                    if worker is None or stopped.is_set():
                        continue
                    os.close(worker.lifeline)
                    self.running.remove(worker)
                    print(
                        f"coachbot: worker {worker.process.pid} stopped (exit status "
                        f"{worker.process.returncode}); starting another",
                        file=sys.stderr,
                        flush=True,
                    )
                    self.running.append(await self.spawn())
        finally:
            await self.stop()

    async def stop(self) -> None:
        await self._stop(self.running)
        self.running = []

    async def _stop(self, workers: list[Worker]) -> None:
        for worker in workers:
            with contextlib.suppress(OSError):
                os.close(worker.lifeline)
            if worker.process.returncode is None:
                with contextlib.suppress(ProcessLookupError):
                    worker.process.send_signal(signal.SIGTERM)
        for worker in workers:
            try:
                await asyncio.wait_for(worker.process.wait(), STOP_GRACE_SECONDS)
            except TimeoutError:
                with contextlib.suppress(ProcessLookupError):
                    worker.process.kill()
                await worker.process.wait()


async def migrate(settings: Settings) -> None:
    """Bring the database to the current schema once, before any worker starts."""
    engine = create_engine(settings.database_url)
    try:
        async with database_problems(settings.database_url, "check DATABASE_URL"):
            await upgrade(engine)
    finally:
        await engine.dispose()


async def serve_workers(settings: Settings, count: int) -> None:
    """Bind, migrate, start `count` workers and keep them running until SIGINT or SIGTERM.
    Raises `StartupRefused` with the operator's one line when they cannot start."""
    from adapters.bootstrap import describe_doors, stop_on_signals

    problem = incomplete_platform(settings) or workers_problem(settings, count, sandbox=False)
    if problem is not None:
        raise StartupRefused(problem)
    listening = listening_socket(settings.host, settings.port)
    try:
        await migrate(settings)
        stopped = stop_on_signals()
        workers = Workers(listening, count)
        await workers.start()
        for line in describe_doors(settings):
            print(line, flush=True)
        pids = ", ".join(str(worker.process.pid) for worker in workers.running)
        print(f"coachbot: {count} workers (pids {pids})", flush=True)
        print(f"coachbot listening on http://{settings.host}:{settings.port}", flush=True)
        await workers.supervise(stopped)
    finally:
        listening.close()
