"""What a CSV import changes, worked out from what the database holds and what the validated
file says: who is added, updated, unchanged or deactivated, which coaching relationships end
and which start, which skills, courses and skill levels are new or changed, and which sessions,
actions and course assignments a sessions file adds. Pure functions over plain data: storage
loads the snapshot (`storage/importer.py`, `load_*`) and writes the plan (`apply_*`);
`docs/csv-imports.md` describes the files."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, fields
from datetime import date
from typing import Any, TypedDict, cast

from bot.imported_log import ImportedAction, closing, next_sessions, superseded_reason
from bot.model import Skill


@dataclass
class ImportCounts:
    """What an import changes. `details` holds the kind's side effects by name, in order
    (relationships started and ended, courses assigned ...)."""

    added: int = 0
    updated: int = 0
    unchanged: int = 0
    deactivated: int = 0
    details: dict[str, int] = field(default_factory=dict)

    @property
    def changed(self) -> bool:
        return bool(self.added or self.updated or self.deactivated or any(self.details.values()))


class PersonEntry(TypedDict):
    """One validated row of people.csv, as the `person` columns it sets (e-mail lower-cased,
    blank optional values as None; the manager goes in the separate `managers` mapping)."""

    email: str
    name: str
    department: str
    team: str
    cadence: str | None
    roles: str
    start_date: date | None
    slack_user_id: str | None
    teams_user_id: str | None
    timezone: str | None
    country: str | None


PERSON_FIELDS = tuple(PersonEntry.__annotations__)
LEARNED_FIELDS = ("slack_user_id", "teams_user_id", "timezone")
"""What the bot also learns from chat (a Slack or Teams match, the profile's zone): a blank
cell keeps what is stored, only another value replaces it."""


@dataclass(frozen=True, slots=True)
class StoredPerson:
    id: int
    active: bool
    entry: dict[str, Any]  # the PERSON_FIELDS columns as stored


@dataclass(frozen=True, slots=True)
class PeopleSnapshot:
    """The directory as stored: people by lower-cased e-mail, current relationships, and the
    employees who have had a manager (current or ended)."""

    people: dict[str, StoredPerson]
    current: dict[tuple[int, int], int]  # (manager id, employee id) -> relationship id
    managed: frozenset[int] = frozenset()  # employee ids


@dataclass
class PeoplePlan:
    counts: ImportCounts
    today: date
    ids: dict[str, int]  # stored people's ids by e-mail; apply_people adds the new ones
    inserts: list[PersonEntry] = field(default_factory=list)
    updates: list[tuple[int, PersonEntry]] = field(default_factory=list)  # (id, entry)
    deactivate: list[int] = field(default_factory=list)
    end: list[int] = field(default_factory=list)  # relationship ids
    start: list[tuple[str, str]] = field(default_factory=list)  # (manager, employee) e-mails
    # employees whose first manager this import names: that relationship covers their past
    whole_past: set[str] = field(default_factory=set)  # e-mails

    @property
    def rows(self) -> int:
        return len(self.inserts) + len(self.updates) + len(self.deactivate) + len(self.start)


def plan_people(
    snapshot: PeopleSnapshot,
    entries: Sequence[PersonEntry],
    managers: Mapping[str, str],
    today: date,
) -> PeoplePlan:
    """The file is the whole directory: people missing from it are deactivated (dated `today`),
    people back in it reactivated; the current relationships become exactly `managers`
    (employee e-mail -> manager e-mail), ending the others and starting the new ones `today`.
    A relationship that is the employee's first covers their whole past (the history imported
    with them); a later one's history starts `today`, as the old one's ends."""
    stored_people = snapshot.people
    plan = PeoplePlan(ImportCounts(), today, {email: p.id for email, p in stored_people.items()})
    counts = plan.counts
    given = {
        (name, value)
        for entry in entries
        for name in LEARNED_FIELDS
        if (value := _get(entry, name))
    }
    for entry in entries:
        stored = stored_people.get(entry["email"])
        if stored is not None:
            entry = _keeping_learned(entry, stored, given)
        if stored is None:
            plan.inserts.append(entry)  # active by default
        elif stored.active and stored.entry == entry:
            counts.unchanged += 1
        else:
            plan.updates.append((stored.id, entry))  # and active again
    counts.added = len(plan.inserts)
    counts.updated = len(plan.updates)
    listed = {entry["email"] for entry in entries}
    for email, stored in stored_people.items():
        if stored.active and email not in listed:
            plan.deactivate.append(stored.id)
    counts.deactivated = len(plan.deactivate)
    kept: set[tuple[int, int]] = set()
    for employee, manager in managers.items():
        manager_row, employee_row = stored_people.get(manager), stored_people.get(employee)
        pair = (manager_row.id, employee_row.id) if manager_row and employee_row else None
        if pair is not None and pair in snapshot.current:
            kept.add(pair)
        else:
            plan.start.append((manager, employee))
            if employee_row is None or employee_row.id not in snapshot.managed:
                plan.whole_past.add(employee)
    plan.end = [rid for pair, rid in snapshot.current.items() if pair not in kept]
    counts.details = {
        "relationships started": len(plan.start),
        "relationships ended": len(plan.end),
    }
    return plan


def _get(entry: PersonEntry, name: str) -> Any:
    return cast(dict[str, Any], entry)[name]


def _keeping_learned(
    entry: PersonEntry, stored: StoredPerson, given: set[tuple[str, Any]]
) -> PersonEntry:
    """The entry with the stored chat identities and zone where its cells are blank; a chat
    id the file gives to someone else is not kept (the file's word wins)."""
    kept: dict[str, Any] = dict(entry)
    for name in LEARNED_FIELDS:
        learned = stored.entry[name]
        if kept[name] is None and learned and (name == "timezone" or (name, learned) not in given):
            kept[name] = learned
    return cast(PersonEntry, kept)


@dataclass(frozen=True, slots=True)
class CourseEntry:
    """One validated row of courses.csv (`skill_ids` `;`-joined as stored)."""

    course_id: str
    title: str
    url: str = ""
    skill_ids: str = ""
    provider: str = ""
    duration_minutes: int | None = None


@dataclass
class CataloguePlan:
    """Rows to insert and update in one catalogue table (skills or courses), keyed by `key`."""

    key: str
    counts: ImportCounts
    inserts: list[dict[str, Any]] = field(default_factory=list)
    updates: list[dict[str, Any]] = field(default_factory=list)

    @property
    def rows(self) -> int:
        return len(self.inserts) + len(self.updates)


def plan_catalogue(
    stored: Mapping[str, Mapping[str, Any]], entries: Sequence[Skill] | Sequence[CourseEntry]
) -> CataloguePlan:
    """New ids are added, changed ones updated; ids missing from the file stay (sessions and
    assignments point at them)."""
    key = "skill_id" if entries and isinstance(entries[0], Skill) else "course_id"
    plan = CataloguePlan(key, ImportCounts())
    for entry in entries:
        values = {f.name: getattr(entry, f.name) for f in fields(entry)}
        old = stored.get(values[key])
        if old is None:
            plan.inserts.append(values)
            plan.counts.added += 1
        elif all(old[name] == value for name, value in values.items()):
            plan.counts.unchanged += 1
        else:
            plan.updates.append(values)
            plan.counts.updated += 1
    return plan


@dataclass(frozen=True, slots=True)
class SkillLevelEntry:
    """One validated row of skill-levels.csv."""

    email: str
    skill_id: str
    level: int
    assessed_on: date


@dataclass
class SkillLevelPlan:
    counts: ImportCounts
    inserts: list[dict[str, Any]] = field(default_factory=list)
    updates: list[tuple[int, int]] = field(default_factory=list)  # (stored row id, new level)

    @property
    def rows(self) -> int:
        return len(self.inserts) + len(self.updates)


def plan_skill_levels(
    stored: Mapping[tuple[int, str, date], tuple[int, int, str]],
    people: Mapping[str, int],
    entries: Sequence[SkillLevelEntry],
) -> SkillLevelPlan:
    """One level per (person, skill, date): a new date adds a level, another level on a stored
    date replaces it (the import is then its source), the same level changes nothing."""
    plan = SkillLevelPlan(ImportCounts())
    for entry in entries:
        person_id = people[entry.email]
        old = stored.get((person_id, entry.skill_id, entry.assessed_on))
        if old is None:
            plan.inserts.append(
                {
                    "employee_id": person_id,
                    "skill_id": entry.skill_id,
                    "level": entry.level,
                    "assessed_on": entry.assessed_on,
                    "source": "import",
                }
            )
            plan.counts.added += 1
        elif old[1] == entry.level:
            plan.counts.unchanged += 1
        else:
            plan.updates.append((old[0], entry.level))
            plan.counts.updated += 1
    return plan


@dataclass(frozen=True, slots=True)
class SessionEntry:
    """One validated row of sessions.csv: the session as stored, its agreed actions, the
    courses it links and the reason given for assigning them."""

    manager_id: int
    employee_id: int
    held_on: date
    duration_minutes: int
    focus_type: str
    skill_id: str
    key_points: tuple[str, ...]
    flagged: bool
    actions: tuple[ImportedAction, ...] = ()
    course_ids: tuple[str, ...] = ()
    reason: str = ""

    @property
    def key(self) -> tuple[int, int, date]:
        return (self.manager_id, self.employee_id, self.held_on)

    @property
    def content(self) -> tuple[object, ...]:
        """What must match for a stored session with the same key to be this one."""
        return (self.duration_minutes, self.focus_type, self.skill_id, self.key_points)


@dataclass(frozen=True, slots=True)
class SessionSnapshot:
    """What checking a sessions file needs, loaded in a few queries."""

    people: dict[str, int]  # e-mail -> id
    relationships: dict[tuple[int, int], list[date | None]]  # (manager, employee) -> ended_on
    skills: dict[str, str]  # id -> name
    courses: frozenset[str]
    sessions: dict[tuple[int, int, date], tuple[object, ...]]  # key -> SessionEntry.content
    open_assignments: frozenset[tuple[int, str]]  # (employee id, course id)

    def coached(self, manager_id: int, employee_id: int, on: date) -> bool:
        """Whether the employee is, or was on `on`, the manager's report: a relationship
        between them that had not ended by that day (imported history may predate the first
        people import, so the start does not count)."""
        ends = self.relationships.get((manager_id, employee_id), [])
        return any(ended is None or ended > on for ended in ends)


@dataclass(frozen=True, slots=True)
class Superseded:
    """A stored open action a new later session of its pair drops."""

    action_id: int
    closed_on: date
    reason: str


@dataclass
class SessionPlan:
    """The new sessions, their actions as `agreed_action` rows less the session id (by session
    index), the course assignments, and the stored open actions a new later session of their
    pair supersedes (`agreed_action` updates by id)."""

    counts: ImportCounts
    sessions: list[SessionEntry] = field(default_factory=list)
    actions: list[tuple[int, dict[str, Any]]] = field(default_factory=list)
    assignments: list[tuple[int, str]] = field(default_factory=list)  # (session index, course)
    superseded: list[Superseded] = field(default_factory=list)

    @property
    def rows(self) -> int:
        return len(self.sessions)


OpenActions = Mapping[tuple[int, int, date], Sequence[int]]
"""Stored open actions' ids by their session's key (manager, employee, held_on)."""


def plan_sessions(
    snapshot: SessionSnapshot, entries: Sequence[SessionEntry], open_actions: OpenActions
) -> SessionPlan:
    """Sessions already stored under their natural key (manager, employee, day) are unchanged;
    each new one assigns its courses unless the employee already has that course open (in the
    database or from an earlier row). Actions follow `bot.imported_log`: those of a session
    with a later session of the pair are superseded by it, including the stored open actions
    of a session a new one now follows."""
    plan = SessionPlan(ImportCounts())
    open_now = set(snapshot.open_assignments)
    for entry in entries:
        if entry.key in snapshot.sessions:
            plan.counts.unchanged += 1
            continue
        index = len(plan.sessions)
        plan.sessions.append(entry)
        for course_id in entry.course_ids:
            if (entry.employee_id, course_id) not in open_now:
                open_now.add((entry.employee_id, course_id))
                plan.assignments.append((index, course_id))
    _plan_actions(plan, snapshot, open_actions)
    plan.counts.added = len(plan.sessions)
    plan.counts.details = {
        "actions added": len(plan.actions),
        "actions superseded": len(plan.superseded)
        + sum(row["closed_reason"] is not None for _, row in plan.actions),
        "courses assigned": len(plan.assignments),
        "flagged for appraisal language": sum(entry.flagged for entry in plan.sessions),
    }
    return plan


def _plan_actions(plan: SessionPlan, snapshot: SessionSnapshot, open_actions: OpenActions) -> None:
    days: dict[tuple[int, int], set[date]] = {}
    for entry in plan.sessions:
        days.setdefault(entry.key[:2], set()).add(entry.held_on)
    new_keys = {entry.key for entry in plan.sessions}
    for manager_id, employee_id, held_on in snapshot.sessions:
        if (manager_id, employee_id) in days:
            days[manager_id, employee_id].add(held_on)
    following = {pair: next_sessions(pair_days) for pair, pair_days in days.items()}
    for index, entry in enumerate(plan.sessions):
        next_on = following[entry.key[:2]].get(entry.held_on)
        for action in entry.actions:
            fate = closing(action, entry.held_on, next_on)
            row = {
                "employee_id": entry.employee_id,
                "text": action.text,
                "status": fate.status.value,
                "closed_on": fate.closed_on,
                "closed_reason": fate.reason,
            }
            plan.actions.append((index, row))
    for (manager_id, employee_id, held_on), action_ids in open_actions.items():
        next_on = following.get((manager_id, employee_id), {}).get(held_on)
        if next_on is None or (manager_id, employee_id, next_on) not in new_keys:
            continue  # no later session, or one stored before: its review settled them
        reason = superseded_reason(next_on)
        plan.superseded += [Superseded(action_id, next_on, reason) for action_id in action_ids]
