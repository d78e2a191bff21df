"""A second, deliberately naive implementation of the report's definitions (docs/report.md),
person by person and day by day over an `Org`'s rows, with every group released (k = 1):
the SQL aggregates must agree with it to the digit."""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from tests.reports.org import Org

INTERVAL = {"fortnightly": 14, "monthly": 30, "quarterly": 91}


def expected(person: dict[str, Any], start: date, end: date) -> int:
    first = max(start, person["start_date"]) if person["start_date"] else start
    days: Counter[int] = Counter()
    day = first
    while day <= end:
        cadence = person["cadence"]
        if cadence in INTERVAL:
            days[INTERVAL[cadence]] += 1
        elif person["start_date"] and (day - person["start_date"]).days < 90:
            days[14] += 1
        else:
            days[30] += 1
        day += timedelta(days=1)
    return sum(count // interval for interval, count in days.items())


def reference_report(
    org: Org, as_of: date, days: int, department: str | None, team: str | None, module: str | None
) -> dict[str, Any]:
    start = as_of - timedelta(days=days - 1)
    cutoff = datetime.combine(as_of + timedelta(days=1), time(), tzinfo=UTC)

    def managers_of(person_id: int) -> list[int]:
        return [
            r["manager_id"]
            for r in org.relationships
            if r["employee_id"] == person_id
            and (r["history_from"] is None or r["history_from"] <= as_of)
            and (r["ended_on"] is None or r["ended_on"] > as_of)
        ]

    def active(p: dict[str, Any]) -> bool:
        gone = p["deactivated_on"]
        return (gone is None and p["active"]) or (gone is not None and gone > as_of)

    population = {
        p["id"]: p
        for p in org.people
        if active(p)
        and (p["start_date"] is None or p["start_date"] <= as_of)
        and managers_of(p["id"])
        and department in (None, p["department"])
        and team in (None, p["team"])
    }
    in_period = [
        s for s in org.sessions if s["employee_id"] in population and start <= s["held_on"] <= as_of
    ]
    groups: dict[tuple[str, str, str], list[int]] = defaultdict(lambda: [0, 0, 0])
    for p in population.values():
        exp = expected(p, start, as_of)
        if exp < 1:
            continue
        held = min(exp, sum(1 for s in in_period if s["employee_id"] == p["id"]))
        keys = [("department", p["department"], p["department"])]
        if p["team"]:
            keys.append(("team", p["department"], p["team"]))
        for key in keys:
            groups[key][0] += 1
            groups[key][1] += exp
            groups[key][2] += held
    completion = [
        {
            "group_type": key[0],
            "department": key[1],
            "name": key[2],
            "people": people,
            "expected": exp,
            "held": held,
            "rate": held / exp,
            "suppressed": False,
        }
        for key, (people, exp, held) in sorted(groups.items())
    ]
    total = len(in_period)
    by_skill = Counter(s["skill_id"] for s in in_period)
    names = org.skills
    focus = sorted(by_skill.items(), key=lambda item: (-item[1], names[item[0]], item[0]))[:5]
    by_type = sorted(
        Counter(s["focus_type"] for s in in_period).items(), key=lambda i: (-i[1], i[0])
    )
    linked = {a["session_id"] for a in org.assignments}
    assigned = [
        a
        for a in org.assignments
        if a["employee_id"] in population and start <= a["assigned_on"] <= as_of
    ]
    done = [a for a in assigned if a["completed_at"] is not None and a["completed_at"] < cutoff]

    def gain(person_id: int) -> int:
        levels = [lv for lv in org.levels if lv["employee_id"] == person_id]
        result = 0
        for skill in {lv["skill_id"] for lv in levels}:
            own = sorted(
                (lv for lv in levels if lv["skill_id"] == skill), key=lambda x: x["assessed_on"]
            )
            before = [lv["level"] for lv in own if lv["assessed_on"] < start]
            now = [lv["level"] for lv in own if lv["assessed_on"] <= as_of]
            if before and now:
                result += max(0, now[-1] - before[-1])
        return result

    movement: dict[str, list[int]] = {"active": [0, 0], "low": [0, 0]}
    for (kind, dept, name), (_, exp, held) in groups.items():
        if kind != "team":
            continue
        label = "active" if held / exp >= 0.75 else "low" if held / exp < 0.40 else None
        if label:
            members = [
                p for p in population.values() if (p["department"], p["team"]) == (dept, name)
            ]
            movement[label][0] += len(members)
            movement[label][1] += sum(gain(p["id"]) for p in members)
    department_sessions = Counter(population[s["employee_id"]]["department"] for s in in_period)
    alerts = []
    for dept, count in sorted(department_sessions.items()):
        size = sum(1 for p in population.values() if p["department"] == dept)
        for skill, n in sorted(
            Counter(
                s["skill_id"]
                for s in in_period
                if population[s["employee_id"]]["department"] == dept
            ).items()
        ):
            if size >= 1 and count >= 10 and 5 * n >= 2 * count:
                has = any(skill in c["skill_ids"].split(";") for c in org.courses)
                alerts.append(
                    {
                        "department": dept,
                        "skill_id": skill,
                        "share": n / count,
                        "sessions": count,
                        "catalogue_has_course": has,
                    }
                )
    managers = {m for pid in population for m in managers_of(pid)}
    completed = {
        c["employee_id"]
        for c in org.completions
        if c["course_id"] == module and c["completed_at"] < cutoff
    } | {
        a["employee_id"]
        for a in org.assignments
        if a["course_id"] == module and a["completed_at"] is not None and a["completed_at"] < cutoff
    }
    return {
        "period": {"from": start.isoformat(), "to": as_of.isoformat()},
        "min_group_size": 1,
        "people": len(population),
        "suppressed": not population,
        "completion": completion,
        "focus_areas": [
            {"skill_id": k, "name": names[k], "sessions": n, "share": n / total} for k, n in focus
        ],
        "focus_types": [{"focus_type": k, "sessions": n, "share": n / total} for k, n in by_type],
        "sessions": total,
        "course_assignment_rate": sum(1 for s in in_period if s["id"] in linked) / total
        if total
        else None,
        "assigned_course_completion_rate": len(done) / len(assigned) if assigned else None,
        "skills_movement": {
            key: {"people": people, "mean_gain": gains / people} if people else None
            for key, (people, gains) in movement.items()
        },
        "theme_alerts": alerts,
        "manager_capability": {
            "managers": len(managers),
            "module_completed_share": (len(managers & completed) / len(managers))
            if module is not None and managers
            else None,
            "flagged_session_share": sum(1 for s in in_period if s["flagged"]) / total
            if total and managers
            else None,
        },
    }
