"""The programme chart as SVG drawn on the server (the page needs no script and no image
request): completion by department and the top focus areas, from the same series and footnote
as the PNG of `coachbot report --chart` (`adapters/report_render.py`). Released rows only."""

from __future__ import annotations

from html import escape

from markupsafe import Markup

from adapters.report_render import chart_note, chart_series
from bot.services.reports import ProgrammeReport

WIDTH = 760
ROW = 26
LABEL = 190
BAR = 230
PANEL = LABEL + BAR + 60
BLUE = "#1f5f8b"
ORANGE = "#a8501c"  # both at least 4.5:1 against white, for the figures written beside them


def _panel(
    x: int, title: str, series: list[tuple[str, float]], *, unit: str, top: float, colour: str
) -> list[str]:
    parts = [f'<text x="{x}" y="20" font-weight="bold">{escape(title)}</text>']
    if not series:
        parts.append(f'<text x="{x}" y="48" fill="#4a5560">nothing to show</text>')
        return parts
    for index, (name, value) in enumerate(series):
        y = 36 + index * ROW
        width = 0 if top <= 0 else round(BAR * value / top)
        label = name if len(name) <= 26 else name[:25] + "…"
        figure = f"{value:.0f}%" if unit == "%" else f"{value:g}"
        parts += [
            f'<text x="{x}" y="{y + 15}">{escape(label)}</text>',
            f'<rect x="{x + LABEL}" y="{y + 3}" width="{width}" height="16" fill="{colour}"/>',
            f'<text x="{x + LABEL + width + 6}" y="{y + 15}">{escape(figure)}</text>',
        ]
    return parts


def chart_svg(report: ProgrammeReport) -> Markup:
    """The chart, with a title and description for screen readers (the tables on the page
    hold the same figures)."""
    departments, focus = chart_series(report)
    rows = max(len(departments), len(focus), 1)
    note = chart_note(report)
    height = 36 + rows * ROW + (34 if note else 14)
    description = "; ".join(
        [f"{name}: {value:.0f}% of expected sessions held" for name, value in departments]
        + [f"{name}: {count} sessions" for name, count in focus]
    )
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" '
        f'aria-labelledby="chart-title chart-desc" viewBox="0 0 {WIDTH + 200} {height}" '
        f'width="{WIDTH + 200}" height="{height}" font-family="system-ui, sans-serif" '
        'font-size="13" fill="#1b1f24">',
        '<title id="chart-title">Session completion by department and top focus areas</title>',
        f'<desc id="chart-desc">{escape(description or "Nothing to show")}</desc>',
        *_panel(
            0,
            "Session completion by department",
            departments,
            unit="%",
            top=100,
            colour=BLUE,
        ),
        *_panel(
            PANEL,
            "Top focus areas (sessions)",
            [(name, float(count)) for name, count in focus],
            unit="",
            top=max((count for _, count in focus), default=0),
            colour=ORANGE,
        ),
    ]
    if note:
        parts.append(f'<text x="0" y="{height - 10}" fill="#4a5560">{escape(note)}</text>')
    parts.append("</svg>")
    return Markup("\n".join(parts))
