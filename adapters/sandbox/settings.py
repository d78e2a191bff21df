"""The sandbox's settings: the Slack door pointed at the bundled emulator."""

from __future__ import annotations

from typing import Any

from adapters.config import Settings
from adapters.slack_emulator import SlackEmulator

SANDBOX_SECRET = "sandbox-signing-secret"


def sandbox_settings(settings: Settings, emulator: SlackEmulator, **changes: Any) -> Settings:
    """`settings` with the Slack token, signing secret and Web API root of the emulator."""
    return settings.model_copy(
        update={
            "slack_bot_token": emulator.bot_token,
            "slack_signing_secret": SANDBOX_SECRET,
            "slack_api_base_url": emulator.base_url,
            "slack_app_token": None,
            **changes,
        }
    )
