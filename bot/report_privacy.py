"""The report's privacy rules (`programme.md`, Privacy): the minimum group size k, the
suppression of small completion rows and the complementary suppression that keeps a hidden
row from being recovered by subtracting its released siblings from their released parent."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Literal

GroupType = Literal["department", "team"]


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


def is_releasable(people: int, min_group_size: int) -> bool:
    """A figure may describe a group only when the group has at least k people."""
    return people >= min_group_size


def _smallest(rows: list[CompletionFigures]) -> CompletionFigures:
    return min(rows, key=lambda row: (row.people, row.name))


def suppressed_groups(
    rows: list[CompletionFigures], min_group_size: int
) -> set[tuple[GroupType, str, str]]:
    """The keys (group_type, department, name) of the rows to hide: small rows, then the
    complementary steps (1)-(3) of `programme.md` in that order."""
    hidden = {_key(row) for row in rows if not is_releasable(row.people, min_group_size)}
    departments = [row for row in rows if row.group_type == "department"]
    hidden_departments = [row for row in departments if _key(row) in hidden]
    released_departments = [row for row in departments if _key(row) not in hidden]
    # (1) one hidden department would be its parent's total minus the released ones
    if len(hidden_departments) == 1 and released_departments:
        hidden.add(_key(_smallest(released_departments)))
    hidden_names = {row.name for row in departments if _key(row) in hidden}
    teams = [row for row in rows if row.group_type == "team"]
    # (2) the teams of a hidden department would reveal it by their sum
    hidden |= {_key(row) for row in teams if row.department in hidden_names}
    # (3) within each released department, never leave exactly one hidden team
    for department in departments:
        if department.name in hidden_names:
            continue
        own = [row for row in teams if row.department == department.name]
        own_hidden = [row for row in own if _key(row) in hidden]
        own_released = [row for row in own if _key(row) not in hidden]
        if len(own_hidden) == 1 and own_released:
            hidden.add(_key(_smallest(own_released)))
    return hidden


def release_completion(rows: list[CompletionFigures], min_group_size: int) -> list[CompletionRow]:
    """The completion rows as the report shows them, in the order given."""
    hidden = suppressed_groups(rows, min_group_size)
    return [_hidden_row(row) if _key(row) in hidden else _released_row(row) for row in rows]


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


def _hidden_row(row: CompletionFigures) -> CompletionRow:
    released = _released_row(row)
    return replace(released, people=None, expected=None, held=None, rate=None, suppressed=True)
