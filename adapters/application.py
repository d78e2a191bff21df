"""The application every door serves: the settings, the unit of work, the clock, the nudge
store and policy, the programme reports and the LMS effects the configuration asks for, built
once (`adapters/assemble.py`) and handed to Slack, Teams, the LMS webhook and the CLI."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

from adapters.config import Settings
from bot.clock import Clock, local_date
from bot.model import Person
from bot.ports import Conversations, Installations, NudgeStore, OpenedViews, UnitOfWork
from bot.services.assignments import LmsTargets
from bot.services.nudges import NudgePolicy
from bot.services.reports import ProgrammeReports

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncEngine


def nothing_to_deliver() -> None:
    """Where no dispatcher runs (the CLI), the rows a command queues wait for `serve`."""


@dataclass(frozen=True)
class Application:
    """What a door needs to call a service: doors parse, call one service with these, render.
    `engine` is for the command line and the LMS polls; the chat doors reach storage only
    through the ports here."""

    settings: Settings
    engine: AsyncEngine
    unit_of_work: Callable[[], UnitOfWork]
    clock: Clock
    nudge_store: NudgeStore
    nudge_policy: NudgePolicy
    reports: ProgrammeReports
    lms: LmsTargets
    installations: Installations
    opened_views: OpenedViews
    conversations: Conversations
    outbox_written: Callable[[], None] = nothing_to_deliver
    """Wakes the outbox dispatcher once a transaction has queued messages."""

    @property
    def timezone(self) -> str:
        """The organisation's zone, for anyone whose own zone is not known."""
        return self.settings.timezone

    def today_for(self, person: Person) -> date:
        """The person's local date (their zone, else the organisation's)."""
        return local_date(self.clock.now(), person.timezone or self.timezone)
