"""Moodle web services: the REST client (form-encoded POST to `server.php`; errors come back as
HTTP 200 bodies with `exception`/`errorcode`, turned into `MoodleError`), the catalogue, manual
enrolment of a user found by e-mail, and course completion status."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any, Required, TypedDict

import aiohttp

from bot.model import Course
from bot.payloads import MoodleEnrolPayload, from_json
from bot.ports import OutboxEntry, RetryLater, Undeliverable
from bot.services.assignments import MOODLE_ENROL

STUDENT_ROLE = 5
TIMEOUT = aiohttp.ClientTimeout(total=30)
REFUSED_ACCESS = frozenset({"invalidtoken", "accessexception", "webservicesnotenabled"})


class MoodleError(Exception):
    """Moodle refused a call: its `errorcode` and message, or that it could not be reached."""

    def __init__(self, errorcode: str, message: str) -> None:
        super().__init__(f"Moodle: {message} ({errorcode})")
        self.errorcode = errorcode
        self.message = message

    @property
    def access_refused(self) -> bool:
        """The token or the site's web services settings, not this request, are at fault."""
        return self.errorcode in REFUSED_ACCESS


class MoodleUnreachable(MoodleError):
    """The site did not answer (down, timeout, not a Moodle web services endpoint)."""


class MoodleCourse(TypedDict, total=False):
    """A course as `core_course_get_courses` lists it (the fields coachbot reads)."""

    id: Required[int]
    fullname: str
    shortname: str
    format: str


class MoodleUser(TypedDict, total=False):
    """A user as `core_user_get_users_by_field` finds them."""

    id: Required[int]
    email: str


class MoodleCompletion(TypedDict, total=False):
    """One criterion of `core_completion_get_course_completion_status`."""

    timecompleted: int | None


class MoodleCompletionStatus(TypedDict, total=False):
    completed: bool
    completions: list[MoodleCompletion]


class MoodleCompletionAnswer(TypedDict, total=False):
    completionstatus: MoodleCompletionStatus


class MoodleEnrolment(TypedDict):
    """One enrolment `enrol_manual_enrol_users` makes."""

    roleid: int
    userid: int
    courseid: int


def flatten(params: Mapping[str, Any], prefix: str = "") -> dict[str, str]:
    """Moodle's form encoding of nested parameters: `enrolments[0][userid]=7`."""
    flat: dict[str, str] = {}
    for key, value in params.items():
        name = f"{prefix}[{key}]" if prefix else str(key)
        if isinstance(value, Mapping):
            flat.update(flatten(value, name))
        elif isinstance(value, list | tuple):
            flat.update(flatten({str(i): item for i, item in enumerate(value)}, name))
        elif isinstance(value, bool):
            flat[name] = "1" if value else "0"
        else:
            flat[name] = str(value)
    return flat


class MoodleClient:
    """One Moodle site (`MOODLE_URL`) and web services token (`MOODLE_TOKEN`)."""

    def __init__(self, site_url: str, token: str) -> None:
        self.site_url = site_url.rstrip("/")
        self.token = token

    async def call(self, function: str, **params: Any) -> Any:
        form = {"wstoken": self.token, "wsfunction": function, "moodlewsrestformat": "json"}
        form.update(flatten(params))
        url = f"{self.site_url}/webservice/rest/server.php"
        try:
            async with (
                aiohttp.ClientSession(timeout=TIMEOUT) as session,
                session.post(url, data=form) as response,
            ):
                if response.status != 200:
                    raise MoodleUnreachable(str(response.status), f"HTTP {response.status}")
                body = await response.json(content_type=None)
        except (aiohttp.ClientError, TimeoutError, ValueError) as exc:
            raise MoodleUnreachable(type(exc).__name__, f"{url} did not answer") from exc
        if isinstance(body, dict) and "exception" in body:
            raise MoodleError(str(body.get("errorcode", "")), str(body.get("message", "")))
        return body

    def course_url(self, course_id: int | str) -> str:
        return f"{self.site_url}/course/view.php?id={course_id}"

    async def courses(self) -> list[Course]:
        """The catalogue (every course but the site's front page)."""
        found: list[MoodleCourse] = await self.call("core_course_get_courses")
        return [
            Course(
                course_id=str(item["id"]),
                title=str(item.get("fullname") or item.get("shortname") or item["id"]),
                url=self.course_url(item["id"]),
                provider="moodle",
            )
            for item in found
            if item.get("format") != "site" and int(item["id"]) != 1
        ]

    async def user_id(self, email: str) -> int | None:
        users: list[MoodleUser] = await self.call(
            "core_user_get_users_by_field", field="email", values=[email]
        )
        return int(users[0]["id"]) if users else None

    async def enrol(self, user_id: int, course_id: str) -> None:
        enrolment = MoodleEnrolment(roleid=STUDENT_ROLE, userid=user_id, courseid=int(course_id))
        await self.call("enrol_manual_enrol_users", enrolments=[enrolment])

    async def completed_at(self, course_id: str, user_id: int, now: datetime) -> datetime | None:
        """When the user completed the course (None while not completed; `now` when Moodle
        says completed without a time)."""
        status: MoodleCompletionAnswer = await self.call(
            "core_completion_get_course_completion_status",
            courseid=int(course_id),
            userid=user_id,
        )
        completion = status.get("completionstatus", {})
        if not completion.get("completed"):
            return None
        times = [
            int(when)
            for item in completion.get("completions", [])
            if (when := item.get("timecompleted"))
        ]
        return datetime.fromtimestamp(max(times), UTC) if times else now


class MoodleGateway:
    """The `LmsGateway` of channel "moodle": a manual enrolment of the person (by e-mail)."""

    def __init__(self, client: MoodleClient) -> None:
        self.client = client

    async def deliver(self, entry: OutboxEntry) -> str | None:
        if entry.kind != MOODLE_ENROL:
            raise Undeliverable(f"no Moodle action for {entry.kind!r}")
        enrolment = from_json(MoodleEnrolPayload, entry.payload)
        email, course_id = enrolment.email, enrolment.course_id
        if not str(course_id).isdigit():
            raise Undeliverable(f"course {course_id} is not a Moodle course id")
        try:
            user_id = await self.client.user_id(email)
            if user_id is None:
                raise Undeliverable(f"no Moodle user has the e-mail {email}")
            await self.client.enrol(user_id, str(course_id))
        except MoodleUnreachable as exc:
            raise RetryLater(60, str(exc)) from exc
        except MoodleError as exc:
            if exc.access_refused:  # a configuration problem: keep the row until it is fixed
                raise RetryLater(300, str(exc)) from exc
            raise Undeliverable(str(exc)) from exc
        return f"moodle:{user_id}:{course_id}"
