"""How coachbot's processes log: one line per event on stderr (UTC time, level, logger,
message) at COACHBOT_LOG_LEVEL. That level lowers coachbot's own loggers only: libraries stay at
INFO or above, as their debug lines quote whole requests and responses. Log calls pass counts,
ids and reasons, never a message's text or a person's details; an error is reduced to its type,
the first line of its text and where it was raised, because later lines (PostgreSQL's DETAIL
quoting a row, a library's dump of a request) can carry data."""

from __future__ import annotations

import logging
import sys
import time
import traceback
from pathlib import Path
from types import TracebackType
from typing import TypeAlias

ExcInfo: TypeAlias = tuple[type[BaseException], BaseException, TracebackType | None]

OWN = ("bot", "adapters", "storage", "scheduler")
QUIETED = {
    # one line per HTTP request, with the caller's address: not an event, and personal data
    "aiohttp.access": logging.WARNING,
    # the migrations' own chatter; `coachbot db` prints what it did
    "alembic": logging.WARNING,
    # two lines per job run; coachbot's jobs log what they did
    "apscheduler": logging.WARNING,
}


class OneLineFormatter(logging.Formatter):
    """`2026-03-02T09:00:00Z INFO scheduler.jobs: sweep queued 3 nudge(s) of 5 planned`."""

    def __init__(self) -> None:
        super().__init__("%(asctime)s %(levelname)s %(name)s: %(message)s")

    def formatTime(self, record: logging.LogRecord, datefmt: str | None = None) -> str:
        return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(record.created))

    def formatException(self, ei: ExcInfo | tuple[None, None, None]) -> str:
        _, error, trace = ei
        if error is None:
            return ""
        first_line = next(iter(str(error).splitlines()), "")
        frames = traceback.extract_tb(trace)[-3:]
        where = " < ".join(
            f"{Path(frame.filename).name}:{frame.lineno} {frame.name}" for frame in reversed(frames)
        )
        return f"{type(error).__name__}: {first_line}" + (f" (at {where})" if where else "")

    def formatStack(self, stack_info: str) -> str:
        return ""

    def format(self, record: logging.LogRecord) -> str:
        record.exc_text = None  # formatted here, never a multi-line text cached by another
        line = super().format(record)
        return " | ".join(part for part in line.splitlines() if part.strip())


class StderrHandler(logging.Handler):
    """Writes each line to the standard error of the moment (a test may have replaced it)."""

    def emit(self, record: logging.LogRecord) -> None:
        try:
            sys.stderr.write(self.format(record) + "\n")
            sys.stderr.flush()
        except (OSError, ValueError, TypeError):  # a closed stream, a malformed call: reported
            self.handleError(record)


def configure(level: str) -> None:
    """Send every logger's events at `level` and above to stderr, one line each."""
    handler = StderrHandler()
    handler.setFormatter(OneLineFormatter())
    root = logging.getLogger()
    for existing in list(root.handlers):  # configured again (in-process runs): replaced
        if isinstance(existing, StderrHandler):
            root.removeHandler(existing)
    root.addHandler(handler)
    threshold = logging.getLevelNamesMapping()[level]
    root.setLevel(max(threshold, logging.INFO))
    for name in OWN:
        logging.getLogger(name).setLevel(threshold)
    for name, quiet in QUIETED.items():
        logging.getLogger(name).setLevel(max(quiet, threshold))
