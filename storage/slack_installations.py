"""Slack installed through OAuth, on the project's database: Bolt's installation store and
OAuth state store (slack_sdk's async interfaces, implemented on our engine), with every token
encrypted at rest (Fernet, `COACHBOT_ENCRYPTION_KEY`), and which workspace each Slack user
belongs to."""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from logging import Logger, getLogger
from typing import Any

from cryptography.fernet import Fernet, InvalidToken
from slack_sdk.oauth.installation_store.async_installation_store import AsyncInstallationStore
from slack_sdk.oauth.installation_store.models.bot import Bot
from slack_sdk.oauth.installation_store.models.installation import Installation
from slack_sdk.oauth.state_store.async_state_store import AsyncOAuthStateStore
from sqlalchemy import and_, delete, select, update
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlalchemy.sql import ColumnElement

from bot.errors import TryAgain
from storage.repositories import dialect_insert
from storage.tables import SlackInstallationRow, SlackOAuthStateRow, SlackUserRow

INSTALLATION = SlackInstallationRow.__table__  # type: ignore[attr-defined]
STATE = SlackOAuthStateRow.__table__  # type: ignore[attr-defined]
SLACK_USER = SlackUserRow.__table__  # type: ignore[attr-defined]
ENCRYPTED = ("bot_token", "bot_refresh_token", "user_token", "user_refresh_token")
STATE_LIFETIME = timedelta(minutes=10)
"""How long an "Add to Slack" link's `state` may come back (Bolt's default)."""


class EncryptionKeyProblem(ValueError):
    """`COACHBOT_ENCRYPTION_KEY` is missing or not a Fernet key; the message says which."""


def token_cipher(key: str | None) -> Fernet:
    """The cipher for tokens at rest; a missing or malformed key raises `EncryptionKeyProblem`."""
    if not key:
        raise EncryptionKeyProblem("is not set")
    try:
        return Fernet(key.encode("ascii"))
    except (ValueError, UnicodeEncodeError):
        raise EncryptionKeyProblem(
            "is not a Fernet key: 32 url-safe base64-encoded bytes, as "
            "cryptography's Fernet.generate_key() makes (README, Install the Slack app)"
        ) from None


def _datetime(epoch: int | None) -> datetime | None:
    return datetime.fromtimestamp(epoch, UTC) if epoch is not None else None


class SqlSlackInstallationStore(AsyncInstallationStore):
    """Bolt's `AsyncInstallationStore` on our engine: the latest installation per workspace
    (or per enterprise, for an org-wide install) of this app (`client_id`). Finding the
    installation of a workspace falls back to its enterprise's org-wide install, which covers
    every workspace of the enterprise."""

    def __init__(self, engine: AsyncEngine, client_id: str, cipher: Fernet) -> None:
        self._engine = engine
        self.client_id = client_id
        self._cipher = cipher
        self._logger = getLogger(__name__)

    @property
    def logger(self) -> Logger:
        return self._logger

    def _seal(self, value: str | None) -> str | None:
        return self._cipher.encrypt(value.encode("utf-8")).decode("ascii") if value else None

    def _open(self, value: str | None) -> str | None:
        if not value:
            return None
        try:
            return self._cipher.decrypt(value.encode("ascii")).decode("utf-8")
        except InvalidToken:
            # sealed with another key: as good as no token (the workspace installs again)
            self._logger.warning("a stored Slack token cannot be read with this encryption key")
            return None

    def _where(
        self, enterprise_id: str | None, team_id: str | None, is_enterprise_install: bool | None
    ) -> ColumnElement[bool]:
        c = INSTALLATION.c
        if is_enterprise_install or (team_id is None and enterprise_id is not None):
            return and_(
                c.client_id == self.client_id,
                c.enterprise_id == enterprise_id,
                c.is_enterprise_install.is_(True),
            )
        return and_(
            c.client_id == self.client_id,
            c.team_id == team_id,
            c.is_enterprise_install.is_(False),
        )

    async def async_save(self, installation: Installation) -> None:
        """Keep this installation as its workspace's (or enterprise's) only one."""
        row: dict[str, Any] = {
            "client_id": self.client_id,
            "app_id": installation.app_id,
            "enterprise_id": installation.enterprise_id,
            "enterprise_name": installation.enterprise_name,
            "enterprise_url": installation.enterprise_url,
            "team_id": None if installation.is_enterprise_install else installation.team_id,
            "team_name": installation.team_name,
            "bot_token": self._seal(installation.bot_token),
            "bot_id": installation.bot_id,
            "bot_user_id": installation.bot_user_id,
            "bot_scopes": ",".join(installation.bot_scopes or []) or None,
            "bot_refresh_token": self._seal(installation.bot_refresh_token),
            "bot_token_expires_at": _datetime(installation.bot_token_expires_at),
            "user_id": installation.user_id,
            "user_token": self._seal(installation.user_token),
            "user_scopes": ",".join(installation.user_scopes or []) or None,
            "user_refresh_token": self._seal(installation.user_refresh_token),
            "user_token_expires_at": _datetime(installation.user_token_expires_at),
            "is_enterprise_install": bool(installation.is_enterprise_install),
            "token_type": installation.token_type,
            "installed_at": datetime.now(UTC),
        }
        where = self._where(
            installation.enterprise_id, installation.team_id, installation.is_enterprise_install
        )
        async with self._engine.begin() as connection:
            await connection.execute(delete(INSTALLATION).where(where))
            await connection.execute(INSTALLATION.insert().values(**row))

    async def async_save_bot(self, bot: Bot) -> None:
        """A rotated bot token replaces the installation's."""
        where = self._where(bot.enterprise_id, bot.team_id, bot.is_enterprise_install)
        async with self._engine.begin() as connection:
            await connection.execute(
                update(INSTALLATION)
                .where(where)
                .values(
                    bot_token=self._seal(bot.bot_token),
                    bot_refresh_token=self._seal(bot.bot_refresh_token),
                    bot_token_expires_at=_datetime(bot.bot_token_expires_at),
                )
            )

    async def _find_row(
        self, enterprise_id: str | None, team_id: str | None, is_enterprise_install: bool | None
    ) -> Mapping[Any, Any] | None:
        async with self._engine.connect() as connection:
            wheres = [self._where(enterprise_id, team_id, is_enterprise_install)]
            if not is_enterprise_install and team_id is not None and enterprise_id is not None:
                wheres.append(self._where(enterprise_id, None, True))  # the org-wide install
            for where in wheres:
                found = (
                    await connection.execute(
                        select(INSTALLATION)
                        .where(where)
                        .order_by(INSTALLATION.c.installed_at.desc(), INSTALLATION.c.id.desc())
                        .limit(1)
                    )
                ).first()
                if found is not None:
                    return found._mapping
        return None

    def _installation(self, row: Mapping[Any, Any]) -> Installation:
        return Installation(
            app_id=row["app_id"],
            enterprise_id=row["enterprise_id"],
            enterprise_name=row["enterprise_name"],
            enterprise_url=row["enterprise_url"],
            team_id=row["team_id"],
            team_name=row["team_name"],
            bot_token=self._open(row["bot_token"]),
            bot_id=row["bot_id"],
            bot_user_id=row["bot_user_id"],
            bot_scopes=row["bot_scopes"] or "",
            bot_refresh_token=self._open(row["bot_refresh_token"]),
            bot_token_expires_at=row["bot_token_expires_at"],
            user_id=row["user_id"] or "",
            user_token=self._open(row["user_token"]),
            user_scopes=row["user_scopes"] or "",
            user_refresh_token=self._open(row["user_refresh_token"]),
            user_token_expires_at=row["user_token_expires_at"],
            is_enterprise_install=bool(row["is_enterprise_install"]),
            token_type=row["token_type"],
            installed_at=row["installed_at"],
        )

    async def async_find_installation(
        self,
        *,
        enterprise_id: str | None,
        team_id: str | None,
        user_id: str | None = None,
        is_enterprise_install: bool | None = False,
    ) -> Installation | None:
        """The installation covering the workspace: its own, else its enterprise's org-wide
        one. Only bot installations are kept, so `user_id` narrows nothing."""
        row = await self._find_row(enterprise_id, team_id, is_enterprise_install)
        if row is None:
            return None
        installation = self._installation(row)
        if user_id is not None and installation.user_id != user_id:
            return None
        return installation

    async def async_find_bot(
        self,
        *,
        enterprise_id: str | None,
        team_id: str | None,
        is_enterprise_install: bool | None = False,
    ) -> Bot | None:
        installation = await self.async_find_installation(
            enterprise_id=enterprise_id,
            team_id=team_id,
            is_enterprise_install=is_enterprise_install,
        )
        return installation.to_bot() if installation and installation.bot_token else None

    async def async_delete_bot(self, *, enterprise_id: str | None, team_id: str | None) -> None:
        """Tokens revoked or the app uninstalled: the installation's tokens are gone."""
        await self.async_delete_installation(enterprise_id=enterprise_id, team_id=team_id)

    async def async_delete_installation(
        self, *, enterprise_id: str | None, team_id: str | None, user_id: str | None = None
    ) -> None:
        if user_id is not None:
            return  # no user tokens are kept apart from the bot's installation
        async with self._engine.begin() as connection:
            await connection.execute(
                delete(INSTALLATION).where(self._where(enterprise_id, team_id, team_id is None))
            )

    async def async_delete_all(self, *, enterprise_id: str | None, team_id: str | None) -> None:
        await self.async_delete_installation(enterprise_id=enterprise_id, team_id=team_id)

    async def installations(self) -> list[Installation]:
        """Every installation of this app, oldest first (to find someone no request showed)."""
        async with self._engine.connect() as connection:
            rows = (
                await connection.execute(
                    select(INSTALLATION)
                    .where(INSTALLATION.c.client_id == self.client_id)
                    .order_by(INSTALLATION.c.installed_at, INSTALLATION.c.id)
                )
            ).all()
        return [self._installation(row._mapping) for row in rows]


class SqlOAuthStateStore(AsyncOAuthStateStore):
    """Bolt's `AsyncOAuthStateStore` on our engine: each `state` is taken back once, within
    `STATE_LIFETIME`; a forged, expired or reused one is refused."""

    def __init__(self, engine: AsyncEngine, lifetime: timedelta = STATE_LIFETIME) -> None:
        self._engine = engine
        self._lifetime = lifetime
        self._logger = getLogger(__name__)

    @property
    def logger(self) -> Logger:
        return self._logger

    async def async_issue(self, *args: Any, **kwargs: Any) -> str:
        state = secrets.token_urlsafe(24)
        now = datetime.now(UTC)
        async with self._engine.begin() as connection:
            await connection.execute(STATE.delete().where(STATE.c.expires_at < now))
            await connection.execute(
                STATE.insert().values(state=state, expires_at=now + self._lifetime)
            )
        return state

    async def async_consume(self, state: str) -> bool:
        if not state:
            return False
        async with self._engine.begin() as connection:
            taken = await connection.execute(
                STATE.delete().where(
                    STATE.c.state == state, STATE.c.expires_at >= datetime.now(UTC)
                )
            )
        return bool(taken.rowcount)


class SqlSlackUsers:
    """Which workspace (and enterprise) each Slack user belongs to, learnt from the requests
    they send and from the installation that found them."""

    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine

    async def remember(self, user_id: str, team_id: str | None, enterprise_id: str | None) -> None:
        """Raises `TryAgain` when the database is busy or away (the next request records it)."""
        values = {"user_id": user_id, "team_id": team_id, "enterprise_id": enterprise_id}
        try:
            async with self._engine.begin() as connection:
                statement = dialect_insert(connection, SLACK_USER).values(**values)
                await connection.execute(
                    statement.on_conflict_do_update(
                        index_elements=["user_id"],
                        set_={"team_id": team_id, "enterprise_id": enterprise_id},
                    )
                )
        except SQLAlchemyError as exc:
            raise TryAgain from exc

    async def where(self, user_id: str) -> tuple[str | None, str | None] | None:
        """(team_id, enterprise_id) of the user, or None when no request or lookup showed it."""
        async with self._engine.connect() as connection:
            row = (
                await connection.execute(
                    select(SLACK_USER.c.team_id, SLACK_USER.c.enterprise_id).where(
                        SLACK_USER.c.user_id == user_id
                    )
                )
            ).first()
        return (row[0], row[1]) if row is not None else None


@dataclass(frozen=True)
class SlackOAuthStores:
    """What the Slack door keeps when installed through OAuth."""

    installations: SqlSlackInstallationStore
    states: SqlOAuthStateStore
    users: SqlSlackUsers

    @classmethod
    def on(
        cls, engine: AsyncEngine, client_id: str, encryption_key: str | None
    ) -> SlackOAuthStores:
        """The stores on `engine`; a missing or malformed key raises `EncryptionKeyProblem`."""
        return cls(
            SqlSlackInstallationStore(engine, client_id, token_cipher(encryption_key)),
            SqlOAuthStateStore(engine),
            SqlSlackUsers(engine),
        )
