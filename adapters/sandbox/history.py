"""A believable coaching history for the sample organisation, dated back from today, so that
the sandbox's Home tabs, reminders and the L&D report have something to show: Maya's Platform
team meets monthly and works on system design; Raj's Mobile team rarely meets; Ola's EMEA sales
team meets monthly on negotiation and communication."""

from __future__ import annotations

import csv
import random
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

from adapters.imports import sessions as sessions_csv
from adapters.imports import skill_levels as skill_levels_csv

HISTORY_DAYS = 170
KEY_POINTS = (
    "Looked back at what went well since we last met",
    "Explored where they want to be in six months",
    "Talked through two options and what each would take",
    "Agreed what support would help most",
    "Named one habit to try before next time",
)
ACTIONS = (
    "Shadow a colleague on the next client call",
    "Write up one lesson learned and share it with the team",
    "Book time with a mentor",
    "Try the new approach in next week's planning",
)


@dataclass(frozen=True)
class TeamHabit:
    """How a manager coaches: days between sessions (0: rarely), and the usual focus."""

    every_days: int
    skills: tuple[str, ...]
    courses: tuple[str, ...]
    gain: int


HABITS = {
    "maya.chen@example.org": TeamHabit(
        30, ("SK-SYSD", "SK-SYSD", "SK-COMM", "SK-PRIO"), ("C-105", "C-103"), 1
    ),
    "raj.mehta@example.org": TeamHabit(0, ("SK-PRES", "SK-DATA"), ("C-106",), 0),
    "ola.nowak@example.org": TeamHabit(
        30, ("SK-NEGO", "SK-COMM", "SK-NEGO"), ("C-101", "C-102"), 1
    ),
}
FOCUS = ("skill_development", "performance_goals", "role_progression", "development_area")


def write_history(people_csv: Path, folder: Path, today: date, seed: int = 11) -> list[Path]:
    """sessions.csv and skill-levels.csv for the sample people, written into `folder`."""
    rng = random.Random(seed)
    with people_csv.open(encoding="utf-8", newline="") as handle:
        people = list(csv.DictReader(handle))
    sessions, levels = [], []
    for person in people:
        habit = HABITS.get(person["manager_email"])
        if habit is None:
            continue
        skill = rng.choice(habit.skills)
        start = rng.randint(1, 2)
        levels.append([person["email"], skill, start, today - timedelta(days=HISTORY_DAYS + 30)])
        levels.append([person["email"], skill, start + habit.gain, today - timedelta(days=5)])
        if habit.every_days:
            days_ago = list(range(HISTORY_DAYS - rng.randint(0, 10), 3, -habit.every_days))
        else:
            days_ago = [rng.randint(60, HISTORY_DAYS)]
        for number, ago in enumerate(days_ago):
            focus_skill = skill if number % 2 == 0 else rng.choice(habit.skills)
            course = rng.choice(habit.courses) if number == 1 else ""
            sessions.append(
                [
                    person["manager_email"],
                    person["email"],
                    (today - timedelta(days=ago)).isoformat(),
                    rng.choice((30, 45, 60)),
                    rng.choice(FOCUS),
                    focus_skill,
                    "|".join(rng.sample(KEY_POINTS, 3)),
                    "|".join(rng.sample(ACTIONS, rng.randint(1, 2))),
                    course,
                ]
            )
    sessions_file = folder / "sessions.csv"
    levels_file = folder / "skill-levels.csv"
    _write(sessions_file, sessions_csv.LAYOUT.columns, sessions)
    _write(levels_file, skill_levels_csv.LAYOUT.columns, levels)
    return [levels_file, sessions_file]


def _write(path: Path, header: Sequence[str], rows: list[list[object]]) -> None:
    # input for our own importer, never opened in a spreadsheet: cells are written exactly, as
    # `spreadsheet_csv`'s leading `'` would become part of the imported text
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)
