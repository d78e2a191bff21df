"""`coachbot report`: the programme report of `/coaching-report` as a table, CSV or JSON,
with an optional chart PNG."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from adapters.assemble import opened_application
from adapters.config import Settings
from adapters.report_render import render_chart, render_csv, render_json, render_table
from bot.errors import FieldError
from bot.report_command import report_request
from bot.services.reports import ReportRequest

RENDERERS = {"table": render_table, "csv": render_csv, "json": render_json}


def register(commands: Any) -> None:
    parser = commands.add_parser(
        "report",
        help="the programme report for L&D (aggregates only)",
        description="The programme report: completion, focus areas, courses, skills movement, "
        "theme alerts and manager capability. Small groups are suppressed.",
    )
    parser.add_argument("--department", help="only this department")
    parser.add_argument("--team", help="only teams of this name (in every department)")
    parser.add_argument("--period", default="90d", help="30d, 90d (default), 180d or 365d")
    parser.add_argument("--as-of", dest="as_of", help="last day, YYYY-MM-DD (default today)")
    parser.add_argument("--format", choices=sorted(RENDERERS), default="table")
    parser.add_argument("--chart", type=Path, metavar="FILE.png", help="also draw a chart")
    parser.set_defaults(handler=run_report)


def _request(args: argparse.Namespace) -> ReportRequest | str:
    request = report_request(args.period, args.as_of, args.department, args.team)
    if isinstance(request, FieldError):
        return f"--{request.field}: {request.message}"
    return request


async def run_report(settings: Settings, args: argparse.Namespace) -> int:
    request = _request(args)
    if isinstance(request, str):
        print(f"coachbot report: {request}", file=sys.stderr)
        return 2
    async with opened_application(settings) as application:
        scoped = await application.reports.scoped(request)
        if isinstance(scoped, FieldError):
            print(f"coachbot report: {scoped.message}", file=sys.stderr)
            return 1
        report = await application.reports.report(scoped)
    sys.stdout.write(RENDERERS[args.format](report).rstrip("\n") + "\n")
    if args.chart is not None:
        try:
            args.chart.write_bytes(render_chart(report))
        except OSError as exc:
            print(
                f"coachbot report: --chart: cannot write {args.chart}: {exc.strerror}",
                file=sys.stderr,
            )
            return 1
        # on stderr, so that the figures on stdout can still be piped or redirected as they are
        print(f"coachbot report: wrote the chart to {args.chart}", file=sys.stderr)
    return 0
