"""`/coaching-report` for L&D admins: acked at once; then an ephemeral summary where it was typed,
and in a DM the full figures, the chart and the CSV. Anyone else gets a polite refusal and
nothing else. The report holds aggregates only; no note text can reach it. Being an answer to
the admin's own request (nothing is stored), it is sent directly rather than through the outbox:
if it fails, the admin asks again."""

from __future__ import annotations

from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp
from slack_sdk.web.async_client import AsyncWebClient

from adapters.report_render import (
    counted_sessions,
    render_chart,
    render_csv,
    render_table,
    sessions_phrase,
)
from adapters.slack.blocks import escape
from adapters.slack.door import SlackDoor
from adapters.slack.listeners.console import send_console_link
from adapters.slack.replies import tell
from bot.errors import FieldError
from bot.refusals import NOT_LD
from bot.report_command import parse_report_command
from bot.services.console import CONSOLE_WORD
from bot.services.reports import ProgrammeReport

MAX_SECTION = 2900


def register(app: AsyncApp, door: SlackDoor) -> None:
    reports = door.application.reports

    @app.command("/coaching-report")
    async def coaching_report(ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient) -> None:
        await ack()
        user_id, channel_id = body["user_id"], body.get("channel_id")
        person = await door.person_or_tell(client, user_id, channel_id)
        if person is None:
            return
        if (body.get("text") or "").strip().lower() == CONSOLE_WORD:
            await send_console_link(door, client, person, user_id, channel_id)
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
    counted, expected = counted_sessions(report)
    completion = (
        f"{counted} of {expected} expected sessions counted towards completion "
        f"({100 * counted / expected:.0f}%)"
        if expected
        else "no sessions expected yet"
    )
    hidden = sum(1 for r in report.completion if r.group_type == "department" and r.suppressed)
    if hidden:
        completion += f" ({hidden} department(s) not shown are left out; see why in the table)"
    assigned = report.course_assignment_rate
    lines = [
        f"*Coaching programme, {period}*",
        f"{report.people} people · {sessions_phrase(report.sessions)} held",
        f"Completion: {completion}",
        "Sessions with a course assigned: "
        + ("n/a" if assigned is None else f"{100 * assigned:.0f}%"),
    ]
    if report.theme_alerts:
        lines.append(f":warning: {len(report.theme_alerts)} theme alert(s)")
    lines.append("The full figures, a chart and the CSV are in your DM with me.")
    return "\n".join(lines)


def _sections(table: str) -> list[str]:
    """The table escaped (department and team names are imported text: none may mention or
    link), in whole lines of at most `MAX_SECTION` characters, so no escape is cut in two."""
    chunks = [""]
    for line in escape(table).splitlines(keepends=True):
        if chunks[-1] and len(chunks[-1]) + len(line) > MAX_SECTION:
            chunks.append("")
        chunks[-1] += line[:MAX_SECTION]
    return chunks


async def send_full_report(client: AsyncWebClient, user_id: str, report: ProgrammeReport) -> None:
    table = render_table(report)
    blocks = [
        {"type": "section", "text": {"type": "mrkdwn", "text": f"```{chunk}```"}}
        for chunk in _sections(table)[:40]
    ]
    await client.chat_postMessage(
        channel=user_id, text=escape(table.splitlines()[0]), blocks=blocks
    )
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
