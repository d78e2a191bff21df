"""`console` in Teams: an L&D admin gets a card whose button opens a one-time sign-in link
(which signs them in); anyone else a refusal and no link."""

from __future__ import annotations

from aiohttp import ClientSession, CookieJar

from tests.slack.conftest import People
from tests.support.openid import SigningKey
from tests.teams.cards import text_of
from tests.teams.conftest import (  # the Teams door's fixtures, used here as they are
    DANA,
    MAYA,
    PUBLIC_URL,
    metadata_url,  # noqa: F401
    people,  # noqa: F401
    signing_key,  # noqa: F401
    start_teams,
)


def _open_urls(card: dict[str, object]) -> list[str]:
    actions = card.get("actions") or []
    assert isinstance(actions, list)
    return [a["url"] for a in actions if a.get("type") == "Action.OpenUrl"]


async def test_console_in_teams_gives_an_admin_a_link_and_anyone_else_none(
    sqlite_url: str,
    people: People,  # noqa: F811
    signing_key: SigningKey,  # noqa: F811
    metadata_url: str,  # noqa: F811
) -> None:
    world, close = await start_teams(sqlite_url, signing_key, metadata_url)
    try:
        await world.say(MAYA, "console")
        refused = world.last_card(MAYA)
        assert "the console is for the L&D team only" in text_of(refused)
        assert _open_urls(refused) == []

        await world.say(DANA, "  Console ")
        card = world.last_card(DANA)
        assert "works once, within 10 minutes" in text_of(card)
        [link] = _open_urls(card)
        assert link.startswith(f"{PUBLIC_URL}/console/sign-in?person=")
        local = link.replace(PUBLIC_URL, world.url)
        async with ClientSession(cookie_jar=CookieJar(unsafe=True)) as browser:
            shown = await browser.get(local)
            assert shown.status == 200
            token = local.split("token=")[1]
            person = local.split("person=")[1].split("&")[0]
            done = await browser.post(
                f"{world.url}/console/sign-in",
                data={"person": person, "token": token},
                allow_redirects=False,
            )
            assert done.status == 303
            # served under https (the public URL), the cookie is Secure: sent here by hand
            assert "Secure" in done.headers["Set-Cookie"]
            cookie = done.cookies["coachbot_console"].value
            page = await browser.get(
                f"{world.url}/console/programme", headers={"Cookie": f"coachbot_console={cookie}"}
            )
            assert page.status == 200 and "Dana Okafor" in await page.text()
    finally:
        await close()
