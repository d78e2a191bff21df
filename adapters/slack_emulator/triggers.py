"""Trigger ids as Slack hands them out: minted per interaction, single-use, valid for 3 seconds."""

from __future__ import annotations

import itertools
import secrets
from dataclasses import dataclass

from adapters.slack_emulator.validation import Refused
from bot.clock import Clock

TRIGGER_LIFETIME_SECONDS = 3.0


@dataclass
class Trigger:
    user_id: str
    minted_at: float
    exchanged: bool = False


class Triggers:
    """Mints trigger ids and exchanges each one at most once, within its lifetime."""

    def __init__(self, clock: Clock, lifetime: float = TRIGGER_LIFETIME_SECONDS) -> None:
        self._clock = clock
        self._lifetime = lifetime
        self._issued: dict[str, Trigger] = {}
        self._sequence = itertools.count(1)

    def mint(self, user_id: str = "") -> str:
        now = self._clock.now().timestamp()
        trigger_id = f"{next(self._sequence)}.{int(now)}.{secrets.token_hex(16)}"
        self._issued[trigger_id] = Trigger(user_id, now)
        return trigger_id

    def check(self, trigger_id: object) -> Trigger:
        """The trigger, if it can still be exchanged; else `Refused` with Slack's error."""
        if not trigger_id or not isinstance(trigger_id, str):
            raise Refused("invalid_arguments", "[ERROR] missing required field: trigger_id")
        trigger = self._issued.get(trigger_id)
        if trigger is None:
            raise Refused("invalid_trigger_id")
        if trigger.exchanged:
            raise Refused("exchanged_trigger_id")
        if self._clock.now().timestamp() - trigger.minted_at > self._lifetime:
            raise Refused("expired_trigger_id")
        return trigger

    def reset(self) -> None:
        self._issued.clear()
