"""Which token reaches a Slack user: the one workspace's `SLACK_BOT_TOKEN`, or, installed
through OAuth, the token of the installation covering the user's workspace (its own, else its
Enterprise Grid org-wide install), refreshed before it expires. Everything the bot sends
outside a request (the outbox, identity lookups) asks here; inside a request Bolt's own
authorize has already picked the token."""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol

from slack_bolt.authorization.async_authorize import AsyncInstallationStoreAuthorize
from slack_sdk.errors import SlackApiError, SlackTokenRotationError
from slack_sdk.oauth.installation_store.models.installation import Installation
from slack_sdk.oauth.token_rotation.async_rotator import AsyncTokenRotator
from slack_sdk.web.async_client import AsyncWebClient

from adapters.application import SlackOAuthStores, SqlSlackInstallationStore
from bot.ports import Installations

log = logging.getLogger(__name__)


class NotCovered(Exception):
    """No installation of the app covers this Slack user's workspace (removed, or never
    installed there): what is for them waits until one does."""


@dataclass(frozen=True)
class Reach:
    """A token that reaches a Slack user, and which workspace it serves."""

    token: str
    team_id: str | None = None
    enterprise_id: str | None = None


class SlackReach(Protocol):
    """How the door finds the token for a Slack user, and hears of installs and removals."""

    async def reach(self, user_id: str) -> Reach:
        """The token for this user; raises `NotCovered`."""
        ...

    async def every_token(self) -> list[Reach]:
        """A token per installation, to look for someone by e-mail."""
        ...

    async def seen(self, user_id: str, team_id: str | None, enterprise_id: str | None) -> None:
        """A request (or a lookup) showed which workspace the user belongs to."""
        ...

    async def removed(
        self, team_id: str | None, enterprise_id: str | None, *, whole_org: bool, at: datetime
    ) -> None:
        """`app_uninstalled` / `tokens_revoked`: that installation's tokens are gone."""
        ...


@dataclass
class OneWorkspace:
    """`SLACK_BOT_TOKEN`: one installation covering everyone."""

    token: str
    installations: Installations | None = None

    async def reach(self, user_id: str) -> Reach:
        return Reach(self.token)

    async def every_token(self) -> list[Reach]:
        return [Reach(self.token)]

    async def seen(self, user_id: str, team_id: str | None, enterprise_id: str | None) -> None:
        return None

    async def removed(
        self, team_id: str | None, enterprise_id: str | None, *, whole_org: bool, at: datetime
    ) -> None:
        # the workspace's "installed" state: everything waits until a request shows it back
        if self.installations is not None:
            await self.installations.set_installed(team_id or "", "slack", False, at)


@dataclass
class ManyWorkspaces:
    """Installed through OAuth: an installation per workspace or Grid enterprise."""

    client: AsyncWebClient
    stores: SlackOAuthStores
    rotation: Rotation
    _teams: dict[str, tuple[str | None, str | None]] = field(default_factory=dict)

    async def reach(self, user_id: str) -> Reach:
        where = self._teams.get(user_id) or await self.stores.users.where(user_id)
        if where is not None:
            self._teams[user_id] = where
            team_id, enterprise_id = where
            installation = await self.stores.installations.async_find_installation(
                enterprise_id=enterprise_id, team_id=team_id
            )
            reach = await self._fresh(installation) if installation is not None else None
            if reach is None:
                raise NotCovered(f"no installation covers workspace {team_id}")
            return reach
        # Nobody's request showed their workspace yet: ask each installation (a Grid user id
        # is the same in every workspace of the enterprise)
        for candidate in await self.every_token():
            try:
                answer = await self.client.users_info(user=user_id, token=candidate.token)
            except SlackApiError:
                continue
            team_id = (answer.get("user") or {}).get("team_id") or candidate.team_id
            await self.seen(user_id, team_id, candidate.enterprise_id)
            return candidate
        raise NotCovered("no installation finds this Slack user")

    async def every_token(self) -> list[Reach]:
        reaches = []
        for installation in await self.stores.installations.installations():
            reach = await self._fresh(installation)
            if reach is not None:
                reaches.append(reach)
        return reaches

    async def seen(self, user_id: str, team_id: str | None, enterprise_id: str | None) -> None:
        if not team_id and not enterprise_id:
            return
        if self._teams.get(user_id) == (team_id, enterprise_id):
            return
        await self.stores.users.remember(user_id, team_id, enterprise_id)
        self._teams[user_id] = (team_id, enterprise_id)

    async def removed(
        self, team_id: str | None, enterprise_id: str | None, *, whole_org: bool, at: datetime
    ) -> None:
        await self.stores.installations.async_delete_all(
            enterprise_id=enterprise_id, team_id=None if whole_org else team_id
        )

    async def _fresh(self, installation: Installation) -> Reach | None:
        """The installation's bot token, rotated first when it expires soon."""
        try:
            installation = await self.rotation.fresh(installation)
        except SlackTokenRotationError as exc:
            log.warning("could not refresh a Slack token: %s", exc.api_error)
            return None
        if not installation.bot_token:
            return None
        team_id = None if installation.is_enterprise_install else installation.team_id
        return Reach(installation.bot_token, team_id, installation.enterprise_id)


class Rotation:
    """Refreshes an installation's bot token when it expires within `minutes` (Bolt's
    `AsyncTokenRotator`), one rotation at a time per installation in this process: a refresh
    token works once, and both Bolt's authorize (requests) and the outbox (`ManyWorkspaces`)
    ask for fresh tokens."""

    def __init__(
        self,
        store: SqlSlackInstallationStore,
        client: AsyncWebClient,
        client_id: str,
        client_secret: str,
        minutes: int,
    ) -> None:
        self.store = store
        self.minutes = minutes
        self.client_id = client_id
        self.client_secret = client_secret
        self._rotator = AsyncTokenRotator(
            client_id=client_id, client_secret=client_secret, client=client
        )
        self._locks: dict[tuple[str | None, str | None, bool], asyncio.Lock] = {}

    async def fresh(self, installation: Installation) -> Installation:
        """The installation with a token good for more than `minutes`; raises
        `SlackTokenRotationError` when Slack refuses the refresh."""
        if not installation.bot_refresh_token:
            return installation
        org = bool(installation.is_enterprise_install)
        key = (installation.enterprise_id, None if org else installation.team_id, org)
        async with self._locks.setdefault(key, asyncio.Lock()):
            # read again under the lock: another task may have rotated it meanwhile
            latest = await self.store.async_find_installation(
                enterprise_id=installation.enterprise_id,
                team_id=installation.team_id,
                is_enterprise_install=org,
            )
            current = latest or installation
            try:
                refreshed = await self._rotator.perform_token_rotation(
                    installation=current, minutes_before_expiration=self.minutes
                )
            except SlackTokenRotationError:
                # another process (a replica, a worker) may have spent this refresh token
                # first: its new pair is in the database by now
                again = await self.store.async_find_installation(
                    enterprise_id=installation.enterprise_id,
                    team_id=installation.team_id,
                    is_enterprise_install=org,
                )
                if again is None or again.bot_refresh_token == current.bot_refresh_token:
                    raise
                return again
            if refreshed is None:
                return current
            await self.store.async_save(refreshed)
            log.info("refreshed the Slack token of %s", key[1] or key[0])
            return refreshed


class RotatingAuthorize(AsyncInstallationStoreAuthorize):
    """Bolt's authorize from the installation store, its token rotation going through the
    shared `Rotation` (so that a request and the outbox never spend one refresh token twice)."""

    def __init__(self, rotation: Rotation, client: AsyncWebClient) -> None:
        super().__init__(
            logger=logging.getLogger("slack_bolt.coachbot"),
            installation_store=rotation.store,
            client_id=rotation.client_id,
            client_secret=rotation.client_secret,
            token_rotation_expiration_minutes=rotation.minutes,
            client=client,
        )
        self.rotation = rotation

    async def _rotate_and_save_tokens_if_necessary(
        self, installation: Installation | None
    ) -> Installation | None:
        if installation is None or not installation.bot_refresh_token:
            return None
        fresh = await self.rotation.fresh(installation)
        return fresh if fresh.bot_token != installation.bot_token else None


def slack_reach(
    client: AsyncWebClient,
    *,
    token: str | None,
    stores: SlackOAuthStores | None,
    installations: Installations,
    client_id: str | None,
    client_secret: str | None,
    rotation_minutes: int,
) -> SlackReach:
    """The one workspace's token, or the OAuth installations when configured."""
    if stores is not None:
        rotation = Rotation(
            stores.installations, client, client_id or "", client_secret or "", rotation_minutes
        )
        return ManyWorkspaces(client, stores, rotation)
    return OneWorkspace(token or "", installations)
