"""Random organisations and filters on SQLite: the SQL aggregates and the report's
arithmetic agree to the digit with a naive person-by-person implementation of docs/report.md."""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime, timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from adapters.report_render import report_as_dict
from bot.clock import FixedClock
from bot.services.reports import ProgrammeReports, ReportRequest
from storage.db import create_engine
from storage.reports import SqlReportSource
from tests.reports.org import Org
from tests.reports.reference import reference_report
from tests.support.databases import SqliteFactory

AS_OF = date(2026, 6, 30)
MODULE = "module"
SKILLS = {"s1": "Listening", "s2": "Delegation", "s3": "budgeting", "s4": "Coaching"}
FOCUS = ["skill_development", "performance_goals", "role_progression", "development_area"]
DEPARTMENTS = ["Eng", "Ops", "Sales"]
TEAMS = ["", "A", "B"]


def day(offset: int) -> date:
    return AS_OF - timedelta(days=offset)


@st.composite
def organisations(draw: st.DrawFn) -> Org:
    org = Org()
    for key, name in SKILLS.items():
        org.skill(key, name)
    org.course("c1", draw(st.sampled_from(["s1", "s1;s2", "", "s3;s4"])))
    org.course(MODULE)
    for index in range(draw(st.integers(1, 3))):
        org.person(f"m{index}", "Lead")
    size = draw(st.integers(0, 14))
    for index in range(size):
        key = f"p{index}"
        gone = draw(st.sampled_from([None, None, None, day(10), day(-5)]))
        org.person(
            key,
            draw(st.sampled_from(DEPARTMENTS)),
            draw(st.sampled_from(TEAMS)),
            cadence=draw(st.sampled_from([None, "fortnightly", "monthly", "quarterly"])),
            start_date=draw(st.one_of(st.none(), st.integers(-10, 400).map(day))),
            active=gone is None,
            deactivated_on=gone,
        )
        manager = draw(st.sampled_from(["none", "m0", "m1", "ended"]))
        if manager == "ended":
            org.manage("m0", key, since=day(300), until=day(20))
        elif manager != "none" and manager in org.ids:
            org.manage(manager, key, since=day(500))
        for offset in draw(st.sets(st.integers(-3, 200), max_size=8)):
            completed = draw(
                st.sampled_from(
                    [None, datetime(2026, 5, 1, tzinfo=UTC), datetime(2026, 7, 1, tzinfo=UTC)]
                )
            )
            org.session(
                key,
                day(offset),
                draw(st.sampled_from(sorted(SKILLS))),
                draw(st.sampled_from(FOCUS)),
                flagged=draw(st.booleans()),
                courses=(("c1", completed),) if draw(st.booleans()) else (),
            )
        for skill in draw(st.sets(st.sampled_from(sorted(SKILLS)), max_size=2)):
            for offset in draw(st.sets(st.integers(-5, 300), max_size=3)):
                org.level(key, skill, draw(st.integers(0, 4)), day(offset))
    for index in range(draw(st.integers(0, 3))):
        if f"m{index}" in org.ids and draw(st.booleans()):
            org.complete(f"m{index}", MODULE, datetime(2026, 1, 1, tzinfo=UTC))
    return org


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    org=organisations(),
    days=st.sampled_from([30, 90, 180, 365]),
    department=st.sampled_from([None, *DEPARTMENTS]),
    team=st.sampled_from([None, "A", "B"]),
    module=st.sampled_from([None, MODULE]),
)
def test_sql_report_agrees_with_the_naive_reference(
    sqlite_factory: SqliteFactory,
    org: Org,
    days: int,
    department: str | None,
    team: str | None,
    module: str | None,
) -> None:
    async def run() -> dict[str, object]:
        engine = create_engine(sqlite_factory.fresh())
        try:
            await org.save(engine)
            service = ProgrammeReports(
                SqlReportSource(engine),
                FixedClock(datetime(2026, 6, 30, tzinfo=UTC)),
                min_group_size=1,
                manager_module_course=module,
            )
            request = ReportRequest(days, AS_OF, department, team)
            return report_as_dict(await service.report(request))
        finally:
            await engine.dispose()

    actual = asyncio.run(run())
    expected = reference_report(org, AS_OF, days, department, team, module)
    if not expected["people"]:
        assert actual["suppressed"] is True
        return
    assert actual == expected
