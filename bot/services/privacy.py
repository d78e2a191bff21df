"""A person's rights over their data: export everything stored about them, and erase it. Which rows
are about a person is storage's knowledge (every foreign key to the person); this module decides who
and reports what went."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any, Protocol

from bot.errors import Refusal
from bot.model import Person
from bot.ports import ErasedRows, UnitOfWork


class StatementVoiding(Protocol):
    """Queues xAPI voiding statements (in the erasing transaction) for statements already sent
    to the LRS about an erased person; returns how many were queued. The voiding rows must not
    name the person (no `recipient_id`/`about_id`), or the erasure removes them too. The xAPI
    door provides it; until then `erase_person` reports the statements that still need voiding."""

    async def queue_voiding(
        self, uow: UnitOfWork, person: Person, statement_ids: list[str]
    ) -> int: ...


@dataclass(frozen=True, slots=True)
class Erasure:
    """What erasing one person did: rows deleted or unlinked per table, and the xAPI
    statements about them (voiding queued, or still to be voided when no voiding is wired)."""

    email: str
    tables: dict[str, ErasedRows]
    statements_voided: int = 0
    statements_to_void: tuple[str, ...] = ()
    reports_left_without_manager: int = 0
    dry_run: bool = False


def _unknown(email: str) -> Refusal:
    return Refusal(f"No one with the e-mail {email.strip()} is in the directory.")


async def export_person(
    uow: UnitOfWork, email: str, *, withhold_notes: bool = False
) -> dict[str, Any]:
    """`{"person": {...}, "<table>": [rows], ...}`: the person's row, then one key per table
    holding rows about them, every column included; with `withhold_notes` (an export read by
    someone else than the person, such as L&D) session notes read `WITHHELD`."""
    async with uow:
        person = await uow.people.by_email(email)
        if person is None:
            raise _unknown(email)
        record = await uow.personal_data.export(person.id, withhold_notes=withhold_notes)
    [row] = record.pop("person")
    return {"person": row, **record}


async def erase_person(
    uow: UnitOfWork,
    email: str,
    voiding: StatementVoiding | None = None,
    *,
    today: date | None = None,
    dry_run: bool = False,
) -> Erasure:
    """Delete the person, their sessions as employee (with actions and assignments), their
    outbox rows and every other row about them; their sessions as manager stay, with the manager
    removed ("former manager"). One transaction: all of it, or nothing. With `today`, counts
    the reports they coach that day, who are left without a manager. A dry run does all of it
    and then rolls back, so it counts exactly what would go."""
    async with uow:
        person = await uow.people.by_email(email)
        if person is None:
            raise _unknown(email)
        reports = await uow.people.current_reports(person.id, today) if today else []
        statements = await uow.personal_data.sent_xapi_statements(person.id)
        voided = 0
        if voiding is not None and statements:
            voided = await voiding.queue_voiding(uow, person, statements)
        tables = await uow.personal_data.erase(person.id)
        if not dry_run:
            await uow.commit()
    return Erasure(
        email=person.email,
        tables=tables,
        statements_voided=voided,
        statements_to_void=() if voiding is not None else tuple(statements),
        reports_left_without_manager=len(reports),
        dry_run=dry_run,
    )
