"""What an import changes, decided from plain data (`bot/import_plan.py`): no database."""

from __future__ import annotations

from dataclasses import asdict
from datetime import date
from typing import Any, cast

from bot.import_plan import (
    PeopleSnapshot,
    PersonEntry,
    SessionEntry,
    SessionSnapshot,
    SkillLevelEntry,
    StoredPerson,
    Superseded,
    plan_catalogue,
    plan_people,
    plan_sessions,
    plan_skill_levels,
)
from bot.imported_log import ImportedAction
from bot.model import Skill

TODAY = date(2026, 12, 1)


def entry(email: str, name: str = "", **changes: Any) -> PersonEntry:
    values: dict[str, Any] = {
        "email": email,
        "name": name or email.split("@")[0].title(),
        "department": "Sales",
        "team": "North",
        "cadence": None,
        "roles": "",
        "start_date": None,
        "slack_user_id": None,
        "teams_user_id": None,
        "timezone": None,
        "country": None,
    }
    return cast(PersonEntry, values | changes)


def stored(person_id: int, person: PersonEntry, *, active: bool = True) -> StoredPerson:
    return StoredPerson(person_id, active, dict(person))


def directory(*people: PersonEntry) -> dict[str, StoredPerson]:
    """The people as stored, with ids 1, 2, 3 ... in this order."""
    return {p["email"]: stored(number, p) for number, p in enumerate(people, start=1)}


def test_people_missing_from_the_file_are_deactivated_and_their_relationships_end() -> None:
    maya, ed, zoe = entry("maya@x.org"), entry("ed@x.org"), entry("zoe@x.org")
    snapshot = PeopleSnapshot(
        people={
            "maya@x.org": stored(1, maya),
            "ed@x.org": stored(2, ed),
            "zoe@x.org": stored(3, zoe),
        },
        current={(1, 2): 10, (1, 3): 11},
        managed=frozenset({2, 3}),
    )

    plan = plan_people(snapshot, [maya, ed], {"ed@x.org": "maya@x.org"}, TODAY)

    assert plan.deactivate == [3]
    assert plan.end == [11]
    assert plan.start == []
    assert (plan.counts.added, plan.counts.updated, plan.counts.unchanged) == (0, 0, 2)
    assert plan.counts.deactivated == 1
    assert plan.counts.details == {"relationships started": 0, "relationships ended": 1}


def test_a_new_manager_ends_the_old_relationship_and_starts_one_from_today() -> None:
    maya, ed, sam = entry("maya@x.org"), entry("ed@x.org"), entry("sam@x.org")
    snapshot = PeopleSnapshot(
        people={
            "maya@x.org": stored(1, maya),
            "ed@x.org": stored(2, ed),
            "sam@x.org": stored(4, sam),
        },
        current={(1, 2): 10},
        managed=frozenset({2}),
    )

    plan = plan_people(snapshot, [maya, ed, sam], {"ed@x.org": "sam@x.org"}, TODAY)

    assert plan.end == [10]
    assert plan.start == [("sam@x.org", "ed@x.org")]
    assert plan.whole_past == set()  # Ed had a manager: the new one's history starts today


def test_a_first_manager_covers_the_whole_past_and_a_new_person_is_added() -> None:
    maya, new = entry("maya@x.org"), entry("new@x.org")
    snapshot = PeopleSnapshot(people={"maya@x.org": stored(1, maya)}, current={})

    plan = plan_people(snapshot, [maya, new], {"new@x.org": "maya@x.org"}, TODAY)

    assert plan.inserts == [new]
    assert plan.start == [("maya@x.org", "new@x.org")]
    assert plan.whole_past == {"new@x.org"}
    assert plan.counts.added == 1


def test_a_changed_or_returning_person_is_updated_keeping_what_chat_taught() -> None:
    learned = entry("ed@x.org", slack_user_id="U123", timezone="Europe/Paris")
    back = entry("zoe@x.org")
    snapshot = PeopleSnapshot(
        people={"ed@x.org": stored(2, learned), "zoe@x.org": stored(3, back, active=False)},
        current={},
    )

    plan = plan_people(snapshot, [entry("ed@x.org", team="South"), back], {}, TODAY)

    [(ed_id, ed), (zoe_id, _)] = plan.updates
    assert (ed_id, ed["team"], ed["slack_user_id"], ed["timezone"]) == (
        2,
        "South",
        "U123",
        "Europe/Paris",
    )
    assert zoe_id == 3
    assert plan.counts.updated == 2


def test_catalogue_rows_are_added_updated_or_unchanged_and_none_removed() -> None:
    stored_skills = {
        skill.skill_id: asdict(skill)
        for skill in (Skill("S1", "Listening"), Skill("S2", "Feedback"), Skill("S9", "Kept"))
    }
    skills = [Skill("S1", "Listening"), Skill("S2", "Giving feedback"), Skill("S3", "Delegation")]

    plan = plan_catalogue(stored_skills, skills)

    assert [row["skill_id"] for row in plan.inserts] == ["S3"]
    assert [row["skill_id"] for row in plan.updates] == ["S2"]
    assert (plan.counts.added, plan.counts.updated, plan.counts.unchanged) == (1, 1, 1)


def test_a_skill_level_on_a_stored_date_replaces_it_and_the_same_level_changes_nothing() -> None:
    stored_levels = {
        (2, "S1", date(2026, 1, 5)): (70, 2, "chat"),
        (2, "S2", date(2026, 1, 5)): (71, 3, "chat"),
    }
    entries = [
        SkillLevelEntry("ed@x.org", "S1", 3, date(2026, 1, 5)),
        SkillLevelEntry("ed@x.org", "S2", 3, date(2026, 1, 5)),
        SkillLevelEntry("ed@x.org", "S1", 4, date(2026, 6, 1)),
    ]

    plan = plan_skill_levels(stored_levels, {"ed@x.org": 2}, entries)

    assert plan.updates == [(70, 3)]
    assert [(row["skill_id"], row["level"]) for row in plan.inserts] == [("S1", 4)]
    assert (plan.counts.added, plan.counts.updated, plan.counts.unchanged) == (1, 1, 1)


def session(held_on: date, *actions: str, courses: tuple[str, ...] = ()) -> SessionEntry:
    return SessionEntry(
        manager_id=1,
        employee_id=2,
        held_on=held_on,
        duration_minutes=30,
        focus_type="skill_development",
        skill_id="S1",
        key_points=("a", "b", "c"),
        flagged=False,
        actions=tuple(ImportedAction(text) for text in actions),
        course_ids=courses,
    )


def sessions_snapshot(stored: list[SessionEntry], open_courses: set[str]) -> SessionSnapshot:
    return SessionSnapshot(
        people={"maya@x.org": 1, "ed@x.org": 2},
        relationships={(1, 2): [None]},
        skills={"S1": "Listening"},
        courses=frozenset({"C1", "C2"}),
        sessions={entry.key: entry.content for entry in stored},
        open_assignments=frozenset((2, course) for course in open_courses),
    )


def test_a_stored_session_is_unchanged_and_a_later_one_supersedes_its_open_actions() -> None:
    first = session(date(2026, 1, 5), "Read the book")
    later = session(date(2026, 2, 5), "Practise", courses=("C1", "C2"))

    plan = plan_sessions(
        sessions_snapshot([first], open_courses={"C1"}), [first, later], {first.key: [70]}
    )

    assert plan.sessions == [later]
    assert plan.counts.unchanged == 1
    assert plan.assignments == [(0, "C2")]  # C1 is open for Ed already
    reason = "superseded by the session of 2026-02-05"
    assert plan.superseded == [Superseded(70, date(2026, 2, 5), reason)]
    assert [row["status"] for _, row in plan.actions] == ["open"]
