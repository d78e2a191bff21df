"""One hand-built organisation whose report figures are worked out by hand in the tests.

As of 2026-06-30, the 90-day period runs from 2026-04-02 to 2026-06-30 (90 days).

| person | dept/team | cadence, start | expected | sessions in period | held |
| --- | --- | --- | --- | --- | --- |
| a | Eng/Core | monthly | 90//30 = 3 | 4 (+1 the day before) | 3 (capped) |
| b | Eng/Core | fortnightly | 90//14 = 6 | 2 | 2 |
| c | Eng/Core | quarterly | 90//91 = 0 (in no row) | 1 | - |
| d | Eng/Core | monthly, started 05-01 | 61//30 = 2 | 1 | 1 |
| e | Eng/Apps | blank, started 03-01 | 58//14 + 32//30 = 5 | 5 | 5 |
| f | Eng/Apps | blank, no start | 90//30 = 3 | 2 | 2 |
| g | Eng/Apps | blank, started 06-20 | 11//14 = 0 (in no row) | 0 | - |
| h | Eng/(none) | monthly | 3 | 2 | 2 |
| i | Ops/Field | monthly | 3 | 3 | 3 |
| j | Ops/Field | monthly | 3 | 0 | 0 |
| k | Ops/Field | monthly, deactivated 07-10 | 3 | 0 | 0 |
| s | Sales/Core | quarterly | 0 (in no row) | 0 | - |

e's day 90 of employment is 05-30: fortnightly 04-02..05-29 (58 days), monthly 05-30..06-30
(32 days). Not in the population: x1 (deactivated 06-01), x2 (starts 07-15), x3 (no manager),
x4 (relationship ended 06-15), and the managers m1..m5 (nobody manages them).
"""

from __future__ import annotations

from datetime import UTC, date, datetime

from tests.reports.org import Org

AS_OF = date(2026, 6, 30)
MODULE = "coach-101"

SD, PG, RP = "skill_development", "performance_goals", "role_progression"


def d(month: int, day: int) -> date:
    return date(2026, month, day)


def at(month: int, day: int, hour: int = 12, minute: int = 0) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=UTC)


def sample_org() -> Org:
    org = Org()
    for key, name in [
        ("sk-l", "Listening"),
        ("sk-d", "Delegation"),
        ("sk-c", "Coaching"),
        ("sk-f", "Feedback"),
        ("sk-p", "Planning"),
        ("sk-a", "budgeting"),  # lower case sorts after every capital (code point order)
    ]:
        org.skill(key, name)
    org.course("X", "sk-x;sk-l")
    org.course("Y", "sk-d")
    org.course(MODULE, "")
    for manager in ["m1", "m2", "m3", "m4", "m5"]:
        org.person(manager, "Lead")
    org.person("a", "Eng", "Core", manager="m1")
    org.person("b", "Eng", "Core", cadence="fortnightly")
    org.manage("m5", "b", since=date(2020, 1, 1), until=d(5, 1))
    org.manage("m1", "b", since=d(5, 1))
    org.person("c", "Eng", "Core", cadence="quarterly", manager="m1")
    org.person("d", "Eng", "Core", start_date=d(5, 1), manager="m1", manager_since=d(5, 1))
    org.person("e", "Eng", "Apps", cadence=None, start_date=d(3, 1), manager="m1")
    org.person("f", "Eng", "Apps", cadence=None, manager="m1")
    org.person("g", "Eng", "Apps", cadence=None, start_date=d(6, 20), manager="m1")
    org.person("h", "Eng", "", manager="m1")
    org.person("i", "Ops", "Field", manager="m2")
    org.person("j", "Ops", "Field", manager="m2")
    org.person("k", "Ops", "Field", manager="m2", active=False, deactivated_on=d(7, 10))
    org.person("s", "Sales", "Core", cadence="quarterly", manager="m2")
    org.person("x1", "Ops", "Field", manager="m3", active=False, deactivated_on=d(6, 1))
    org.person("x2", "Eng", "Core", start_date=d(7, 15), manager="m1")
    org.person("x3", "Eng", "Core")
    org.person("x4", "Ops", "Field")
    org.manage("m4", "x4", since=date(2020, 1, 1), until=d(6, 15))

    # 20 sessions in the period: Listening 8 (all in Eng), Delegation 4, four skills with 2.
    org.session("a", d(4, 1), "sk-d", SD, courses=(("Y", at(4, 20)),))  # the day before
    org.session("a", d(4, 2), "sk-l", SD, courses=(("X", at(6, 30, 23, 59)),))
    org.session("a", d(4, 20), "sk-l", SD)
    org.session("a", d(5, 15), "sk-l", SD, flagged=True)
    org.session("a", d(6, 30), "sk-l", PG)
    org.session("b", d(4, 10), "sk-l", SD, manager="m5")
    org.session("b", d(5, 10), "sk-d", SD)
    org.session("c", d(5, 5), "sk-d", PG)
    org.session("d", d(6, 1), "sk-l", RP)
    org.session("e", d(4, 5), "sk-l", SD, courses=(("X", at(5, 1)), ("Y", at(7, 1, 0, 0))))
    org.session("e", d(4, 25), "sk-l", SD)
    org.session("e", d(5, 20), "sk-c", PG, flagged=True)
    org.session("e", d(6, 5), "sk-f", RP)
    org.session("e", d(6, 20), "sk-p", RP)
    org.session("f", d(5, 2), "sk-c", SD)
    org.session("f", d(6, 2), "sk-a", PG)
    org.session("h", d(5, 12), "sk-f", SD, flagged=True, courses=(("Y", None),))
    org.session("h", d(6, 12), "sk-p", RP)
    org.session("i", d(4, 15), "sk-d", SD, courses=(("X", None),))
    org.session("i", d(5, 15), "sk-d", PG)
    org.session("i", d(6, 15), "sk-a", RP)
    org.session("i", d(7, 1), "sk-l", SD)  # after the period
    # Outside the population: none of these count.
    for person in ["x1", "x2", "x3", "x4"]:
        for month in (4, 5, 6):
            org.session(person, d(month, 3), "sk-d", SD, flagged=True, courses=(("Y", at(6, 1)),))

    # Skill levels. Actively coached: Eng/Apps (7/8); low engagement: Ops/Field (3/9).
    org.level("e", "sk-l", 1, d(1, 10))
    org.level("e", "sk-l", 3, d(5, 20))  # +2
    org.level("e", "sk-d", 2, d(1, 10))
    org.level("e", "sk-d", 1, d(5, 20))  # a fall counts 0
    org.level("f", "sk-l", 2, d(5, 1))  # nothing before: 0
    org.level("f", "sk-f", 1, d(2, 1))
    org.level("f", "sk-f", 2, d(3, 1))  # both before the period: 0
    org.level("f", "sk-p", 0, d(3, 1))
    org.level("f", "sk-p", 2, d(4, 10))
    org.level("f", "sk-p", 3, d(7, 5))  # after the period: +2 from the 04-10 level
    org.level("g", "sk-c", 1, d(4, 1))
    org.level("g", "sk-c", 2, d(4, 2))  # +1
    org.level("i", "sk-l", 0, date(2025, 12, 1))
    org.level("i", "sk-l", 4, d(6, 30))  # +4
    org.level("k", "sk-d", 3, d(3, 31))
    org.level("a", "sk-l", 0, d(1, 1))
    org.level("a", "sk-l", 4, d(6, 1))  # Eng/Core is neither active nor low
    org.level("x1", "sk-l", 0, d(1, 1))
    org.level("x1", "sk-l", 4, d(6, 1))  # not in the population

    # The coaching-skills module: m1 completed it, m2 has it open, m3 manages nobody counted.
    org.complete("m1", MODULE, at(5, 5))
    org.assign("m2", MODULE, d(5, 1))
    org.complete("m3", MODULE, at(5, 5))
    return org
