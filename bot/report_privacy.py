"""The report's privacy rules (`docs/report.md`): the minimum group size k, the suppression of small
completion rows and the complementary suppression that keeps a hidden row from being recovered by
subtracting its released siblings from their released parent."""

from __future__ import annotations

import enum
from dataclasses import dataclass, replace
from typing import Literal

GroupType = Literal["department", "team"]


class HiddenBecause(enum.StrEnum):
    """Why a completion row has no figures, in the order the rules hide rows."""

    TOO_FEW_PEOPLE = "too_few_people"
    PROTECTS_ANOTHER = "protects_another"  # complementary: a sibling could be worked out
    DEPARTMENT_HIDDEN = "department_hidden"  # its teams would add up to it


@dataclass(frozen=True, slots=True)
class CompletionFigures:
    """The true completion figures of one department or team (before privacy)."""

    group_type: GroupType
    department: str
    name: str
    people: int
    expected: int
    held: int


@dataclass(frozen=True, slots=True)
class CompletionRow:
    """A completion row as released: a suppressed row keeps its names and has no figures."""

    group_type: GroupType
    department: str
    name: str
    people: int | None
    expected: int | None
    held: int | None
    rate: float | None
    suppressed: bool
    hidden_because: HiddenBecause | None = None


def is_releasable(people: int, min_group_size: int) -> bool:
    """A figure may describe a group only when the group has at least k people."""
    return people >= min_group_size


def _smallest(rows: list[CompletionFigures]) -> CompletionFigures:
    return min(rows, key=lambda row: (row.people, row.name))


def hidden_groups(
    rows: list[CompletionFigures], min_group_size: int
) -> dict[tuple[GroupType, str, str], HiddenBecause]:
    """The rows to hide, by key (group_type, department, name), each with the first rule that
    hides it: small rows, then the complementary steps (1)-(3) of `docs/report.md` in order."""
    hidden = {
        _key(row): HiddenBecause.TOO_FEW_PEOPLE
        for row in rows
        if not is_releasable(row.people, min_group_size)
    }
    departments = [row for row in rows if row.group_type == "department"]
    hidden_departments = [row for row in departments if _key(row) in hidden]
    released_departments = [row for row in departments if _key(row) not in hidden]
    # (1) one hidden department would be its parent's total minus the released ones
    if len(hidden_departments) == 1 and released_departments:
        hidden[_key(_smallest(released_departments))] = HiddenBecause.PROTECTS_ANOTHER
    hidden_names = {row.name for row in departments if _key(row) in hidden}
    teams = [row for row in rows if row.group_type == "team"]
    # (2) the teams of a hidden department would reveal it by their sum
    for row in teams:
        if row.department in hidden_names:
            hidden.setdefault(_key(row), HiddenBecause.DEPARTMENT_HIDDEN)
    # (3) within each released department, never leave exactly one hidden team
    for department in departments:
        if department.name in hidden_names:
            continue
        own = [row for row in teams if row.department == department.name]
        own_hidden = [row for row in own if _key(row) in hidden]
        own_released = [row for row in own if _key(row) not in hidden]
        if len(own_hidden) == 1 and own_released:
            hidden[_key(_smallest(own_released))] = HiddenBecause.PROTECTS_ANOTHER
    return hidden


def release_completion(rows: list[CompletionFigures], min_group_size: int) -> list[CompletionRow]:
    """The completion rows as the report shows them, in the order given."""
    hidden = hidden_groups(rows, min_group_size)
    return [
        _hidden_row(row, hidden[_key(row)]) if _key(row) in hidden else _released_row(row)
        for row in rows
    ]


def _key(row: CompletionFigures) -> tuple[GroupType, str, str]:
    return (row.group_type, row.department, row.name)


def _released_row(row: CompletionFigures) -> CompletionRow:
    return CompletionRow(
        group_type=row.group_type,
        department=row.department,
        name=row.name,
        people=row.people,
        expected=row.expected,
        held=row.held,
        rate=row.held / row.expected,
        suppressed=False,
    )


def _hidden_row(row: CompletionFigures, because: HiddenBecause) -> CompletionRow:
    released = _released_row(row)
    return replace(
        released,
        people=None,
        expected=None,
        held=None,
        rate=None,
        suppressed=True,
        hidden_because=because,
    )
