"""A fake Moodle site's web services (`POST /webservice/rest/server.php`) on loopback, strict
about parameter names like Moodle's external API validation, answering errors as Moodle does:
HTTP 200 with an `exception`/`errorcode`/`message` body."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

TOKEN = "moodle-test-token"

# function -> (required parameter patterns, optional parameter patterns)
SIGNATURES: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "core_course_get_courses": ((), (r"options\[ids\]\[\d+\]",)),
    "core_user_get_users_by_field": ((r"field", r"values\[\d+\]"), ()),
    "enrol_manual_enrol_users": (
        (
            r"enrolments\[\d+\]\[roleid\]",
            r"enrolments\[\d+\]\[userid\]",
            r"enrolments\[\d+\]\[courseid\]",
        ),
        (
            r"enrolments\[\d+\]\[timestart\]",
            r"enrolments\[\d+\]\[timeend\]",
            r"enrolments\[\d+\]\[suspend\]",
        ),
    ),
    "core_completion_get_course_completion_status": ((r"courseid", r"userid"), ()),
}


class MoodleException(Exception):
    def __init__(self, exception: str, errorcode: str, message: str, debuginfo: str = "") -> None:
        super().__init__(message)
        self.body: dict[str, Any] = {
            "exception": exception,
            "errorcode": errorcode,
            "message": message,
        }
        if debuginfo:
            self.body["debuginfo"] = debuginfo


@dataclass
class MoodleFake:
    """The site's state: courses, users, enrolments, completions; `calls` is every call."""

    courses: dict[int, str] = field(default_factory=dict)
    users: dict[int, str] = field(default_factory=dict)  # id -> e-mail
    enrolments: set[tuple[int, int]] = field(default_factory=set)  # (user, course)
    completed: dict[tuple[int, int], int] = field(default_factory=dict)  # -> unix time
    calls: list[tuple[str, dict[str, str]]] = field(default_factory=list)
    base_url: str = ""
    _runner: web.AppRunner | None = None

    async def start(self) -> str:
        app = web.Application()
        app.router.add_post("/webservice/rest/server.php", self._server)
        self._runner = web.AppRunner(app)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        self.base_url = f"http://127.0.0.1:{port}"
        return self.base_url

    async def close(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()

    def functions_called(self) -> list[str]:
        return [name for name, _ in self.calls]

    async def _server(self, request: web.Request) -> web.Response:
        form = {key: str(value) for key, value in (await request.post()).items()}
        try:
            if form.pop("wstoken", None) != TOKEN:
                raise MoodleException(
                    "moodle_exception", "invalidtoken", "Invalid token - token not found"
                )
            function = form.pop("wsfunction", "")
            if form.pop("moodlewsrestformat", "") != "json":
                raise MoodleException(
                    "moodle_exception", "invalidformat", "moodlewsrestformat must be json here"
                )
            if function not in SIGNATURES:
                raise MoodleException(
                    "dml_missing_record_exception",
                    "invalidrecord",
                    "Can't find data record in database table external_functions.",
                )
            _check_parameters(function, form)
            self.calls.append((function, form))
            body = getattr(self, function)(form)
        except MoodleException as exc:
            return web.json_response(exc.body)  # Moodle answers errors with 200
        return web.json_response(body)

    # ---- the functions ----

    def core_course_get_courses(self, form: dict[str, str]) -> list[dict[str, Any]]:
        site = {"id": 1, "shortname": "site", "fullname": "Our Moodle", "format": "site"}
        return [site] + [
            {"id": cid, "shortname": f"C{cid}", "fullname": name, "format": "topics"}
            for cid, name in sorted(self.courses.items())
        ]

    def core_user_get_users_by_field(self, form: dict[str, str]) -> list[dict[str, Any]]:
        if form["field"] != "email":
            raise MoodleException(
                "invalid_parameter_exception",
                "invalidparameter",
                "Invalid parameter value detected",
            )
        wanted = {value.lower() for key, value in form.items() if key.startswith("values[")}
        return [
            {"id": uid, "email": email, "username": email.split("@")[0], "fullname": email}
            for uid, email in sorted(self.users.items())
            if email.lower() in wanted
        ]

    def enrol_manual_enrol_users(self, form: dict[str, str]) -> None:
        for index in sorted({key.split("]")[0].split("[")[1] for key in form}):
            user = int(form[f"enrolments[{index}][userid]"])
            course = int(form[f"enrolments[{index}][courseid]"])
            if user not in self.users or course not in self.courses:
                raise MoodleException(
                    "dml_missing_record_exception",
                    "invalidrecord",
                    "Can't find data record in database.",
                )
            self.enrolments.add((user, course))
        return None

    def core_completion_get_course_completion_status(self, form: dict[str, str]) -> dict[str, Any]:
        user, course = int(form["userid"]), int(form["courseid"])
        if (user, course) not in self.enrolments:
            raise MoodleException(
                "moodle_exception", "nocourseparticipants", "User is not enrolled in this course"
            )
        done = self.completed.get((user, course))
        return {
            "completionstatus": {
                "completed": done is not None,
                "aggregation": 1,
                "completions": [
                    {
                        "type": 4,
                        "title": "Activity completion",
                        "status": "Complete" if done else "Not complete",
                        "complete": done is not None,
                        "timecompleted": done,
                    }
                ],
            },
            "warnings": [],
        }


def _check_parameters(function: str, form: dict[str, str]) -> None:
    required, optional = SIGNATURES[function]
    unexpected = [
        key for key in form if not any(re.fullmatch(p, key) for p in (*required, *optional))
    ]
    if unexpected:
        raise MoodleException(
            "invalid_parameter_exception",
            "invalidparameter",
            "Invalid parameter value detected",
            f"Unexpected keys ({', '.join(sorted(unexpected))}) detected in parameter array.",
        )
    missing = [p for p in required if not any(re.fullmatch(p, key) for key in form)]
    if missing:
        raise MoodleException(
            "invalid_parameter_exception",
            "invalidparameter",
            "Invalid parameter value detected",
            f"Missing required key in single structure: {missing[0]}",
        )
