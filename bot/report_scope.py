"""The names a programme report may be narrowed to: the directory's departments and teams.
A name that matches none is a mistake to point out (with the names that exist), never an
empty, "suppressed" report. Department and team names are org structure; they name no one."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass

from bot.errors import FieldError

MAX_NAMES_LISTED = 20


@dataclass(frozen=True, slots=True)
class OrgStructure:
    """Each department of the directory with the names of its teams."""

    teams: Mapping[str, frozenset[str]]

    def teams_in(self, department: str | None) -> frozenset[str]:
        """The teams of one department, or of every department when None."""
        if department is not None:
            return self.teams.get(department, frozenset())
        return frozenset().union(*self.teams.values())


@dataclass(frozen=True, slots=True)
class ResolvedScope:
    """A scope whose names are the directory's own spelling of them."""

    department: str | None
    team: str | None


def _known(name: str, names: Collection[str]) -> str | None:
    """The directory's name for `name`: exactly, else the one name equal to it ignoring case."""
    if name in names:
        return name
    matches = [known for known in names if known.casefold() == name.casefold()]
    return matches[0] if len(matches) == 1 else None


def _listed(names: Collection[str]) -> str:
    ordered = sorted(names, key=str.casefold)
    if not ordered:
        return "none yet"
    shown = ", ".join(ordered[:MAX_NAMES_LISTED])
    more = len(ordered) - MAX_NAMES_LISTED
    return shown + (f" and {more} more" if more > 0 else "")


def resolve_scope(
    department: str | None, team: str | None, org: OrgStructure
) -> ResolvedScope | FieldError:
    """The scope in the directory's spelling, or an error naming the unknown name and the
    known ones: `no department named 'Nope' (known: Engineering, Sales)`."""
    found_department = None
    if department is not None:
        found_department = _known(department, org.teams)
        if found_department is None:
            listed = _listed(org.teams)
            return FieldError("department", f"no department named {department!r} (known: {listed})")
    found_team = None
    if team is not None:
        teams = org.teams_in(found_department)
        found_team = _known(team, teams)
        if found_team is None:
            where = f" in {found_department}" if found_department else ""
            listed = _listed(teams)
            return FieldError("team", f"no team named {team!r}{where} (known: {listed})")
    return ResolvedScope(found_department, found_team)
