"""The sandbox's settings: the Slack door pointed at the bundled emulator, with a signing secret
made for this run, and nothing that reaches outside this machine."""

from __future__ import annotations

import secrets
from typing import Any

from adapters.config import Settings
from adapters.slack_emulator import SlackEmulator


def new_signing_secret() -> str:
    """A signing secret for one run: a secret everyone knows would let anyone act as anyone."""
    return secrets.token_hex(16)


def sandbox_settings(
    settings: Settings, emulator: SlackEmulator, signing_secret: str, **changes: Any
) -> Settings:
    """`settings` with the Slack token, signing secret and Web API root of the emulator; the
    Teams door and the LMS connections are off, so sample people never reach a real service."""
    return settings.model_copy(
        update={
            "slack_bot_token": emulator.bot_token,
            "slack_signing_secret": signing_secret,
            "slack_api_base_url": emulator.base_url,
            "slack_app_token": None,
            "slack_client_id": None,
            "slack_client_secret": None,
            "microsoft_app_id": None,
            "microsoft_app_password": None,
            "lrs_endpoint": None,
            "moodle_url": None,
            **changes,
        }
    )
