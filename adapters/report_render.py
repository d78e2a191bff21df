"""The programme report rendered for people and machines: the JSON object and the CSV of
`docs/report.md`, a plain-text table, and the chart (completion by department, top focus areas)
as a PNG. Suppressed rows are never drawn; nothing here can name a person."""

from __future__ import annotations

import io
import json
from typing import Any

from adapters.spreadsheet_csv import csv_text
from bot.model import FocusType
from bot.report_privacy import CompletionRow, HiddenBecause
from bot.services.reports import MovementGroup, ProgrammeReport

CSV_COLUMNS = (
    "group_type",
    "department",
    "name",
    "people",
    "expected",
    "held",
    "rate",
    "suppressed",
)


def report_as_dict(report: ProgrammeReport) -> dict[str, Any]:
    """The object `coachbot report --format json` prints; floats unrounded."""
    capability = report.manager_capability
    return {
        "period": {"from": report.period.start.isoformat(), "to": report.period.end.isoformat()},
        "min_group_size": report.min_group_size,
        "people": report.people,
        "suppressed": report.suppressed,
        "completion": [_completion(row) for row in report.completion],
        "focus_areas": [
            {"skill_id": a.skill_id, "name": a.name, "sessions": a.sessions, "share": a.share}
            for a in report.focus_areas
        ],
        "focus_types": [
            {"focus_type": t.focus_type, "sessions": t.sessions, "share": t.share}
            for t in report.focus_types
        ],
        "sessions": report.sessions,
        "course_assignment_rate": report.course_assignment_rate,
        "assigned_course_completion_rate": report.assigned_course_completion_rate,
        "skills_movement": {
            "active": _movement(report.skills_movement_active),
            "low": _movement(report.skills_movement_low),
        },
        "theme_alerts": [
            {
                "department": alert.department,
                "skill_id": alert.skill_id,
                "share": alert.share,
                "sessions": alert.sessions,
                "catalogue_has_course": alert.catalogue_has_course,
            }
            for alert in report.theme_alerts
        ],
        "manager_capability": {
            "managers": capability.managers,
            "module_completed_share": capability.module_completed_share,
            "flagged_session_share": capability.flagged_session_share,
        },
    }


def _completion(row: CompletionRow) -> dict[str, Any]:
    return {
        "group_type": row.group_type,
        "department": row.department,
        "name": row.name,
        "people": row.people,
        "expected": row.expected,
        "held": row.held,
        "rate": row.rate,
        "suppressed": row.suppressed,
    }


def _movement(group: MovementGroup | None) -> dict[str, Any] | None:
    return None if group is None else {"people": group.people, "mean_gain": group.mean_gain}


def render_json(report: ProgrammeReport) -> str:
    return json.dumps(report_as_dict(report), ensure_ascii=False)


def render_csv(report: ProgrammeReport) -> str:
    """The completion rows: null as an empty field, booleans as true/false, rates unrounded;
    department and team names that read as formulas are neutralised (`spreadsheet_csv`)."""
    rows = [_completion(row) for row in report.completion]
    return csv_text(CSV_COLUMNS, ([row[name] for name in CSV_COLUMNS] for row in rows))


def _percent(value: float | None) -> str:
    return "-" if value is None else f"{100 * value:.1f}%"


def _number(value: float | int | None) -> str:
    if value is None:
        return "-"
    return f"{value:.2f}" if isinstance(value, float) else str(value)


def focus_type_name(focus_type: str) -> str:
    """A focus type as people say it (`Skill development`); an unknown code as it is."""
    try:
        return FocusType(focus_type).label
    except ValueError:
        return focus_type


def sessions_phrase(count: int | None) -> str:
    """`1 session`, `3 sessions`."""
    return "1 session" if count == 1 else f"{count or 0} sessions"


def department_name(name: str) -> str:
    return name or "(no department)"


def why_hidden(row: CompletionRow, min_group_size: int) -> str:
    """The short line under a row the report cannot show, saying why."""
    if row.hidden_because is HiddenBecause.PROTECTS_ANOTHER:
        return "Not shown, so that a smaller group's figures cannot be worked out from the totals."
    if row.hidden_because is HiddenBecause.DEPARTMENT_HIDDEN:
        return "Not shown, because its department's figures are not shown."
    return f"Not shown: fewer than {min_group_size} people."


def counted_sessions(report: ProgrammeReport) -> tuple[int, int]:
    """Sessions counted towards completion and sessions expected, over the departments shown."""
    shown = [r for r in report.completion if r.group_type == "department" and not r.suppressed]
    return sum(r.held or 0 for r in shown), sum(r.expected or 0 for r in shown)


def render_table(report: ProgrammeReport) -> str:
    """A plain-text summary for a terminal or a chat message (rates rounded), in L&D's words:
    names, not codes."""
    lines = [f"Programme report {report.period.start} to {report.period.end}{_scope(report)}"]
    if report.suppressed:
        lines.append(
            f"No figures: fewer than {report.min_group_size} people are in scope, so any figure "
            "would describe individuals."
        )
        return "\n".join(lines) + "\n"
    lines.append(f"People in the programme: {report.people}   Sessions held: {report.sessions}")
    lines.append("")
    lines.append("Session completion")
    lines.append(
        "  Counted: sessions held that count towards completion (each person's, up to the "
        "number expected of them)."
    )
    table: list[tuple[str, ...]] = [
        ("department", "team", "people", "expected", "counted", "completion")
    ]
    notes: dict[int, str] = {}
    for row in report.completion:
        if row.suppressed:
            notes[len(table)] = "    " + why_hidden(row, report.min_group_size)
        table.append(
            (
                department_name(row.department),
                row.name if row.group_type == "team" else "",
                _number(row.people),
                _number(row.expected),
                _number(row.held),
                "not shown" if row.suppressed else _percent(row.rate),
            )
        )
    for index, line in enumerate(_columns(table)):
        lines.append(line)
        if index in notes:
            lines.append(notes[index])
    lines.append("")
    lines.append("Top focus areas (skills)")
    for area in report.focus_areas:
        lines.append(f"  {area.name}: {sessions_phrase(area.sessions)} ({_percent(area.share)})")
    lines.append("Focus types")
    for kind in report.focus_types:
        lines.append(
            f"  {focus_type_name(kind.focus_type)}: {sessions_phrase(kind.sessions)} "
            f"({_percent(kind.share)})"
        )
    lines.append("")
    lines.append(f"Sessions with a course assigned: {_percent(report.course_assignment_rate)}")
    lines.append(f"Assigned courses completed: {_percent(report.assigned_course_completion_rate)}")
    lines.append("Skills movement (mean gain per person)")
    for label, group in (
        ("actively coached teams", report.skills_movement_active),
        ("low-engagement teams", report.skills_movement_low),
    ):
        shown = (
            f"no figure: fewer than {report.min_group_size} people in such teams"
            if group is None
            else (f"{group.mean_gain:.2f} over {group.people} people")
        )
        lines.append(f"  {label}: {shown}")
    lines.append("Theme alerts")
    if not report.theme_alerts:
        lines.append("  none")
    for alert in report.theme_alerts:
        course = "a course is mapped" if alert.catalogue_has_course else "no course mapped"
        lines.append(
            f"  {department_name(alert.department)}: {alert.name or alert.skill_id} is the "
            f"focus of {_percent(alert.share)} of {alert.sessions} sessions ({course})"
        )
    lines.append(_capability_line(report))
    return "\n".join(lines) + "\n"


def _capability_line(report: ProgrammeReport) -> str:
    capability = report.manager_capability
    managers = capability.managers
    if managers is None or managers < report.min_group_size:
        return f"Managers: no figures, fewer than {report.min_group_size} managers"
    module = (
        "not tracked"
        if capability.module_completed_share is None
        else _percent(capability.module_completed_share)
    )
    return (
        f"Managers: {managers}   coaching-skills module completed: {module}   "
        f"sessions with appraisal wording: {_percent(capability.flagged_session_share)}"
    )


def _scope(report: ProgrammeReport) -> str:
    parts = []
    if report.scope.department:
        parts.append(f"department {report.scope.department}")
    if report.scope.team:
        parts.append(f"team {report.scope.team}")
    return f" ({', '.join(parts)})" if parts else ""


def _columns(rows: list[tuple[str, ...]]) -> list[str]:
    widths = [max(len(row[index]) for row in rows) for index in range(len(rows[0]))]
    return [
        "  "
        + "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip()
        for row in rows
    ]


def chart_series(
    report: ProgrammeReport,
) -> tuple[list[tuple[str, float]], list[tuple[str, int]]]:
    """What the chart draws: (department, completion %) for released department rows only,
    and (skill name, sessions) for the top focus areas."""
    departments = [
        (department_name(row.name), 100 * row.rate)
        for row in report.completion
        if row.group_type == "department" and not row.suppressed and row.rate is not None
    ]
    focus = [(area.name, area.sessions) for area in report.focus_areas]
    return departments, focus


def chart_note(report: ProgrammeReport) -> str:
    """The chart's footnote: how many departments it leaves out and why, if any."""
    hidden = [r for r in report.completion if r.group_type == "department" and r.suppressed]
    if not hidden:
        return ""
    small = sum(1 for r in hidden if r.hidden_because is HiddenBecause.TOO_FEW_PEOPLE)
    reasons = []
    if small:
        reasons.append(f"{small} with fewer than {report.min_group_size} people")
    if len(hidden) > small:
        reasons.append(
            f"{len(hidden) - small} so that a smaller one's figures cannot be worked out"
        )
    noun = "department" if len(hidden) == 1 else "departments"
    return f"{len(hidden)} {noun} not shown: {'; '.join(reasons)}."


def render_chart(report: ProgrammeReport) -> bytes:
    """A PNG: completion rate by department (released rows only) and the top focus areas."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import pyplot

    departments, focus = chart_series(report)
    figure, (left, right) = pyplot.subplots(1, 2, figsize=(11, 4.5))
    try:
        title = f"Coaching programme {report.period.start} to {report.period.end}"
        figure.suptitle(title + _scope(report))
        left.set_title("Session completion by department")
        right.set_title("Top focus areas")
        for axes, series, label, colour in (
            (
                left,
                departments,
                "% of expected sessions held (counted towards completion)",
                "#2a7ab0",
            ),
            (right, focus, "sessions", "#e07b39"),
        ):
            if not series:
                axes.text(0.5, 0.5, "nothing to show", ha="center", va="center")
                axes.set_axis_off()
                continue
            axes.barh([name for name, _ in series], [value for _, value in series], color=colour)
            axes.set_xlabel(label)
            axes.invert_yaxis()
        if departments:
            left.set_xlim(0, 100)
        note = chart_note(report)
        figure.tight_layout(rect=(0, 0.06, 1, 1) if note else None)
        if note:
            figure.text(0.01, 0.01, note, fontsize=9, color="#555555")
        buffer = io.BytesIO()
        figure.savefig(buffer, format="png", dpi=100, metadata={"Software": None})
        return buffer.getvalue()
    finally:
        pyplot.close(figure)
