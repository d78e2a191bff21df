"""What every kind of import shares: the context it runs in (the day, dry run, progress bar)
and its outcome (the problems found, or what changed)."""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import TypeVar

from tqdm import tqdm

from adapters.imports.csvfile import Problem
from storage.importer import ImportCounts, Progress

T = TypeVar("T")

PROGRESS_ABOVE = 2000
"""Files with more data rows than this show a progress bar on stderr, when it is a terminal."""


Watcher = Callable[[str, int, int], None]
"""Told how far an import has got: the phase ("validating", "writing"), rows done, rows in all."""

WATCH_EVERY = 500
"""Rows between two calls of a `Watcher` while validating."""


@dataclass(frozen=True, slots=True)
class ImportContext:
    """`now` is when the import runs and `today` its day in COACHBOT_TIMEZONE: relationships
    start and end on it, deactivations are dated with it, dates after it are in the future.
    `watcher`, when given, follows the progress as the bar on stderr does (the console's
    progress page). `applied_by` is the person applying the import, when it is one (the
    console's admin): a directory that would deactivate them is refused."""

    kind: str
    now: datetime
    today: date
    dry_run: bool = False
    show_progress: bool = False
    watcher: Watcher | None = None
    applied_by: int | None = None

    def track(self, items: list[T], what: str) -> Iterable[T]:
        if self.watcher is not None:
            return _watched(items, what, self.watcher)
        if not self.show_progress:
            return items
        bar: Iterable[T] = tqdm(
            items, desc=f"{self.kind}: {what}", unit="row", file=sys.stderr, leave=False
        )
        return bar

    @contextlib.contextmanager
    def writing(self, total: int) -> Iterator[Progress | None]:
        watcher = self.watcher
        if watcher is not None:
            done = 0

            def written(rows: int) -> None:
                nonlocal done
                done += rows
                watcher("writing", done, total)

            watcher("writing", 0, total)
            yield written
            return
        if not self.show_progress:
            yield None
            return
        desc = f"{self.kind}: writing"
        with tqdm(total=total, desc=desc, unit="row", file=sys.stderr, leave=False) as bar:
            yield bar.update


def _watched(items: list[T], what: str, watcher: Watcher) -> Iterator[T]:
    total = len(items)
    for done, item in enumerate(items):
        if done % WATCH_EVERY == 0:
            watcher(what, done, total)
        yield item
    watcher(what, total, total)


@dataclass
class Outcome:
    """Either the problems that stopped the import or the counts of what it changed."""

    problems: list[Problem] = field(default_factory=list)
    counts: ImportCounts = field(default_factory=ImportCounts)
    rows: int = 0
