"""The pages the Teams app package links to (website, privacy statement, terms of use) are
served by coachbot itself: a default page built from the configuration, or a redirect to the
operator's own page."""

from __future__ import annotations

import asyncio
import json
import zipfile
from pathlib import Path

import pytest

from adapters.cli import main
from adapters.config import ConfigError, load_settings
from tests.slack.conftest import People
from tests.support.openid import SigningKey
from tests.teams.conftest import APP_ID, PUBLIC_URL, TeamsWorld, start_teams


def package_urls(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    """The developer URLs of the package `coachbot teams-package` builds."""
    monkeypatch.setenv("MicrosoftAppId", APP_ID)
    monkeypatch.setenv("COACHBOT_PUBLIC_URL", PUBLIC_URL)
    monkeypatch.chdir(tmp_path)
    out = tmp_path / "coachbot-teams.zip"
    assert main(["teams-package", "--out", str(out)]) == 0
    with zipfile.ZipFile(out) as package:
        developer = json.loads(package.read("manifest.json"))["developer"]
    return {key: developer[key] for key in ("websiteUrl", "privacyUrl", "termsOfUseUrl")}


def served(world: TeamsWorld, url: str) -> str:
    """The URL on the test server that the public URL names."""
    assert url.startswith(PUBLIC_URL), url
    return world.url + (url.removeprefix(PUBLIC_URL) or "/")


async def test_every_url_of_the_app_package_answers_with_a_page(
    world: TeamsWorld, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    pages = {}
    urls = await asyncio.to_thread(package_urls, tmp_path, monkeypatch)
    for key, url in urls.items():
        response = await world.http.get(served(world, url), allow_redirects=False)
        assert response.status == 200, (key, url)
        assert response.content_type == "text/html"
        pages[key] = await response.text()
    privacy = pages["privacyUrl"]
    assert "the organisation that runs this coachbot" in privacy
    assert "only the manager who wrote them and the employee they concern" in privacy
    assert "only for groups of at least 5 people" in privacy
    assert "terms of use" in pages["termsOfUseUrl"]


async def test_the_operator_is_named_and_its_own_pages_are_linked(
    sqlite_url: str,
    people: People,
    signing_key: SigningKey,
    metadata_url: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    world, close = await start_teams(
        sqlite_url,
        signing_key,
        metadata_url,
        COACHBOT_OPERATOR="Acme <Learning> Ltd",
        COACHBOT_TERMS_URL="https://intranet.example.org/acme-terms",
        COACHBOT_MIN_GROUP_SIZE="8",
    )
    try:
        urls = await asyncio.to_thread(package_urls, tmp_path, monkeypatch)
        privacy = await world.http.get(served(world, urls["privacyUrl"]))
        text = await privacy.text()
        assert "operated by Acme &lt;Learning&gt; Ltd" in text
        assert "groups of at least 8 people" in text
        terms = await world.http.get(served(world, urls["termsOfUseUrl"]), allow_redirects=False)
        assert terms.status == 302
        assert terms.headers["Location"] == "https://intranet.example.org/acme-terms"
    finally:
        await close()


def test_a_policy_url_that_is_not_a_web_address_stops_start_up() -> None:
    with pytest.raises(ConfigError, match="COACHBOT_PRIVACY_URL: must be an http"):
        load_settings(COACHBOT_PRIVACY_URL="javascript:alert(1)")
