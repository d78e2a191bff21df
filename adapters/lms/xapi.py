"""xAPI: statements built from the LMS outbox rows (attended, mentored, was-assigned, planned,
voided), an LRS client that sends them with PUT and a statement id derived from the row's
business key (a resend is harmless), and reads `completed` statements since a cursor.
Statements carry focus and skill, never note text."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any, Required, TypedDict
from urllib.parse import urljoin

import aiohttp

from bot.clock import Clock
from bot.model import OutboxMessage, Person
from bot.payloads import LmsParty, XapiPayload, XapiVoidingPayload, to_json, xapi_payload
from bot.ports import OutboxEntry, RetryLater, Undeliverable, UnitOfWork
from bot.services.assignments import XAPI, XAPI_STATEMENT

XAPI_VERSION = "1.0.3"
NAMESPACE = uuid.UUID("5b0c5ad2-8c5e-4f5e-9a4e-2f1d7c3b9e61")
"""uuid5 namespace of coachbot's statement ids and activity ids: fixed forever."""

VERBS = {
    "attended": "http://adlnet.gov/expapi/verbs/attended",
    "mentored": "http://id.tincanapi.com/verb/mentored",
    "was-assigned": "https://w3id.org/xapi/acrossx/verbs/was-assigned",
    "completed": "http://adlnet.gov/expapi/verbs/completed",
    "planned": "https://w3id.org/xapi/tla/verbs/planned",
    "voided": "http://adlnet.gov/expapi/verbs/voided",
}
MEETING = "http://adlnet.gov/expapi/activities/meeting"
COURSE = "http://adlnet.gov/expapi/activities/course"
OBJECTIVE = "http://adlnet.gov/expapi/activities/objective"
SKILL = "http://id.tincanapi.com/activitytype/competency"
SLACK_HOME = "https://slack.com"
TEAMS_HOME = "https://teams.microsoft.com"
EXTENSION = "https://w3id.org/xapi/coachbot/extensions/"
COURSE_URN = "urn:coachbot:course:"
TIMEOUT = aiohttp.ClientTimeout(total=20)


def statement_id(business_key: str) -> str:
    """The statement id of a business key (an outbox row's dedupe key): always the same."""
    return str(uuid.uuid5(NAMESPACE, business_key))


def course_iri(course_id: str, url: str = "") -> str:
    """The activity id of a catalogue course: its LMS link, else a coachbot URN."""
    return url or f"{COURSE_URN}{course_id}"


class Account(TypedDict):
    homePage: str
    name: str


class Agent(TypedDict, total=False):
    """An xAPI Agent: a chat account when the person has one, else their e-mail (`mbox`)."""

    objectType: Required[str]
    name: Required[str]
    account: Account
    mbox: str


class ActivityDefinition(TypedDict):
    type: str
    name: dict[str, str]


class Activity(TypedDict):
    objectType: str
    id: str
    definition: ActivityDefinition


class StatementRef(TypedDict):
    objectType: str
    id: str


class Verb(TypedDict):
    id: str
    display: dict[str, str]


class ContextActivities(TypedDict):
    other: list[Activity]


class Context(TypedDict, total=False):
    instructor: Agent
    contextActivities: ContextActivities
    extensions: dict[str, str | int]
    registration: str


class Statement(TypedDict, total=False):
    """An xAPI 1.0.3 statement as coachbot sends it."""

    id: Required[str]
    verb: Required[Verb]
    timestamp: Required[str]
    actor: Required[Agent]
    object: Required[Activity | StatementRef]
    context: Context


def agent(party: LmsParty) -> Agent:
    """A person as an xAPI Agent: their chat account when they have one, else their e-mail."""
    if party.slack_user_id:
        account = Account(homePage=SLACK_HOME, name=party.slack_user_id)
        return {"objectType": "Agent", "name": party.name, "account": account}
    if party.teams_user_id:
        account = Account(homePage=TEAMS_HOME, name=party.teams_user_id)
        return {"objectType": "Agent", "name": party.name, "account": account}
    return {"objectType": "Agent", "name": party.name, "mbox": f"mailto:{party.email}"}


def _activity(iri: str, kind: str, name: str) -> Activity:
    return {
        "objectType": "Activity",
        "id": iri,
        "definition": {"type": kind, "name": {"en": name}},
    }


def _urn(kind: str, key: str) -> str:
    return f"urn:coachbot:{kind}:{uuid.uuid5(NAMESPACE, key)}"


def _verb(verb: str) -> Verb:
    return {"id": VERBS[verb], "display": {"en": verb}}


def build_statement(
    key: str, payload: XapiPayload | XapiVoidingPayload, bot_home: str
) -> Statement:
    """The statement of an outbox row; `key` is its dedupe key, the source of its id."""
    if isinstance(payload, XapiVoidingPayload):
        return {
            "id": statement_id(key),
            "verb": _verb(payload.verb),
            "timestamp": payload.timestamp.isoformat(),
            "actor": {
                "objectType": "Agent",
                "name": "coachbot",
                "account": {"homePage": bot_home, "name": "coachbot"},
            },
            "object": {"objectType": "StatementRef", "id": payload.target},
        }
    obj = payload.object
    if obj.kind == "course":
        activity = _activity(course_iri(obj.id, obj.url or ""), COURSE, obj.name)
    elif obj.kind == "session":
        activity = _activity(_urn("session", obj.id), MEETING, obj.name)
    else:
        activity = _activity(_urn("goal", obj.id), OBJECTIVE, obj.name)
    statement: Statement = {
        "id": statement_id(key),
        "verb": _verb(payload.verb),
        "timestamp": payload.timestamp.isoformat(),
        "actor": agent(payload.actor),
        "object": activity,
    }
    context: Context = {}
    if payload.instructor:
        context["instructor"] = agent(payload.instructor)
    facts = payload.context
    if facts.skill_id:
        skill = _activity(f"urn:coachbot:skill:{facts.skill_id}", SKILL, facts.skill_name or "")
        context["contextActivities"] = {"other": [skill]}
    extensions: dict[str, str | int] = {}
    if facts.focus_type is not None:
        extensions[f"{EXTENSION}focus-type"] = facts.focus_type
    if facts.duration_minutes is not None:
        extensions[f"{EXTENSION}duration-minutes"] = facts.duration_minutes
    if facts.target_date is not None:
        extensions[f"{EXTENSION}target-date"] = facts.target_date.isoformat()
    if extensions:
        context["extensions"] = extensions
    if obj.kind == "session":
        context["registration"] = str(uuid.uuid5(NAMESPACE, obj.id))
    if context:
        statement["context"] = context
    return statement


class LrsError(Exception):
    """The LRS could not be read (down, or it refused the request)."""


class LrsClient:
    """Talks xAPI 1.0.3 to one LRS (`LRS_ENDPOINT`, basic auth)."""

    def __init__(self, endpoint: str, username: str | None, password: str | None) -> None:
        base = endpoint.rstrip("/")
        if not base.lower().endswith("xapi"):
            base += "/xAPI"
        self.statements_url = base + "/statements"
        self._headers = {"X-Experience-API-Version": XAPI_VERSION}
        if username:
            self._headers["Authorization"] = aiohttp.encode_basic_auth(username, password or "")

    def _session(self) -> aiohttp.ClientSession:
        return aiohttp.ClientSession(headers=self._headers, timeout=TIMEOUT)

    async def put(self, statement: Statement) -> str:
        """Store the statement under its id; the same statement again is fine. Raises
        `RetryLater` when the LRS is away or busy, `Undeliverable` when it refuses it."""
        try:
            async with (
                self._session() as session,
                session.put(
                    self.statements_url, params={"statementId": statement["id"]}, json=statement
                ) as response,
            ):
                body = await response.text()
        except (aiohttp.ClientError, TimeoutError) as exc:
            raise RetryLater(30, f"LRS unreachable: {type(exc).__name__}") from exc
        status = response.status
        if status in (200, 204):
            return str(statement["id"])
        if status == 409:
            raise Undeliverable("the LRS holds a different statement with this id")
        if status == 429 or status >= 500:
            after = float(response.headers.get("Retry-After", "30") or 30)
            raise RetryLater(after, f"LRS answered {status}")
        if status in (401, 403):
            raise RetryLater(300, f"LRS refused the credentials ({status})")
        raise Undeliverable(f"LRS answered {status}: {body[:300]}")

    async def completed_since(self, since: str | None) -> list[dict[str, Any]]:
        """Every `completed` statement stored after `since` (an ISO timestamp), oldest first."""
        params: dict[str, str] = {"verb": VERBS["completed"], "limit": "500"}
        if since:
            params["since"] = since
        found: list[dict[str, Any]] = []
        url: str | None = self.statements_url
        try:
            async with self._session() as session:
                while url:
                    async with session.get(url, params=params) as response:
                        if response.status != 200:
                            raise LrsError(f"LRS answered {response.status} to a statements query")
                        page = await response.json()
                    found.extend(page.get("statements", []))
                    more = page.get("more") or ""
                    url, params = (urljoin(self.statements_url, more), {}) if more else (None, {})
        except (aiohttp.ClientError, TimeoutError) as exc:
            raise LrsError(f"LRS unreachable: {type(exc).__name__}") from exc
        found.sort(key=lambda s: (s.get("stored") or s.get("timestamp") or "", s.get("id", "")))
        return found


class XapiGateway:
    """The `LmsGateway` of channel "xapi": each row becomes one statement, PUT to the LRS."""

    def __init__(self, client: LrsClient, bot_home: str = "http://localhost") -> None:
        self.client = client
        self.bot_home = bot_home

    async def deliver(self, entry: OutboxEntry) -> str | None:
        try:
            payload = xapi_payload(entry.payload)
            statement = build_statement(entry.dedupe_key, payload, self.bot_home)
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            raise Undeliverable(f"malformed statement row: {exc}") from exc
        return await self.client.put(statement)


class XapiVoiding:
    """Queues a voiding statement for each statement sent about an erased person (the voiding
    rows name nobody, so that the erasure keeps them)."""

    def __init__(self, clock: Clock) -> None:
        self.clock = clock

    async def queue_voiding(self, uow: UnitOfWork, person: Person, statement_ids: list[str]) -> int:
        queued = 0
        for sent in statement_ids:
            target = sent if _is_uuid(sent) else statement_id(sent)
            if await uow.outbox.add(
                OutboxMessage(
                    dedupe_key=f"xapi:voided:{target}",
                    kind=XAPI_STATEMENT,
                    channel=XAPI,
                    payload=to_json(XapiVoidingPayload(target=target, timestamp=self.clock.now())),
                )
            ):
                queued += 1
        return queued


def _is_uuid(value: str) -> bool:
    try:
        uuid.UUID(value)
    except ValueError:
        return False
    return True


def parse_timestamp(value: str) -> datetime | None:
    """An ISO-8601 timestamp as an aware datetime, UTC when it has no offset (None when
    unreadable)."""
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except (ValueError, AttributeError):
        return None
    return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=UTC)
