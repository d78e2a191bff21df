"""The emulated workspace's people: ids, e-mail, IANA time zone, and who is deactivated."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

TEAM_ID = "T0EMULATED"
TEAM_NAME = "Emulated workspace"
APP_ID = "A0EMULATED"
BOT_ID = "B0EMULATED"
BOT_USER_ID = "U0EMULATEDBOT"


@dataclass
class WorkspaceUser:
    """A member of the workspace, as `users.info` shows them."""

    id: str
    email: str
    name: str
    tz: str = "Europe/London"
    deleted: bool = False
    is_bot: bool = False
    team_id: str = TEAM_ID
    """The workspace the person belongs to (a Grid user's `W...` id is the same in every
    workspace of the enterprise)."""

    def as_slack(self, at: datetime) -> dict[str, Any]:
        """The `user` object of `users.info`; `tz_offset` is the zone's offset at `at`."""
        local = at.astimezone(ZoneInfo(self.tz))
        offset = local.utcoffset()
        return {
            "id": self.id,
            "team_id": self.team_id,
            "name": self.name,
            "real_name": self.name,
            "deleted": self.deleted,
            "is_bot": self.is_bot,
            "is_app_user": False,
            "tz": self.tz,
            "tz_label": local.tzname() or self.tz,
            "tz_offset": int(offset.total_seconds()) if offset is not None else 0,
            "profile": {
                "email": self.email,
                "real_name": self.name,
                "display_name": self.name,
                "team": self.team_id,
            },
        }


class ScopedDirectory:
    """The users one token can see: those of its workspace, or of every workspace of its
    enterprise for an org-wide install (the app's bot user always)."""

    def __init__(self, directory: Directory, sees: Callable[[WorkspaceUser], bool]) -> None:
        self.bot_user_id = directory.bot_user_id
        self._directory = directory
        self._sees = sees

    def _seen(self, user: WorkspaceUser | None) -> WorkspaceUser | None:
        if user is None or not (user.id == self.bot_user_id or self._sees(user)):
            return None
        return user

    def get(self, user_id: str) -> WorkspaceUser | None:
        return self._seen(self._directory.get(user_id))

    def by_email(self, email: str) -> WorkspaceUser | None:
        return self._seen(self._directory.by_email(email))

    def by_dm_channel(self, channel_id: str) -> WorkspaceUser | None:
        return self._seen(self._directory.by_dm_channel(channel_id))

    def __iter__(self) -> Iterator[WorkspaceUser]:
        return iter([user for user in self._directory if self._seen(user)])


class Directory:
    """The users of the workspace, by id and by e-mail, the app's bot user included."""

    def __init__(self, users: Iterable[WorkspaceUser] = (), bot_user_id: str = BOT_USER_ID) -> None:
        self.bot_user_id = bot_user_id
        self._by_id: dict[str, WorkspaceUser] = {}
        self._by_email: dict[str, str] = {}
        self._by_dm: dict[str, str] = {}
        self.add(WorkspaceUser(bot_user_id, "", "coachbot", tz="UTC", is_bot=True))
        for user in users:
            self.add(user)

    def add(self, user: WorkspaceUser) -> WorkspaceUser:
        ZoneInfo(user.tz)  # an unknown zone fails here, not in the middle of a test
        former = self._by_id.get(user.id)
        if former is not None and former.email:
            self._by_email.pop(former.email.strip().lower(), None)
        self._by_id[user.id] = user
        self._by_dm[dm_channel_id(user.id)] = user.id
        if user.email:
            self._by_email[user.email.strip().lower()] = user.id
        return user

    def get(self, user_id: str) -> WorkspaceUser | None:
        return self._by_id.get(user_id)

    def by_email(self, email: str) -> WorkspaceUser | None:
        user_id = self._by_email.get(email.strip().lower())
        return self._by_id.get(user_id) if user_id is not None else None

    def by_dm_channel(self, channel_id: str) -> WorkspaceUser | None:
        """The person the app's DM `channel_id` is with."""
        user_id = self._by_dm.get(channel_id)
        return self._by_id.get(user_id) if user_id is not None else None

    def deactivate(self, user_id: str) -> None:
        user = self._by_id[user_id]
        user.deleted = True

    def __iter__(self) -> Iterator[WorkspaceUser]:
        return iter(list(self._by_id.values()))


def dm_channel_id(user_id: str) -> str:
    """The id of the app's DM with a user: stable, so a test can predict it."""
    return "D" + user_id[1:]


def is_user_id(value: str) -> bool:
    return value[:1] in ("U", "W")
