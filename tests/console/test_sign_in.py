"""Signing in to the console: only an L&D admin gets a link, from Slack (Home button or
`/coaching-report console`); a link works once, within 10 minutes, for its person only; a
session is a cookie (HttpOnly, SameSite=Lax, Secure under https) checked, with the role, on
every request; every POST needs the session's CSRF token. Each refusal changes nothing."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, urlencode, urlsplit

from aiohttp import ClientSession

from bot.clock import FixedClock
from bot.services.console import LINK_REFUSED, NOT_LD_CONSOLE
from storage.tables import metadata
from tests.console.conftest import DANA, MAYA, ConsoleWorld, csrf_of, hidden_fields
from tests.slack.conftest import USERS, People, seed
from tests.support.slack_world import start_world

SIGNED_OUT = "Sign in to the console"


def _link_parts(link: str) -> tuple[str, str]:
    query = parse_qs(urlsplit(link).query)
    return query["person"][0], query["token"][0]


async def test_an_admin_signs_in_with_a_link_from_the_slack_command(
    console: ConsoleWorld,
) -> None:
    link = await console.link_by_command(DANA)
    assert link is not None
    browser = console.browser()
    shown = await console.get(browser, console.local(link))
    assert shown.status == 200
    assert await console.count("console_session") == 0  # opening the link spends nothing
    done = await console.post(browser, "/console/sign-in", hidden_fields(shown.text))
    assert done.status == 200
    assert "Coaching programme" in done.text and "Dana Okafor" in done.text
    assert await console.count("console_session") == 1


async def test_the_home_button_is_an_admins_and_gives_a_link(console: ConsoleWorld) -> None:
    for user in (DANA, MAYA):
        await console.slack.event(
            {"type": "app_home_opened", "user": user, "tab": "home"}, f"Ev-{user}"
        )
    await console.slack.settled()
    assert "Open the L&D console" in str(console.slack.emulator.last_view_published(DANA))
    assert "Open the L&D console" not in str(console.slack.emulator.last_view_published(MAYA))
    link = await console.link_by_home_button(DANA)
    assert link is not None and link.startswith("http://console.example.org/console/sign-in?")
    sent = console.slack.emulator.calls("chat.postMessage")[-1].args
    assert sent["channel"] == DANA and sent["unfurl_links"] in (False, "false", "0")


async def test_anyone_else_asking_gets_a_refusal_and_no_link(console: ConsoleWorld) -> None:
    assert await console.link_by_command(MAYA) is None
    assert await console.link_by_home_button(MAYA) is None  # a forged press of the button
    said = console.slack.emulator.ephemeral_to(MAYA)[-1]["text"]
    assert "the console is for the L&amp;D team only" in said
    assert NOT_LD_CONSOLE.startswith("Sorry, the console")
    assert await console.count("console_link") == 0


async def test_no_cookie_gets_the_sign_in_page(console: ConsoleWorld) -> None:
    browser = console.browser()
    for path in ("/console/programme", "/console/people", "/console/"):
        page = await console.get(browser, path)
        assert page.status == 401
        assert SIGNED_OUT in page.text and "Dana" not in page.text


async def test_a_forged_cookie_gets_the_sign_in_page(console: ConsoleWorld) -> None:
    browser = console.browser()
    browser.cookie_jar.update_cookies({"coachbot_console": "forged"})
    page = await console.get(browser, "/console/programme")
    assert page.status == 401 and SIGNED_OUT in page.text


async def _refused(console: ConsoleWorld, person: str, token: str) -> None:
    browser = console.browser()
    query = urlencode({"person": person, "token": token})
    shown = await console.get(browser, f"/console/sign-in?{query}")
    assert shown.status == 403
    assert "This link cannot be used" in shown.text and "Sign in</button>" not in shown.text
    spent = await console.post(browser, "/console/sign-in", {"person": person, "token": token})
    assert spent.status == 403
    assert LINK_REFUSED.split(":")[0] in spent.text
    assert "coachbot_console" not in spent.headers.get("Set-Cookie", "")
    assert await console.count("console_session") == 0


async def test_a_used_link_is_refused(console: ConsoleWorld) -> None:
    link = await console.link_by_command(DANA)
    assert link is not None
    person, token = _link_parts(link)
    first = console.browser()
    assert (
        await console.post(first, "/console/sign-in", {"person": person, "token": token})
    ).status == 200
    sessions = await console.count("console_session")
    browser = console.browser()
    again = await console.post(browser, "/console/sign-in", {"person": person, "token": token})
    assert again.status == 403 and "This link cannot be used" in again.text
    assert await console.count("console_session") == sessions


async def test_an_expired_link_is_refused(console: ConsoleWorld) -> None:
    link = await console.link_by_command(DANA)
    assert link is not None
    console.clock.set(console.clock.now() + timedelta(minutes=10, seconds=1))
    await _refused(console, *_link_parts(link))


async def test_a_forged_link_is_refused(console: ConsoleWorld) -> None:
    link = await console.link_by_command(DANA)
    assert link is not None
    person, token = _link_parts(link)
    await _refused(console, person, token[:-2] + ("AA" if not token.endswith("AA") else "BB"))
    await _refused(console, person, "")
    await _refused(console, "not-a-number", token)
    # the real link still works: refusals spent nothing
    browser = console.browser()
    done = await console.post(browser, "/console/sign-in", {"person": person, "token": token})
    assert done.status == 200


async def test_another_persons_link_is_refused(console: ConsoleWorld) -> None:
    link = await console.link_by_command(DANA)
    assert link is not None
    _, token = _link_parts(link)
    await _refused(console, str(console.people.maya), token)


async def test_a_link_of_someone_no_longer_an_admin_is_refused(console: ConsoleWorld) -> None:
    link = await console.link_by_command(DANA)
    assert link is not None
    await _set_roles(console, console.dana, "")
    await _refused(console, *_link_parts(link))


async def _set_roles(console: ConsoleWorld, person_id: int, roles: str) -> None:
    person = metadata.tables["person"]
    async with console.slack.coachbot.engine.begin() as db:
        await db.execute(person.update().where(person.c.id == person_id).values(roles=roles))


async def test_a_session_whose_role_was_removed_is_out_at_the_next_click(
    console: ConsoleWorld,
) -> None:
    browser = await console.signed_in(DANA)
    page = await console.get(browser, f"/console/people/{console.people.ed}")
    csrf = csrf_of(page.text)
    await _set_roles(console, console.dana, "")
    leave = {"csrf_token": csrf, "first_day": "2030-08-01", "last_day": "2030-08-02"}
    posted = await console.post(browser, f"/console/people/{console.people.ed}/leave", leave)
    assert posted.status == 403 and "nothing was changed" in posted.text
    assert await console.count("leave") == 0
    page = await console.get(browser, "/console/people")
    assert page.status == 401 and SIGNED_OUT in page.text
    assert await console.link_by_home_button(DANA) is None  # the button she still sees
    await _set_roles(console, console.dana, "ld_admin")  # the ended session stays ended
    page = await console.get(browser, "/console/people")
    assert page.status == 401
    posted = await console.post(browser, "/console/sign-out", {"csrf_token": csrf})
    assert posted.status == 403


async def test_a_session_ends_after_eight_idle_hours(console: ConsoleWorld) -> None:
    browser = await console.signed_in(DANA)
    console.clock.set(console.clock.now() + timedelta(hours=7, minutes=59))
    assert (await console.get(browser, "/console/programme")).status == 200
    console.clock.set(console.clock.now() + timedelta(hours=7, minutes=59))
    assert (await console.get(browser, "/console/programme")).status == 200  # still in use
    console.clock.set(console.clock.now() + timedelta(hours=8))
    page = await console.get(browser, "/console/programme")
    assert page.status == 401 and SIGNED_OUT in page.text


async def test_sign_out_ends_the_session_and_needs_the_csrf_token(
    console: ConsoleWorld,
) -> None:
    browser = await console.signed_in(DANA)
    page = await console.get(browser, "/console/programme")
    refused = await console.post(browser, "/console/sign-out", {"csrf_token": "wrong"})
    assert refused.status == 403 and "nothing was changed" in refused.text
    refused = await console.post(browser, "/console/sign-out", {})
    assert refused.status == 403
    assert (await console.get(browser, "/console/programme")).status == 200
    out = await console.post(browser, "/console/sign-out", {"csrf_token": csrf_of(page.text)})
    assert out.status == 200 and "You have signed out" in out.text
    assert await console.count("console_session") == 0
    assert (await console.get(browser, "/console/programme")).status == 401


async def test_the_session_cookie_is_http_only_and_same_site_lax(console: ConsoleWorld) -> None:
    link = await console.link_by_command(DANA)
    assert link is not None
    person, token = _link_parts(link)
    browser = console.browser()
    async with browser.post(
        console.slack.url + "/console/sign-in",
        data={"person": person, "token": token},
        allow_redirects=False,
    ) as response:
        assert response.status == 303
        cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Path=/console" in cookie
    assert "Secure" not in cookie  # the public URL here is http; under https it is Secure


async def test_under_https_the_cookie_is_secure(sqlite_url: str) -> None:
    await seed(sqlite_url)
    slack, close = await start_world(
        sqlite_url, USERS, COACHBOT_PUBLIC_URL="https://console.example.org"
    )
    try:
        world = ConsoleWorld(slack, FixedClock(datetime.now(UTC)), People(0, 0, 0, 0, 0), 0)
        link = await world.link_by_command(DANA)
        assert link is not None and link.startswith("https://console.example.org/console/")
        async with (
            ClientSession() as browser,
            browser.post(
                slack.url + "/console/sign-in",
                data=dict(zip(("person", "token"), _link_parts(link), strict=True)),
                allow_redirects=False,
            ) as response,
        ):
            assert response.status == 303
            assert "Secure" in response.headers["Set-Cookie"]
    finally:
        await close()


async def test_console_answers_carry_no_store_and_a_strict_content_policy(
    console: ConsoleWorld,
) -> None:
    browser = await console.signed_in(DANA)
    for path in ("/console", "/console/", "/console/programme", "/console/people/999999"):
        page = await console.get(browser, path)
        assert page.status in (200, 404), path
        assert page.headers["Cache-Control"] == "no-store", path
        assert "default-src 'self'" in page.headers["Content-Security-Policy"], path
        assert page.headers["Referrer-Policy"] == "no-referrer", path
    assert (await console.get(browser, "/console")).url.endswith("/console/programme")
    style = await console.get(browser, "/console/static/console.css")
    assert style.status == 200 and style.headers["Content-Type"].startswith("text/css")
    anonymous = console.browser()
    assert (await console.get(anonymous, "/console")).status == 401
    assert (await console.get(anonymous, "/console/static/console.css")).status == 200


async def test_one_link_spent_by_two_browsers_at_once_signs_in_one(console: ConsoleWorld) -> None:
    link = await console.link_by_command(DANA)
    assert link is not None
    person, token = _link_parts(link)
    pages = await asyncio.gather(
        *(
            console.post(console.browser(), "/console/sign-in", {"person": person, "token": token})
            for _ in range(4)
        )
    )
    assert sorted(page.status for page in pages) == [200, 403, 403, 403]
    assert await console.count("console_session") == 1
