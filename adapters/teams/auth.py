"""Who may post to `/api/messages`: the Bot Framework's JWT checks (issuer, audience, expiry,
signing key, `serviceurl` claim) with every failure turned into a 401, never a 500; and the
credentials the bot uses for its own calls to the Bot Connector."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from logging import getLogger
from typing import Any

from botbuilder.integration.aiohttp import (
    ConfigurationBotFrameworkAuthentication,
    ConfigurationServiceClientCredentialFactory,
)
from botbuilder.schema import Activity
from botframework.connector.auth import (
    AppCredentials,
    AuthenticateRequestResult,
    AuthenticationConstants,
    BotFrameworkAuthentication,
    ClaimsIdentity,
    ConnectorFactory,
    ServiceClientCredentialsFactory,
    UserTokenClient,
)
from botframework.connector.skills import BotFrameworkClient
from msrest.authentication import Authentication

from adapters.config import Settings

log = getLogger(__name__)


@dataclass(frozen=True)
class BotFrameworkConfig:
    """The configuration object botbuilder reads (its attribute names), from our settings."""

    APP_ID: str | None
    APP_PASSWORD: str | None
    APP_TENANTID: str | None
    APP_TYPE: str
    TO_BOT_FROM_CHANNEL_OPENID_METADATA_URL: str | None = None
    TO_BOT_FROM_CHANNEL_TOKEN_ISSUER: str | None = None
    TO_BOT_FROM_EMULATOR_OPENID_METADATA_URL: str | None = None
    TO_CHANNEL_FROM_BOT_LOGIN_URL: str | None = None
    TO_CHANNEL_FROM_BOT_OAUTH_SCOPE: str | None = None
    OAUTH_URL: str | None = None


def bot_framework_config(
    settings: Settings, openid_metadata_url: str | None = None
) -> BotFrameworkConfig:
    """The public cloud's settings; `openid_metadata_url` replaces where the channel's signing
    keys are published (a test serves its own), keeping every other public-cloud value."""
    common: dict[str, Any] = {
        "APP_ID": settings.microsoft_app_id,
        "APP_PASSWORD": settings.microsoft_app_password,
        "APP_TENANTID": settings.microsoft_app_tenant_id,
        "APP_TYPE": settings.microsoft_app_type,
    }
    if openid_metadata_url is None:
        return BotFrameworkConfig(**common)
    return BotFrameworkConfig(
        **common,
        TO_BOT_FROM_CHANNEL_OPENID_METADATA_URL=openid_metadata_url,
        TO_BOT_FROM_CHANNEL_TOKEN_ISSUER=AuthenticationConstants.TO_BOT_FROM_CHANNEL_TOKEN_ISSUER,
        TO_BOT_FROM_EMULATOR_OPENID_METADATA_URL=openid_metadata_url,
        TO_CHANNEL_FROM_BOT_LOGIN_URL=AuthenticationConstants.TO_CHANNEL_FROM_BOT_LOGIN_URL,
        TO_CHANNEL_FROM_BOT_OAUTH_SCOPE=AuthenticationConstants.TO_CHANNEL_FROM_BOT_OAUTH_SCOPE,
        OAUTH_URL=AuthenticationConstants.OAUTH_URL,
    )


class StrictAuthentication(BotFrameworkAuthentication):  # type: ignore[misc]
    """botbuilder's authentication, but a token it cannot validate for any reason (malformed,
    expired, `alg: none`, unknown key id, wrong issuer or audience, `serviceurl` mismatch) is
    a `PermissionError`, which the adapter answers with 401."""

    def __init__(self, inner: BotFrameworkAuthentication, auth_disabled: bool) -> None:
        self._inner = inner
        self._auth_disabled = auth_disabled

    async def authenticate_request(
        self, activity: Activity, auth_header: str
    ) -> AuthenticateRequestResult:
        header = auth_header or (None if self._auth_disabled else "")
        try:
            return await self._inner.authenticate_request(activity, header)
        except PermissionError:
            raise
        except Exception as exc:  # noqa: BLE001 (any failure to authenticate is a refusal)
            log.info("Teams request refused: %s: %s", type(exc).__name__, exc)
            raise PermissionError("Unauthorized") from None

    async def authenticate_streaming_request(
        self, auth_header: str, channel_id_header: str
    ) -> AuthenticateRequestResult:
        try:
            return await self._inner.authenticate_streaming_request(auth_header, channel_id_header)
        except PermissionError:
            raise
        except Exception:  # noqa: BLE001 (any failure to authenticate is a refusal)
            raise PermissionError("Unauthorized") from None

    def create_connector_factory(self, claims_identity: ClaimsIdentity) -> ConnectorFactory:
        return self._inner.create_connector_factory(claims_identity)

    async def create_user_token_client(self, claims_identity: ClaimsIdentity) -> UserTokenClient:
        return await self._inner.create_user_token_client(claims_identity)

    def create_bot_framework_client(self) -> BotFrameworkClient:
        return self._inner.create_bot_framework_client()

    def get_originating_audience(self) -> str:
        return str(self._inner.get_originating_audience())

    async def authenticate_channel_request(self, auth_header: str) -> ClaimsIdentity:
        try:
            return await self._inner.authenticate_channel_request(auth_header)
        except PermissionError:
            raise
        except Exception:  # noqa: BLE001 (any failure to authenticate is a refusal)
            raise PermissionError("Unauthorized") from None


class TokenCredentials(AppCredentials):  # type: ignore[misc]
    """Credentials whose bearer token comes from a callable (not from MSAL)."""

    def __init__(self, app_id: str, token: Callable[[], str]) -> None:
        super().__init__(app_id=app_id)
        self._token = token

    def get_access_token(self, force_refresh: bool = False) -> str:
        return self._token()


class TokenCredentialsFactory(ServiceClientCredentialsFactory):  # type: ignore[misc]
    """Outbound credentials from a token source of one's own, for a Bot Connector that MSAL
    cannot reach (MSAL accepts only https authorities: a loopback connector in tests)."""

    def __init__(self, app_id: str, token: Callable[[], str]) -> None:
        self.app_id = app_id
        self._token = token

    async def is_valid_app_id(self, app_id: str) -> bool:
        return app_id == self.app_id

    async def is_authentication_disabled(self) -> bool:
        return False

    async def create_credentials(
        self, app_id: str, oauth_scope: str, login_endpoint: str, validate_authority: bool
    ) -> Authentication:
        return TokenCredentials(self.app_id, self._token)


def bot_authentication(
    settings: Settings,
    *,
    openid_metadata_url: str | None = None,
    credentials_factory: ServiceClientCredentialsFactory | None = None,
) -> StrictAuthentication:
    """`ConfigurationBotFrameworkAuthentication` from the Bot Framework variables, strict."""
    config = bot_framework_config(settings, openid_metadata_url)
    factory = credentials_factory or ConfigurationServiceClientCredentialFactory(config)
    inner = ConfigurationBotFrameworkAuthentication(config, credentials_factory=factory)
    return StrictAuthentication(inner, auth_disabled=not settings.microsoft_app_id)
