"""Random requests at every route, signed and unsigned, on both databases: whatever arrives,
the answer is never a 5xx, nothing is logged with a traceback (conftest), and a refused request
(4xx) leaves every table as it was. The examples are derandomized, so CI runs the same ones."""

from __future__ import annotations

import json
import time
from typing import Any
from urllib.parse import quote, urlencode

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from adapters.lms.webhook import sign
from adapters.sandbox.slack_actor import FORM, JSON
from adapters.slack.session_modal import (
    COURSE_SEARCH,
    EMPLOYEE_ACTION,
    NEW_GOAL,
    REVIEW_PREFIX,
    SKILL_SEARCH,
)
from adapters.teams.cards import ACTION_KEY, SUBMIT_SESSION
from bot.commands import Field
from bot.replies import Actions
from tests.hardening.conftest import LMS_SECRET, METRICS_TOKEN, Doors, slack_headers
from tests.teams.conftest import MAYA, SAM

FUZZ = settings(
    max_examples=50,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

NASTY = [
    "abc", "²", "bogus", "x", "3:2026-02-30", "1:2026-01-05", str(10**30), "-1", "0", "1", "2",
    "", " ", "\x00", "a\x00b", "é", "9" * 400, "null", "<!channel>", "U0MAYA", "U0ED", "U0SAM",
    "2026-02-30", "2026-01-05", "SK-NEGO", "C-101", "skill_development", "done", "dropped",
]  # fmt: skip
texts = st.one_of(st.sampled_from(NASTY), st.text(max_size=20))
scalars = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False), texts)
json_values = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(texts, inner, max_size=3),
    max_leaves=8,
)
header_text = st.text(
    alphabet=st.characters(blacklist_categories=("Cc", "Cs")), max_size=30
) | st.sampled_from(["v0=" + "0" * 64, "9" * 400, "١٧٠٠٠٠٠٠٠٠", "sha256=ünï"])
content_types = st.sampled_from([FORM, JSON, "text/plain", "", "multipart/form-data", "ä/ö"])
DEEP = b"[" * 100_000 + b"]" * 100_000
NASTY_BODIES = [
    b'{"type": "message", "value": ' + DEEP + b"}",
    b"payload=" + DEEP,
    b"payload=%7Bnot-json",
    b"payload=\xff\xfe",
    b'{"type": "message", "text": "\\u0000"}',
    b"[]",
    b"null",
]
raw_bodies = st.one_of(
    st.sampled_from(NASTY_BODIES), st.binary(max_size=200), texts.map(str.encode)
)
# Most examples are signed, so that they get past the signature to the parsing behind it.
mostly_signed = st.sampled_from([True, True, True, False])


def maybe(strategy: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    """The value as a form would carry it, or any JSON value in its place."""
    return st.one_of(strategy, strategy, strategy, json_values)


SLACK_USERS = st.sampled_from(["U0MAYA", "U0ED", "U0SAM", "U0DANA", "W0NOBODY"]) | texts
BLOCKS = st.sampled_from(
    [
        Field.EMPLOYEE, Field.HELD_ON, Field.DURATION, Field.FOCUS_TYPE, Field.SKILL,
        Field.KEY_POINTS, Field.ACTIONS, Field.COURSES, Field.ILP_GOAL, Field.LEVEL_NOW,
        NEW_GOAL, f"{REVIEW_PREFIX}1", f"{REVIEW_PREFIX}x", "course", "reason",
        "appraisal_confirm",
    ]
)  # fmt: skip
ACTION_IDS = st.sampled_from(
    [
        Actions.LOG_SESSION, Actions.ACTION_DONE, Actions.SNOOZE, Actions.ASSIGN_COURSE,
        f"{Actions.ACTION_DONE}:2", EMPLOYEE_ACTION, SKILL_SEARCH, COURSE_SEARCH, "value",
    ]
)  # fmt: skip
elements = st.fixed_dictionaries(
    {"type": st.sampled_from(["static_select", "plain_text_input", "datepicker", "radio_buttons"])},
    optional={
        "value": maybe(texts),
        "selected_date": maybe(texts),
        "selected_option": maybe(st.fixed_dictionaries({"value": maybe(texts)})),
        "selected_options": maybe(st.lists(st.fixed_dictionaries({"value": texts}), max_size=3)),
    },
)
views = st.fixed_dictionaries(
    {},
    optional={
        "id": maybe(texts),
        "hash": maybe(texts),
        "type": st.sampled_from(["modal", "home"]),
        "callback_id": st.sampled_from(["coaching_session", "assign_course_modal"]) | texts,
        "private_metadata": maybe(texts),
        "blocks": maybe(st.lists(st.fixed_dictionaries({"block_id": BLOCKS}), max_size=3)),
        "state": maybe(
            st.fixed_dictionaries(
                {
                    "values": st.dictionaries(
                        BLOCKS, st.dictionaries(ACTION_IDS | texts, elements, max_size=1)
                    )
                }
            )
        ),
    },
)
interactive = st.fixed_dictionaries(
    {
        "type": st.sampled_from(
            ["block_actions", "view_submission", "block_suggestion", "view_closed"]
        )
        | texts,
        "user": maybe(st.fixed_dictionaries({"id": SLACK_USERS})),
    },
    optional={
        "team": maybe(st.fixed_dictionaries({"id": texts})),
        "trigger_id": maybe(texts),
        "action_id": ACTION_IDS,
        "value": maybe(texts),
        "view": maybe(views),
        "actions": maybe(
            st.lists(
                st.fixed_dictionaries(
                    {"action_id": ACTION_IDS}, optional={"value": maybe(texts), "block_id": texts}
                ),
                max_size=2,
            )
        ),
    },
)
commands = st.fixed_dictionaries(
    {
        "command": st.sampled_from(["/coaching", "/coaching-report"]) | texts,
        "user_id": SLACK_USERS,
        "text": texts,
    },
    optional={"trigger_id": texts, "team_id": texts, "channel_id": texts},
)
events = st.fixed_dictionaries(
    {
        "type": st.sampled_from(["event_callback", "url_verification"]) | texts,
        "event_id": maybe(texts),
        "event": maybe(
            st.fixed_dictionaries(
                {
                    "type": st.sampled_from(["app_home_opened", "app_uninstalled"]) | texts,
                    "user": maybe(SLACK_USERS),
                },
                optional={"tab": maybe(texts)},
            )
        ),
    },
    optional={"team_id": maybe(texts), "challenge": texts},
)
slack_bodies = st.one_of(
    interactive.map(lambda p: (urlencode({"payload": json.dumps(p)}), FORM)),
    commands.map(lambda c: (urlencode(c), FORM)),
    events.map(lambda e: (json.dumps(e), JSON)),
    st.tuples(json_values.map(json.dumps), content_types),
    st.tuples(raw_bodies, content_types),
)


async def check(doors: Doors, send: Any) -> None:
    """Send one request: never a 5xx, and a refusal changes nothing."""
    before = await doors.snapshot()
    response = await send()
    await response.read()
    await doors.settle()
    assert response.status < 500, await response.text()
    if response.status >= 400:
        assert await doors.snapshot() == before, response.status


@FUZZ
@given(body=slack_bodies, signed=mostly_signed, timestamp=header_text, signature=header_text)
async def test_slack_events(
    doors: Doors, body: tuple[str | bytes, str], signed: bool, timestamp: str, signature: str
) -> None:
    content, content_type = body
    raw = content if isinstance(content, bytes) else content.encode()
    headers = slack_headers(raw, content_type)
    if not signed:
        headers.update({"X-Slack-Request-Timestamp": timestamp, "X-Slack-Signature": signature})
    await check(doors, lambda: doors.post("/slack/events", raw, headers))


teams_values = st.fixed_dictionaries(
    {
        ACTION_KEY: st.sampled_from(
            [SUBMIT_SESSION, Actions.LOG_SESSION, Actions.ACTION_DONE, Actions.SNOOZE]
        )
        | texts
    },
    optional={
        "value": maybe(texts),
        "form": maybe(texts),
        Field.EMPLOYEE: maybe(texts),
        Field.HELD_ON: maybe(texts),
        Field.DURATION: maybe(texts),
        Field.KEY_POINTS: maybe(texts),
        Field.ACTIONS: maybe(texts),
        Field.ILP_GOAL: maybe(texts),
        Field.LEVEL_NOW: maybe(texts),
        f"{REVIEW_PREFIX}1": maybe(texts),
        Field.COURSES: maybe(texts),
    },
)


# The value of a typeahead search (`application/search`) from the session card.
search_values = st.fixed_dictionaries(
    {},
    optional={
        "dataset": maybe(st.sampled_from(["skills", "courses"]) | texts),
        "queryText": json_values,
        "queryOptions": maybe(
            st.fixed_dictionaries({}, optional={"skip": json_values, "top": json_values})
            | json_values
        ),
    },
)

# What is changed in an activity Teams would send from a member's personal chat.
activity_changes = st.fixed_dictionaries(
    {},
    optional={
        "text": maybe(
            st.sampled_from(["log session", "log session Ed", "my record", "report"]) | texts
        ),
        "value": maybe(teams_values | search_values),
        "type": st.sampled_from(["message", "conversationUpdate", "invoke", "installationUpdate"])
        | texts,
        "name": maybe(st.sampled_from(["application/search"]) | texts),
        "action": maybe(st.sampled_from(["add", "remove"]) | texts),
        "replyToId": maybe(texts),
        "channelData": json_values,
        "from": maybe(st.fixed_dictionaries({"id": texts})),
    },
)


@FUZZ
@given(
    changes=activity_changes,
    user=st.sampled_from([MAYA, SAM]),
    signed=mostly_signed,
    raw=st.one_of(st.none(), st.none(), st.none(), raw_bodies),
    authorization=header_text,
)
async def test_api_messages(
    doors: Doors,
    changes: dict[str, Any],
    user: Any,
    signed: bool,
    raw: bytes | None,
    authorization: str,
) -> None:
    activity = {**doors.connector.activity(user, text="hello"), **changes}
    body = raw if raw is not None else json.dumps(activity).encode()
    token = f"Bearer {doors.teams_token()}" if signed else authorization
    headers = {"Content-Type": "application/json", "Authorization": token}
    await check(doors, lambda: doors.post("/api/messages", body, headers))


lms_events = st.fixed_dictionaries(
    {},
    optional={
        "event_id": maybe(texts),
        "email": maybe(st.sampled_from(["ed@example.org"]) | texts),
        "course_id": maybe(st.sampled_from(["C-101"]) | texts),
        "status": maybe(st.sampled_from(["completed"]) | texts),
        "completed_at": maybe(st.sampled_from(["2026-11-20T14:30:00Z"]) | texts),
    },
)


@FUZZ
@given(
    event=lms_events.map(lambda e: json.dumps(e).encode()) | raw_bodies,
    signed=mostly_signed,
    timestamp=header_text,
    signature=header_text,
)
async def test_lms_events(
    doors: Doors, event: bytes, signed: bool, timestamp: str, signature: str
) -> None:
    if signed:
        timestamp = str(int(time.time()))
        signature = sign(LMS_SECRET, timestamp, event)
    headers = {
        "Content-Type": "application/json",
        "X-Coachbot-Timestamp": timestamp,
        "X-Coachbot-Signature": signature,
    }
    await check(doors, lambda: doors.post("/lms/events", event, headers))


@FUZZ
@given(token=st.text(max_size=60) | st.sampled_from(["é.é", "a.b", ".", "eyJ9.sig"]))
async def test_charts(doors: Doors, token: str) -> None:
    url = f"{doors.url}/charts/{quote(token, safe='')}.png"
    await check(doors, lambda: doors.http.get(url))


@FUZZ
@given(
    path=st.sampled_from(["/healthz", "/metrics"]),
    method=st.sampled_from(["GET", "POST", "HEAD"]),
    query=st.dictionaries(st.text(max_size=5), st.text(max_size=10), max_size=2),
    body=raw_bodies,
    authorization=st.none()
    | st.sampled_from([f"Bearer {METRICS_TOKEN}", "Bearer", "Basic x", ""])
    | header_text,
)
async def test_healthz_and_metrics(
    doors: Doors,
    path: str,
    method: str,
    query: dict[str, str],
    body: bytes,
    authorization: str | None,
) -> None:
    url = f"{doors.url}{path}?{urlencode(query)}"
    headers = {} if authorization is None else {"Authorization": authorization}
    await check(doors, lambda: doors.http.request(method, url, data=body, headers=headers))
