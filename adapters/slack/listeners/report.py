"""`/coaching-report` for L&D admins: acked at once; then an ephemeral summary where it was typed,
and in a DM the full figures, the chart and the CSV. Anyone else gets a polite refusal and
nothing else. The report holds aggregates only; no note text can reach it. Being an answer to
the admin's own request (nothing is stored), it is sent directly rather than through the outbox:
if it fails, the admin asks again."""

from __future__ import annotations

from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp
from slack_sdk.web.async_client import AsyncWebClient

from adapters.report_render import render_chart, render_csv, render_table
from adapters.report_service import programme_reports
from adapters.slack.door import SlackDoor
from adapters.slack.replies import tell
from bot.errors import FieldError
from bot.report_command import parse_report_command
from bot.services.reports import ProgrammeReport

NOT_LD = (
    "Sorry, the programme report is for the L&D team only. If you need coaching figures for "
    "your area, ask your L&D partner."
)
MAX_SECTION = 2900


def register(app: AsyncApp, door: SlackDoor) -> None:
    reports = programme_reports(door.settings, door.engine, door.clock)

    @app.command("/coaching-report")
    async def coaching_report(ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient) -> None:
        await ack()
        user_id, channel_id = body["user_id"], body.get("channel_id")
        person = await door.person_or_tell(client, user_id, channel_id)
        if person is None:
            return
        if not person.is_ld_admin:
            await tell(client, user_id, channel_id, NOT_LD)
            return
        request = parse_report_command(body.get("text") or "")
        if not isinstance(request, FieldError):
            request = await reports.scoped(request)
        if isinstance(request, FieldError):
            await tell(client, user_id, channel_id, request.message)
            return
        report = await reports.report(request)
        await tell(client, user_id, channel_id, summary(report))
        await send_full_report(client, user_id, report)


def summary(report: ProgrammeReport) -> str:
    """The few figures that answer "is coaching happening?"."""
    period = f"{report.period.start} to {report.period.end}"
    if report.suppressed:
        return (
            f"*Coaching programme, {period}*: fewer than {report.min_group_size} people in "
            "scope, so no figure can be shown."
        )
    held = sum(r.held or 0 for r in report.completion if r.group_type == "department")
    expected = sum(r.expected or 0 for r in report.completion if r.group_type == "department")
    rate = f"{100 * held / expected:.0f}%" if expected else "n/a"
    assigned = report.course_assignment_rate
    lines = [
        f"*Coaching programme, {period}*",
        f"{report.people} people · {report.sessions} sessions · completion {rate} "
        "(released departments)",
        "Sessions with a course assigned: "
        + ("n/a" if assigned is None else f"{100 * assigned:.0f}%"),
    ]
    if report.theme_alerts:
        lines.append(f":warning: {len(report.theme_alerts)} theme alert(s)")
    lines.append("The full figures, a chart and the CSV are in your DM with me.")
    return "\n".join(lines)


async def send_full_report(client: AsyncWebClient, user_id: str, report: ProgrammeReport) -> None:
    table = render_table(report)
    chunks = [table[i : i + MAX_SECTION] for i in range(0, len(table), MAX_SECTION)]
    blocks = [
        {"type": "section", "text": {"type": "mrkdwn", "text": f"```{chunk}```"}}
        for chunk in chunks[:40]
    ]
    await client.chat_postMessage(channel=user_id, text=table.splitlines()[0], blocks=blocks)
    if report.suppressed:
        return
    opened = await client.conversations_open(users=user_id)
    stem = f"coaching-report-{report.period.start}-{report.period.end}"
    await client.files_upload_v2(
        channel=opened["channel"]["id"],
        file_uploads=[
            {"content": render_chart(report), "filename": f"{stem}.png", "title": "Chart"},
            {"content": render_csv(report).encode(), "filename": f"{stem}.csv", "title": "CSV"},
        ],
        initial_comment="Completion by department and top focus areas; completion rows as CSV.",
    )
