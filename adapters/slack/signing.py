"""Slack's request signature (`v0=` HMAC-SHA256 over `v0:{ts}:{body}`): `signed_headers` for
clients that talk to the bot the way Slack does (the demo, the benchmarks and the tests), and
`signature_problem` for the door, which checks it before anything in the body is read."""

from __future__ import annotations

import hashlib
import hmac
import re
import time
from collections.abc import Mapping

from slack_sdk.signature import SignatureVerifier

MAX_AGE_SECONDS = 300
TIMESTAMP = re.compile(r"[0-9]{1,12}")
SIGNATURE = re.compile(r"v0=[0-9a-f]{64}")


def signed_headers(body: str, secret: str, *, at: float | None = None) -> dict[str, str]:
    timestamp = str(int(at if at is not None else time.time()))
    signature = SignatureVerifier(secret).generate_signature(timestamp=timestamp, body=body)
    if signature is None:  # slack_sdk answers None only when given no timestamp
        raise ValueError("no signature without a timestamp")
    return {"X-Slack-Request-Timestamp": timestamp, "X-Slack-Signature": signature}


def signature_problem(
    secret: str, headers: Mapping[str, str], body: bytes, *, now: float | None = None
) -> str | None:
    """Why a request is not signed by Slack with `secret`, or None when it is: the timestamp
    must be whole seconds within 5 minutes of now, the signature the `v0=` HMAC of the raw
    body, compared in constant time. Headers are matched as text first, so that no header
    value of any shape can make the check itself fail."""
    timestamp = headers.get("X-Slack-Request-Timestamp", "")
    signature = headers.get("X-Slack-Signature", "")
    if not secret:
        return "no signing secret is configured"
    if not TIMESTAMP.fullmatch(timestamp) or not SIGNATURE.fullmatch(signature):
        return "missing or malformed signature headers"
    current = time.time() if now is None else now
    if abs(current - int(timestamp)) > MAX_AGE_SECONDS:
        return "stale request timestamp"
    base = b"v0:" + timestamp.encode() + b":" + body
    expected = "v0=" + hmac.new(secret.encode(), base, hashlib.sha256).hexdigest()
    if not hmac.compare_digest(expected.encode(), signature.encode()):
        return "wrong signature"
    return None
