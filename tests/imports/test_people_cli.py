"""`coachbot import people`: what a user sees and what lands in the database, through the real
command line, on SQLite and PostgreSQL."""

from __future__ import annotations

import contextlib
import fcntl
import os
import pty
import shutil
import struct
import subprocess
import sys
import termios
from datetime import UTC, datetime
from pathlib import Path

from bot.clock import local_date
from tests.imports.support import Cli, people_csv

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"


def _today() -> str:
    return local_date(datetime.now(UTC), "UTC").isoformat()


def _copy(cli: Cli, name: str) -> str:
    shutil.copy(FIXTURES / name, cli.folder / name)
    return name


def test_a_people_file_is_imported_with_its_relationships(cli: Cli) -> None:
    run = cli("import", "people", _copy(cli, "people.csv"))

    assert run.code == 0
    assert run.out == [
        "people.csv: 3 added, 0 updated, 0 unchanged, 0 deactivated; "
        "relationships started: 2, relationships ended: 0"
    ]
    assert cli.rows(
        "SELECT email, name, department, team, cadence, roles, start_date, slack_user_id,"
        " teams_user_id, timezone, active, deactivated_on FROM person ORDER BY id"
    ) == [
        (
            "ada@example.org",
            "Ada Lovelace",
            "Engineering",
            "",
            "monthly",
            "ld_admin",
            "2020-01-06",
            "U0ADA",
            "29:ada",
            "Europe/London",
            1,
            None,
        ),
        (
            "grace@example.org",
            "Grace Hopper",
            "Engineering",
            "Compilers",
            None,
            "",
            "2026-10-01",
            "U0GRACE",
            None,
            "America/New_York",
            1,
            None,
        ),
        (
            "alan@example.org",
            "Alan Turing",
            "Engineering",
            "Compilers",
            "fortnightly",
            "",
            None,
            None,
            None,
            None,
            1,
            None,
        ),
    ]
    assert cli.rows(
        "SELECT m.email, e.email, r.started_on, r.ended_on FROM coaching_relationship r"
        " JOIN person m ON m.id = r.manager_id JOIN person e ON e.id = r.employee_id"
        " ORDER BY r.id"
    ) == [
        ("ada@example.org", "grace@example.org", _today(), None),
        ("grace@example.org", "alan@example.org", _today(), None),
    ]
    assert cli.rows(
        "SELECT kind, file_name, rows, imported_by, added, updated, deactivated FROM import_run"
    ) == [("people", "people.csv", 3, "command line", 3, 0, 0)]


def test_every_problem_is_reported_by_line_and_column_and_nothing_is_written(cli: Cli) -> None:
    cli("import", "people", _copy(cli, "people.csv"))
    before = cli.snapshot()

    run = cli("import", "people", _copy(cli, "people-bad.csv"))

    assert run.code == 1
    assert run.out == []
    assert run.err == [
        "people-bad.csv:2: cadence: 'weekly' is not one of fortnightly, monthly, quarterly",
        "people-bad.csv:3: email: 'not-an-email' is not an e-mail address",
        # line 4's quoted team runs over two lines, so the next record starts on line 6
        "people-bad.csv:4: manager_email: unknown manager bob@example.org (not a row of this file)",
        "people-bad.csv:4: roles: unknown role 'boss' (known roles: ld_admin)",
        "people-bad.csv:4: start_date: '06/01/2024' is not an ISO date (YYYY-MM-DD)",
        "people-bad.csv:4: timezone: 'Mars/Olympus' is not an IANA time zone (e.g. Europe/London)",
        "people-bad.csv:6: email: duplicate of line 2",
        "people-bad.csv:6: slack_user_id: U0ADA is already given on line 2",
        "people-bad.csv:7: name: required, but blank",
        "people-bad.csv:7: manager_email: manager cycle:"
        " kay@example.org -> lin@example.org -> kay@example.org",
        "people-bad.csv:8: manager_email: manager cycle:"
        " lin@example.org -> kay@example.org -> lin@example.org",
        "people-bad.csv:8: start_date: '2024-02-30' is not a real date",
        "people-bad.csv: 12 problems; nothing imported, the database is unchanged",
    ]
    assert cli.snapshot() == before


def test_every_row_of_a_manager_cycle_is_reported(cli: Cli) -> None:
    name = cli.write(
        "cycle.csv",
        people_csv(
            "a@example.org,A,,,c@example.org,,,,,,",
            "b@example.org,B,,,a@example.org,,,,,,",
            "c@example.org,C,,,b@example.org,,,,,,",
            "d@example.org,D,,,a@example.org,,,,,,",
            "e@example.org,E,,,e@example.org,,,,,,",
        ),
    )

    run = cli("import", "people", name)

    assert run.code == 1
    assert run.err[:-1] == [
        "cycle.csv:2: manager_email: manager cycle:"
        " a@example.org -> c@example.org -> b@example.org -> a@example.org",
        "cycle.csv:3: manager_email: manager cycle:"
        " b@example.org -> a@example.org -> c@example.org -> b@example.org",
        "cycle.csv:4: manager_email: manager cycle:"
        " c@example.org -> b@example.org -> a@example.org -> c@example.org",
        "cycle.csv:6: manager_email: a person cannot be their own manager",
    ]
    assert cli.rows("SELECT COUNT(*) FROM person") == [(0,)]


def test_header_problems_name_the_columns(cli: Cli) -> None:
    name = cli.write("people.csv", "email,full_name,department,department\nx@example.org,X,A,B\n")

    run = cli("import", "people", name)

    assert run.code == 1
    assert run.err[:-1] == [
        "people.csv:1: full_name: unknown column (known columns: email, name, department,"
        " team, manager_email, cadence, roles, start_date, slack_user_id, teams_user_id,"
        " timezone, country)",
        "people.csv:1: department: column appears more than once",
        "people.csv:1: name: required column missing",
    ]


def test_optional_columns_may_be_left_out_and_case_does_not_matter(cli: Cli) -> None:
    name = cli.write("people.csv", "name,email,cadence\nAda,Ada@Example.org,Fortnightly\n")

    run = cli("import", "people", name)

    assert run.code == 0
    assert cli.rows("SELECT email, name, department, cadence FROM person") == [
        ("ada@example.org", "Ada", "", "fortnightly")
    ]


def test_a_byte_order_mark_is_not_part_of_the_first_column(cli: Cli) -> None:
    name = cli.write("people.csv", "\ufeffemail,name\na@example.org,A\n")

    assert cli("import", "people", name).code == 0
    assert cli.rows("SELECT email FROM person") == [("a@example.org",)]


def test_rows_of_the_wrong_width_and_blank_lines(cli: Cli) -> None:
    name = cli.write(
        "people.csv",
        "email,name,team\r\n\r\na@example.org,A\r\n,,\r\nb@example.org,B,T,extra\r\nc@,C,\r\n",
    )

    run = cli("import", "people", name)

    assert run.err[:-1] == [
        "people.csv:3: row: 2 fields, the header has 3",
        "people.csv:5: row: 4 fields, the header has 3",
        "people.csv:6: email: 'c@' is not an e-mail address",
    ]


def test_a_file_that_is_not_utf8_is_refused(cli: Cli) -> None:
    name = cli.write("people.csv", "email,name\na@example.org,Zoë\n", encoding="latin-1")

    run = cli("import", "people", name)

    assert run.code == 1
    assert run.err == [
        "people.csv:2: encoding: not UTF-8 text (byte 0xeb); save it as CSV UTF-8, comma-separated",
        "people.csv: 1 problem; nothing imported, the database is unchanged",
    ]


def test_a_file_separated_by_semicolons_gets_a_hint(cli: Cli) -> None:
    name = cli.write("people.csv", "email;name;department\na@example.org;Ann;Sales\n")
    before = cli.snapshot()

    run = cli("import", "people", name)

    assert run.code == 1
    assert run.err == [
        "people.csv:1: header: the columns are separated by ';'; save it as CSV UTF-8, "
        "comma-separated",
        "people.csv: 1 problem; nothing imported, the database is unchanged",
    ]
    assert cli.snapshot() == before


def test_a_missing_file_is_one_clear_line(cli: Cli) -> None:
    run = cli("import", "people", "nowhere.csv")

    assert run.code == 1
    assert run.err == ["coachbot: cannot read nowhere.csv: No such file or directory"]


def test_importing_the_same_file_again_changes_nothing(cli: Cli) -> None:
    name = _copy(cli, "people.csv")
    cli("import", "people", name)
    before = cli.snapshot()

    run = cli("import", "people", name)

    assert run.code == 0
    assert run.out == [
        "people.csv: 0 added, 0 updated, 3 unchanged, 0 deactivated; "
        "relationships started: 0, relationships ended: 0"
    ]
    assert cli.snapshot() == before


def test_a_dry_run_says_what_would_change_and_writes_nothing(cli: Cli) -> None:
    cli("import", "people", _copy(cli, "people.csv"))
    before = cli.snapshot()
    name = cli.write(
        "next.csv",
        people_csv(
            "ada@example.org,Ada Lovelace,Engineering,,,monthly,ld_admin,2020-01-06,U0ADA,29:ada,"
            "Europe/London",
            "grace@example.org,Grace Hopper,Research,,ada@example.org,,,,,,",
            "new@example.org,New Person,Research,,grace@example.org,,,,,,",
        ),
    )

    run = cli("import", "people", name, "--dry-run")

    assert run.code == 0
    assert run.out == [
        "next.csv: 1 added, 1 updated, 1 unchanged, 1 deactivated; "
        "relationships started: 1, relationships ended: 1 (dry run, nothing written)"
    ]
    assert cli.snapshot() == before


def _import_in_a_process(folder: Path, database_url: str, stderr: int) -> subprocess.Popen[bytes]:
    """`coachbot import people people.csv` as cron or a person at a terminal would run it."""
    environment = dict(os.environ, DATABASE_URL=database_url, COACHBOT_TIMEZONE="UTC")
    command = [sys.executable, "-m", "adapters.cli", "import", "people", "people.csv"]
    return subprocess.Popen(
        command, cwd=folder, env=environment, stdout=subprocess.PIPE, stderr=stderr
    )


def test_progress_bar_only_when_stderr_is_a_terminal(tmp_path: Path, sqlite_url: str) -> None:
    rows = [f"p{i}@example.org,P {i},,,,,,,,," for i in range(2001)]
    (tmp_path / "people.csv").write_text(people_csv(*rows))
    terminal, attached = pty.openpty()
    # a terminal has a size (a new pseudo-terminal's is 0x0, where tqdm draws nothing)
    fcntl.ioctl(attached, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 80, 0, 0))
    process = _import_in_a_process(tmp_path, sqlite_url, attached)
    os.close(attached)
    shown = b""
    with contextlib.suppress(OSError):  # EIO once the process has closed the terminal
        while chunk := os.read(terminal, 4096):
            shown += chunk
    os.close(terminal)
    assert process.wait() == 0
    assert b"people: validating" in shown

    (tmp_path / "people.csv").write_text(people_csv(*rows[:-1], "p9999@example.org,P X,,,,,,,,,"))
    logged = _import_in_a_process(tmp_path, sqlite_url, subprocess.PIPE)
    out, err = logged.communicate()

    assert logged.returncode == 0
    assert err == b""  # stderr to a pipe (a log, cron, CI): no progress bar
    assert out.decode().startswith("people.csv: 1 added, 0 updated, 2000 unchanged, 1 deactivated")


def test_a_file_of_2000_rows_shows_no_progress_bar(cli: Cli) -> None:
    rows = [f"p{i}@example.org,P {i},,,,,,,,," for i in range(2000)]
    name = cli.write("people.csv", people_csv(*rows))

    run = cli("import", "people", name)

    assert run.code == 0
    assert run.err == []
