"""Configuration: the names README.md lists, defaults, and a malformed value stopping start-up
with one line naming the variable."""

from __future__ import annotations

import pytest

from adapters.cli import main
from adapters.config import load_settings


@pytest.mark.parametrize(
    ("variable", "value", "words"),
    [
        ("COACHBOT_PORT", "abc", "COACHBOT_PORT"),
        ("COACHBOT_TIMEZONE", "Mars/Olympus", "unknown IANA time zone"),
        ("COACHBOT_MIN_GROUP_SIZE", "2", "COACHBOT_MIN_GROUP_SIZE"),
        ("COACHBOT_SCHEDULER", "maybe", "must be 'on' or 'off'"),
        ("DATABASE_URL", "mysql://x", "must be a sqlite:// or postgresql:// URL"),
        ("SLACK_API_BASE_URL", "not a url", "SLACK_API_BASE_URL"),
        ("COACHBOT_HOLIDAYS", "no such file", "COACHBOT_HOLIDAYS"),
        ("MicrosoftAppType", "AnyTenant", "SingleTenant, MultiTenant, UserAssignedMSI"),
        ("COACHBOT_LOG_LEVEL", "loud", "must be one of DEBUG, INFO, WARNING, ERROR"),
    ],
)
def test_a_malformed_value_stops_start_up_with_one_line_naming_it(
    variable: str,
    value: str,
    words: str,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv(variable, value)
    assert main(["db", "upgrade"]) == 2
    error = capsys.readouterr().err.strip()
    assert len(error.splitlines()) == 1
    assert variable in error
    assert words in error


def test_the_defaults_are_the_contracts(monkeypatch: pytest.MonkeyPatch) -> None:
    names = ("DATABASE_URL", "COACHBOT_PORT", "COACHBOT_TIMEZONE", "COACHBOT_SCHEDULER")
    for name in (*names, "MicrosoftAppType", "COACHBOT_LOG_LEVEL"):
        monkeypatch.delenv(name, raising=False)
    settings = load_settings(_env_file=None)
    assert settings.database_url == "sqlite:///./coachbot.db"
    assert (settings.host, settings.port) == ("0.0.0.0", 3000)
    assert settings.timezone == "UTC"
    assert settings.min_group_size == 5
    assert settings.scheduler is True
    assert settings.log_level == "INFO"
    assert settings.slack_api_base_url == "https://slack.com/api/"
    assert not settings.slack_enabled
    assert not settings.teams_enabled
    assert settings.microsoft_app_type == "SingleTenant"  # Azure creates no multi-tenant bots
    assert load_settings(_env_file=None, MicrosoftAppType="multitenant").microsoft_app_type == (
        "MultiTenant"
    )
