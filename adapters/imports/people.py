"""people.csv: the whole directory. Checks each row, then the file as a whole (duplicate e-mails
and chat ids, unknown managers, manager cycles), then writes the difference from the database."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncConnection

from adapters.imports import fields
from adapters.imports.base import ImportContext, Outcome
from adapters.imports.csvfile import CsvRecord, Layout, Problem
from bot.model import Cadence, Role
from storage import importer
from storage.importer import PersonEntry

LAYOUT = Layout(
    columns=(
        "email",
        "name",
        "department",
        "team",
        "manager_email",
        "cadence",
        "roles",
        "start_date",
        "slack_user_id",
        "teams_user_id",
        "timezone",
        "country",
    ),
    required=("email", "name"),
)

_CADENCES = tuple(c.value for c in Cadence)
_ROLES = tuple(r.value for r in Role)
_cadence_choice = fields.choice(_CADENCES)


def _cadence(value: str) -> str:
    return _cadence_choice(value.lower())


LOCKS_OUT = (
    "your own row is missing, so applying this file would deactivate you and sign you out of"
    " the console; add your row, or have the file applied by another admin or from the command"
    " line"
)


async def run(connection: AsyncConnection, records: list[CsvRecord], ctx: ImportContext) -> Outcome:
    entries, lines, managers, problems = read_people(records, ctx)
    problems += check_managers(managers, lines)
    if not records:
        message = "no people listed; an empty directory would deactivate everyone"
        problems.append(Problem(1, "file", message))
    if problems:
        return Outcome(problems=problems)
    snapshot = await importer.load_people(connection)
    plan = importer.plan_people(snapshot, entries, managers, ctx.today)
    if ctx.applied_by is not None and ctx.applied_by in plan.deactivate:
        return Outcome(problems=[Problem(1, "file", LOCKS_OUT)])
    if not ctx.dry_run:
        with ctx.writing(plan.rows) as progress:
            await importer.apply_people(connection, plan, progress)
    return Outcome(counts=plan.counts, rows=len(entries))


def read_people(
    records: list[CsvRecord], ctx: ImportContext
) -> tuple[list[PersonEntry], dict[str, int], dict[str, str], list[Problem]]:
    """The valid rows as entries; the line of each e-mail's first row; the manager named by
    each of those rows (even an otherwise invalid one, so that manager problems are reported
    with the rest); the problems of single rows and of duplicates (on the later line)."""
    problems: list[Problem] = []
    entries: list[PersonEntry] = []
    lines: dict[str, int] = {}
    managers: dict[str, str] = {}
    slack_ids: dict[str, int] = {}
    teams_ids: dict[str, int] = {}
    manager_email = fields.remembered(fields.email)
    for record in ctx.track(records, "validating"):
        row = fields.RowReader(record, problems)
        line = record.line
        address = row.parse("email", fields.email, required=True)
        if address is not None:
            if address in lines:
                row.problem("email", f"duplicate of line {lines[address]}")
                address = None
            else:
                lines[address] = line
        name = row.text("name", required=True)
        manager = row.parse("manager_email", manager_email)
        if address is not None and manager is not None:
            managers[address] = manager
        cadence = row.parse("cadence", _cadence)
        roles = row.parse("roles", _roles) or ""
        start_date = row.parse("start_date", fields.iso_date)
        zone = row.parse("timezone", fields.zone)
        country = row.parse("country", fields.country)
        slack_id = _unique(row, "slack_user_id", slack_ids)
        teams_id = _unique(row, "teams_user_id", teams_ids)
        if row.ok and address is not None:
            entries.append(
                {
                    "email": address,
                    "name": name,
                    "department": record.get("department"),
                    "team": record.get("team"),
                    "cadence": cadence,
                    "roles": roles,
                    "start_date": start_date,
                    "slack_user_id": slack_id,
                    "teams_user_id": teams_id,
                    "timezone": zone,
                    "country": country,
                }
            )
    return entries, lines, managers, problems


def _unique(row: fields.RowReader, column: str, first_lines: dict[str, int]) -> str | None:
    """A chat id, which no earlier row may have given."""
    value = row.optional(column)
    if not value:
        return None
    first = first_lines.setdefault(value, row.line)
    if first != row.line:
        row.problem(column, f"{value} is already given on line {first}")
    return value


def _roles(value: str) -> str:
    roles = fields.split(value.lower(), ";")
    unknown = [role for role in roles if role not in _ROLES]
    if unknown:
        raise fields.Invalid(f"unknown role {unknown[0]!r} (known roles: {', '.join(_ROLES)})")
    return ";".join(sorted(set(roles)))


def check_managers(manager_of: dict[str, str], lines: dict[str, int]) -> list[Problem]:
    """Each manager must be another row of the file, and following managers upwards must end
    at someone without one: every row of a cycle is reported, with the whole cycle."""
    problems: list[Problem] = []
    for address, manager in list(manager_of.items()):
        if manager == address:
            message = "a person cannot be their own manager"
        elif manager not in lines:
            message = f"unknown manager {manager} (not a row of this file)"
        else:
            continue
        problems.append(Problem(lines[address], "manager_email", message))
        del manager_of[address]
    settled: set[str] = set()
    for start in manager_of:
        path: list[str] = []
        on_path: dict[str, int] = {}
        person: str | None = start
        while person is not None and person not in settled and person not in on_path:
            on_path[person] = len(path)
            path.append(person)
            person = manager_of.get(person)
        if person is not None and person in on_path:
            cycle = path[on_path[person] :]
            for index, member in enumerate(cycle):
                chain = [*cycle[index:], *cycle[:index], member]
                message = "manager cycle: " + " -> ".join(chain)
                problems.append(Problem(lines[member], "manager_email", message))
        settled.update(path)
    return problems
