"""Which process runs the periodic jobs: the one holding the database's `periodic-jobs` lease.
Every process (each worker of each replica) asks for it every third of its period; the holder
renews it, the others wait. A holder that dies stops renewing, and another takes the jobs over
once the lease has expired; a holder that cannot renew stops its jobs before that moment."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import secrets
import socket
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Protocol

log = logging.getLogger(__name__)

LEASE_NAME = "periodic-jobs"
LEASE_PERIOD = timedelta(seconds=30)
"""How long a holder's lease runs without renewal: a dead holder's jobs are taken over within
this and a third of it."""


class Lease(Protocol):
    """A named lease in the shared database (`storage.leases.SqlLease`)."""

    holder: str

    async def hold(self, now: datetime, period: timedelta) -> bool: ...

    async def release(self, now: datetime) -> None: ...


def this_process() -> str:
    """A holder name unique to this process: host, pid and a random tag (pids are reused, and
    every container's first process is pid 1)."""
    return f"{socket.gethostname()}:{os.getpid()}:{secrets.token_hex(3)}"


def _wall() -> datetime:
    # the lease is shared with other processes, so it runs on the wall clock, never on the
    # injected clock the jobs read (which tests and the demo may fix)
    return datetime.now(UTC)


@dataclass
class Leadership:
    """Calls `lead()` when this process takes the lease and `follow()` when it loses it."""

    lease: Lease
    lead: Callable[[], None]
    follow: Callable[[], None]
    period: timedelta = LEASE_PERIOD
    leading: bool = field(default=False, init=False)
    _valid_until: float = field(default=0.0, init=False)

    @property
    def _every(self) -> float:
        return self.period.total_seconds() / 3

    async def turn(self) -> None:
        """Ask for the lease once, starting or stopping the jobs as the answer says."""
        asked = time.monotonic()
        try:
            held: bool | None = await asyncio.wait_for(
                self.lease.hold(_wall(), self.period), self._every
            )
        except Exception as exc:  # noqa: BLE001 - the database may be briefly away: the lease may still run
            log.warning("cannot renew the periodic jobs' lease: %s", type(exc).__name__)
            held = None
        if held:
            self._valid_until = asked + self.period.total_seconds()
        if held and not self.leading:
            self.leading = True
            log.info("this process (%s) now runs the periodic jobs", self.lease.holder)
            self.lead()
        elif self.leading and (held is False or self._expiring()):
            self.leading = False
            log.warning("this process (%s) stopped running the periodic jobs", self.lease.holder)
            self.follow()

    def _expiring(self) -> bool:
        """Unrenewed, our lease is about to pass to another process: stop a third of a period
        before it can."""
        return time.monotonic() >= self._valid_until - self._every

    async def run(self, stop: asyncio.Event) -> None:
        """Ask every third of the period until `stop` is set; then stop the jobs and let the
        lease go, so that another process takes them at once."""
        try:
            while not stop.is_set():
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(stop.wait(), self._every)
                if not stop.is_set():
                    await self.turn()
        finally:
            if self.leading:
                self.leading = False
                self.follow()
                with contextlib.suppress(Exception):
                    await self.lease.release(_wall())
