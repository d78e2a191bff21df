"""The nudge use-cases: the sweep (plan what is due in each person's working window and queue
it, with dedupe keys, one message per recipient and window), its dry run for `coachbot nudges
preview`, a manager's *Snooze 3 days*, and people's leave."""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from bot.dates import day_text
from bot.errors import Refusal
from bot.model import AgreedAction, OutboxMessage, OutboxStatus
from bot.nudges import (
    WINDOW_CLOSES,
    WINDOW_OPENS,
    CountryHolidays,
    HolidayRule,
    LeavePeriod,
    NudgeKind,
    PlannedNudge,
    RelationshipState,
    Snooze,
    WorkingCalendar,
    by_zones,
    dedupe_key,
    overdue_reminder_on,
    planned_nudges,
    reachable_at,
    working_window,
)
from bot.payloads import (
    ActionCheckinPayload,
    ActionLine,
    ManagerModulePayload,
    SessionReminderPayload,
    to_json,
)
from bot.ports import LeaveEntry, NudgeParty, NudgeStore, SweepSnapshot, UnitOfWork

SNOOZE_DAYS = 3

ANY_STATUS = frozenset(OutboxStatus)
"""The sweep queues what the outbox does not hold in any status."""

SENT = frozenset({OutboxStatus.SENT})
"""The preview lists what has not been sent."""


@dataclass(frozen=True, slots=True)
class NudgePolicy:
    """The organisation's settings the nudges follow: `COACHBOT_TIMEZONE`,
    `COACHBOT_HOLIDAYS` and `COACHBOT_MANAGER_MODULE_COURSE`; `country_holidays` gives the
    holidays of a person's own country (people.csv), which replace the organisation's."""

    default_zone: str = "UTC"
    holidays: HolidayRule = frozenset()
    module_course: str | None = None
    country_holidays: CountryHolidays | None = None

    def calendar(self, snapshot: SweepSnapshot) -> WorkingCalendar:
        """The working calendar of the people in `snapshot`."""
        return WorkingCalendar(
            default_zone=self.default_zone,
            zones=snapshot.zones,
            holidays=self.holidays,
            leave=snapshot.leave,
            countries=snapshot.countries,
            country_holidays=self.country_holidays,
        )


@dataclass(frozen=True, slots=True)
class NudgePlan:
    """What is due at one moment, with the calendar it was planned in."""

    nudges: list[PlannedNudge]
    calendar: WorkingCalendar
    relationships: dict[tuple[int, int], RelationshipState]


@dataclass(frozen=True, slots=True)
class SweepOutcome:
    planned: int
    queued: int


@dataclass(frozen=True, slots=True)
class PreviewEntry:
    """One line of `coachbot nudges preview`: its JSON is described in
    `docs/nudges-preview.md`; the table also
    shows, for L&D, the names and the recipient's local time at the moment previewed."""

    recipient: str
    kind: str
    about: str | None
    due_on: date | None
    recipient_name: str = ""
    about_name: str | None = None
    local_time: datetime | None = None

    @property
    def description(self) -> str:
        """What the message is, in plain words: "reminder to Raj: session with Zoe due 12 Aug"."""
        to = self.recipient_name or self.recipient
        about = self.about_name or self.about or "someone"
        due = f"{self.due_on.day} {self.due_on:%b}" if self.due_on else "-"
        if self.kind == NudgeKind.SESSION_DUE:
            return f"reminder to {to}: session with {about} due {due}"
        if self.kind == NudgeKind.SESSION_OVERDUE:
            return f"last reminder to {to}: session with {about} overdue (due {due})"
        if self.kind == NudgeKind.ACTION_CHECKIN:
            return f"check-in to {to}: actions agreed with {about}, next session due {due}"
        if self.kind == NudgeKind.MANAGER_MODULE:
            return f"reminder to {to}: coaching-skills module not completed"
        if self.kind == NudgeKind.LD_DIGEST:
            return f"weekly coaching digest to {to}"
        return f"{self.kind} to {to}"

    @property
    def local_time_text(self) -> str:
        """The recipient's local time at the moment previewed: "Mon 9 Mar 09:30 Europe/London"."""
        if self.local_time is None:
            return "-"
        local = self.local_time
        return f"{local:%a} {local.day} {local:%b %H:%M} {local.tzinfo}"

    def as_json(self) -> dict[str, Any]:
        return {
            "recipient": self.recipient,
            "kind": self.kind,
            "about": self.about,
            "due_on": self.due_on.isoformat() if self.due_on else None,
        }


async def plan(
    store: NudgeStore,
    at: datetime,
    policy: NudgePolicy,
    settled: Collection[OutboxStatus] = (),
) -> NudgePlan:
    """The nudges whose delivery window contains `at`, whether already queued or not; with
    `settled` statuses, relationships whose nudges the outbox holds with one of them may be
    left out (the sweep and the preview drop those anyway)."""
    on = at.astimezone(ZoneInfo(policy.default_zone)).date()
    if settled:
        snapshot = await store.unsettled_snapshot(
            at, on, policy.module_course, settled, policy.default_zone
        )
    else:
        snapshot = await store.snapshot(on, policy.module_course)
    calendar = policy.calendar(snapshot)
    relationships = {(r.manager_id, r.employee_id): r for r in snapshot.relationships}
    nudges = _planned_at(at, snapshot.relationships, snapshot, calendar)
    return NudgePlan(nudges, calendar, relationships)


def _planned_at(
    at: datetime,
    relationships: Iterable[RelationshipState],
    snapshot: SweepSnapshot,
    calendar: WorkingCalendar,
) -> list[PlannedNudge]:
    """The nudges planned at `at` for `relationships` (of `snapshot`) and its managers."""
    return planned_nudges(
        at,
        relationships,
        calendar,
        snoozes=snapshot.snoozes,
        module_pending=snapshot.module_pending,
    )


def _action(action: AgreedAction) -> ActionLine:
    return ActionLine(id=action.id, text=action.text, due_on=action.due_on)


async def sweep(store: NudgeStore, at: datetime, policy: NudgePolicy) -> SweepOutcome:
    """Queue every nudge due at `at` that the outbox does not hold yet. A recipient's nudges
    of this window share their `not_before` (the window's start), so the dispatcher sends them
    as one message; `window_ends` tells it when they must wait for the next window instead.
    `planned` counts the nudges of relationships not left out as already queued."""
    planned = await plan(store, at, policy, ANY_STATUS)
    known = await store.keys_with_status([n.dedupe_key for n in planned.nudges])
    fresh = [n for n in planned.nudges if n.dedupe_key not in known]
    if not fresh:
        await store.note_queued(planned.nudges)
        return SweepOutcome(len(planned.nudges), 0)
    parties = await store.parties(
        [n.recipient_id for n in fresh] + [n.about_id for n in fresh if n.about_id is not None]
    )
    actions = await store.open_actions([pair[1] for n in fresh if (pair := n.pair) is not None])
    course = (
        await store.course(policy.module_course)
        if policy.module_course and any(n.kind is NudgeKind.MANAGER_MODULE for n in fresh)
        else None
    )
    messages: list[OutboxMessage] = []
    for nudge in fresh:
        zone = planned.calendar.zone_of(nudge.recipient_id)
        opens, closes = working_window(at.astimezone(zone).date(), zone)
        payload: Any
        pair = nudge.pair
        if pair is not None and nudge.due_on is not None:
            last = planned.relationships[pair].last_session_on
            employee_actions = tuple(_action(a) for a in actions.get(pair[1], []))
            period: dict[str, Any] = {
                "window_ends": closes,
                "manager_id": pair[0],
                "employee_id": pair[1],
                "due_on": nudge.due_on,
                "last_session_on": last,
            }
            if nudge.kind is NudgeKind.ACTION_CHECKIN:
                payload = ActionCheckinPayload(
                    **period, manager_name=_name(parties, pair[0]), actions=employee_actions
                )
            else:
                payload = SessionReminderPayload(
                    **period, employee_name=_name(parties, pair[1]), open_actions=employee_actions
                )
        elif nudge.kind is NudgeKind.MANAGER_MODULE and policy.module_course:
            payload = ManagerModulePayload(
                window_ends=closes,
                course_id=policy.module_course,
                title=course.title if course else policy.module_course,
                url=course.url if course else "",
            )
        else:  # ld_digest has no content yet, so it is never queued
            continue
        message = OutboxMessage(
            dedupe_key=nudge.dedupe_key,
            kind=nudge.kind,
            channel="chat",
            payload=to_json(payload),
            recipient_id=nudge.recipient_id,
            not_before=opens,
            about_id=nudge.about_id,
        )
        messages.append(message)
    queued = await store.queue(messages, at)
    await store.note_queued(planned.nudges)
    return SweepOutcome(len(planned.nudges), queued)


def _name(parties: dict[int, NudgeParty], person_id: int) -> str:
    party = parties.get(person_id)
    return party.name if party else "a former colleague"


async def preview(store: NudgeStore, at: datetime, policy: NudgePolicy) -> list[PreviewEntry]:
    """What the scheduler would send at `at` and has not sent: one entry per (recipient, kind,
    about), sorted by them (`docs/nudges-preview.md`); people with no chat identity are
    listed too."""
    planned = await plan(store, at, policy, SENT)
    return (await _unsent(store, [(at, planned.nudges)], planned.calendar))[0]


async def preview_day(
    store: NudgeStore, moments: Sequence[datetime], policy: NudgePolicy
) -> list[list[PreviewEntry]]:
    """`preview` at each of `moments` (in order, all on one day of the organisation's zone),
    from one read of the relationships that may have a nudge at any of them: what a day looks
    like, without one query per moment."""
    if not moments:
        return []
    first, last = moments[0], moments[-1]
    on = first.astimezone(ZoneInfo(policy.default_zone)).date()
    snapshot = await store.unsettled_snapshot(
        first, on, policy.module_course, SENT, policy.default_zone, until=last
    )
    calendar = policy.calendar(snapshot)
    groups = by_zones(snapshot.relationships, calendar)
    planned = [
        (at, _planned_at(at, reachable_at(at, groups), snapshot, calendar)) for at in moments
    ]
    return await _unsent(store, planned, calendar)


async def _unsent(
    store: NudgeStore,
    planned: Sequence[tuple[datetime, Sequence[PlannedNudge]]],
    calendar: WorkingCalendar,
) -> list[list[PreviewEntry]]:
    """For each moment and the nudges planned then, the reminders the outbox has not sent, as
    entries (the outbox and the people read once for all the moments)."""
    reminders = [
        (at, [n for n in nudges if n.kind is not NudgeKind.LD_DIGEST]) for at, nudges in planned
    ]
    known = await store.keys_with_status(
        list({n.dedupe_key for _, nudges in reminders for n in nudges})
    )
    unsent = [
        (at, [n for n in nudges if known.get(n.dedupe_key) is not OutboxStatus.SENT])
        for at, nudges in reminders
    ]
    ids = {n.recipient_id for _, nudges in unsent for n in nudges}
    ids |= {n.about_id for _, nudges in unsent for n in nudges if n.about_id is not None}
    parties = await store.parties(sorted(ids))
    return [_entries(at, nudges, parties, calendar) for at, nudges in unsent]


def _entries(
    at: datetime,
    unsent: Sequence[PlannedNudge],
    parties: dict[int, NudgeParty],
    calendar: WorkingCalendar,
) -> list[PreviewEntry]:
    entries = {
        (n.recipient_id, n.kind, n.about_id): PreviewEntry(
            recipient=parties[n.recipient_id].email,
            kind=n.kind.value,
            about=parties[n.about_id].email if n.about_id is not None else None,
            due_on=n.due_on,
            recipient_name=parties[n.recipient_id].name,
            about_name=parties[n.about_id].name if n.about_id is not None else None,
            local_time=at.astimezone(calendar.zone_of(n.recipient_id)),
        )
        for n in unsent
        if n.recipient_id in parties and (n.about_id is None or n.about_id in parties)
    }
    return sorted(entries.values(), key=lambda e: (e.recipient, e.kind, e.about or ""))


def snooze_until(today: date, due_on: date) -> date:
    """A snooze clicked on `today` for the session due on `due_on` lasts 3 days from whichever
    is later."""
    return max(today, due_on) + timedelta(days=SNOOZE_DAYS)


@dataclass(frozen=True, slots=True)
class Snoozed:
    """What a *Snooze 3 days* did: the reminder about `employee_name` next comes in the
    manager's working window of `next_on` (their local date), unless a session is logged."""

    employee_name: str
    next_on: date
    today: date

    @property
    def message(self) -> str:
        return (
            f"Snoozed: I'll remind you about your session with {self.employee_name} again on "
            f"{self.next_on:%A} {day_text(self.next_on, self.today)}, between "
            f"{WINDOW_OPENS:%H:%M} and {WINDOW_CLOSES:%H:%M} your time, unless you log it "
            "before then."
        )


async def snooze(
    uow: UnitOfWork,
    policy: NudgePolicy,
    manager_id: int,
    employee_id: int,
    due_on: date,
    today: date,
) -> Snoozed:
    """A manager's *Snooze 3 days* on their `session_due` about a report (the button names the
    report and the due date; nothing else in it is trusted): the period's remaining reminder,
    the `session_overdue`, moves by the days from the due date to 3 days after `today` (their
    local date), and the answer says when it will come. Refused for someone who is no longer
    their report, for a reminder that is not theirs or out of date, and once the last
    reminder of the period is out. One transaction."""
    async with uow:
        relationship = await uow.people.relationship(manager_id, employee_id, today)
        employee = await uow.people.get(employee_id)
        if relationship is None or employee is None:
            raise Refusal(
                "That person is no longer one of your reports, so there is nothing to snooze."
            )
        snapshot = await uow.nudges.pair_snapshot(manager_id, employee_id, today)
        current = snapshot.relationships[0] if snapshot.relationships else None
        if current is None or current.schedule.due_on != due_on:
            raise Refusal(
                "That reminder is out of date: a session with them has been logged since, so "
                "there is nothing to snooze."
            )
        keys = {
            kind: dedupe_key(kind, manager_id, employee_id, due_on)
            for kind in (NudgeKind.SESSION_DUE, NudgeKind.SESSION_OVERDUE)
        }
        sent = await uow.nudges.keys_with_status(list(keys.values()))
        if keys[NudgeKind.SESSION_OVERDUE] in sent:
            raise Refusal(
                "That session is already overdue and you have had its last reminder, so there "
                "is nothing left to snooze."
            )
        if keys[NudgeKind.SESSION_DUE] not in sent:
            raise Refusal(
                "I have not reminded you about that session, so there is nothing to snooze."
            )
        until = snooze_until(today, due_on)
        await uow.nudges.add_snooze(Snooze(manager_id, employee_id, until))
        await uow.commit()
    next_on = overdue_reminder_on(current, policy.calendar(snapshot), (until - due_on).days)
    return Snoozed(employee.name, next_on, today)


async def add_leave(
    unit_of_work: Callable[[], UnitOfWork],
    store: NudgeStore,
    email: str,
    first_day: date,
    last_day: date,
) -> LeaveEntry:
    """Record a person's leave (both days inclusive): messages to them, and their manager's
    nudges about them, wait until it ends."""
    if last_day < first_day:
        raise Refusal(f"leave ends ({last_day}) before it starts ({first_day})")
    async with unit_of_work() as uow:
        person = await uow.people.by_email(email)
    if person is None:
        raise Refusal(f"no person with e-mail {email} (import them first)")
    await store.add_leave(person.id, LeavePeriod(first_day, last_day))
    return LeaveEntry(person.email, person.name, first_day, last_day)


async def remove_leave(
    unit_of_work: Callable[[], UnitOfWork], store: NudgeStore, email: str, first_day: date
) -> list[LeaveEntry]:
    """Remove a person's leave starting on `first_day` (a trip cancelled): their messages go
    out on those days again. Refused when they have no leave starting that day."""
    async with unit_of_work() as uow:
        person = await uow.people.by_email(email)
    if person is None:
        raise Refusal(f"no person with e-mail {email} (import them first)")
    removed = await store.remove_leave(person.id, first_day)
    if not removed:
        raise Refusal(
            f"{person.email} has no leave starting {first_day} (`coachbot leave list` shows it)"
        )
    return [LeaveEntry(person.email, person.name, p.first_day, p.last_day) for p in removed]


async def leave_list(store: NudgeStore, on_or_after: date | None = None) -> Sequence[LeaveEntry]:
    """Stored leave, earliest first; only what has not ended before `on_or_after` if given."""
    return await store.leave_list(on_or_after)
