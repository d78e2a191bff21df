"""The Slack app manifest: valid against Slack's schema and consistent with what the bot handles."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml

from adapters.slack.oauth import BOT_SCOPES

SCHEMA = Path(__file__).resolve().parents[1] / "schemas/slack-app-manifest-1.0.0.schema.json"


MANIFESTS = ("app_manifest.yaml", "app_manifest.grid.yaml")


def load(repo_root: Path, name: str) -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load((repo_root / name).read_text())
    return loaded


@pytest.fixture(params=MANIFESTS)
def manifest(repo_root: Path, request: pytest.FixtureRequest) -> dict[str, Any]:
    """Each manifest: one workspace (or OAuth), and Enterprise Grid."""
    return load(repo_root, request.param)


def test_the_grid_manifest_is_the_same_app_deployable_org_wide(repo_root: Path) -> None:
    one, grid = (load(repo_root, name) for name in MANIFESTS)
    assert one["settings"]["org_deploy_enabled"] is False
    assert grid["settings"]["org_deploy_enabled"] is True
    assert grid["settings"]["token_rotation_enabled"] is True
    for key in ("display_information", "features", "oauth_config"):
        assert grid[key] == one[key]
    assert grid["settings"]["event_subscriptions"] == one["settings"]["event_subscriptions"]


def test_an_install_asks_for_the_manifest_s_scopes_and_comes_back_to_its_redirect_url(
    manifest: dict[str, Any],
) -> None:
    assert set(manifest["oauth_config"]["scopes"]["bot"]) == set(BOT_SCOPES)
    [redirect] = manifest["oauth_config"]["redirect_urls"]
    assert redirect.endswith("/slack/oauth_redirect")
    events = manifest["settings"]["event_subscriptions"]["request_url"]
    assert redirect.removesuffix("/slack/oauth_redirect") == events.removesuffix("/slack/events")


def test_manifest_validates_against_slacks_schema(manifest: dict[str, Any]) -> None:
    jsonschema.validate(manifest, json.loads(SCHEMA.read_text()))


def test_manifest_declares_both_commands_on_one_request_url(manifest: dict[str, Any]) -> None:
    commands = {c["command"]: c for c in manifest["features"]["slash_commands"]}
    assert set(commands) == {"/coaching", "/coaching-report"}
    assert commands["/coaching"]["should_escape"] is True  # mentions arrive as <@U123|name>
    urls = {c["url"] for c in commands.values()}
    settings = manifest["settings"]
    urls |= {settings["event_subscriptions"]["request_url"]}
    urls |= {settings["interactivity"]["request_url"]}
    urls |= {settings["interactivity"]["message_menu_options_url"]}
    assert len(urls) == 1 and urls.pop().endswith("/slack/events")


def test_manifest_subscribes_to_the_events_the_bot_handles(manifest: dict[str, Any]) -> None:
    events = set(manifest["settings"]["event_subscriptions"]["bot_events"])
    assert events == {"app_home_opened", "message.im", "app_uninstalled", "tokens_revoked"}
    assert manifest["features"]["app_home"]["home_tab_enabled"] is True
    assert manifest["features"]["app_home"]["messages_tab_read_only_enabled"] is False


def test_the_readme_explains_every_scope_the_manifest_asks_for(
    manifest: dict[str, Any], repo_root: Path
) -> None:
    readme = (repo_root / "README.md").read_text()
    table = readme[readme.index("Bot scopes, and why") : readme.index("Events: ")]
    explained = set(re.findall(r"^\| `([^`]+)` \|", table, re.MULTILINE))
    assert explained == set(manifest["oauth_config"]["scopes"]["bot"])
