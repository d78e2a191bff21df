"""Slack's per-method rate limits for the emulator: token buckets keyed by method (and channel)."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Limit:
    """`count` calls per `seconds`, sustained; up to `burst` at once (default: `count`)."""

    count: int
    seconds: float
    burst: int | None = None

    @property
    def capacity(self) -> float:
        return float(self.burst if self.burst is not None else self.count)

    @property
    def refill_per_second(self) -> float:
        return self.count / self.seconds


TIER_2 = Limit(20, 60.0)
TIER_3 = Limit(50, 60.0)
TIER_4 = Limit(100, 60.0)
SPECIAL = Limit(600, 60.0)

SLACK_TIERS: Mapping[str, Limit] = {
    "auth.test": SPECIAL,
    "users.info": TIER_4,
    "users.lookupByEmail": TIER_3,
    "conversations.open": TIER_3,
    "conversations.history": TIER_3,
    "chat.postEphemeral": TIER_4,
    "chat.update": TIER_3,
    "views.open": TIER_4,
    "views.update": TIER_4,
    "views.push": TIER_4,
    "views.publish": TIER_4,
    "files.getUploadURLExternal": TIER_4,
    "files.completeUploadExternal": TIER_4,
}
"""Slack's published tiers (T3 50+/min, T4 100+/min; auth.test is 'special', generous)."""


@dataclass(frozen=True)
class RateLimits:
    """What the emulator enforces: `per_method` entries override Slack's tiers.

    `chat.postMessage` is special in Slack: about one message per second per channel (a short
    burst is tolerated) and a workspace-wide ceiling, here `chat_post_per_second`.
    """

    per_method: Mapping[str, Limit] = field(default_factory=dict)
    chat_post_per_channel: Limit = Limit(1, 1.0)
    chat_post_per_second: float = 50.0

    def for_method(self, method: str) -> Limit | None:
        return self.per_method.get(method, SLACK_TIERS.get(method))

    def chat_post_workspace(self) -> Limit:
        per_second = self.chat_post_per_second
        return Limit(max(1, math.ceil(per_second)), max(1, math.ceil(per_second)) / per_second)


class _Bucket:
    def __init__(self, limit: Limit, now: float) -> None:
        self.limit = limit
        self.tokens = limit.capacity
        self.updated = now

    def refill(self, now: float) -> None:
        elapsed = max(0.0, now - self.updated)
        self.tokens = min(self.limit.capacity, self.tokens + elapsed * self.limit.refill_per_second)
        self.updated = now

    def wait(self) -> float:
        """Seconds until one token is available (0 when one is)."""
        if self.tokens >= 1.0 - 1e-6:  # epoch-sized floats lose a hair of each refill
            return 0.0
        return (1.0 - self.tokens) / self.limit.refill_per_second


class RateLimiter:
    """Token buckets; `take` spends one token from every key given, or none of them."""

    def __init__(self) -> None:
        self._buckets: dict[tuple[str, ...], _Bucket] = {}

    def take(self, keys: list[tuple[tuple[str, ...], Limit]], now: float) -> int | None:
        """None when the call may proceed, else the whole seconds to put in `Retry-After`."""
        buckets = []
        for key, limit in keys:
            bucket = self._buckets.get(key)
            if bucket is None or bucket.limit != limit:
                bucket = self._buckets[key] = _Bucket(limit, now)
            bucket.refill(now)
            buckets.append(bucket)
        wait = max((bucket.wait() for bucket in buckets), default=0.0)
        if wait > 0:
            return max(1, math.ceil(wait))
        for bucket in buckets:
            bucket.tokens -= 1.0
        return None

    def reset(self) -> None:
        self._buckets.clear()
