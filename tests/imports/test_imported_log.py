"""An imported coaching log leaves open only what its last session agreed: the actions of a
session followed by a later session of the pair are closed as superseded by it (dropped, never
done), `[done]` and `[dropped]` lines are honoured, and the development record says so."""

from __future__ import annotations

import asyncio
import shutil
from pathlib import Path

from bot.services.development import EventKind, development_record
from storage.db import create_engine
from storage.unit_of_work import SqlUnitOfWork
from tests.imports.support import Cli

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
HEADER = (
    "manager_email,employee_email,held_on,duration_minutes,focus_type,skill_id,key_points,"
    "actions,course_ids"
)
POINTS = "Reviewed the quarter|Practised the SBI model|Agreed a stretch goal"
LOG = [
    f"ada@example.org,grace@example.org,2025-09-01,30,skill_development,feedback,{POINTS},"
    "Read the SBI guide|[done] Book a mentor|[dropped] Shadow the lead,",
    f"ada@example.org,grace@example.org,2025-10-01,30,skill_development,feedback,{POINTS},"
    "Run one feedback session|[DONE]Ask for 360 feedback,",
    f"ada@example.org,grace@example.org,2025-11-01,30,skill_development,feedback,{POINTS},"
    "Lead one design review|[done] Present at the guild|[dropped] Write the RFC,",
]
ACTIONS = (
    "SELECT s.held_on, a.text, a.status, a.closed_on, a.closed_reason FROM agreed_action a"
    " JOIN coaching_session s ON s.id = a.session_id ORDER BY s.held_on, a.id"
)


def _organisation(cli: Cli) -> None:
    for kind in ("people", "skills"):
        shutil.copy(FIXTURES / f"{kind}.csv", cli.folder / f"{kind}.csv")
        assert cli("import", kind, f"{kind}.csv").code == 0


def _log(cli: Cli, *rows: str, name: str = "log.csv") -> list[str]:
    run = cli("import", "sessions", cli.write(name, "\n".join([HEADER, *rows]) + "\n"))
    assert run.code == 0, run.err
    return run.out


def _record_of_grace(url: str) -> tuple[list[str], list[str]]:
    async def load() -> tuple[list[str], list[str]]:
        engine = create_engine(url)
        try:
            async with SqlUnitOfWork(engine) as uow:
                grace = await uow.people.by_email("grace@example.org")
            assert grace is not None
            record = await development_record(SqlUnitOfWork(engine), grace.id)
        finally:
            await engine.dispose()
        closed = [e.text for e in record.timeline if e.kind is EventKind.ACTION_CLOSED]
        return [a.text for a in record.open_actions], closed

    return asyncio.run(load())


def test_only_the_last_sessions_actions_stay_open(cli: Cli) -> None:
    _organisation(cli)

    out = _log(cli, *LOG)

    assert out == [
        "log.csv: 3 added, 0 updated, 0 unchanged, 0 deactivated; actions added: 8, "
        "actions superseded: 2, courses assigned: 0, flagged for appraisal language: 0"
    ]
    superseded = "superseded by the session of"
    assert cli.rows(ACTIONS) == [
        ("2025-09-01", "Read the SBI guide", "dropped", "2025-10-01", f"{superseded} 2025-10-01"),
        ("2025-09-01", "Book a mentor", "done", "2025-10-01", None),
        ("2025-09-01", "Shadow the lead", "dropped", "2025-10-01", None),
        ("2025-10-01", "Run one feedback session", "dropped", "2025-11-01",
         f"{superseded} 2025-11-01"),
        ("2025-10-01", "Ask for 360 feedback", "done", "2025-11-01", None),
        ("2025-11-01", "Lead one design review", "open", None, None),
        ("2025-11-01", "Present at the guild", "done", "2025-11-01", None),
        ("2025-11-01", "Write the RFC", "dropped", "2025-11-01", None),
    ]  # fmt: skip

    open_actions, closed = _record_of_grace(cli.url)
    assert open_actions == ["Lead one design review"]
    assert closed == [
        "Action dropped, superseded by the session of 2025-10-01: Read the SBI guide",
        "Action done: Book a mentor",
        "Action dropped: Shadow the lead",
        "Action dropped, superseded by the session of 2025-11-01: Run one feedback session",
        "Action done: Ask for 360 feedback",
        "Action done: Present at the guild",
        "Action dropped: Write the RFC",
    ]


def test_importing_the_same_log_again_changes_nothing(cli: Cli) -> None:
    _organisation(cli)
    _log(cli, *LOG)
    before = cli.snapshot()

    out = _log(cli, *LOG)

    assert out == [
        "log.csv: 0 added, 0 updated, 3 unchanged, 0 deactivated; actions added: 0, "
        "actions superseded: 0, courses assigned: 0, flagged for appraisal language: 0"
    ]
    assert cli.snapshot() == before


def test_a_later_imported_session_supersedes_what_an_earlier_import_left_open(cli: Cli) -> None:
    _organisation(cli)
    _log(cli, *LOG)
    december = (
        LOG[2]
        .replace("2025-11-01", "2025-12-01")
        .replace(
            "Lead one design review|[done] Present at the guild|[dropped] Write the RFC",
            "Mentor a new joiner",
        )
    )

    out = _log(cli, *LOG, december, name="more.csv")

    assert "1 added" in out[0] and "actions superseded: 1" in out[0]
    still_open = [row for row in cli.rows(ACTIONS) if row[2] == "open"]
    assert still_open == [("2025-12-01", "Mentor a new joiner", "open", None, None)]
    [review] = [row for row in cli.rows(ACTIONS) if row[1] == "Lead one design review"]
    assert review[2:] == ("dropped", "2025-12-01", "superseded by the session of 2025-12-01")


def test_a_tag_without_an_action_is_reported_and_nothing_is_written(cli: Cli) -> None:
    _organisation(cli)
    before = cli.snapshot()
    row = LOG[0].replace("[done] Book a mentor", "[done] ")

    run = cli("import", "sessions", cli.write("log.csv", f"{HEADER}\n{row}\n"))

    assert run.code == 1
    assert run.err[0] == "log.csv:2: actions: [done] needs the action's text after it"
    assert cli.snapshot() == before
