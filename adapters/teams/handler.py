"""The Teams door's turn logic: who is writing (by Teams user id, else by the e-mail of the
connector's member lookup), the stored conversation reference (forgotten when the app is
removed), and one service per command: `log session`, `my record`, `record`, `report`, `help`,
the session card's submission and typeahead search, and the buttons of cards and messages."""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from http import HTTPStatus
from typing import Any

from aiohttp import ClientError
from botbuilder.core import ActivityHandler, InvokeResponse, TurnContext
from botbuilder.core.teams import TeamsInfo
from botbuilder.schema import AdaptiveCardInvokeResponse, ChannelAccount
from msrest.exceptions import ClientRequestError, HttpOperationError

from adapters.application import Application
from adapters.report_render import render_table
from adapters.teams.cards import (
    ACTION_KEY,
    SEARCH_RESULTS,
    SKILLS_DATASET,
    SUBMIT_SESSION,
    Card,
    console_card,
    notice_card,
    record_card,
    reply_card,
    report_card,
    session_card,
)
from adapters.teams.charts import ChartLinks
from adapters.teams.conversations import reference_of, tenant_of
from adapters.teams.messenger import card_activity
from adapters.teams.parse import parse_search, parse_session_submission
from bot.commands import Field, LogSession, parse_snooze, whole_number
from bot.errors import AppraisalFinding, FieldError, Refusal
from bot.model import Person
from bot.refusals import (
    NO_LONGER_YOUR_REPORT,
    NOT_LD,
    NOT_YOUR_REPORT,
    UNKNOWN_PERSON,
    UNKNOWN_REMINDER,
    marked_done,
)
from bot.replies import Actions
from bot.report_command import parse_report_command
from bot.services.console import CONSOLE_BUTTON, CONSOLE_WORD, link_text
from bot.services.development import GOAL_WORDS
from bot.services.goals import GOAL_BUTTONS
from bot.services.identity import ChatPlatform, ChatProfile
from bot.services.sessions import NeedsAttention

HELP = (
    "**coachbot** helps you run development-focused 1:1 coaching.\n\n"
    "- **log session**: managers log a session with a direct report (about two minutes): "
    "focus, key points, agreed actions and courses. Add a name to choose the report.\n"
    "- **my record**: your own development record: actions, courses, goals, sessions.\n"
    "- **record** NAME: managers see a report's record, with the key points they wrote.\n"
    "- **report** [department NAME | team NAME] [30d|90d|180d|365d]: programme figures, "
    "for L&D admins.\n"
    "- **console**: a sign-in link to the L&D console in your browser, for L&D admins.\n"
    "- **help**: this message."
)
WELCOME = "Hello! I'm coachbot. " + HELP
MENTION = re.compile(r"<at>.*?</at>|<[^>]+>")
FORM_ID = re.compile(r"[0-9a-f]{32}")
SEARCH_INVOKE = "application/search"
SEARCH_RESPONSE = "application/vnd.microsoft.search.searchResponse"
ERROR_RESPONSE = "application/vnd.microsoft.error"


@dataclass
class TeamsDoor:
    """What the Teams turn logic shares with the rest of the process."""

    application: Application
    charts: ChartLinks


@dataclass
class TeamsProfiles:
    """The connector's member lookup as `bot.services.identity`'s directory (no zones)."""

    context: TurnContext
    platform: ChatPlatform = ChatPlatform.TEAMS
    gives_zones: bool = False

    async def profile(self, user_id: str) -> ChatProfile | None:
        email = await _email_of(self.context, user_id)
        return None if email is None else ChatProfile(email=email)


async def say(context: TurnContext, content: Card, summary: str) -> None:
    await context.send_activity(card_activity(content, summary))


async def replace_card(context: TurnContext, content: Card, summary: str) -> None:
    """Show `content` in place of the card whose button was pressed (so a form cannot be
    sent again once saved); a new message when Teams cannot update it."""
    card_id = context.activity.reply_to_id
    if card_id:
        activity = card_activity(content, summary)
        activity.id = card_id
        try:
            await context.update_activity(activity)
            return
        except (HttpOperationError, ClientRequestError, ClientError):
            pass
    await say(context, content, summary)


class CoachbotTeamsBot(ActivityHandler):  # type: ignore[misc]
    def __init__(self, door: TeamsDoor) -> None:
        self.door = door

    async def on_members_added_activity(
        self, members_added: list[ChannelAccount], turn_context: TurnContext
    ) -> None:
        bot_id = turn_context.activity.recipient.id if turn_context.activity.recipient else None
        if any(member.id != bot_id for member in members_added):
            await self.welcome(turn_context, stranger_too=True)

    async def on_installation_update_add(self, turn_context: TurnContext) -> None:
        await self.welcome(turn_context, stranger_too=False)

    async def welcome(self, context: TurnContext, *, stranger_too: bool) -> None:
        """The app was added: store the conversation for proactive messages and welcome them
        with the help, once (Teams announces an install both as `installationUpdate` and as
        `conversationUpdate`: whichever comes first welcomes, and someone not in the
        directory is welcomed by the latter only)."""
        person = await self.person(context, remember=False)
        if person is None:
            if stranger_too:
                await say(context, notice_card(WELCOME), "Welcome to coachbot")
            return
        if await self.remember(context, person):
            await say(context, notice_card(WELCOME), "Welcome to coachbot")

    async def remember(self, context: TurnContext, person: Person) -> bool:
        """Store the conversation; True when the person was not reachable before, and then
        messages that waited for them to add the app again are due now."""
        activity = context.activity
        return await self.door.application.teams_conversation_seen(
            person, reference_of(activity), tenant_of(activity)
        )

    async def on_installation_update_remove(self, turn_context: TurnContext) -> None:
        """The person removed the app: forget their conversation; their messages wait (Teams
        would refuse them) until they add it again. Nothing is said: they are gone."""
        user = turn_context.activity.from_property
        if user is None or not user.id or not self.from_our_tenant(turn_context):
            return
        await self.door.application.teams_app_removed(user.id)

    async def on_invoke_activity(self, turn_context: TurnContext) -> InvokeResponse | None:
        """coachbot's cards submit as messages; the one invoke it answers is the session card's
        typeahead search. Any other is refused as a bad request rather than botbuilder's 501
        (a 5xx is kept for failures)."""
        if turn_context.activity.name == SEARCH_INVOKE:
            return await self.search(turn_context)
        response = await super().on_invoke_activity(turn_context)
        if response is not None and response.status == HTTPStatus.NOT_IMPLEMENTED:
            return InvokeResponse(status=HTTPStatus.BAD_REQUEST)
        return response

    async def search(self, context: TurnContext) -> InvokeResponse:
        """Skills or courses matching what the manager typed in a typeahead input: Teams posts
        `{dataset, queryText, queryOptions: {skip, top}}` and shows the `results` (title,
        value) it gets back."""
        query = parse_search(context.activity.value)
        if isinstance(query, str):
            return _search_error(HTTPStatus.BAD_REQUEST, "BadRequest", query)
        if await self.person(context, remember=False) is None:
            return _search_error(HTTPStatus.FORBIDDEN, "Forbidden", UNKNOWN_PERSON)
        application, wanted = self.door.application, query.skip + query.top
        if query.dataset == SKILLS_DATASET:
            skills = await application.search_skills(query.text, wanted)
            found = [(s.name, s.skill_id) for s in skills]
        else:
            courses = await application.search_courses(query.text, wanted)
            found = [(c.title, c.course_id) for c in courses]
        results = [{"title": title, "value": value} for title, value in found[query.skip :]]
        body = AdaptiveCardInvokeResponse(
            status_code=int(HTTPStatus.OK), type=SEARCH_RESPONSE, value={"results": results}
        )
        return InvokeResponse(status=HTTPStatus.OK, body=body)

    async def on_message_activity(self, turn_context: TurnContext) -> None:
        person = await self.person(turn_context)
        if person is None:
            await say(turn_context, notice_card(UNKNOWN_PERSON), "I don't know you yet")
            return
        value = turn_context.activity.value
        if isinstance(value, dict) and value.get(ACTION_KEY):
            await self.on_card_action(turn_context, person, value)
            return
        words = " ".join(MENTION.sub(" ", turn_context.activity.text or "").split())
        command = words.lower().partition(" ")[0]
        if words.lower().startswith("log session"):
            await self.log_session_form(turn_context, person, words[len("log session") :].strip())
        elif words.lower().startswith("my record"):
            await self.my_record(turn_context, person)
        elif command == "record":
            await self.report_record(turn_context, person, words[len("record") :].strip())
        elif command == "report":
            await self.report(turn_context, person, words[len("report") :])
        elif words.lower() == CONSOLE_WORD:
            await self.console(turn_context, person)
        else:
            await say(turn_context, notice_card(HELP), "What coachbot does")

    async def person(self, context: TurnContext, *, remember: bool = True) -> Person | None:
        """The directory's person behind the sender, matched by Teams user id (imported, or
        remembered), else by the e-mail the connector's member lookup gives for them (then
        their id is remembered); stores the conversation unless `remember` is False."""
        user = context.activity.from_property
        if user is None or not user.id or not self.from_our_tenant(context):
            return None
        person = await self.door.application.identity.person(user.id, TeamsProfiles(context))
        if person is None:
            return None
        if remember:
            await self.remember(context, person)
        return person

    def from_our_tenant(self, context: TurnContext) -> bool:
        """A single-tenant registration (MicrosoftAppTenantId) serves only its own tenant."""
        ours = self.door.application.settings.microsoft_app_tenant_id
        return not ours or tenant_of(context.activity) == ours

    async def log_session_form(self, context: TurnContext, person: Person, name: str) -> None:
        door = self.door
        form = await door.application.session_form(person)
        if name and form.reports:
            chosen = next((p for p in form.reports if name.lower() in p.name.lower()), None)
            if chosen is None:
                await say(context, notice_card(NOT_YOUR_REPORT), "Not one of your reports")
                return
            form = await door.application.session_form(person, chosen.id)
        if not form.reports:
            await self.my_record(context, person)
            return
        await say(context, await self.session_card(form), "Log a coaching session")

    async def session_card(
        self,
        form: Any,
        values: LogSession | None = None,
        errors: list[FieldError] | None = None,
        findings: list[AppraisalFinding] | None = None,
        form_id: str = "",
    ) -> Card:
        # the chosen and the report's recent skills, then the catalogue's first few: the
        # rest are found by the typeahead search (`application/search`)
        chosen_courses = list(values.course_ids) if values else []
        first_skills, courses = await self.door.application.form_catalogue(
            chosen_courses, SEARCH_RESULTS
        )
        skills = [*form.skills_by_id.values(), *first_skills]
        return session_card(
            form,
            skills=skills,
            courses=courses,
            values=values,
            errors=errors,
            findings=findings,
            form_id=form_id or uuid.uuid4().hex,
        )

    async def on_card_action(
        self, context: TurnContext, person: Person, value: dict[str, Any]
    ) -> None:
        action = str(value.get(ACTION_KEY))
        if action == SUBMIT_SESSION:
            await self.session_submitted(context, person, value)
        elif action == Actions.LOG_SESSION:
            form = await self.door.application.session_form(
                person,
                whole_number(str(value.get("value") or "")),
            )
            if form.employee is None:
                message = NO_LONGER_YOUR_REPORT
                await say(context, notice_card(message), message)
            else:
                await say(context, await self.session_card(form), "Log a coaching session")
        elif action in GOAL_BUTTONS:
            await self.goal_finished(context, person, action, str(value.get("value") or ""))
        elif action == Actions.ACTION_DONE:
            await self.action_done(context, person, str(value.get("value") or ""))
        elif action == Actions.SNOOZE:
            await self.snoozed(context, person, str(value.get("value") or ""))

    async def session_submitted(
        self, context: TurnContext, person: Person, value: dict[str, Any]
    ) -> None:
        door = self.door
        form_id = str(value.get("form") or "")
        if not FORM_ID.fullmatch(form_id):  # the card's own ids only; anything else is new
            form_id = uuid.uuid4().hex
        command, errors = parse_session_submission(value, person.id)
        findings: list[AppraisalFinding] = []
        if not errors:
            try:
                result = await door.application.log_session(
                    command, _submission_key(context, form_id)
                )
            except Refusal as refusal:
                errors = [FieldError(Field.EMPLOYEE, refusal.message)]
            else:
                if not isinstance(result, NeedsAttention):
                    # the confirmation and the employee's DM follow
                    door.application.outbox_written()
                    saved = f"Saved your session with {result.employee.name}."
                    await replace_card(context, notice_card(saved), saved)
                    return
                errors, findings = result.errors, result.findings
        form = await door.application.form_as_sent(person, command)
        content = await self.session_card(form, command, errors, findings, form_id)
        summary = "Please check the form" if errors else "Some key points read like appraisal"
        await replace_card(context, content, summary)

    async def my_record(self, context: TurnContext, person: Person) -> None:
        record = await self.door.application.own_record(person)
        card = record_card(record, self.door.application.today_for(person))
        await say(context, card, "Your development record")

    async def report_record(self, context: TurnContext, person: Person, name: str) -> None:
        """`record NAME`: a current report's record, with the key points this manager wrote."""
        door = self.door
        today = door.application.today_for(person)
        reports = await door.application.current_reports(person)
        chosen = [p for p in reports if name and name.lower() in p.name.lower()]
        if len(chosen) != 1:
            names = ", ".join(p.name for p in reports)
            message = (
                f"Say `record` and the name of one of your direct reports ({names})."
                if reports
                else "You have no direct reports right now; `my record` shows your own."
            )
            await say(context, notice_card(message), "Whose record?")
            return
        try:
            record = await door.application.report_record(person, chosen[0].id)
        except Refusal as refusal:
            await say(context, notice_card(refusal.message), refusal.message)
            return
        await say(
            context, record_card(record, today, manager_view=True), f"{chosen[0].name}'s record"
        )

    async def goal_finished(
        self, context: TurnContext, person: Person, action: str, value: str
    ) -> None:
        """A goal marked achieved or dropped; the card it was pressed on shows the change."""
        door = self.door
        today = door.application.today_for(person)
        try:
            goal = await door.application.finish_goal(
                person, whole_number(value) or 0, GOAL_BUTTONS[action]
            )
            if goal.employee_id == person.id:
                own = await door.application.own_record(person)
                content = record_card(own, today)
            else:
                theirs = await door.application.report_record(person, goal.employee_id)
                content = record_card(theirs, today, manager_view=True)
        except Refusal as refusal:
            await say(context, notice_card(refusal.message), refusal.message)
            return
        await replace_card(context, content, f"Goal {GOAL_WORDS[goal.status]}: {goal.title}")

    async def console(self, context: TurnContext, person: Person) -> None:
        """`console`: a one-time sign-in link to the L&D console, for an L&D admin only."""
        try:
            link = await self.door.application.console.sign_in_link(person)
        except Refusal as refusal:
            await say(context, notice_card(refusal.message), "The console is for L&D only")
            return
        await say(context, console_card(link_text(link.minutes), link.url), CONSOLE_BUTTON)

    async def report(self, context: TurnContext, person: Person, words: str) -> None:
        if not person.is_ld_admin:
            await say(context, notice_card(NOT_LD), "The report is for L&D only")
            return
        request = parse_report_command(words)
        if not isinstance(request, FieldError):
            request = await self.door.application.reports.scoped(request)
        if isinstance(request, FieldError):
            message = request.message.replace("/coaching-report", "report")
            await say(context, notice_card(message), "Report: check the words")
            return
        report = await self.door.application.reports.report(request)
        url = None if report.suppressed else self.door.charts.url_for(request, report.period.end)
        table = render_table(report)
        summary = table.splitlines()[0]
        await say(context, report_card(f"**{summary}**", table, url), summary)

    async def action_done(self, context: TurnContext, person: Person, value: str) -> None:
        refused = None
        try:
            done = await self.door.application.mark_action_done(person, whole_number(value) or 0)
        except Refusal as refusal:
            refused = refusal.message
        shown = await self.show_as_it_stands(context, person)
        message = refused or marked_done(done.text)
        if refused or not shown:
            await say(context, notice_card(message), message)

    async def show_as_it_stands(self, context: TurnContext, person: Person) -> bool:
        """Update the card whose *Done* was pressed to show its actions as they stand now, with
        no button left that could only answer "already closed"; False when it is not ours."""
        activity = context.activity
        if not activity.reply_to_id or activity.conversation is None:
            return False
        ref = f"{activity.conversation.id}:{activity.reply_to_id}"
        now = await self.door.application.message_as_it_stands(person, ref)
        if now is None:
            return False
        await replace_card(context, reply_card(now), now.summary)
        return True

    async def snoozed(self, context: TurnContext, person: Person, value: str) -> None:
        reminder = parse_snooze(value)
        if reminder is None:
            await say(context, notice_card(UNKNOWN_REMINDER), "Unknown reminder")
            return
        employee_id, due_on = reminder
        try:
            outcome = await self.door.application.snooze(person, employee_id, due_on)
        except Refusal as refusal:
            await say(context, notice_card(refusal.message), refusal.message)
            return
        await say(context, notice_card(outcome.message), outcome.message)


def _search_error(status: HTTPStatus, code: str, message: str) -> InvokeResponse:
    """An error answer to a search, as the Universal Actions error response Teams reads."""
    body = AdaptiveCardInvokeResponse(
        status_code=int(status), type=ERROR_RESPONSE, value={"code": code, "message": message}
    )
    return InvokeResponse(status=status, body=body)


def _submission_key(context: TurnContext, form_id: str) -> str:
    """What makes a card's submission the same one when it is sent again: the platform, the
    tenant, the sender and the form id (which the card carries, so anyone may copy it)."""
    sender = context.activity.from_property.id if context.activity.from_property else ""
    return f"teams:{tenant_of(context.activity)}:{sender}:card:{form_id}"


async def _email_of(context: TurnContext, user_id: str) -> str | None:
    """The sender's e-mail from the connector's member lookup; None when the lookup fails.
    Never from the activity itself: its fields are the sender's to choose, and the match is
    stored for good."""
    try:
        member = await TeamsInfo.get_member(context, user_id)
    except (HttpOperationError, ClientRequestError, ClientError, TypeError, ValueError):
        return None
    for candidate in (
        getattr(member, "email", None),
        getattr(member, "user_principal_name", None),
    ):
        if candidate and "@" in str(candidate):
            return str(candidate)
    return None
