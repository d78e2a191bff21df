"""A lean stand-in for Slack's Web API, for throughput benches only: it answers every call `ok`
(a view id for `views.open`, the same view for `views.update`) and records when each `views.*`
call arrived, on a bare asyncio HTTP/1.1 server. It checks nothing: the tests and
`bench/slack_ack.py` use the bundled emulator, which checks tokens, triggers and views as Slack
does. Here the stand-in shares the machine's two cores with the server under test, so its own
work per call is kept to a few tens of microseconds (the emulator's is about half a
millisecond). Run as a child process: prints `{"emulator": BASE_URL}` and serves until killed.
`GET /_lean/count?method=M` answers how many calls to M arrived, `GET /_lean/times?method=M`
their arrival times (UNIX seconds), `POST /_lean/reset` forgets them."""

from __future__ import annotations

import asyncio
import itertools
import json
import time
from collections import defaultdict
from urllib.parse import parse_qs, urlsplit

AUTH_TEST = {
    "ok": True,
    "url": "https://coachbot-bench.slack.com/",
    "team": "Bench",
    "user": "coachbot",
    "team_id": "T0001",
    "user_id": "U0BOT",
    "bot_id": "B0BOT",
}


class LeanSlack:
    """The recorded arrival times per method, and the HTTP handling."""

    def __init__(self) -> None:
        self.arrivals: dict[str, list[float]] = defaultdict(list)
        self._views = itertools.count(1)

    def answer(self, path: str, body: bytes) -> dict[str, object]:
        parts = urlsplit(path)
        if parts.path.startswith("/_lean/"):
            method = parse_qs(parts.query).get("method", [""])[0]
            if parts.path == "/_lean/count":
                return {"count": len(self.arrivals[method])}
            if parts.path == "/_lean/times":
                return {"times": self.arrivals[method]}
            self.arrivals.clear()
            return {"ok": True}
        method = parts.path.rsplit("/", 1)[-1]
        if method == "auth.test":
            return AUTH_TEST
        if method.startswith("views."):
            self.arrivals[method].append(time.time())
            sent = json.loads(body or b"{}")
            view_id = sent.get("view_id") or f"V{next(self._views):09d}"
            return {"ok": True, "view": {"id": view_id}}
        return {"ok": True}

    async def serve_connection(
        self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> None:
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                lines = head.decode("latin-1").split("\r\n")
                path = lines[0].split(" ")[1]
                length = 0
                for line in lines[1:]:
                    name, _, value = line.partition(":")
                    if name.lower() == "content-length":
                        length = int(value)
                body = await reader.readexactly(length) if length else b""
                payload = json.dumps(self.answer(path, body)).encode()
                writer.write(
                    b"HTTP/1.1 200 OK\r\nContent-Type: application/json; charset=utf-8\r\n"
                    b"Content-Length: " + str(len(payload)).encode() + b"\r\n\r\n" + payload
                )
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            writer.close()


async def serve() -> None:
    lean = LeanSlack()
    server = await asyncio.start_server(lean.serve_connection, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    print(json.dumps({"emulator": f"http://127.0.0.1:{port}/api/"}), flush=True)
    async with server:
        await server.serve_forever()


if __name__ == "__main__":
    asyncio.run(serve())
