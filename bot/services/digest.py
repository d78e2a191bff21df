"""The weekly digest for L&D admins (`ld_digest`): from the first working window of each week
in the admin's own time zone, the programme's movement over the last week (this week's 30-day
figures against last week's) and any theme alert that is new. Aggregates only, released under
the same privacy rules as the report; queued through the outbox like every message."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import datetime, timedelta

from bot.clock import local_date
from bot.model import OutboxMessage
from bot.nudges import (
    CountryHolidays,
    HolidayRule,
    NudgeKind,
    PlannedNudge,
    WorkingCalendar,
    planned_nudges,
    working_window,
)
from bot.payloads import DigestFigures, LdDigestPayload, ThemeAlertLine, to_json
from bot.ports import LdAdmin, UnitOfWork
from bot.services.nudges import PreviewEntry
from bot.services.reports import ProgrammeReport, ProgrammeReports, ReportRequest

DIGEST_PERIOD_DAYS = 30


def _overall_rate(report: ProgrammeReport) -> float | None:
    """Held over expected across the released department rows."""
    rows = [r for r in report.completion if r.group_type == "department" and not r.suppressed]
    expected = sum(r.expected or 0 for r in rows)
    return sum(r.held or 0 for r in rows) / expected if expected else None


def digest_payload(now: ProgrammeReport, week_ago: ProgrammeReport) -> LdDigestPayload:
    """The figures the digest shows: this week's, last week's, and the new theme alerts."""
    if now.suppressed:
        return LdDigestPayload(figures=None, min_group_size=now.min_group_size)
    earlier = {(a.department, a.skill_id) for a in week_ago.theme_alerts}
    new_alerts = tuple(
        ThemeAlertLine(
            department=alert.department,
            skill_id=alert.skill_id,
            share=alert.share,
            sessions=alert.sessions,
            catalogue_has_course=alert.catalogue_has_course,
        )
        for alert in now.theme_alerts
        if (alert.department, alert.skill_id) not in earlier
    )
    figures = DigestFigures(
        period_days=DIGEST_PERIOD_DAYS,
        from_=now.period.start,
        to=now.period.end,
        people=now.people,
        people_coached=now.people_coached,
        sessions=now.sessions,
        sessions_week_ago=None if week_ago.suppressed else week_ago.sessions,
        completion_rate=_overall_rate(now),
        completion_rate_week_ago=_overall_rate(week_ago),
        course_assignment_rate=now.course_assignment_rate,
        alerts=len(now.theme_alerts),
        new_alerts=new_alerts,
    )
    return LdDigestPayload(figures=figures)


def due_digests(
    admins: Sequence[LdAdmin],
    at: datetime,
    default_zone: str,
    holidays: HolidayRule,
    country_holidays: CountryHolidays | None = None,
) -> tuple[list[PlannedNudge], WorkingCalendar]:
    """The admins whose weekly digest window contains `at` (each on their own country's
    holidays when `country_holidays` knows it, else the organisation's)."""
    calendar = WorkingCalendar(
        default_zone=default_zone,
        zones={a.id: a.timezone for a in admins if a.timezone},
        holidays=holidays,
        leave={a.id: a.leave for a in admins if a.leave},
        countries={a.id: a.country for a in admins if a.country},
        country_holidays=country_holidays,
    )
    planned = planned_nudges(at, (), calendar, ld_admins=[a.id for a in admins])
    return [n for n in planned if n.kind is NudgeKind.LD_DIGEST], calendar


async def queue_weekly_digests(
    unit_of_work: Callable[[], UnitOfWork],
    reports: ProgrammeReports,
    at: datetime,
    default_zone: str,
    holidays: HolidayRule = frozenset(),
    country_holidays: CountryHolidays | None = None,
) -> int:
    """Queue the digest for each admin whose window contains `at` (in one transaction); the
    number queued."""
    async with unit_of_work() as uow:
        admins = await uow.digest.ld_admins()
    due, calendar = due_digests(admins, at, default_zone, holidays, country_holidays)
    if not due:
        return 0
    today = local_date(at, default_zone)
    now = await reports.report(ReportRequest(period_days=DIGEST_PERIOD_DAYS, as_of=today))
    week_ago = await reports.report(
        ReportRequest(period_days=DIGEST_PERIOD_DAYS, as_of=today - timedelta(days=7))
    )
    payload = digest_payload(now, week_ago)
    messages = []
    for nudge in due:
        zone = calendar.zone_of(nudge.recipient_id)
        opens, closes = working_window(at.astimezone(zone).date(), zone)
        messages.append(
            OutboxMessage(
                dedupe_key=nudge.dedupe_key,
                kind=NudgeKind.LD_DIGEST,
                channel="chat",
                payload=to_json(replace(payload, window_ends=closes)),
                recipient_id=nudge.recipient_id,
                not_before=opens,
            )
        )
    async with unit_of_work() as uow:
        queued = await uow.outbox.add(*messages)
        await uow.commit()
    return queued


async def digest_preview(
    unit_of_work: Callable[[], UnitOfWork],
    moments: Sequence[datetime],
    default_zone: str,
    holidays: HolidayRule = frozenset(),
    country_holidays: CountryHolidays | None = None,
) -> list[list[PreviewEntry]]:
    """The digests `coachbot nudges preview` lists at each of `moments`: due and not sent yet
    (the admins and the outbox read once for all the moments)."""
    async with unit_of_work() as uow:
        admins = await uow.digest.ld_admins()
        due = [due_digests(admins, at, default_zone, holidays, country_holidays) for at in moments]
        sent = await uow.digest.sent(list({n.dedupe_key for nudges, _ in due for n in nudges}))
    by_id = {admin.id: admin for admin in admins}
    return [
        [
            PreviewEntry(
                by_id[n.recipient_id].email,
                NudgeKind.LD_DIGEST.value,
                None,
                None,
                recipient_name=by_id[n.recipient_id].name,
                local_time=at.astimezone(calendar.zone_of(n.recipient_id)),
            )
            for n in nudges
            if n.dedupe_key not in sent
        ]
        for at, (nudges, calendar) in zip(moments, due, strict=True)
    ]
