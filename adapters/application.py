"""The application every door serves: the settings, the unit of work, the clock, the nudge
store and policy, the programme reports and the LMS effects the configuration asks for, built
once (`adapters/assemble.py`) and handed to Slack, Teams, the LMS webhook and the CLI."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any

from adapters.config import Settings
from adapters.lms.xapi import XapiVoiding
from bot.clock import Clock, local_date
from bot.commands import LogSession
from bot.model import AgreedAction, Course, GoalStatus, IlpGoal, Person, Skill
from bot.ports import (
    Conversations,
    Installations,
    LeaveEntry,
    NudgeStore,
    OpenedViews,
    UnitOfWork,
)
from bot.replies import Reply
from bot.services import assignments, development, goals, home, nudges, privacy, sessions
from bot.services.assignments import AssignCourse, CourseAssigned, LmsTargets
from bot.services.completions import Completions
from bot.services.console import ConsoleAccess
from bot.services.development import DevelopmentRecord
from bot.services.home import ReportOverview
from bot.services.identity import ChatIdentity
from bot.services.nudges import NudgePolicy, Snoozed
from bot.services.privacy import Erasure
from bot.services.reports import ProgrammeReports
from bot.services.sessions import NeedsAttention, SessionForm, SessionLogged

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncEngine


@dataclass(frozen=True, slots=True)
class HomePage:
    """A person's Home: their reports (empty when they manage no one) and their own record
    (None when only the reports are shown), as of their local date."""

    reports: list[ReportOverview]
    record: DevelopmentRecord | None
    today: date


@dataclass(frozen=True)
class PersonOverview:
    person: Person
    manager: Person | None
    reports: list[Person]
    leave: list[LeaveEntry]


def nothing_to_deliver() -> None:
    """Where no dispatcher runs (the CLI), the rows a command queues wait for `serve`."""


@dataclass(frozen=True)
class Application:
    """What a door needs to call a service: doors parse, call one service with these, render.
    `engine` is for the command line; the chat and LMS doors reach storage only through the
    methods and ports here."""

    settings: Settings
    engine: AsyncEngine
    unit_of_work: Callable[[], UnitOfWork]
    clock: Clock
    nudge_store: NudgeStore
    nudge_policy: NudgePolicy
    reports: ProgrammeReports
    lms: LmsTargets
    installations: Installations
    opened_views: OpenedViews
    conversations: Conversations
    identity: ChatIdentity
    console: ConsoleAccess
    """The L&D console's sign-in links and sessions."""
    outbox_written: Callable[[], None] = nothing_to_deliver
    """Wakes the outbox dispatcher once a transaction has queued messages."""

    @property
    def completions(self) -> Completions:
        """The LMS door's service: completions, poll cursors, the catalogue sync."""
        return Completions(self.unit_of_work, self.clock)

    @property
    def timezone(self) -> str:
        """The organisation's zone, for anyone whose own zone is not known."""
        return self.settings.timezone

    def today_for(self, person: Person) -> date:
        """The person's local date (their zone, else the organisation's)."""
        return local_date(self.clock.now(), person.timezone or self.timezone)

    # One call per use-case, with the dependencies filled in: a door passes what the person
    # sent and who they are, and renders what comes back.

    async def current_reports(self, manager: Person) -> list[Person]:
        """The people this manager coaches today (their local date), by name."""
        async with self.unit_of_work() as uow:
            return await uow.people.current_reports(manager.id, self.today_for(manager))

    async def first_time(self, event_key: str, source: str) -> bool:
        """Remember an inbound event; False when it was seen before (a platform's retry)."""
        async with self.unit_of_work() as uow:
            first = await uow.processed_events.remember(event_key, source, at=self.clock.now())
            await uow.commit()
        return first

    async def home_page(self, person: Person) -> HomePage:
        """What the person's Home shows (`bot.services.home.home_contents`), with their own
        record where it shows."""
        today = self.today_for(person)
        contents = await home.home_contents(self.unit_of_work(), person.id, today)
        record = await self.own_record(person) if contents.shows_own_record else None
        return HomePage(contents.reports, record, today)

    async def teams_conversation_seen(
        self, person: Person, reference: dict[str, Any], tenant_id: str | None
    ) -> bool:
        """Store where the person is reached on Teams; True when they were not reachable
        before, and then the messages that waited for them to add the app again are due."""
        now = self.clock.now()
        if not await self.conversations.save(person.id, "teams", reference, tenant_id, now):
            return False
        if await self.installations.person_back(person.id, now):
            self.outbox_written()
        return True

    async def teams_app_removed(self, teams_user_id: str) -> None:
        """The person removed the Teams app: their conversation is forgotten, and messages for
        them wait (Teams would refuse them) until they add it again."""
        async with self.unit_of_work() as uow:
            person = await uow.people.by_teams_id(teams_user_id)
        if person is not None:
            await self.conversations.forget(person.id, "teams", self.clock.now())

    async def form_catalogue(
        self, chosen_courses: Sequence[str], count: int
    ) -> tuple[list[Skill], list[Course]]:
        """The chosen courses, then the first `count` skills and courses of the catalogue: what
        a form offers before anything is searched."""
        async with self.unit_of_work() as uow:
            skills = await uow.catalogue.search_skills("", count)
            courses = list((await uow.catalogue.courses(chosen_courses)).values())
            courses += await uow.catalogue.search_courses("", count)
        return skills, courses

    async def search_people(self, words: str, limit: int) -> list[Person]:
        async with self.unit_of_work() as uow:
            return await uow.people.search(words, limit)

    async def person_overview(self, person_id: int) -> PersonOverview | None:
        """A person's directory facts as L&D sees them: who coaches them and whom they coach
        today, and their leave; never what was said in a session."""
        async with self.unit_of_work() as uow:
            person = await uow.people.get(person_id)
            if person is None:
                return None
            today = self.today_for(person)
            manager = await uow.people.current_manager(person.id, today)
            reports = await uow.people.current_reports(person.id, today)
        leave = [
            entry
            for entry in await nudges.leave_list(self.nudge_store)
            if entry.email.lower() == person.email.lower()
        ]
        return PersonOverview(person, manager, reports, leave)

    async def search_skills(self, words: str, limit: int) -> list[Skill]:
        async with self.unit_of_work() as uow:
            return await uow.catalogue.search_skills(words, limit)

    async def search_courses(self, words: str, limit: int) -> list[Course]:
        async with self.unit_of_work() as uow:
            return await uow.catalogue.search_courses(words, limit)

    async def session_form(
        self, manager: Person, employee_id: int | None = None, *, skill_ids: Sequence[str] = ()
    ) -> SessionForm:
        return await sessions.session_form(
            self.unit_of_work(),
            manager.id,
            self.today_for(manager),
            employee_id,
            include_skill_ids=skill_ids,
        )

    async def form_as_sent(self, manager: Person, command: LogSession) -> SessionForm:
        """The session form again after a submission that needs attention, offering the skill
        that was chosen even when the first choices leave it out."""
        skill_ids = [command.skill_id] if command.skill_id else []
        return await self.session_form(manager, command.employee_id, skill_ids=skill_ids)

    async def log_session(
        self, command: LogSession, submission_key: str
    ) -> SessionLogged | NeedsAttention:
        return await sessions.log_session(
            self.unit_of_work(),
            command,
            self.clock,
            self.timezone,
            submission_key=submission_key,
            lms=self.lms,
        )

    async def assign_course(self, command: AssignCourse) -> CourseAssigned:
        return await assignments.assign_course(
            self.unit_of_work(), command, self.clock, self.timezone, self.lms
        )

    async def own_record(self, person: Person) -> DevelopmentRecord:
        """The person's own development record, as they may read it."""
        return await development.development_record(
            self.unit_of_work(), person.id, viewer_id=person.id, timezone=self.timezone
        )

    async def report_record(self, manager: Person, employee_id: int) -> DevelopmentRecord:
        """A current direct report's record, as their manager may read it."""
        return await development.report_record(
            self.unit_of_work(),
            manager.id,
            employee_id,
            self.today_for(manager),
            timezone=self.timezone,
        )

    async def finish_goal(self, person: Person, goal_id: int, status: GoalStatus) -> IlpGoal:
        return await goals.finish_goal(
            self.unit_of_work(), person.id, goal_id, status, self.today_for(person)
        )

    async def mark_action_done(self, person: Person, action_id: int) -> AgreedAction:
        return await home.mark_action_done(
            self.unit_of_work(), person.id, action_id, self.today_for(person)
        )

    async def message_as_it_stands(self, person: Person, message_ref: str) -> Reply | None:
        return await home.message_as_it_stands(
            self.unit_of_work(), person.id, message_ref, self.today_for(person)
        )

    async def export_person(self, email: str, *, withhold_notes: bool = False) -> dict[str, Any]:
        """Everything stored about the person with this e-mail (`coachbot person export`); with
        `withhold_notes`, as L&D may read it: session notes withheld."""
        return await privacy.export_person(
            self.unit_of_work(), email, withhold_notes=withhold_notes
        )

    async def erase_person(self, email: str, *, dry_run: bool = False) -> Erasure:
        """Erase the person with this e-mail and every row about them, in one transaction (a
        dry run counts what would go and changes nothing); xAPI statements already sent about
        them are voided when an LRS is configured."""
        voiding = XapiVoiding(self.clock) if self.settings.lrs_endpoint else None
        today = local_date(self.clock.now(), self.timezone)
        return await privacy.erase_person(
            self.unit_of_work(), email, voiding, today=today, dry_run=dry_run
        )

    async def snooze(self, manager: Person, employee_id: int, due_on: date) -> Snoozed:
        return await nudges.snooze(
            self.unit_of_work(),
            self.nudge_policy,
            manager.id,
            employee_id,
            due_on,
            self.today_for(manager),
        )
