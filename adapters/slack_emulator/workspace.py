"""The emulated workspace's state shared by the methods: people, channels, what was posted and
shown, trigger ids, the clock, and the ids and timestamps Slack would mint."""

from __future__ import annotations

import copy
import itertools
import secrets
from collections.abc import Callable, Iterable
from datetime import datetime
from typing import Any

from adapters.slack_emulator.directory import (
    APP_ID,
    BOT_ID,
    TEAM_ID,
    Directory,
    ScopedDirectory,
    WorkspaceUser,
    dm_channel_id,
    is_user_id,
)
from adapters.slack_emulator.recording import Recording
from adapters.slack_emulator.triggers import Triggers
from adapters.slack_emulator.validation import Refused, check_message
from bot.clock import Clock


class Workspace:
    """The emulated Slack: people, channels and what was said, as one token sees them (its
    workspace's people, or its enterprise's for an org-wide install); `origin` is where the
    emulator serves it."""

    def __init__(
        self,
        directory: Directory | ScopedDirectory,
        recording: Recording,
        triggers: Triggers,
        channels: Iterable[str],
        clock: Clock,
    ) -> None:
        self.directory = directory
        self.recording = recording
        self.triggers = triggers
        self.channels = set(channels)
        self.clock = clock
        self.origin = "http://127.0.0.1"
        self.team_id = TEAM_ID
        self._sequence = itertools.count(1)

    def seen_by(self, sees: Callable[[WorkspaceUser], bool], team_id: str) -> Workspace:
        """The same Slack as a token bound to `team_id` sees it: only the people it covers."""
        scoped = copy.copy(self)  # shares what was said, the triggers and the id sequence
        base = self.directory
        scoped.directory = ScopedDirectory(
            base._directory if isinstance(base, ScopedDirectory) else base, sees
        )
        scoped.team_id = team_id
        return scoped

    def now(self) -> datetime:
        return self.clock.now()

    def ts(self) -> str:
        """A message timestamp: seconds, then a counter, so later messages sort later."""
        return f"{int(self.now().timestamp())}.{next(self._sequence):06d}"

    def new_id(self, prefix: str) -> str:
        return f"{prefix}{next(self._sequence):04d}{secrets.token_hex(3).upper()}"

    def conversation(
        self, channel: str, user_ok: bool, *, active: bool = True
    ) -> tuple[str, WorkspaceUser | None]:
        """The conversation id for `channel` and the person it is a DM with, if any.

        `user_ok`: a user id stands for the app's DM with them (chat.postMessage allows it).
        `active`: refuse a DM with a deactivated person (reading history still works).
        """
        user = None
        if user_ok and is_user_id(channel):
            user = self.directory.get(channel)
        elif channel in self.channels:
            return channel, None
        else:
            user = self.directory.by_dm_channel(channel)
        if user is None:
            raise Refused("channel_not_found")
        if active and user.deleted:
            raise Refused("account_inactive")
        return dm_channel_id(user.id), user

    def active_user(self, user_id: str) -> WorkspaceUser:
        user = self.directory.get(user_id)
        if user is None:
            raise Refused("user_not_found")
        if user.deleted:
            raise Refused("account_inactive")
        return user

    def bot_message(self, args: dict[str, Any]) -> dict[str, Any]:
        """The message the app posts with these arguments, as history will show it."""
        message: dict[str, Any] = {
            "type": "message",
            "ts": self.ts(),
            "user": self.directory.bot_user_id,
            "bot_id": BOT_ID,
            "app_id": APP_ID,
            "team": self.team_id,
            "text": args.get("text") or "",
        }
        for key in ("blocks", "metadata", "attachments"):
            if args.get(key):
                message[key] = args[key]
        return message


Method = Callable[[Workspace, dict[str, Any]], dict[str, Any]]


def required(args: dict[str, Any], name: str, error: str = "invalid_arguments") -> str:
    value = args.get(name)
    if value is None or value == "":
        raise Refused(error, f"[ERROR] missing required field: {name}")
    return str(value)


def flag(value: Any) -> bool:
    """Slack's booleans arrive as true/1 in forms and as JSON booleans in bodies."""
    return value is True or value == 1 or str(value).lower() in ("true", "1")


def refuse_bad_message(args: dict[str, Any]) -> None:
    """Slack's checks on a message's text, blocks and metadata."""
    rejection = check_message(args)
    if rejection is not None:
        raise Refused.because(rejection)
    metadata = args.get("metadata")
    if metadata is not None and not (
        isinstance(metadata, dict)
        and isinstance(metadata.get("event_type"), str)
        and metadata["event_type"]
        and isinstance(metadata.get("event_payload"), dict)
    ):
        raise Refused(
            "invalid_metadata_format",
            "[ERROR] metadata needs a string event_type and an object event_payload",
        )
