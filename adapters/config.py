"""Configuration from the environment or `.env`, as README.md's Configuration lists it.

A variable that is set but malformed stops start-up with one line naming it.
"""

from __future__ import annotations

import re
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from storage.slack_installations import EncryptionKeyProblem, token_cipher

DEFAULT_SLACK_API = "https://slack.com/api/"
APP_TYPES = ("SingleTenant", "MultiTenant", "UserAssignedMSI")
"""The Azure Bot registration kinds botbuilder knows. Azure no longer creates multi-tenant
bots, so SingleTenant (which needs MicrosoftAppTenantId) is the default."""
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR")


class ConfigError(Exception):
    """A malformed setting; the message is the one line shown to the operator."""


class Settings(BaseSettings):
    """Everything coachbot reads from its environment."""

    model_config = SettingsConfigDict(
        env_file=".env", env_file_encoding="utf-8", extra="ignore", populate_by_name=True
    )

    database_url: str = Field("sqlite:///./coachbot.db", validation_alias="DATABASE_URL")
    host: str = Field("0.0.0.0", validation_alias="COACHBOT_HOST")
    port: int = Field(3000, ge=1, le=65535, validation_alias="COACHBOT_PORT")
    timezone: str = Field("UTC", validation_alias="COACHBOT_TIMEZONE")
    min_group_size: int = Field(5, ge=3, le=50, validation_alias="COACHBOT_MIN_GROUP_SIZE")
    scheduler: bool = Field(True, validation_alias="COACHBOT_SCHEDULER")
    lease_seconds: float = Field(30.0, ge=1, le=600, validation_alias="COACHBOT_LEASE_SECONDS")
    manager_module_course: str | None = Field(
        None, validation_alias="COACHBOT_MANAGER_MODULE_COURSE"
    )
    slack_bot_token: str | None = Field(None, validation_alias="SLACK_BOT_TOKEN")
    slack_signing_secret: str | None = Field(None, validation_alias="SLACK_SIGNING_SECRET")
    slack_app_token: str | None = Field(None, validation_alias="SLACK_APP_TOKEN")
    slack_api_base_url: str = Field(DEFAULT_SLACK_API, validation_alias="SLACK_API_BASE_URL")
    slack_client_id: str | None = Field(None, validation_alias="SLACK_CLIENT_ID")
    slack_client_secret: str | None = Field(None, validation_alias="SLACK_CLIENT_SECRET")
    slack_token_rotation_minutes: int = Field(
        120, ge=1, le=24 * 60, validation_alias="SLACK_TOKEN_ROTATION_MINUTES"
    )
    encryption_key: str | None = Field(None, validation_alias="COACHBOT_ENCRYPTION_KEY")
    microsoft_app_id: str | None = Field(None, validation_alias="MicrosoftAppId")
    microsoft_app_password: str | None = Field(None, validation_alias="MicrosoftAppPassword")
    microsoft_app_tenant_id: str | None = Field(None, validation_alias="MicrosoftAppTenantId")
    microsoft_app_type: str = Field("SingleTenant", validation_alias="MicrosoftAppType")
    lrs_endpoint: str | None = Field(None, validation_alias="LRS_ENDPOINT")
    lrs_username: str | None = Field(None, validation_alias="LRS_USERNAME")
    lrs_password: str | None = Field(None, validation_alias="LRS_PASSWORD")
    moodle_url: str | None = Field(None, validation_alias="MOODLE_URL")
    moodle_token: str | None = Field(None, validation_alias="MOODLE_TOKEN")
    lms_webhook_secret: str | None = Field(None, validation_alias="LMS_WEBHOOK_SECRET")
    holidays: str | None = Field(None, validation_alias="COACHBOT_HOLIDAYS")
    public_url: str | None = Field(None, validation_alias="COACHBOT_PUBLIC_URL")
    operator: str | None = Field(None, max_length=200, validation_alias="COACHBOT_OPERATOR")
    privacy_url: str | None = Field(None, validation_alias="COACHBOT_PRIVACY_URL")
    terms_url: str | None = Field(None, validation_alias="COACHBOT_TERMS_URL")
    metrics_token: str | None = Field(None, validation_alias="COACHBOT_METRICS_TOKEN")
    log_level: str = Field("INFO", validation_alias="COACHBOT_LOG_LEVEL")

    @field_validator("scheduler", mode="before")
    @classmethod
    def _on_off(cls, value: object) -> object:
        if isinstance(value, str):
            lowered = value.strip().lower()
            if lowered in {"on", "true", "1", "yes"}:
                return True
            if lowered in {"off", "false", "0", "no"}:
                return False
            raise ValueError("must be 'on' or 'off'")
        return value

    @field_validator("microsoft_app_type", mode="before")
    @classmethod
    def _app_type(cls, value: object) -> object:
        if value is None or value == "":
            return "SingleTenant"
        if isinstance(value, str):
            for known in APP_TYPES:
                if value.strip().lower() == known.lower():
                    return known
            raise ValueError(f"must be one of {', '.join(APP_TYPES)}")
        return value

    @field_validator("log_level")
    @classmethod
    def _log_level(cls, value: str) -> str:
        level = value.strip().upper()
        if level not in LOG_LEVELS:
            raise ValueError("must be one of " + ", ".join(LOG_LEVELS))
        return level

    @field_validator("database_url")
    @classmethod
    def _database_url(cls, value: str) -> str:
        if not re.match(r"^(sqlite|postgresql|postgres)(\+\w+)?://", value):
            raise ValueError("must be a sqlite:// or postgresql:// URL")
        return value

    @field_validator("timezone")
    @classmethod
    def _zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown IANA time zone {value!r}") from None
        return value

    @field_validator(
        "slack_api_base_url",
        "lrs_endpoint",
        "moodle_url",
        "public_url",
        "privacy_url",
        "terms_url",
    )
    @classmethod
    def _http_url(cls, value: str | None) -> str | None:
        if value is None:
            return None
        if not re.match(r"^https?://[^\s/]+", value):
            raise ValueError("must be an http(s) URL")
        return value

    @field_validator("holidays")
    @classmethod
    def _holidays(cls, value: str | None) -> str | None:
        if value is None or value == "":
            return None
        if re.fullmatch(r"[A-Z]{2,3}(-[A-Z0-9]{1,3})?", value):
            return value
        if Path(value).is_file():
            return value
        raise ValueError("must be a country code (GB, US-CA) or a path to a file of dates")

    @property
    def slack_oauth(self) -> bool:
        """Slack is installed through OAuth, in as many workspaces (or Grid orgs) as add it."""
        return bool(self.slack_client_id and self.slack_client_secret)

    @property
    def slack_enabled(self) -> bool:
        if self.slack_oauth and not self.slack_bot_token:
            return bool(self.slack_signing_secret)
        return bool(self.slack_bot_token and (self.slack_signing_secret or self.slack_app_token))

    @property
    def slack_redirect_uri(self) -> str | None:
        """Where Slack sends an admin back after approving the app (`COACHBOT_PUBLIC_URL`)."""
        if not self.public_url:
            return None
        return self.public_url.rstrip("/") + "/slack/oauth_redirect"

    @property
    def teams_enabled(self) -> bool:
        return bool(self.microsoft_app_id and self.microsoft_app_password)


def incomplete_platform(settings: Settings) -> str | None:
    """The one line naming the missing variable of a half-set chat platform, else None: a
    platform with only half its credentials must not start as if it had none."""
    slack_oauth = slack_oauth_problem(settings)
    if slack_oauth is not None:
        return slack_oauth
    slack_secrets = settings.slack_signing_secret or settings.slack_app_token
    if settings.slack_bot_token and not slack_secrets:
        return (
            "SLACK_SIGNING_SECRET is not set but SLACK_BOT_TOKEN is: set it too "
            "(or SLACK_APP_TOKEN for Socket Mode)"
        )
    if slack_secrets and not settings.slack_bot_token and not settings.slack_oauth:
        given = "SLACK_SIGNING_SECRET" if settings.slack_signing_secret else "SLACK_APP_TOKEN"
        return f"SLACK_BOT_TOKEN is not set but {given} is: set it too"
    if settings.microsoft_app_id and not settings.microsoft_app_password:
        return "MicrosoftAppPassword is not set but MicrosoftAppId is: set it too"
    if settings.microsoft_app_password and not settings.microsoft_app_id:
        return "MicrosoftAppId is not set but MicrosoftAppPassword is: set it too"
    if (
        settings.teams_enabled
        and settings.microsoft_app_type != "MultiTenant"
        and not settings.microsoft_app_tenant_id
    ):
        return (
            f"MicrosoftAppTenantId is not set but MicrosoftAppType is "
            f"{settings.microsoft_app_type}: set it to your Microsoft Entra tenant id "
            "(or MicrosoftAppType=MultiTenant for an older multi-tenant bot registration)"
        )
    return None


def slack_oauth_problem(settings: Settings) -> str | None:
    """The one line saying what is wrong with an OAuth set-up, else None."""
    client_id, client_secret = settings.slack_client_id, settings.slack_client_secret
    if client_id and not client_secret:
        return "SLACK_CLIENT_SECRET is not set but SLACK_CLIENT_ID is: set it too"
    if client_secret and not client_id:
        return "SLACK_CLIENT_ID is not set but SLACK_CLIENT_SECRET is: set it too"
    if not settings.slack_oauth:
        return None
    if settings.slack_bot_token:
        return (
            "SLACK_BOT_TOKEN and SLACK_CLIENT_ID are both set: keep SLACK_BOT_TOKEN for one "
            "workspace, or SLACK_CLIENT_ID and SLACK_CLIENT_SECRET to install through OAuth"
        )
    if not settings.slack_signing_secret:
        return "SLACK_SIGNING_SECRET is not set but SLACK_CLIENT_ID is: set it too"
    try:
        token_cipher(settings.encryption_key)
    except EncryptionKeyProblem as problem:
        return (
            f"COACHBOT_ENCRYPTION_KEY {problem}; Slack tokens installed through OAuth are "
            "stored encrypted with it"
        )
    return None


def load_settings(**overrides: object) -> Settings:
    """Read the settings, turning a validation failure into one line naming the variable."""
    try:
        return Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as exc:
        error = exc.errors()[0]
        loc = error["loc"][0] if error["loc"] else "configuration"
        name = _ALIASES.get(str(loc), str(loc))
        message = str(error["msg"]).removeprefix("Value error, ")
        raise ConfigError(f"{name}: {message}") from None


_ALIASES = {
    name: str(field.validation_alias)
    for name, field in Settings.model_fields.items()
    if isinstance(field.validation_alias, str)
}
