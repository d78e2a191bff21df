"""The nudge settings of a process (`COACHBOT_TIMEZONE`, `COACHBOT_HOLIDAYS`,
`COACHBOT_MANAGER_MODULE_COURSE`) as the nudge use-cases take them: one reading for the
scheduler, the preview and the doors that answer a click on a nudge."""

from __future__ import annotations

from adapters.config import Settings
from adapters.holidays import country_holidays, holiday_rule
from bot.services.nudges import NudgePolicy


def nudge_policy(settings: Settings) -> NudgePolicy:
    """The policy the settings describe (a malformed `COACHBOT_HOLIDAYS` raises ConfigError)."""
    return NudgePolicy(
        default_zone=settings.timezone,
        holidays=holiday_rule(settings.holidays),
        module_course=settings.manager_module_course,
        country_holidays=country_holidays,
    )
