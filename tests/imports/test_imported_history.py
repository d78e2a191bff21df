"""Reports over an imported coaching log: the first people import that names someone's manager
covers their whole past, so `coachbot report --as-of` a date before the import counts the
imported history by the record's rules; a later manager change starts a new relationship
that day and keeps the old one's history."""

from __future__ import annotations

import json

import pytest

from tests.imports.support import Cli, people_csv

AS_OF = "2026-09-30"  # period 90d: 2026-07-03 .. 2026-09-30, 90 days
SESSIONS_HEADER = (
    "manager_email,employee_email,held_on,duration_minutes,focus_type,skill_id,key_points,actions"
)
PEOPLE = [
    "mia@example.org,Mia Stone,Ops,,,,,,,,",
    "ann@example.org,Ann Ames,Sales,North,mia@example.org,monthly,,,,,",
    "bob@example.org,Bob Berg,Sales,North,mia@example.org,fortnightly,,,,,",
    "cat@example.org,Cat Cole,Sales,North,mia@example.org,quarterly,,,,,",
    "dan@example.org,Dan Dow,Sales,North,mia@example.org,,,2026-08-01,,,",
    "eve@example.org,Eve Eng,Support,,mia@example.org,monthly,,,,,",
    "fay@example.org,Fay Fox,Support,,mia@example.org,monthly,,,,,",
    "gil@example.org,Gil Gray,Support,,mia@example.org,monthly,,2026-09-01,,,",
    "gus@example.org,Gus Hart,Support,,mia@example.org,monthly,,2026-10-15,,,",
]
HELD = {
    "ann": ["2026-06-20", "2026-07-10", "2026-08-12", "2026-09-15", "2026-09-29"],
    "bob": ["2026-07-05", "2026-07-19", "2026-08-02"],
    "cat": ["2026-08-20"],
    "dan": ["2026-08-05", "2026-08-19"],
    "eve": ["2026-06-01"],
    "fay": ["2026-07-15", "2026-08-15", "2026-09-15"],
    "gil": ["2026-09-20"],
}


def _sessions() -> str:
    rows = [
        f"mia@example.org,{who}@example.org,{day},30,skill_development,negotiation,"
        "Prepared the renewal|Practised the opener|Agreed next steps,Try the opener"
        for who, days in HELD.items()
        for day in days
    ]
    return "\n".join([SESSIONS_HEADER, *rows]) + "\n"


@pytest.fixture
def organisation(cli: Cli, monkeypatch: pytest.MonkeyPatch) -> Cli:
    """The directory and its log imported today, after the whole history."""
    monkeypatch.setenv("COACHBOT_MIN_GROUP_SIZE", "3")
    files = {
        "people": people_csv(*PEOPLE),
        "skills": "skill_id,name\nnegotiation,Negotiation\n",
        "sessions": _sessions(),
    }
    for kind, content in files.items():
        run = cli("import", kind, cli.write(f"{kind}.csv", content))
        assert run.code == 0, run.err
    return cli


def _report(cli: Cli) -> dict[str, object]:
    run = cli("report", "--as-of", AS_OF, "--format", "json")
    assert run.code == 0, run.err
    report: dict[str, object] = json.loads("\n".join(run.out))
    return report


def test_a_report_over_the_imported_past_counts_it_by_the_programmes_rules(
    organisation: Cli,
) -> None:
    report = _report(organisation)

    # population: everyone with a manager and started by 2026-09-30 (not Mia, not Gus)
    assert report["people"] == 7 and report["suppressed"] is False
    # sessions held 2026-07-03 .. 2026-09-30: ann 4, bob 3, cat 1, dan 2, fay 3, gil 1
    assert report["sessions"] == 14
    # expected = floor(active days / interval); held capped at expected; cat (91) expects 0
    #   ann 90/30 = 3, held 4 -> 3; bob 90/14 = 6, held 3; dan (new hire) 61/14 = 4, held 2
    #   eve 90/30 = 3, held 0; fay 3, held 3; gil (from 09-01) 30/30 = 1, held 1
    sales = {"people": 3, "expected": 13, "held": 8, "rate": 8 / 13, "suppressed": False}
    support = {"people": 3, "expected": 7, "held": 4, "rate": 4 / 7, "suppressed": False}
    assert report["completion"] == [
        {"group_type": "department", "department": "Sales", "name": "Sales", **sales},
        {"group_type": "department", "department": "Support", "name": "Support", **support},
        {"group_type": "team", "department": "Sales", "name": "North", **sales},
    ]


def test_importing_the_directory_again_changes_nothing(organisation: Cli) -> None:
    before = organisation.snapshot()

    run = organisation("import", "people", "people.csv")

    assert run.code == 0
    assert "relationships started: 0, relationships ended: 0" in run.out[0]
    assert organisation.snapshot() == before


def test_a_later_manager_change_keeps_both_relationships_history(organisation: Cli) -> None:
    before = _report(organisation)
    moved = [row.replace(",mia@example.org,", ",eve@example.org,") if row.startswith("ann@")
             else row for row in PEOPLE]  # fmt: skip

    run = organisation("import", "people", organisation.write("people.csv", people_csv(*moved)))

    assert run.code == 0
    relationships = organisation.rows(
        "SELECT m.email, r.started_on, r.history_from, r.ended_on FROM coaching_relationship r"
        " JOIN person m ON m.id = r.manager_id JOIN person e ON e.id = r.employee_id"
        " WHERE e.email = 'ann@example.org' ORDER BY r.id"
    )
    [(_, first_named, whole_past, ended), (manager, started, history_from, still)] = relationships
    assert whole_past is None and ended == started  # Mia's covers Ann's past until today
    assert (manager, history_from, still) == ("eve@example.org", started, None)  # Eve's: today on
    assert first_named == started  # both named by imports of today
    assert _report(organisation) == before  # the past is still Mia's: the same figures
