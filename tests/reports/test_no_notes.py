"""No report query reads note text, and nothing the report produces contains a note or a
person's name or e-mail."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlalchemy.sql import visitors
from sqlalchemy.sql.elements import ColumnClause
from sqlalchemy.sql.selectable import Alias, Subquery, TableClause

import storage.reports
from adapters.report_render import render_chart, render_csv, render_json, render_table
from bot.clock import FixedClock
from bot.services.reports import ProgrammeReports, ReportRequest
from storage.reports import REPORT_COLUMNS, SqlReportSource, report_statements
from tests.reports.sample import AS_OF, MODULE, sample_org

NOTES = {("coaching_session", "key_points"), ("agreed_action", "text")}


def _queries() -> list[object]:
    service = ProgrammeReports(
        SqlReportSource(None),  # type: ignore[arg-type]
        FixedClock(datetime(2026, 6, 30, tzinfo=UTC)),
        manager_module_course=MODULE,
    )
    queries = []
    for request in [
        ReportRequest(as_of=AS_OF),
        ReportRequest(as_of=AS_OF, period_days=365, department="Eng", team="Core"),
    ]:
        queries.append(service.query_for(request))
    return queries


@pytest.mark.parametrize("dialect", [sqlite.dialect(), postgresql.dialect()])
def test_no_report_query_names_a_notes_column(dialect: object) -> None:
    for query in _queries():
        statements = report_statements(query, dialect.name)  # type: ignore[arg-type, attr-defined]
        for name, statement in statements.items():
            sql = str(statement.compile(dialect=dialect)).lower()  # type: ignore[arg-type]
            assert "key_points" not in sql, name
            assert "agreed_action" not in sql, name
            used = {
                (_table(element).name, element.name)  # type: ignore[union-attr]
                for element in visitors.iterate(statement)
                if isinstance(element, ColumnClause) and _table(element) is not None
            }
            assert used, name
            assert not used & NOTES, name
            for table, column in used:
                # the population table is filled from allowed person columns only
                assert table == "report_population" or column in REPORT_COLUMNS[table], name


def _table(element: ColumnClause[object]) -> TableClause | None:
    """The table a column belongs to, through aliases; None for subqueries' columns."""
    table = element.table
    while isinstance(table, Alias) and not isinstance(table, Subquery):
        table = table.element  # type: ignore[assignment]
    return table if isinstance(table, TableClause) else None


def test_the_allow_list_refuses_a_notes_column(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(REPORT_COLUMNS, "coaching_session", ("id", "key_points"))
    with pytest.raises(RuntimeError, match="notes column"):
        storage.reports._readable("coaching_session")


async def test_nothing_the_report_produces_contains_notes_or_names(engine: AsyncEngine) -> None:
    org = sample_org()
    await org.save(engine)
    service = ProgrammeReports(
        SqlReportSource(engine),
        FixedClock(datetime(2026, 6, 30, tzinfo=UTC)),
        min_group_size=3,
        manager_module_course=MODULE,
    )
    outputs: list[bytes] = []
    for request in [
        ReportRequest(as_of=AS_OF),
        ReportRequest(as_of=AS_OF, period_days=365),
        ReportRequest(as_of=AS_OF, department="Eng"),
        ReportRequest(as_of=AS_OF, team="Field"),
    ]:
        report = await service.report(request)
        outputs += [
            render_json(report).encode(),
            render_csv(report).encode(),
            render_table(report).encode(),
            render_chart(report),
        ]
    planted = ["NOTE-SECRET", "ACTION-SECRET", "REASON-SECRET", "@example.org"]
    planted += [person["name"] for person in org.people]
    assert org.sessions and org.actions
    for output in outputs:
        for secret in planted:
            assert secret.encode() not in output
