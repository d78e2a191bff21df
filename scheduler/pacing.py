"""Pacing of outgoing calls per platform and method, so that the dispatcher stays inside the
platform's rate limits instead of provoking 429s, and pauses a whole platform for the
`Retry-After` it is given when it does get one."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Rate:
    """`per_second` calls sustained, up to `burst` at once."""

    per_second: float
    burst: int = 1


SEND = "send"
VERIFY = "verify"

SLACK_RATES: Mapping[str, Rate] = {
    SEND: Rate(50.0, 1),  # chat.postMessage workspace-wide, as the emulator models it
    VERIFY: Rate(50 / 60, 20),  # conversations.open / history are tier 3 (50+/min)
}
PER_CHANNEL_SECONDS = 1.0
"""chat.postMessage: about one message per second per channel."""

DEFAULT_RATES: Mapping[str, Mapping[str, Rate]] = {"slack": SLACK_RATES}


class Pacer:
    """Hands out send slots: `await wait_turn(platform, method, channel)` returns when the
    call may go. Slots are reserved without awaiting, so concurrent senders never share one."""

    def __init__(
        self,
        rates: Mapping[str, Mapping[str, Rate]] = DEFAULT_RATES,
        *,
        per_channel_seconds: float = PER_CHANNEL_SECONDS,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self._rates = rates
        self._per_channel = per_channel_seconds
        self._monotonic = monotonic
        self._next: dict[str, float] = {}
        self._paused_until: dict[str, float] = {}
        self._channels: dict[tuple[str, str], float] = {}

    def reserve(self, platform: str, method: str) -> float:
        """Reserve the next slot for the method; the seconds to wait before using it."""
        now = self._monotonic()
        slot = max(now, self._paused_until.get(platform, 0.0))
        rate = self._rates.get(platform, {}).get(method)
        if rate is None:
            return slot - now
        interval = 1.0 / rate.per_second
        key = f"{platform}:{method}"
        arrival = self._next.get(key, now)  # GCRA: the theoretical arrival time
        slot = max(slot, arrival - (rate.burst - 1) * interval)
        self._next[key] = max(arrival, slot) + interval
        return slot - now

    def reserve_channel(self, platform: str, channel: str) -> float:
        """Reserve the channel's next slot (one message per `per_channel_seconds`)."""
        if not channel or self._per_channel <= 0:
            return 0.0
        now = self._monotonic()
        slot = max(now, self._channels.get((platform, channel), 0.0))
        self._channels[(platform, channel)] = slot + self._per_channel
        if len(self._channels) > 50_000:
            self._channels = {key: at for key, at in self._channels.items() if at > now}
        return slot - now

    async def wait_turn(self, platform: str, method: str, channel: str = "") -> None:
        """Return when a call of `method` (to `channel`, if given) may go."""
        if channel and self._per_channel > 0:
            await _sleep(self.reserve_channel(platform, channel))
        await _sleep(self.reserve(platform, method))

    def pause(self, platform: str, seconds: float) -> None:
        """The platform answered 429: no call to it before `seconds` from now."""
        until = self._monotonic() + seconds
        self._paused_until[platform] = max(self._paused_until.get(platform, 0.0), until)


async def _sleep(seconds: float) -> None:
    if seconds > 0:
        await asyncio.sleep(seconds)
