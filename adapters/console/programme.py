"""The Programme page: the programme report of `/coaching-report` and `coachbot report` (the same
service, the same renderers) with its filters, the chart as SVG, and the CSV and JSON downloads
of `coachbot report --format csv|json`. Aggregates only: no note, no name."""

from __future__ import annotations

from aiohttp import web

from adapters.console.chart import chart_svg
from adapters.console.web import application, render
from adapters.report_render import (
    counted_sessions,
    department_name,
    focus_type_name,
    render_csv,
    render_json,
    sessions_phrase,
    why_hidden,
)
from bot.errors import FieldError
from bot.report_command import report_request
from bot.report_privacy import HiddenBecause
from bot.services.reports import DEFAULT_PERIOD_DAYS, PERIOD_DAYS, ProgrammeReport, ReportRequest

FILTERS = ("period", "department", "team", "as_of")


def register(console: web.Application) -> None:
    console.router.add_get("/programme", programme_page, name="programme")
    console.router.add_get("/programme.csv", programme_csv, name="programme_csv")
    console.router.add_get("/programme.json", programme_json, name="programme_json")


async def _report(request: web.Request) -> ProgrammeReport | FieldError:
    """The report the page's filters ask for (query parameters), or what is wrong with them."""
    query = request.query
    asked = report_request(
        query.get("period") or f"{DEFAULT_PERIOD_DAYS}d",
        query.get("as_of") or None,
        query.get("department") or None,
        query.get("team") or None,
    )
    reports = application(request).reports
    if isinstance(asked, ReportRequest):
        asked = await reports.scoped(asked)
    if isinstance(asked, FieldError):
        return asked
    return await reports.report(asked)


def _percent(value: float | None) -> str:
    return "–" if value is None else f"{100 * value:.1f}%"


def _cell(value: int | None) -> str:
    return "–" if value is None else str(value)


async def programme_page(request: web.Request) -> web.StreamResponse:
    report = await _report(request)
    structure = await application(request).reports.org_structure()
    chosen = {name: request.query.get(name, "") for name in FILTERS}
    context = {
        "chosen": chosen,
        "periods": [f"{days}d" for days in PERIOD_DAYS],
        "default_period": f"{DEFAULT_PERIOD_DAYS}d",
        # a blank name cannot be chosen on its own: it would read as "all"
        "departments": sorted(name for name in structure.teams if name),
        "teams": sorted(name for name in structure.teams_in(None) if name),
        "download_query": request.query_string,
        "percent": _percent,
        "cell": _cell,
        "department_name": department_name,
        "focus_type_name": focus_type_name,
        "sessions_phrase": sessions_phrase,
    }
    if isinstance(report, FieldError):
        return render(
            request, "programme.html", {**context, "report": None, "problem": report}, status=400
        )
    counted, expected = counted_sessions(report)
    hidden = {
        index: why_hidden(row, report.min_group_size)
        for index, row in enumerate(report.completion)
        if row.suppressed
    }
    too_few = {
        index
        for index, row in enumerate(report.completion)
        if row.hidden_because is HiddenBecause.TOO_FEW_PEOPLE
    }
    return render(
        request,
        "programme.html",
        {
            **context,
            "report": report,
            "problem": None,
            "chart": None if report.suppressed else chart_svg(report),
            "counted": counted,
            "expected": expected,
            "hidden": hidden,
            "too_few": too_few,
        },
    )


async def _download(request: web.Request, suffix: str) -> web.StreamResponse:
    report = await _report(request)
    if isinstance(report, FieldError):
        return web.Response(status=400, text=f"{report.field}: {report.message}\n")
    stem = f"coaching-report-{report.period.start}-{report.period.end}"
    renderer, kind = (
        (render_csv, "text/csv") if suffix == "csv" else (render_json, "application/json")
    )
    body = renderer(report).rstrip("\n") + "\n"  # as `coachbot report --format` prints it
    return web.Response(
        text=body,
        content_type=kind,
        charset="utf-8",
        headers={"Content-Disposition": f'attachment; filename="{stem}.{suffix}"'},
    )


async def programme_csv(request: web.Request) -> web.StreamResponse:
    return await _download(request, "csv")


async def programme_json(request: web.Request) -> web.StreamResponse:
    return await _download(request, "json")
