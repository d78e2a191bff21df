"""The weekly digest's records on the unit of work's connection (`bot.ports.DigestRecords`):
L&D admins with their zones and leave, and which digests have been sent."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.model import OutboxStatus, Role
from bot.nudges import LeavePeriod
from bot.ports import LdAdmin
from storage.tables import LeaveRow, OutboxRow, PersonRow

PERSON = PersonRow.__table__  # type: ignore[attr-defined]
LEAVE = LeaveRow.__table__  # type: ignore[attr-defined]
OUTBOX = OutboxRow.__table__  # type: ignore[attr-defined]


def _roles(text: str) -> set[str]:
    return {role.strip() for role in text.replace(",", ";").split(";")}


class SqlDigestRecords:
    """Implements `bot.ports.DigestRecords` in a unit of work."""

    def __init__(self, connection: AsyncConnection) -> None:
        self._db = connection

    async def ld_admins(self) -> list[LdAdmin]:
        people = (
            await self._db.execute(
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
        rows = await self._db.execute(
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

    async def sent(self, keys: Sequence[str]) -> set[str]:
        rows = await self._db.execute(
            select(OUTBOX.c.dedupe_key).where(
                OUTBOX.c.dedupe_key.in_(list(keys)),
                OUTBOX.c.status == OutboxStatus.SENT.value,
            )
        )
        return {row.dedupe_key for row in rows}
