"""Slack's request signature (`v0=` HMAC-SHA256 over `v0:{ts}:{body}`), for clients that talk
to the bot the way Slack does: the demo, the benchmarks and the tests. Bolt verifies inbound."""

from __future__ import annotations

import time

from slack_sdk.signature import SignatureVerifier


def signed_headers(body: str, secret: str, *, at: float | None = None) -> dict[str, str]:
    timestamp = str(int(at if at is not None else time.time()))
    signature = SignatureVerifier(secret).generate_signature(timestamp=timestamp, body=body)
    return {"X-Slack-Request-Timestamp": timestamp, "X-Slack-Signature": signature}
