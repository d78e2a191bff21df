"""Socket Mode, minimally: `apps.connections.open` (app-level `xapp-` token only) hands out a
single-use WebSocket URL; the socket says `hello`, then carries the envelopes a test sends
(`SocketMode.send`) and records the app's acknowledgements, which must name the envelope."""

from __future__ import annotations

import asyncio
import json
import secrets
from typing import Any

from aiohttp import WSMsgType, web

from adapters.slack_emulator.directory import APP_ID
from adapters.slack_emulator.recording import RecordedCall, Recording
from adapters.slack_emulator.validation import Refused
from bot.clock import Clock

DEFAULT_APP_TOKEN = "xapp-1-emulator-token"
ACK_TIMEOUT_SECONDS = 3.0
"""Slack waits about 3 s for an envelope's acknowledgement before it retries it."""


class SocketMode:
    """The app's Socket Mode connections and the envelopes sent over them."""

    def __init__(self, app_token: str, recording: Recording, clock: Clock) -> None:
        self.app_token = app_token
        self._recording = recording
        self._clock = clock
        self._tickets: set[str] = set()
        self._sockets: list[web.WebSocketResponse] = []
        self._connected = asyncio.Condition()
        self._acks: dict[str, asyncio.Future[dict[str, Any]]] = {}

    def open_connection(self, token: str | None, origin: str) -> dict[str, Any]:
        """`apps.connections.open`: only the app-level token may open one (Slack answers a bot
        token with `not_allowed_token_type`)."""
        if not token:
            raise Refused("not_authed")
        if token.startswith("xoxb-"):
            raise Refused("not_allowed_token_type")
        if token != self.app_token:
            raise Refused("invalid_auth")
        ticket = secrets.token_urlsafe(12)
        self._tickets.add(ticket)
        ws_origin = origin.replace("http://", "ws://", 1).replace("https://", "wss://", 1)
        return {"ok": True, "url": f"{ws_origin}/socket-mode/link/?ticket={ticket}"}

    async def serve(self, request: web.Request) -> web.StreamResponse:
        """The WebSocket: `hello` first, then acknowledgements are read until it closes."""
        ticket = request.query.get("ticket", "")
        if ticket not in self._tickets:
            return web.Response(status=401, text="invalid or used ticket")
        self._tickets.discard(ticket)
        socket = web.WebSocketResponse(autoping=True)
        await socket.prepare(request)
        self._record("socket_mode_connect", {"ticket": ticket}, {"ok": True})
        await socket.send_json(
            {
                "type": "hello",
                "num_connections": len(self._sockets) + 1,
                "debug_info": {"host": "emulator", "approximate_connection_time": 18060},
                "connection_info": {"app_id": APP_ID},
            }
        )
        async with self._connected:
            self._sockets.append(socket)
            self._connected.notify_all()
        try:
            async for message in socket:
                if message.type == WSMsgType.TEXT:
                    self._acknowledged(message.data)
        finally:
            self._sockets.remove(socket)
        return socket

    def _acknowledged(self, data: str) -> None:
        try:
            ack = json.loads(data)
        except ValueError:
            ack = None
        envelope_id = ack.get("envelope_id") if isinstance(ack, dict) else None
        waiting = self._acks.get(envelope_id) if isinstance(envelope_id, str) else None
        if waiting is None or waiting.done():
            # an acknowledgement naming no envelope in flight: Slack would retry the envelope
            self._record("socket_mode_ack", {"raw": data}, {"ok": False, "error": "no_envelope"})
            return
        self._record("socket_mode_ack", ack, {"ok": True})
        waiting.set_result(ack)

    async def send(
        self, kind: str, payload: dict[str, Any], *, connect_within: float = 5.0
    ) -> dict[str, Any]:
        """Send an envelope (`slash_commands`, `interactive`, `events_api`) over the socket
        (the app given `connect_within` seconds to connect) and answer its acknowledgement;
        `TimeoutError` when the app does not acknowledge it within Slack's 3 s."""
        async with self._connected:
            await asyncio.wait_for(
                self._connected.wait_for(lambda: bool(self._sockets)), connect_within
            )
            socket = self._sockets[-1]
        envelope_id = secrets.token_hex(8)
        envelope = {
            "envelope_id": envelope_id,
            "type": kind,
            "payload": payload,
            "accepts_response_payload": kind != "events_api",
            "retry_attempt": 0,
            "retry_reason": "",
        }
        acked: asyncio.Future[dict[str, Any]] = asyncio.get_running_loop().create_future()
        self._acks[envelope_id] = acked
        self._record("socket_mode_envelope", envelope, {"ok": True})
        try:
            await socket.send_json(envelope)
            return await asyncio.wait_for(acked, ACK_TIMEOUT_SECONDS)
        finally:
            self._acks.pop(envelope_id, None)

    @property
    def connected(self) -> bool:
        return bool(self._sockets)

    async def close(self) -> None:
        for socket in list(self._sockets):
            await socket.close()

    def _record(self, method: str, args: dict[str, Any], response: dict[str, Any]) -> None:
        self._recording.record(RecordedCall(method, args, self._clock.now(), 200, response))
