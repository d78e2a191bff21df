"""The unit of work: one connection and one transaction exposing every repository; nothing is
kept unless `commit()` is awaited. A transaction the database was too busy to take ends in
`TryAgain`, which the doors show as "try again"."""

from __future__ import annotations

from collections.abc import Callable
from types import TracebackType
from typing import Self

from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from bot.errors import TryAgain
from bot.ports import (
    ActionRepository,
    AssignmentRepository,
    CatalogueRepository,
    CompletionRepository,
    DigestRecords,
    GoalRepository,
    LmsRecords,
    NudgeRecords,
    OutboxRepository,
    PeopleRepository,
    PersonalDataRepository,
    ProcessedEventRepository,
    SessionRepository,
    SkillLevelRepository,
    UnitOfWork,
)
from storage.db import is_busy
from storage.digest import SqlDigestRecords
from storage.lms import SqlLmsRecords
from storage.nudge_store import SqlNudgeRecords
from storage.personal_data import SqlPersonalData
from storage.repositories import (
    SqlActions,
    SqlAssignments,
    SqlCatalogue,
    SqlCompletions,
    SqlGoals,
    SqlOutbox,
    SqlPeople,
    SqlProcessedEvents,
    SqlSessions,
    SqlSkillLevels,
)


class SqlUnitOfWork:
    """Implements `bot.ports.UnitOfWork` on an async engine. Each `async with` opens a fresh
    connection and transaction, so one instance may be entered again after it was left."""

    people: PeopleRepository
    catalogue: CatalogueRepository
    sessions: SessionRepository
    actions: ActionRepository
    assignments: AssignmentRepository
    goals: GoalRepository
    skill_levels: SkillLevelRepository
    completions: CompletionRepository
    outbox: OutboxRepository
    processed_events: ProcessedEventRepository
    personal_data: PersonalDataRepository
    lms: LmsRecords
    nudges: NudgeRecords
    digest: DigestRecords

    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine
        self._connection: AsyncConnection | None = None

    async def __aenter__(self) -> Self:
        if self._connection is not None:
            raise RuntimeError("this unit of work is already open")
        connection = await self._engine.connect()
        await connection.begin()
        self._connection = connection
        self.people = SqlPeople(connection)
        self.catalogue = SqlCatalogue(connection)
        self.sessions = SqlSessions(connection)
        self.actions = SqlActions(connection)
        self.assignments = SqlAssignments(connection)
        self.goals = SqlGoals(connection)
        self.skill_levels = SqlSkillLevels(connection)
        self.completions = SqlCompletions(connection)
        self.outbox = SqlOutbox(connection)
        self.processed_events = SqlProcessedEvents(connection)
        self.personal_data = SqlPersonalData(connection)
        self.lms = SqlLmsRecords(connection)
        self.nudges = SqlNudgeRecords(connection)
        self.digest = SqlDigestRecords(connection)
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        connection, self._connection = self._connection, None
        if connection is None:
            return
        await connection.close()  # rolls back what was not committed, in one trip
        if exc is not None and is_busy(exc):
            raise TryAgain() from exc

    @property
    def connection(self) -> AsyncConnection:
        """The open connection (for storage code that needs a query of its own)."""
        if self._connection is None:
            raise RuntimeError("the unit of work is not open")
        return self._connection

    async def commit(self) -> None:
        """Keep everything done so far; later work starts a new transaction."""
        await self.connection.commit()

    async def rollback(self) -> None:
        """Forget everything done since the last commit."""
        await self.connection.rollback()


def unit_of_work_factory(engine: AsyncEngine) -> Callable[[], UnitOfWork]:
    """What the doors and jobs hold: a new unit of work for each use-case call."""

    def new_unit_of_work() -> UnitOfWork:
        return SqlUnitOfWork(engine)

    return new_unit_of_work
