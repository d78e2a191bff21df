"""Hand-built organisations for the report tests: rows inserted straight into the tables."""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncEngine

from storage.tables import metadata

LONG_AGO = date(2020, 1, 1)


@dataclass
class Org:
    """Rows to insert, with ids given here so that tests can refer to people by name."""

    people: list[dict[str, Any]] = field(default_factory=list)
    relationships: list[dict[str, Any]] = field(default_factory=list)
    skills: dict[str, str] = field(default_factory=dict)
    courses: list[dict[str, Any]] = field(default_factory=list)
    sessions: list[dict[str, Any]] = field(default_factory=list)
    actions: list[dict[str, Any]] = field(default_factory=list)
    assignments: list[dict[str, Any]] = field(default_factory=list)
    completions: list[dict[str, Any]] = field(default_factory=list)
    levels: list[dict[str, Any]] = field(default_factory=list)
    ids: dict[str, int] = field(default_factory=dict)
    _next: Any = field(default_factory=lambda: itertools.count(1))

    def person(
        self,
        key: str,
        department: str = "",
        team: str = "",
        *,
        manager: str | None = None,
        cadence: str | None = "monthly",
        start_date: date | None = None,
        active: bool = True,
        deactivated_on: date | None = None,
        manager_since: date = LONG_AGO,
    ) -> int:
        person_id = next(self._next)
        self.ids[key] = person_id
        self.people.append(
            {
                "id": person_id,
                "email": f"{key}@example.org",
                "name": f"Person {key.upper()}",
                "department": department,
                "team": team,
                "cadence": cadence,
                "roles": "",
                "start_date": start_date,
                "active": active,
                "deactivated_on": deactivated_on,
            }
        )
        if manager is not None:
            self.manage(manager, key, since=manager_since)
        return person_id

    def manage(
        self,
        manager: str,
        employee: str,
        *,
        since: date,
        until: date | None = None,
        whole_past: bool = False,
    ) -> None:
        """A relationship named on `since`; its history starts then too, or covers the
        employee's whole past when `whole_past` (as the first import naming a manager makes)."""
        self.relationships.append(
            {
                "id": len(self.relationships) + 1,
                "manager_id": self.ids[manager],
                "employee_id": self.ids[employee],
                "started_on": since,
                "history_from": None if whole_past else since,
                "ended_on": until,
            }
        )

    def skill(self, skill_id: str, name: str) -> None:
        self.skills[skill_id] = name

    def course(self, course_id: str, skill_ids: str = "") -> None:
        self.courses.append({"course_id": course_id, "title": course_id, "skill_ids": skill_ids})

    def session(
        self,
        employee: str,
        held_on: date,
        skill_id: str,
        focus_type: str = "skill_development",
        *,
        manager: str | None = None,
        flagged: bool = False,
        courses: tuple[tuple[str, datetime | None], ...] = (),
    ) -> int:
        session_id = len(self.sessions) + 1
        manager_id = self.ids[manager] if manager else self._manager_of(employee)
        self.sessions.append(
            {
                "id": session_id,
                "manager_id": manager_id,
                "employee_id": self.ids[employee],
                "held_on": held_on,
                "duration_minutes": 30,
                "focus_type": focus_type,
                "skill_id": skill_id,
                "key_points": [f"NOTE-SECRET-{session_id}-{n}" for n in range(3)],
                "flagged": flagged,
            }
        )
        self.actions.append(
            {
                "id": session_id,
                "session_id": session_id,
                "employee_id": self.ids[employee],
                "text": f"ACTION-SECRET-{session_id}",
                "status": "open",
            }
        )
        for course_id, completed_at in courses:
            self.assign(employee, course_id, held_on, completed_at, session_id=session_id)
        return session_id

    def assign(
        self,
        employee: str,
        course_id: str,
        assigned_on: date,
        completed_at: datetime | None = None,
        *,
        session_id: int | None = None,
    ) -> None:
        self.assignments.append(
            {
                "id": len(self.assignments) + 1,
                "employee_id": self.ids[employee],
                "course_id": course_id,
                "assigned_on": assigned_on,
                "session_id": session_id,
                "reason": "REASON-SECRET",
                "completed_at": completed_at,
            }
        )

    def complete(self, person: str, course_id: str, completed_at: datetime) -> None:
        self.completions.append(
            {
                "id": len(self.completions) + 1,
                "employee_id": self.ids[person],
                "course_id": course_id,
                "completed_at": completed_at,
                "source": "webhook",
                "event_id": f"event-{len(self.completions) + 1}",
            }
        )

    def level(self, person: str, skill_id: str, level: int, assessed_on: date) -> None:
        self.levels.append(
            {
                "id": len(self.levels) + 1,
                "employee_id": self.ids[person],
                "skill_id": skill_id,
                "level": level,
                "assessed_on": assessed_on,
            }
        )

    def _manager_of(self, employee: str) -> int | None:
        employee_id = self.ids[employee]
        managers = [r["manager_id"] for r in self.relationships if r["employee_id"] == employee_id]
        return managers[-1] if managers else None

    async def save(self, engine: AsyncEngine) -> None:
        tables = metadata.tables
        skills = [{"skill_id": key, "name": name} for key, name in self.skills.items()]
        batches = [
            ("person", self.people),
            ("coaching_relationship", self.relationships),
            ("skill", skills),
            ("course", self.courses),
            ("coaching_session", self.sessions),
            ("agreed_action", self.actions),
            ("course_assignment", self.assignments),
            ("learning_completion", self.completions),
            ("skill_level", self.levels),
        ]
        async with engine.begin() as connection:
            for name, rows in batches:
                if rows:
                    await connection.execute(tables[name].insert(), rows)
