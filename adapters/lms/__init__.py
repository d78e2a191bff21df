"""The L&D connection's door: xAPI to and from the LRS, Moodle web services, the signed
completion webhook, and the polls that bring completions back."""

from __future__ import annotations

from adapters.config import Settings
from bot.services.assignments import LmsTargets


def lms_targets(settings: Settings) -> LmsTargets:
    """Which LMS effects the services queue, from what is configured."""
    return LmsTargets(
        moodle=bool(settings.moodle_url and settings.moodle_token),
        xapi=bool(settings.lrs_endpoint),
    )
