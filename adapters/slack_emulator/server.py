"""The emulator's HTTP face: `/api/<method>` with Slack's token check and rate limits, the upload
URLs, the `/_emulator/*` control endpoints, and a runner on a free loopback port."""

from __future__ import annotations

import contextlib
import json
from collections.abc import Iterable
from dataclasses import replace
from datetime import timedelta
from types import TracebackType
from typing import Any

from aiohttp import web

from adapters.slack_emulator import files, messaging, views
from adapters.slack_emulator.directory import Directory, WorkspaceUser, dm_channel_id, is_user_id
from adapters.slack_emulator.oauth import OAuth, Team, single_workspace
from adapters.slack_emulator.ratelimit import Limit, RateLimiter, RateLimits
from adapters.slack_emulator.recording import RecordedCall, Recording, json_copy
from adapters.slack_emulator.socket_mode import DEFAULT_APP_TOKEN, SocketMode
from adapters.slack_emulator.triggers import TRIGGER_LIFETIME_SECONDS, Triggers
from adapters.slack_emulator.validation import Refused, Rejection, check_message
from adapters.slack_emulator.workspace import Method, Workspace
from bot.clock import Clock, SystemClock

DEFAULT_BOT_TOKEN = "xoxb-emulator-token"
JSON_ARGUMENTS = ("view", "blocks", "metadata", "attachments", "files")
METHODS: dict[str, Method] = {**messaging.METHODS, **views.METHODS, **files.METHODS}


class SlackEmulator:
    """A local Slack Web API for one workspace; see the package docstring for its use."""

    def __init__(
        self,
        *,
        bot_token: str = DEFAULT_BOT_TOKEN,
        app_token: str = DEFAULT_APP_TOKEN,
        users: Iterable[WorkspaceUser] = (),
        channels: Iterable[str] = (),
        rate_limits: RateLimits | bool = True,
        clock: Clock | None = None,
        trigger_lifetime: float = TRIGGER_LIFETIME_SECONDS,
        teams: Iterable[Team] = (),
        client_id: str = "",
        client_secret: str = "",
        token_lifetime: timedelta | None = None,
    ) -> None:
        self.bot_token = bot_token
        self.clock: Clock = clock or SystemClock()
        self.rate_limits: RateLimits | None = (
            RateLimits() if rate_limits is True else rate_limits or None
        )
        self.directory = Directory(users)
        self.recording = Recording()
        self._limiter = RateLimiter()
        self._triggers = Triggers(self.clock, trigger_lifetime)
        self.workspace = Workspace(
            self.directory, self.recording, self._triggers, channels, self.clock
        )
        self.socket_mode = SocketMode(app_token, self.recording, self.clock)
        self._runner: web.AppRunner | None = None
        self._origin: str | None = None
        self._response_urls: dict[str, tuple[str, str]] = {}
        self.oauth = OAuth(
            client_id, client_secret, {team.id: team for team in teams}, token_lifetime
        )
        """Installs through OAuth (`approve`, then `oauth.v2.access`); its tokens are bound to
        their workspace or enterprise, while `bot_token` still covers everyone."""
        self.oauth.grants[bot_token] = single_workspace(bot_token)

    # ---- for tests, demos and benchmarks ----------------------------------------------------

    @property
    def base_url(self) -> str:
        """What to give `AsyncWebClient(base_url=...)`; known once started."""
        return f"{self._started_origin()}/api/"

    def _started_origin(self) -> str:
        if self._origin is None:
            raise RuntimeError("the Slack emulator is not started: await emulator.start()")
        return self._origin

    @property
    def app_token(self) -> str:
        """The app-level token (`SLACK_APP_TOKEN`) that opens Socket Mode connections."""
        return self.socket_mode.app_token

    @property
    def bot_user_id(self) -> str:
        return self.directory.bot_user_id

    def new_trigger_id(self, user_id: str = "") -> str:
        """A trigger id as Slack puts in a slash command or interaction: single use, 3 s."""
        return self._triggers.mint(user_id)

    def new_response_url(self, user_id: str, channel_id: str) -> str:
        """A slash command's or action's `response_url`: what is posted there reaches the person
        (ephemeral by default, in the channel with `response_type: in_channel`)."""
        url_id = self.workspace.new_id("R")
        self._response_urls[url_id] = (user_id, channel_id)
        return f"{self._started_origin()}/response_url/{url_id}"

    def add_user(self, user: WorkspaceUser) -> WorkspaceUser:
        return self.directory.add(user)

    def deactivate_user(self, user_id: str) -> None:
        """The person leaves: users.info shows them deleted; messages to them are refused."""
        self.directory.deactivate(user_id)

    def add_channel(self, channel_id: str) -> None:
        self.workspace.channels.add(channel_id)

    def calls(self, method: str | None = None) -> list[RecordedCall]:
        """Every call received, oldest first; only those to `method` when given."""
        return self.recording.calls(method)

    def approve_install(
        self, *, team_id: str | None = None, enterprise_id: str | None = None, installer: str = ""
    ) -> str:
        """An admin approves the app on Slack's authorize page, for one workspace or (with
        `enterprise_id`) org-wide: the code Slack puts in the redirect to the app."""
        return self.oauth.approve(team_id=team_id, enterprise_id=enterprise_id, installer=installer)

    def uninstall(self, *, team_id: str | None = None, enterprise_id: str | None = None) -> None:
        """The app is removed from a workspace (or an enterprise): its tokens stop working.
        Slack then sends `app_uninstalled`; a test sends that event itself."""
        self.oauth.revoke(team_id=team_id, enterprise_id=enterprise_id)

    def tokens(self) -> list[str]:
        """The bot tokens that work now."""
        return list(self.oauth.grants)

    def dm_channel_id(self, user_id: str) -> str:
        """The id of the app's DM with the person (what conversations.open answers)."""
        return dm_channel_id(user_id)

    def messages_to(self, user_id: str) -> list[dict[str, Any]]:
        """The messages in the app's DM with the person, oldest first, as they now read."""
        return self.recording.history(dm_channel_id(user_id))

    def messages_in(self, channel_id: str) -> list[dict[str, Any]]:
        return self.recording.history(channel_id)

    def ephemeral_to(self, user_id: str) -> list[dict[str, Any]]:
        """Messages only the person saw (chat.postEphemeral), oldest first."""
        return [json_copy(m) for m in self.recording.ephemeral if m["to_user"] == user_id]

    def last_view_published(self, user_id: str) -> dict[str, Any] | None:
        """The person's Home tab as last published or updated, or None."""
        view = self.recording.home.get(user_id)
        return json_copy(view) if view is not None else None

    def opened_views(self, user_id: str | None = None) -> list[dict[str, Any]]:
        """Modals opened with views.open, oldest first, as first shown (with `id`, `hash`)."""
        return [
            json_copy(v.view)
            for v in self.recording.opened
            if user_id is None or v.user_id == user_id
        ]

    def view_stack(self, user_id: str) -> list[dict[str, Any]]:
        """The modals the person now has open, root first, as last updated."""
        ids = self.recording.stacks.get(user_id, [])
        return [json_copy(self.recording.views[i].view) for i in ids]

    def close_views(self, user_id: str) -> None:
        """Close the person's modals, as Slack does once a submission is acknowledged."""
        for view_id in self.recording.stacks.pop(user_id, []):
            self.recording.views.pop(view_id, None)

    def uploaded_files(self) -> list[dict[str, Any]]:
        """Files uploaded (`content` is the bytes sent to the upload URL) and where shared."""
        return [dict(f) for f in self.recording.files.values()]

    def reset(self) -> None:
        """Forget calls, messages, views, files, triggers and rate-limit use; keep the people."""
        self.recording.clear()
        self._triggers.reset()
        self._limiter.reset()

    # ---- the HTTP application ---------------------------------------------------------------

    def build_app(self) -> web.Application:
        app = web.Application()
        app.router.add_route("*", "/api/{method}", self._web_api)
        app.router.add_get("/socket-mode/link/", self.socket_mode.serve)
        app.router.add_post("/upload/v1/{file_id}", self._upload)
        app.router.add_post("/response_url/{url_id}", self._respond)
        app.router.add_get("/files/{file_id}", self._download)
        app.router.add_get("/_emulator/calls", self._calls)
        app.router.add_get("/_emulator/messages/{user_id}", self._messages)
        app.router.add_get("/_emulator/home/{user_id}", self._home)
        app.router.add_get("/_emulator/views", self._views)
        app.router.add_post("/_emulator/trigger_ids", self._trigger_id)
        app.router.add_post("/_emulator/users", self._add_user)
        app.router.add_post("/_emulator/approvals", self._approve)
        app.router.add_post("/_emulator/reset", self._reset)
        return app

    def mounted_at(self, url: str) -> str:
        """Say where `build_app()` is served when mounted elsewhere (e.g. as a sub-app at
        `http://127.0.0.1:8080/slack-emulator`) instead of with `start()`; answers the base_url."""
        self._origin = url.rstrip("/")
        self.workspace.origin = self._origin
        return self.base_url

    async def start(self, host: str = "127.0.0.1", port: int = 0) -> str:
        """Serve on `host:port` (0: a free port) and answer the base_url for AsyncWebClient."""
        runner = web.AppRunner(self.build_app(), access_log=None, handle_signals=False)
        await runner.setup()
        site = web.TCPSite(runner, host, port)
        await site.start()
        bound_host, bound_port = runner.addresses[0][:2]
        self._runner = runner
        return self.mounted_at(f"http://{bound_host}:{bound_port}")

    async def close(self) -> None:
        await self.socket_mode.close()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> SlackEmulator:
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self.close()

    async def _web_api(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        at = self.clock.now()
        args: dict[str, Any] = {}
        token: str | None = None
        try:
            args, token = await _arguments(request)
        except Refused as refused:  # a body Slack cannot read
            status, body, headers = 200, refused.rejection.body(), dict[str, str]()
        else:
            if method == "oauth.v2.access":  # the app's client id and secret, not a token
                (status, body), headers = self._access(args, request.headers), {}
                token = None
            else:
                status, body, headers = self._answer(method, args, token)
        self.recording.record(RecordedCall(method, args, at, status, body, token))
        return web.json_response(body, status=status, headers=headers)

    def _access(self, args: dict[str, Any], http_headers: Any) -> tuple[int, dict[str, Any]]:
        header = str(http_headers.get("Authorization", ""))
        basic = header.removeprefix("Basic ").strip() if header.startswith("Basic ") else None
        try:
            answer = self.oauth.access(args, basic, self.clock.now())
        except Refused as refused:
            return 200, refused.rejection.body()
        answer["bot_user_id"] = self.directory.bot_user_id
        return 200, answer

    def _answer(
        self, method: str, args: dict[str, Any], token: str | None
    ) -> tuple[int, dict[str, Any], dict[str, str]]:
        if method == "apps.connections.open":  # the one method for the app-level token
            try:
                return 200, self.socket_mode.open_connection(token, self._started_origin()), {}
            except Refused as refused:
                return 200, refused.rejection.body(), {}
        handler = METHODS.get(method)
        if handler is None:
            return 200, {"ok": False, "error": "unknown_method", "req_method": method}, {}
        if not token:
            return 200, {"ok": False, "error": "not_authed"}, {}
        grant = self.oauth.grants.get(token)
        if grant is None:
            return 200, {"ok": False, "error": "invalid_auth"}, {}
        if grant.expires_at is not None and self.clock.now() >= grant.expires_at:
            return 200, {"ok": False, "error": "token_expired"}, {}
        retry_after = self._spend_rate_limit(method, args)
        if retry_after is not None:
            headers = {"Retry-After": str(retry_after)}
            return 429, {"ok": False, "error": "ratelimited"}, headers
        if method == "auth.test" and not grant.covers_everyone:
            return 200, grant.auth_test(self.directory.bot_user_id), {}
        teams = self.oauth.teams
        space = (
            self.workspace
            if grant.covers_everyone
            else self.workspace.seen_by(lambda user: grant.sees(user, teams), grant.team_id)
        )
        try:
            return 200, handler(space, args), {}
        except Refused as refused:
            return 200, refused.rejection.body(), {}
        except (TypeError, ValueError) as exc:  # e.g. limit=abc: Slack says invalid_arguments
            return 200, Refused("invalid_arguments", f"[ERROR] {exc}").rejection.body(), {}

    def _spend_rate_limit(self, method: str, args: dict[str, Any]) -> int | None:
        if self.rate_limits is None:
            return None
        keys: list[tuple[tuple[str, ...], Limit]] = []
        if method == "chat.postMessage":
            channel = str(args.get("channel") or "")
            channel = dm_channel_id(channel) if is_user_id(channel) else channel
            keys.append(((method, channel), self.rate_limits.chat_post_per_channel))
            keys.append(((method,), self.rate_limits.chat_post_workspace()))
        else:
            limit = self.rate_limits.for_method(method)
            if limit is not None:
                keys.append(((method,), limit))
        return self._limiter.take(keys, self.clock.now().timestamp())

    async def _upload(self, request: web.Request) -> web.Response:
        file_id = request.match_info["file_id"]
        content = await request.read()
        known = files.receive_upload(self.workspace, file_id, content)
        status = 200 if known else 404
        text = f"OK - {len(content)}" if known else "not found"
        response = {"ok": known, "size": len(content)}
        args = {"file_id": file_id, "length": len(content)}
        self.recording.record(RecordedCall("upload_url", args, self.clock.now(), status, response))
        return web.Response(text=text, status=status, content_type="text/plain")

    async def _respond(self, request: web.Request) -> web.Response:
        url_id = request.match_info["url_id"]
        target = self._response_urls.get(url_id)
        body = await _json_object(request)
        rejection = check_message(body) if target is not None else Rejection("no_service")
        call = RecordedCall("response_url", {**body, "url_id": url_id}, self.clock.now(), 200, {})
        if rejection is not None:
            self.recording.record(replace(call, status=400, response=rejection.body()))
            return web.Response(text=rejection.error, status=400, content_type="text/plain")
        assert target is not None
        user_id, channel_id = target
        message = self.workspace.bot_message(body)
        if body.get("response_type") == "in_channel":
            self.recording.messages.setdefault(channel_id, []).append(message)
        else:
            self.recording.ephemeral.append({**message, "channel": channel_id, "to_user": user_id})
        self.recording.record(replace(call, response={"ok": True}))
        return web.Response(text="ok", content_type="text/plain")

    async def _download(self, request: web.Request) -> web.Response:
        upload = self.recording.files.get(request.match_info["file_id"])
        if upload is None or upload["content"] is None:
            raise web.HTTPNotFound()
        return web.Response(body=upload["content"], content_type="application/octet-stream")

    async def _calls(self, request: web.Request) -> web.Response:
        calls = self.calls(request.query.get("method"))
        if request.query.get("count"):  # how many so far, cheap enough to poll under load
            return web.json_response({"count": len(calls)})
        return web.json_response({"calls": [c.as_json() for c in calls]})

    async def _messages(self, request: web.Request) -> web.Response:
        return web.json_response({"messages": self.messages_to(request.match_info["user_id"])})

    async def _home(self, request: web.Request) -> web.Response:
        return web.json_response({"view": self.last_view_published(request.match_info["user_id"])})

    async def _views(self, request: web.Request) -> web.Response:
        return web.json_response({"views": self.opened_views(request.query.get("user_id"))})

    async def _trigger_id(self, request: web.Request) -> web.Response:
        body = await _json_object(request)
        return web.json_response({"trigger_id": self.new_trigger_id(str(body.get("user_id", "")))})

    async def _add_user(self, request: web.Request) -> web.Response:
        body = await _json_object(request)
        try:
            user = self.add_user(WorkspaceUser(**body))
        except (TypeError, ValueError, KeyError) as exc:
            return web.json_response({"ok": False, "error": str(exc)}, status=400)
        return web.json_response({"ok": True, "user": user.as_slack(self.clock.now())})

    async def _approve(self, request: web.Request) -> web.Response:
        body = await _json_object(request)
        try:
            code = self.approve_install(
                team_id=str(body["team_id"]) if body.get("team_id") else None,
                enterprise_id=str(body["enterprise_id"]) if body.get("enterprise_id") else None,
                installer=str(body.get("installer") or ""),
            )
        except KeyError as exc:
            return web.json_response({"ok": False, "error": f"unknown {exc}"}, status=400)
        return web.json_response({"ok": True, "code": code})

    async def _reset(self, request: web.Request) -> web.Response:
        self.reset()
        return web.json_response({"ok": True})


async def _arguments(request: web.Request) -> tuple[dict[str, Any], str | None]:
    """Query string, then form or JSON body, like Slack; JSON-valued fields decoded."""
    args: dict[str, Any] = dict(request.query)
    if request.method == "POST" and request.can_read_body:
        if request.content_type == "application/json":
            try:
                body = await request.json()
            except ValueError as exc:
                raise Refused("invalid_json") from exc
            if not isinstance(body, dict):
                raise Refused("invalid_json")
            args.update(body)
        else:
            form = await request.post()
            args.update({k: v for k, v in form.items() if isinstance(v, str)})
    for key in JSON_ARGUMENTS:
        if isinstance(args.get(key), str):
            with contextlib.suppress(ValueError):  # left as text, the method refuses it
                args[key] = json.loads(args[key])
    args = {k: v for k, v in args.items() if v is not None}
    token = args.pop("token", None)
    header = request.headers.get("Authorization", "")
    if header.startswith("Bearer "):
        token = header.removeprefix("Bearer ").strip()
    return args, token


async def _json_object(request: web.Request) -> dict[str, Any]:
    try:
        body = await request.json()
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}
