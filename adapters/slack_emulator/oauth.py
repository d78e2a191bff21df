"""Installing the app through OAuth: several workspaces, one Enterprise Grid enterprise, the
codes an admin's approval leaves in the redirect, `oauth.v2.access` (the code exchange, and
`grant_type=refresh_token` when token rotation is on) and the token each install gets.

Every token is bound to what was installed: one workspace, or a whole enterprise for an
org-wide install (`is_enterprise_install`), which sees the people of every workspace of the
enterprise. Without any team declared, the emulator is the single workspace it always was:
`bot_token` covers everyone."""

from __future__ import annotations

import base64
import secrets
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from adapters.slack_emulator.directory import (
    APP_ID,
    BOT_ID,
    TEAM_ID,
    TEAM_NAME,
    WorkspaceUser,
)
from adapters.slack_emulator.validation import Refused

BOT_SCOPES = "chat:write,commands,im:history,users:read,users:read.email,files:write"


@dataclass(frozen=True)
class Team:
    """A Slack workspace; `enterprise_id` when it belongs to an Enterprise Grid org."""

    id: str
    name: str
    enterprise_id: str | None = None
    enterprise_name: str | None = None


@dataclass
class Grant:
    """What one bot token may do: the workspace (or whole enterprise) it was installed in."""

    token: str
    team: Team | None  # None for an org-wide install
    enterprise_id: str | None
    enterprise_name: str | None = None
    is_enterprise_install: bool = False
    covers_everyone: bool = False  # the single-workspace emulator's own token
    expires_at: datetime | None = None
    refresh_token: str | None = None
    installer: str = ""

    @property
    def team_id(self) -> str:
        return self.team.id if self.team else ""

    def sees(self, user: WorkspaceUser, teams: dict[str, Team]) -> bool:
        """Whether this token reaches the person (the bot's own user is seen by every token)."""
        if self.covers_everyone:
            return True
        if self.is_enterprise_install:
            team = teams.get(user.team_id)
            return team is not None and team.enterprise_id == self.enterprise_id
        return user.team_id == self.team_id

    def auth_test(self, bot_user_id: str) -> dict[str, Any]:
        """`auth.test` for this token: who the bot is and where."""
        team = self.team
        return {
            "ok": True,
            "url": f"https://{(team.id if team else self.enterprise_id or '').lower()}.slack.com/",
            "team": team.name if team else None,
            "user": "coachbot",
            "team_id": team.id if team else None,
            "user_id": bot_user_id,
            "bot_id": BOT_ID,
            "app_id": APP_ID,
            "enterprise_id": self.enterprise_id,
            "is_enterprise_install": self.is_enterprise_install,
        }


@dataclass
class PendingCode:
    team: Team | None
    enterprise_id: str | None
    enterprise_name: str | None
    installer: str
    used: bool = False


@dataclass
class OAuth:
    """The app's OAuth credentials, the workspaces it can be installed in, and its tokens."""

    client_id: str
    client_secret: str
    teams: dict[str, Team] = field(default_factory=dict)
    token_lifetime: timedelta | None = None
    """With token rotation on, how long a bot token lives (`expires_in`); None: for ever."""
    grants: dict[str, Grant] = field(default_factory=dict)
    _codes: dict[str, PendingCode] = field(default_factory=dict)
    _refresh: dict[str, Grant] = field(default_factory=dict)

    def approve(
        self, *, team_id: str | None = None, enterprise_id: str | None = None, installer: str = ""
    ) -> str:
        """What an admin's approval on Slack's authorize page leaves in the redirect: a code
        for installing in `team_id`, or org-wide in `enterprise_id`. Single use."""
        if team_id is not None:
            team = self.teams[team_id]
            pending = PendingCode(team, team.enterprise_id, team.enterprise_name, installer)
        else:
            names = [
                t.enterprise_name for t in self.teams.values() if t.enterprise_id == enterprise_id
            ]
            if not names:
                raise KeyError(f"no team of enterprise {enterprise_id!r}")
            pending = PendingCode(None, enterprise_id, names[0], installer)
        code = f"code-{secrets.token_hex(8)}"
        self._codes[code] = pending
        return code

    def revoke(self, *, team_id: str | None = None, enterprise_id: str | None = None) -> None:
        """The app is removed: every token of that install stops working."""
        for token, grant in list(self.grants.items()):
            if (
                team_id is not None and grant.team_id == team_id and not grant.is_enterprise_install
            ) or (
                team_id is None
                and grant.is_enterprise_install
                and grant.enterprise_id == enterprise_id
            ):
                del self.grants[token]

    def access(self, args: dict[str, Any], basic_auth: str | None, now: datetime) -> dict[str, Any]:
        """`oauth.v2.access`: a code (or, with token rotation, a refresh token) for a bot token."""
        client_id, client_secret = _credentials(args, basic_auth)
        if client_id != self.client_id:
            raise Refused("invalid_client_id")
        if client_secret != self.client_secret:
            raise Refused("bad_client_secret")
        if args.get("grant_type") == "refresh_token":
            # the refresh token works once; the access token it came with lives on until it
            # expires
            old = self._refresh.pop(str(args.get("refresh_token") or ""), None)
            if old is None:
                raise Refused("invalid_refresh_token")
            grant = self._mint(old.team, old.enterprise_id, old.enterprise_name, old.installer, now)
            return self._answer(grant, now)
        pending = self._codes.get(str(args.get("code") or ""))
        if pending is None:
            raise Refused("invalid_code")
        if pending.used:
            raise Refused("code_already_used")
        pending.used = True
        grant = self._mint(
            pending.team, pending.enterprise_id, pending.enterprise_name, pending.installer, now
        )
        return self._answer(grant, now)

    def _mint(
        self,
        team: Team | None,
        enterprise_id: str | None,
        enterprise_name: str | None,
        installer: str,
        now: datetime,
    ) -> Grant:
        rotating = self.token_lifetime is not None
        prefix = "xoxe.xoxb-" if rotating else "xoxb-"
        grant = Grant(
            token=f"{prefix}{team.id if team else enterprise_id}-{secrets.token_hex(8)}",
            team=team,
            enterprise_id=enterprise_id,
            enterprise_name=enterprise_name,
            is_enterprise_install=team is None,
            installer=installer,
        )
        if self.token_lifetime is not None:
            grant.expires_at = now + self.token_lifetime
            grant.refresh_token = f"xoxe-1-{secrets.token_hex(12)}"
            self._refresh[grant.refresh_token] = grant
        self.grants[grant.token] = grant
        return grant

    def _answer(self, grant: Grant, now: datetime) -> dict[str, Any]:
        team = grant.team
        enterprise = (
            {"id": grant.enterprise_id, "name": grant.enterprise_name}
            if grant.enterprise_id
            else None
        )
        answer: dict[str, Any] = {
            "ok": True,
            "app_id": APP_ID,
            "authed_user": {"id": grant.installer} if grant.installer else {},
            "scope": BOT_SCOPES,
            "token_type": "bot",
            "access_token": grant.token,
            "bot_user_id": "",  # filled by the emulator (its bot user)
            "team": {"id": team.id, "name": team.name} if team else None,
            "enterprise": enterprise,
            "is_enterprise_install": grant.is_enterprise_install,
        }
        if grant.expires_at is not None:
            answer["expires_in"] = int((grant.expires_at - now).total_seconds())
            answer["refresh_token"] = grant.refresh_token
        return answer


def single_workspace(token: str) -> Grant:
    """The grant of the emulator's own `bot_token`: the one workspace, everyone in it."""
    return Grant(token, Team(TEAM_ID, TEAM_NAME), None, covers_everyone=True)


def _credentials(args: dict[str, Any], basic_auth: str | None) -> tuple[str, str]:
    """The client id and secret, from HTTP Basic auth (slack_sdk's way) or the form."""
    if basic_auth:
        try:
            decoded = base64.b64decode(basic_auth).decode("utf-8")
        except ValueError:
            raise Refused("invalid_arguments", "[ERROR] malformed Basic authorization") from None
        client_id, _, client_secret = decoded.partition(":")
        return client_id, client_secret
    return str(args.get("client_id") or ""), str(args.get("client_secret") or "")
