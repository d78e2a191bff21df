"""What every kind of import shares: the context it runs in (the day, dry run, progress bar)
and its outcome (the problems found, or what changed)."""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import TypeVar

from tqdm import tqdm

from adapters.imports.csvfile import Problem
from storage.importer import ImportCounts, Progress

T = TypeVar("T")

PROGRESS_ABOVE = 2000
"""Files with more data rows than this show a progress bar on stderr, when it is a terminal."""


@dataclass(frozen=True, slots=True)
class ImportContext:
    """`now` is when the import runs and `today` its day in COACHBOT_TIMEZONE: relationships
    start and end on it, deactivations are dated with it, dates after it are in the future."""

    kind: str
    now: datetime
    today: date
    dry_run: bool = False
    show_progress: bool = False

    def track(self, items: list[T], what: str) -> Iterable[T]:
        if not self.show_progress:
            return items
        bar: Iterable[T] = tqdm(
            items, desc=f"{self.kind}: {what}", unit="row", file=sys.stderr, leave=False
        )
        return bar

    @contextlib.contextmanager
    def writing(self, total: int) -> Iterator[Progress | None]:
        if not self.show_progress:
            yield None
            return
        desc = f"{self.kind}: writing"
        with tqdm(total=total, desc=desc, unit="row", file=sys.stderr, leave=False) as bar:
            yield bar.update


@dataclass
class Outcome:
    """Either the problems that stopped the import or the counts of what it changed."""

    problems: list[Problem] = field(default_factory=list)
    counts: ImportCounts = field(default_factory=ImportCounts)
    rows: int = 0
