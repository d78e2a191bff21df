"""A loopback Bot Connector emulator: the REST API a bot calls to answer and to message people
proactively (`/v3/conversations...`), strict like the real service about paths, bearer token and
unknown conversations, recording what arrived; and inbound activities as Teams would post them
to the bot."""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

TENANT = "tenant-0001"
BOT_TOKEN = "connector-test-token"
SEARCH_INVOKE = "application/search"
SEARCH_RESPONSE = "application/vnd.microsoft.search.searchResponse"
ERROR_RESPONSE = "application/vnd.microsoft.error"
DROPDOWN = 15  # "the number of options in the dropdown is limited to 15" (Teams typeahead docs)


@dataclass(frozen=True)
class TeamsUser:
    user_id: str  # the Bot Framework id, "29:..."
    email: str
    name: str
    aad_object_id: str = ""


@dataclass
class Sent:
    """One activity the bot posted: to which conversation, and its body."""

    conversation_id: str
    activity: dict[str, Any]
    reply_to: str | None = None
    id: str = ""
    versions: list[dict[str, Any]] = field(default_factory=list)  # earlier contents, if updated

    @property
    def cards(self) -> list[dict[str, Any]]:
        """The Adaptive Cards the message shows now."""
        return _cards(self.activity)

    @property
    def every_card(self) -> list[dict[str, Any]]:
        """Every card the message ever showed, earlier versions first."""
        return [card for version in [*self.versions, self.activity] for card in _cards(version)]


def search_answer(status: int, body: Any) -> list[dict[str, str]]:
    """The choices Teams shows from the bot's answer to `application/search`, read as strictly
    as Teams reads it: HTTP 200 carrying a `searchResponse` whose `value.results` are at most
    15 objects of exactly a non-empty `title` and `value` (strings). Anything else shows no
    choice; here it fails the test, naming what was wrong."""
    assert status == 200, f"search answered {status}: {body}"
    assert isinstance(body, dict) and body.get("type") == SEARCH_RESPONSE, body
    value = body.get("value")
    assert isinstance(value, dict) and isinstance(value.get("results"), list), body
    results = value["results"]
    assert len(results) <= DROPDOWN, f"{len(results)} results; the dropdown shows {DROPDOWN}"
    for result in results:
        assert isinstance(result, dict) and set(result) == {"title", "value"}, result
        assert all(isinstance(result[k], str) and result[k] for k in result), result
    return [dict(result) for result in results]


def search_refusal(status: int, body: Any) -> str:
    """The message of the bot's error answer to `application/search` (a 4xx carrying
    `application/vnd.microsoft.error` with a code and a message)."""
    assert 400 <= status < 500, f"search answered {status}: {body}"
    assert isinstance(body, dict) and body.get("type") == ERROR_RESPONSE, body
    error = body.get("value")
    assert isinstance(error, dict) and error.get("code") and error.get("message"), body
    return str(error["message"])


def _elements(card: dict[str, Any]) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    pending = list(card.get("body") or [])
    while pending:
        item = pending.pop(0)
        found.append(item)
        pending[:0] = item.get("items") or []
        for column in item.get("columns") or []:
            pending[:0] = column.get("items") or []
    return found


def _cards(activity: dict[str, Any]) -> list[dict[str, Any]]:
    return [
        a["content"]
        for a in activity.get("attachments") or []
        if a.get("contentType") == "application/vnd.microsoft.card.adaptive"
    ]


@dataclass
class Failure:
    status: int
    times: int
    retry_after: str | None = None


@dataclass
class BotConnector:
    users: list[TeamsUser]
    app_id: str
    token: str = BOT_TOKEN
    tenant: str = TENANT
    sent: list[Sent] = field(default_factory=list)
    created: list[dict[str, Any]] = field(default_factory=list)
    conversations: dict[str, str] = field(default_factory=dict)  # conversation id -> user id
    failures: list[Failure] = field(default_factory=list)
    removed: set[str] = field(default_factory=set)  # users who removed the app
    asked: list[str] = field(default_factory=list)  # the user of every send or chat asked for
    base_url: str = ""
    _runner: web.AppRunner | None = None
    _ids: Any = field(default_factory=lambda: itertools.count(1))

    async def start(self) -> None:
        app = web.Application(middlewares=[self._strict])
        app.router.add_post("/v3/conversations", self._create_conversation)
        app.router.add_post("/v3/conversations/{conversation}/activities", self._send)
        app.router.add_post("/v3/conversations/{conversation}/activities/{reply_to}", self._send)
        app.router.add_put("/v3/conversations/{conversation}/activities/{activity}", self._update)
        app.router.add_get("/v3/conversations/{conversation}/members/{member}", self._member)
        self._runner = web.AppRunner(app)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        host, port = self._runner.addresses[0][:2]
        self.base_url = f"http://{host}:{port}/"

    async def close(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()

    # ---- what tests read and arrange ----

    def personal_chat(self, user: TeamsUser) -> str:
        """The 1:1 conversation between the user and the bot (it exists once they installed)."""
        conversation_id = f"a:personal-{user.user_id}"
        self.conversations[conversation_id] = user.user_id
        return conversation_id

    def sent_to(self, user: TeamsUser) -> list[Sent]:
        return [s for s in self.sent if self.conversations.get(s.conversation_id) == user.user_id]

    def fail_next(self, status: int, times: int = 1, retry_after: str | None = None) -> None:
        self.failures.append(Failure(status, times, retry_after))

    def activity(
        self,
        user: TeamsUser,
        *,
        text: str | None = None,
        value: dict[str, Any] | None = None,
        kind: str = "message",
        **extra: Any,
    ) -> dict[str, Any]:
        """An inbound activity from `user` in their personal chat, as Teams posts it."""
        body: dict[str, Any] = {
            "type": kind,
            "id": f"in-{next(self._ids)}",
            "timestamp": "2026-01-01T10:00:00.000Z",
            "serviceUrl": self.base_url,
            "channelId": "msteams",
            "from": {"id": user.user_id, "name": user.name, "aadObjectId": user.aad_object_id},
            "conversation": {
                "id": self.personal_chat(user),
                "conversationType": "personal",
                "tenantId": self.tenant,
            },
            "recipient": {"id": f"28:{self.app_id}", "name": "coachbot"},
            "channelData": {"tenant": {"id": self.tenant}},
            **extra,
        }
        if text is not None:
            body["text"] = text
        if value is not None:
            body["value"] = value
        return body

    def installed(self, user: TeamsUser) -> dict[str, Any]:
        """The `conversationUpdate` Teams posts when the user installs the app."""
        return self.activity(
            user,
            kind="conversationUpdate",
            membersAdded=[{"id": user.user_id}, {"id": f"28:{self.app_id}"}],
        )

    def typeahead(
        self, user: TeamsUser, input_id: str, typed: str, *, skip: int = 0
    ) -> dict[str, Any]:
        """The `application/search` invoke Teams posts while `user` types `typed` into the
        input `input_id` of the latest card that has one. Teams searches only an
        `Input.ChoiceSet` of style `filtered` whose `choices.data` is a `Data.Query` naming a
        dataset; for any other input it sends nothing, so asking for one fails the test."""
        found = next(
            (
                item
                for sent in reversed(self.sent_to(user))
                for card in sent.cards
                for item in _elements(card)
                if item.get("id") == input_id
            ),
            None,
        )
        assert found is not None, f"no card sent to {user.name} has an input {input_id!r}"
        query = found.get("choices.data")
        assert found.get("type") == "Input.ChoiceSet" and found.get("style") == "filtered", found
        assert isinstance(query, dict) and query.get("type") == "Data.Query", found
        dataset = query.get("dataset")
        assert isinstance(dataset, str) and dataset, found
        return self.activity(
            user,
            kind="invoke",
            name=SEARCH_INVOKE,
            value={
                "queryText": typed,
                "queryOptions": {"skip": skip, "top": DROPDOWN},
                "dataset": dataset,
            },
            locale="en-US",
        )

    def installation(self, user: TeamsUser, action: str) -> dict[str, Any]:
        """The `installationUpdate` Teams posts when the user adds (`add`) or removes
        (`remove`) the app; from a removal on, Teams refuses the bot's messages to them."""
        if action == "remove":
            self.removed.add(user.user_id)
        else:
            self.removed.discard(user.user_id)
        return self.activity(user, kind="installationUpdate", action=action)

    # ---- the REST API ----

    @web.middleware
    async def _strict(self, request: web.Request, handler: Any) -> web.StreamResponse:
        if request.headers.get("Authorization") != f"Bearer {self.token}":
            return web.json_response(
                {"error": {"code": "Unauthorized", "message": "bad bearer"}}, status=401
            )
        for failure in self.failures:
            if failure.times > 0:
                failure.times -= 1
                headers = {"Retry-After": failure.retry_after} if failure.retry_after else {}
                return web.json_response(
                    {"error": {"code": "Throttled", "message": "try later"}},
                    status=failure.status,
                    headers=headers,
                )
        return await handler(request)

    async def _json(self, request: web.Request) -> dict[str, Any]:
        try:
            body = await request.json()
        except ValueError:
            raise web.HTTPBadRequest(text="not JSON") from None
        if not isinstance(body, dict):
            raise web.HTTPBadRequest(text="not an object")
        return body

    def requests_for(self, user: TeamsUser) -> int:
        """Messages and chats the bot asked for `user`, refused or not."""
        return sum(1 for asked in self.asked if asked == user.user_id)

    def _known(self, conversation_id: str) -> None:
        if conversation_id not in self.conversations:
            raise web.HTTPNotFound(
                text='{"error":{"code":"ConversationNotFound"}}', content_type="application/json"
            )

    def _installed(self, user_id: str | None) -> None:
        if user_id in self.removed:
            raise web.HTTPForbidden(
                text='{"error":{"code":"BotNotInConversationRoster",'
                '"message":"The bot is not part of the conversation roster."}}',
                content_type="application/json",
            )

    async def _send(self, request: web.Request) -> web.Response:
        conversation_id = request.match_info["conversation"]
        self._known(conversation_id)
        self.asked.append(self.conversations[conversation_id])
        self._installed(self.conversations[conversation_id])
        body = await self._json(request)
        if body.get("type") != "message":
            raise web.HTTPBadRequest(text="only messages here")
        sent = Sent(
            conversation_id, body, request.match_info.get("reply_to"), f"out-{next(self._ids)}"
        )
        self.sent.append(sent)
        return web.json_response({"id": sent.id}, status=201)

    async def _update(self, request: web.Request) -> web.Response:
        """The bot replaces one of its own messages (e.g. a card after its button was used)."""
        conversation_id = request.match_info["conversation"]
        self._known(conversation_id)
        body = await self._json(request)
        target = next(
            (
                s
                for s in self.sent
                if s.conversation_id == conversation_id and s.id == request.match_info["activity"]
            ),
            None,
        )
        if target is None or body.get("type") != "message":
            raise web.HTTPNotFound(text='{"error":{"code":"ActivityNotFound"}}')
        target.versions.append(target.activity)
        target.activity = body
        return web.json_response({"id": target.id})

    async def _create_conversation(self, request: web.Request) -> web.Response:
        body = await self._json(request)
        members = body.get("members") or []
        tenant = body.get("tenantId") or (body.get("channelData") or {}).get("tenant", {}).get("id")
        known = {u.user_id for u in self.users}
        if body.get("isGroup") or len(members) != 1 or members[0].get("id") not in known:
            raise web.HTTPBadRequest(text="a 1:1 chat needs exactly one known member")
        if tenant != self.tenant:
            raise web.HTTPBadRequest(text="wrong or missing tenant")
        self.asked.append(str(members[0].get("id")))
        self._installed(members[0].get("id"))
        self.created.append(body)
        conversation_id = self.personal_chat(
            next(u for u in self.users if u.user_id == members[0]["id"])
        )
        return web.json_response(
            {"id": conversation_id, "activityId": f"c-{next(self._ids)}"}, status=201
        )

    async def _member(self, request: web.Request) -> web.Response:
        self._known(request.match_info["conversation"])
        user = next((u for u in self.users if u.user_id == request.match_info["member"]), None)
        if user is None:
            raise web.HTTPNotFound(text='{"error":{"code":"MemberNotFound"}}')
        return web.json_response(
            {
                "id": user.user_id,
                "name": user.name,
                "email": user.email,
                "userPrincipalName": user.email,
                "aadObjectId": user.aad_object_id,
                "tenantId": self.tenant,
            }
        )
