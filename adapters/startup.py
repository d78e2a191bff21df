"""What stops `serve` before it listens: a refusal carrying the one line the operator reads (on
standard error, with a non-zero exit status), never a traceback."""

from __future__ import annotations

import asyncio
import contextlib
import threading
from collections.abc import AsyncIterator

from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError, SQLAlchemyError


class StartupRefused(Exception):
    """`serve` cannot start; `message` says what is wrong and what to do."""

    def __init__(self, message: str, exit_status: int = 2) -> None:
        super().__init__(message)
        self.message = message
        self.exit_status = exit_status


@contextlib.asynccontextmanager
async def database_problems(database_url: str, hint: str) -> AsyncIterator[None]:
    """Turn a database that cannot be opened, reached or written into a refusal naming it
    (password hidden), the driver's reason, and `hint`, what the operator can change."""
    try:
        yield
    except (SQLAlchemyError, OSError, TimeoutError) as exc:
        shown = make_url(database_url).render_as_string(hide_password=True)
        message = f"cannot use the database {shown}: {_reason(exc)}; {hint}"
        raise StartupRefused(message, exit_status=1) from None


def _reason(exc: BaseException) -> str:
    cause = exc.orig if isinstance(exc, DBAPIError) and exc.orig is not None else exc
    text = str(cause).strip() or type(cause).__name__
    return text.splitlines()[0]


async def driver_threads_finished(within: float = 2.0) -> None:
    """Wait (at most `within` seconds) for the SQLite driver's worker threads to stop while the
    event loop still runs. aiosqlite stops the thread of a connection that failed to open without
    awaiting it; if the loop closes first, that thread prints a traceback as the process exits."""
    workers = [
        thread
        for thread in threading.enumerate()
        if thread is not threading.current_thread()
        and thread.name.endswith("(_connection_worker_thread)")
    ]
    deadline = asyncio.get_running_loop().time() + within
    for thread in workers:
        left = deadline - asyncio.get_running_loop().time()
        if left <= 0:
            return
        await asyncio.to_thread(thread.join, left)
