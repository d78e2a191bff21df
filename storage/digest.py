"""The weekly digest's store (`bot.services.digest.DigestStore`): L&D admins with their zones
and leave, and the outbox through the unit of work."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.model import OutboxMessage, OutboxStatus, Role
from bot.nudges import LeavePeriod
from bot.services.digest import LdAdmin
from storage.tables import LeaveRow, OutboxRow, PersonRow
from storage.unit_of_work import SqlUnitOfWork

PERSON = PersonRow.__table__  # type: ignore[attr-defined]
LEAVE = LeaveRow.__table__  # type: ignore[attr-defined]
OUTBOX = OutboxRow.__table__  # type: ignore[attr-defined]


def _roles(text: str) -> set[str]:
    return {role.strip() for role in text.replace(",", ";").split(";")}


class SqlDigestStore:
    """Implements `bot.services.digest.DigestStore`."""

    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine

    async def ld_admins(self) -> list[LdAdmin]:
        async with self._engine.connect() as connection:
            people = (
                await connection.execute(
                    select(
                        PERSON.c.id,
                        PERSON.c.email,
                        PERSON.c.name,
                        PERSON.c.timezone,
                        PERSON.c.roles,
                        PERSON.c.country,
                    ).where(PERSON.c.active.is_(True), PERSON.c.roles.contains(Role.LD_ADMIN.value))
                )
            ).all()
            ids = [row.id for row in people if Role.LD_ADMIN.value in _roles(row.roles)]
            leave: dict[int, list[LeavePeriod]] = defaultdict(list)
            rows = await connection.execute(
                select(LEAVE.c.person_id, LEAVE.c.starts_on, LEAVE.c.ends_on).where(
                    LEAVE.c.person_id.in_(ids)
                )
            )
            for row in rows:
                leave[row.person_id].append(LeavePeriod(row.starts_on, row.ends_on))
        found = {row.id: row for row in people}
        return [
            LdAdmin(
                i,
                found[i].email,
                found[i].timezone,
                tuple(leave.get(i, ())),
                found[i].name,
                found[i].country,
            )
            for i in ids
        ]

    async def queue(self, message: OutboxMessage) -> bool:
        async with SqlUnitOfWork(self._engine) as uow:
            new = await uow.outbox.add(message)
            await uow.commit()
        return bool(new)

    async def sent(self, keys: Sequence[str]) -> set[str]:
        async with self._engine.connect() as connection:
            rows = await connection.execute(
                select(OUTBOX.c.dedupe_key).where(
                    OUTBOX.c.dedupe_key.in_(list(keys)),
                    OUTBOX.c.status == OutboxStatus.SENT.value,
                )
            )
        return {row.dedupe_key for row in rows}
