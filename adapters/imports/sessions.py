"""sessions.csv: an existing coaching log. Each row is checked by the chat form's own rules
(`bot.record.validate_session`, with any past date allowed) and the appraisal-language rule
(`bot.appraisal.is_flagged`); the natural key is (manager, employee, held_on). An action line
may begin with `[done]` or `[dropped]`; the other actions of a session followed by a later one
of the pair are superseded (`bot.imported_log`). Imported history sends no messages."""

from __future__ import annotations

from datetime import date

from sqlalchemy.ext.asyncio import AsyncConnection

from adapters.imports import fields
from adapters.imports.base import ImportContext, Outcome
from adapters.imports.csvfile import CsvRecord, Layout, Problem
from bot.appraisal import is_flagged
from bot.commands import Field, LogSession, NewAction
from bot.errors import FieldError
from bot.imported_log import ImportedAction, read_action
from bot.model import FocusType
from bot.record import RecordContext, clean_course_ids, clean_lines, validate_session
from storage import importer
from storage.importer import SessionEntry, SessionSnapshot

LAYOUT = Layout(
    columns=(
        "manager_email",
        "employee_email",
        "held_on",
        "duration_minutes",
        "focus_type",
        "skill_id",
        "key_points",
        "actions",
        "course_ids",
    ),
    required=(
        "manager_email",
        "employee_email",
        "held_on",
        "duration_minutes",
        "focus_type",
        "skill_id",
        "key_points",
        "actions",
    ),
)

COLUMN_OF_FIELD = {
    Field.EMPLOYEE: "employee_email",
    Field.HELD_ON: "held_on",
    Field.DURATION: "duration_minutes",
    Field.FOCUS_TYPE: "focus_type",
    Field.SKILL: "skill_id",
    Field.KEY_POINTS: "key_points",
    Field.ACTIONS: "actions",
    Field.COURSES: "course_ids",
}
"""The record's fields (`bot.commands.Field`) as sessions.csv columns."""

_whole_number = fields.integer()
_FOCUS_TYPES_IN_ORDER = tuple(focus.value for focus in FocusType)
_FOCUS_TYPES = frozenset(_FOCUS_TYPES_IN_ORDER)


async def run(connection: AsyncConnection, records: list[CsvRecord], ctx: ImportContext) -> Outcome:
    snapshot = await importer.load_sessions(connection)
    problems: list[Problem] = []
    entries: list[SessionEntry] = []
    first_lines: dict[tuple[int, int, date], int] = {}
    for record in ctx.track(records, "validating"):
        entry = read_session(record, snapshot, ctx.today, first_lines, problems)
        if entry is not None:
            entries.append(entry)
    if problems:
        return Outcome(problems=problems)
    open_actions = await importer.load_open_actions(connection, {e.employee_id for e in entries})
    plan = importer.plan_sessions(snapshot, entries, open_actions)
    if not ctx.dry_run:
        with ctx.writing(plan.rows) as progress:
            await importer.apply_sessions(connection, plan, ctx.now, progress)
    return Outcome(counts=plan.counts, rows=len(entries))


def read_session(
    record: CsvRecord,
    snapshot: SessionSnapshot,
    today: date,
    first_lines: dict[tuple[int, int, date], int],
    problems: list[Problem],
) -> SessionEntry | None:
    """The row as a session, or None with its problems added: first what only a file can get
    wrong (addresses, dates and numbers that do not parse, unknown people), then every error
    of the record's rules on the columns not already reported."""
    row = fields.RowReader(record, problems)
    manager_id = _person(row, "manager_email", snapshot)
    employee_id = _person(row, "employee_email", snapshot)
    held_on = row.parse("held_on", fields.iso_date)
    minutes = row.parse("duration_minutes", _whole_number)
    key = (manager_id, employee_id, held_on) if manager_id and employee_id and held_on else None
    actions = tuple(read_action(line) for line in record.get("actions").split("|"))
    for action in actions:
        if action.outcome is not None and not action.text:
            row.problem("actions", f"[{action.outcome.value}] needs the action's text after it")
    coached = bool(manager_id and employee_id) and snapshot.coached(
        manager_id or 0, employee_id or 0, held_on or today
    )
    command = LogSession(
        manager_id=manager_id or 0,
        employee_id=employee_id,
        held_on=held_on,
        duration_minutes=minutes,
        focus_type=record.get("focus_type") or None,
        skill_id=record.get("skill_id") or None,
        key_points=tuple(record.get("key_points").split("|")),
        actions=tuple(NewAction(action.text) for action in actions),
        course_ids=tuple(record.get("course_ids").split(";")),
        source="import",
    )
    entry = _entry(command, actions, snapshot, key) if key is not None else None
    stored = snapshot.sessions.get(key) if key is not None else None
    if key is not None and key in first_lines:
        row.problem("held_on", f"line {first_lines[key]} has a session of this pair on this day")
        key = None
    elif key is not None:
        first_lines[key] = row.line
    context = RecordContext(
        today=today,
        reports=frozenset({employee_id}) if coached and employee_id else frozenset(),
        skill_ids=frozenset(snapshot.skills),
        course_ids=snapshot.courses,
        open_action_ids=frozenset(),
        goal_ids=frozenset(),
        # the same session again is no second session: re-importing a file changes nothing
        session_exists_on_day=stored is not None and (entry is None or stored != entry.content),
        employee_name=record.get("employee_email"),
    )
    reported = {problem.column for problem in problems if problem.line == row.line}
    if reported & {"manager_email", "employee_email", "held_on"}:
        reported.add("employee_email")  # whose report, and when, is unknown
    for error in validate_session(command, context):
        column = COLUMN_OF_FIELD.get(error.field, error.field)
        if column not in reported:
            row.problem(column, _message(error, command, record))
    return entry if row.ok else None


def _person(row: fields.RowReader, column: str, snapshot: SessionSnapshot) -> int | None:
    address = row.parse(column, fields.email, required=True)
    if address is None:
        return None
    person_id = snapshot.people.get(address)
    if person_id is None:
        row.problem(column, f"unknown person {address} (import them with people.csv)")
    return person_id


def _entry(
    command: LogSession,
    actions: tuple[ImportedAction, ...],
    snapshot: SessionSnapshot,
    key: tuple[int, int, date],
) -> SessionEntry | None:
    """The session the command would store, when its values have the right types; `actions`
    are the command's with what the file says became of them."""
    focus = (command.focus_type or "").strip()
    skill_id = (command.skill_id or "").strip()
    if command.duration_minutes is None or focus not in _FOCUS_TYPES:
        return None
    key_points = clean_lines(command.key_points)
    label = FocusType(focus).label.lower()
    return SessionEntry(
        manager_id=key[0],
        employee_id=key[1],
        held_on=key[2],
        duration_minutes=command.duration_minutes,
        focus_type=focus,
        skill_id=skill_id,
        key_points=key_points,
        flagged=is_flagged(key_points),
        actions=tuple(action for action in actions if action.text),
        course_ids=tuple(dict.fromkeys(clean_course_ids(command.course_ids))),
        reason=f"Agreed in your coaching session on {key[2].isoformat()} "
        f"({label}: {snapshot.skills.get(skill_id, skill_id)})",
    )


def _message(error: FieldError, command: LogSession, record: CsvRecord) -> str:
    """The rule's message, except where a file needs other words: whose report the employee
    was not, and when (a file speaks for many managers), the focus types as spelled in the file
    rather than as the form labels them, and key points and actions separated by |."""
    if error.field == Field.EMPLOYEE and command.held_on is not None:
        employee, manager = record.get("employee_email"), record.get("manager_email")
        return f"{employee} was not a report of {manager} on {command.held_on.isoformat()}"
    if error.field == Field.FOCUS_TYPE and command.focus_type:
        return f"{command.focus_type!r} is not one of {', '.join(_FOCUS_TYPES_IN_ORDER)}"
    if error.field in {Field.KEY_POINTS, Field.ACTIONS}:
        # the form takes them one a line; a file's cell takes them separated by |
        return error.message.replace("one a line", "separated by |")
    return error.message
